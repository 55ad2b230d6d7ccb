// fence_holdfast_scsi's metadata and usage (scsi_agent.hpp).
#include "fencing/agents/scsi_agent.hpp"

namespace holdfast::fencing::scsi_agent {

const char* metadata() {
    return R"xml(<?xml version="1.0" ?>
<resource-agent name="fence_holdfast_scsi" shortdesc="Fence agent for SCSI-3 persistent reservations (Holdfast)" >
<longdesc>fence_holdfast_scsi fences a node from shared LUNs with SCSI-3 persistent reservations. Every node has a reservation key derived from the cluster name and its node name (stable when node ids change). Unfencing ("on", run on the node itself when it joins) registers the node's key and creates a Write Exclusive - Registrants Only reservation when there is none, so only registered nodes write. "off" removes the victim's key with PREEMPT AND ABORT (PREEMPT where the target refuses it) and checks that the key is gone; the victim's writes then fail with RESERVATION CONFLICT. A fenced node does not register again until it has rejoined the cluster cleanly ("on" refuses unless rejoined=1). Devices are block or sg device paths (SG_IO) or iscsi://HOST[:PORT]/IQN/LUN URLs (user-space iSCSI).</longdesc>
<vendor-url>https://holdfast.example.org</vendor-url>
<parameters>
	<parameter name="action" unique="0" required="1">
		<getopt mixed="-o, --action=[action]" />
		<content type="string" default="off"  />
		<shortdesc lang="en">Fencing action</shortdesc>
	</parameter>
	<parameter name="devices" unique="0" required="1">
		<getopt mixed="-d, --devices=[devices]" />
		<content type="string"  />
		<shortdesc lang="en">Comma-separated LUNs: device paths (/dev/disk/by-id/...) or iscsi:// URLs. Every device must support SCSI-3 persistent reservations.</shortdesc>
	</parameter>
	<parameter name="plug" unique="0" required="1">
		<getopt mixed="-n, --plug=[nodename]" />
		<content type="string"  />
		<shortdesc lang="en">Name of the node to act on; its key is derived from the cluster name and this name.</shortdesc>
	</parameter>
	<parameter name="cluster_name" unique="0" required="0">
		<getopt mixed="--cluster-name=[name]" />
		<content type="string"  />
		<shortdesc lang="en">Cluster name the keys are derived from (default: totem.cluster_name from corosync.conf, else "holdfast"). Must match the SharedDisk resources on the same LUNs.</shortdesc>
	</parameter>
	<parameter name="local_node" unique="0" required="0">
		<getopt mixed="--local-node=[name]" />
		<content type="string"  />
		<shortdesc lang="en">This node's name (default: uname -n); off preempts with this node's key, which must be registered.</shortdesc>
	</parameter>
	<parameter name="initiator" unique="0" required="0">
		<getopt mixed="--initiator=[iqn]" />
		<content type="string"  />
		<shortdesc lang="en">iSCSI initiator name for iscsi:// devices (default: iqn.2026-12.org.holdfast:LOCAL_NODE).</shortdesc>
	</parameter>
	<parameter name="nodes" unique="0" required="0">
		<getopt mixed="--nodes=[names]" />
		<content type="string"  />
		<shortdesc lang="en">Comma-separated node names that list reports (with their keys); without it, list reports the registered keys.</shortdesc>
	</parameter>
	<parameter name="state_dir" unique="0" required="0">
		<getopt mixed="--state-dir=[dir]" />
		<content type="string" default="/var/lib/holdfast/fence_holdfast_scsi"  />
		<shortdesc lang="en">Where on records what it registered, to recognise that the node was fenced since.</shortdesc>
	</parameter>
	<parameter name="rejoined" unique="0" required="0">
		<getopt mixed="--rejoined" />
		<content type="boolean"  />
		<shortdesc lang="en">on: the node has rejoined the cluster cleanly since it was fenced, so it may register again. Holdfast's unfencing passes it; never set it in a device's configuration.</shortdesc>
	</parameter>
</parameters>
<actions>
	<action name="on" automatic="1" on_target="1" />
	<action name="off" />
	<action name="status" />
	<action name="list" />
	<action name="list-status" />
	<action name="monitor" />
	<action name="metadata" />
	<action name="validate-all" />
</actions>
</resource-agent>
)xml";
}

const char* usage() {
    return "usage: fence_holdfast_scsi [-o ACTION] -d DEVICE[,DEVICE...] [-n NODE] [--cluster-name NAME]\n"
           "         [--local-node NAME] [--initiator IQN] [--nodes N1,N2...] [--state-dir DIR] [--rejoined]\n"
           "       (without arguments: options as key=value lines on stdin)\n"
           "actions: on off status list list-status monitor metadata validate-all\n";
}

}  // namespace holdfast::fencing::scsi_agent
