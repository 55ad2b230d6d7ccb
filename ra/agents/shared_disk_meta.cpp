// SharedDisk's OCF 1.1 meta-data (shared_disk.hpp).
#include "ra/agents/shared_disk.hpp"

namespace holdfast::ra::shared_disk {

const char* meta_data() {
    return R"(<?xml version="1.0"?>
<resource-agent name="SharedDisk" version="0.1.0">
<version>1.1</version>
<longdesc lang="en">
Holds a shared LUN for this node with a SCSI-3 persistent reservation, like a
failover cluster's disk resource. start registers this node's reservation key
and holds the reservation (Write Exclusive, Registrants Only by default);
monitor checks that the key is still registered, the reservation is still
ours and the LUN answers; stop releases the reservation and unregisters.
The device is a block device (SG_IO) or an iscsi:// URL (user-space iSCSI).
The key is derived from the cluster name and the node name, the same way
Holdfast's SCSI fencing derives it, so fencing a node removes its key here.
</longdesc>
<shortdesc lang="en">Shared LUN held by a SCSI-3 persistent reservation</shortdesc>
<parameters>
<parameter name="device" unique-group="device" required="1">
<longdesc lang="en">
The LUN: a block or sg device path (/dev/disk/by-id/..., /dev/sdX), or
iscsi://HOST[:PORT]/TARGET-IQN/LUN.
</longdesc>
<shortdesc lang="en">Block device path or iscsi:// URL</shortdesc>
<content type="string"/>
</parameter>
<parameter name="key">
<longdesc lang="en">
This node's reservation key, 1 to 16 hex digits (optional 0x). Default: derived
from the cluster name and the node name (CRM_meta_on_node).
</longdesc>
<shortdesc lang="en">Reservation key override</shortdesc>
<content type="string" default=""/>
</parameter>
<parameter name="cluster_name">
<longdesc lang="en">
The cluster name the default key is derived from. Default: totem.cluster_name
from corosync.conf ($COROSYNC_MAIN_CONFIG_FILE or /etc/corosync/corosync.conf),
else "holdfast".
</longdesc>
<shortdesc lang="en">Cluster name for the key</shortdesc>
<content type="string" default=""/>
</parameter>
<parameter name="reservation_type">
<longdesc lang="en">
The reservation type: WE-RO (Write Exclusive, Registrants Only), WE (Write
Exclusive), EA (Exclusive Access), EA-RO, WE-AR or EA-AR (All Registrants).
</longdesc>
<shortdesc lang="en">Reservation type</shortdesc>
<content type="select" default="WE-RO">
<option value="WE-RO"/>
<option value="WE"/>
<option value="EA"/>
<option value="EA-RO"/>
<option value="WE-AR"/>
<option value="EA-AR"/>
</content>
</parameter>
<parameter name="preempt">
<longdesc lang="en">
When another key holds the reservation at start: true preempts it (removes
that key's registrations and takes the reservation); false fails the start.
Only safe when the other holder is known to be fenced or stopped.
</longdesc>
<shortdesc lang="en">Preempt another holder at start</shortdesc>
<content type="boolean" default="false"/>
</parameter>
<parameter name="fencing_state_dir">
<longdesc lang="en">
Where fence_holdfast_scsi records the LUNs it unfenced this node on. When
this LUN is one of them, the node's key belongs to unfencing: SharedDisk
neither registers nor unregisters it, starts only while it is registered
(a fenced node's is not), and keeps its own running state in HA_RSCTMP.
</longdesc>
<shortdesc lang="en">fence_holdfast_scsi's state directory</shortdesc>
<content type="string" default="/var/lib/holdfast/fence_holdfast_scsi"/>
</parameter>
<parameter name="initiator">
<longdesc lang="en">
The iSCSI initiator name for iscsi:// devices. Default:
iqn.2026-12.org.holdfast:NODE.
</longdesc>
<shortdesc lang="en">iSCSI initiator name</shortdesc>
<content type="string" default=""/>
</parameter>
</parameters>
<actions>
<action name="start" timeout="30s"/>
<action name="stop" timeout="30s"/>
<action name="monitor" timeout="20s" interval="10s" depth="0"/>
<action name="meta-data" timeout="5s"/>
<action name="validate-all" timeout="10s"/>
</actions>
</resource-agent>
)";
}

}  // namespace holdfast::ra::shared_disk
