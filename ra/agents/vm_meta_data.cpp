// The VirtualMachine agent's OCF 1.1 meta-data (see vm_params.hpp).
#include "ra/agents/vm_params.hpp"

namespace holdfast::ra::vm {

const char* meta_data() {
    return R"XML(<?xml version="1.0"?>
<resource-agent name="VirtualMachine" version="1.0">
<version>1.1</version>
<longdesc lang="en">
Manages one libvirt domain (a virtual machine) through libvirt's C API.

start creates a transient domain from the XML file in config, or starts the
existing definition named by domain; a domain already running is a success.
stop asks the guest to shut down (virDomainShutdown), waits up to
shutdown_timeout, then destroys it; a domain not running is a success.

monitor reads the domain's state: running, paused, blocked, suspended or
shutting down is running (0), shut off or absent is not running (7), crashed
is a failure (1). When libvirt does not answer within hypervisor_timeout
(a hung or stopped libvirtd), monitor does not report a failure: it looks for
the domain's process instead, through the hypervisor's pid file
(pid_dir/NAME.pid, by default /run/libvirt/qemu for qemu:///system) and /proc,
and reports running when that process is alive and carries the domain's name
on its command line, not running when there is no such process; with no pid
directory known for the hypervisor it reports a failure.

migrate_to live-migrates the domain peer to peer (VIR_MIGRATE_LIVE and
VIR_MIGRATE_PEER2PEER: this node's libvirtd connects to the target's) to the
node in OCF_RESKEY_CRM_meta_migrate_target; migrate_from waits until the
domain runs on this node.

utilization prints the domain's resource needs on one line of standard output,
"cpu=N hv_memory=MiB" (its vCPUs and its memory in MiB, the attribute names
ocf:heartbeat:VirtualDomain uses), from libvirt or else from config; a cluster
manager can copy them into the resource's utilization.
</longdesc>
<shortdesc lang="en">Manages a libvirt virtual machine</shortdesc>
<parameters>
<parameter name="config" unique="1">
<longdesc lang="en">
Absolute path of a libvirt domain XML file. start creates a transient domain
from it, so no node keeps a definition that could start the VM outside the
cluster's control. Either config or domain is required; with both, domain must
be the file's name.
</longdesc>
<shortdesc lang="en">Domain XML file</shortdesc>
<content type="string" default=""/>
</parameter>
<parameter name="domain" unique="1">
<longdesc lang="en">
Name of a domain defined on every node that may run it (used when config is
not set; with config, the file's name is used).
</longdesc>
<shortdesc lang="en">Domain name</shortdesc>
<content type="string" default=""/>
</parameter>
<parameter name="hypervisor">
<longdesc lang="en">
libvirt connection URI of the local hypervisor.
</longdesc>
<shortdesc lang="en">Hypervisor URI</shortdesc>
<content type="string" default="qemu:///system"/>
</parameter>
<parameter name="shutdown_timeout">
<longdesc lang="en">
Seconds stop waits for a graceful shutdown before it destroys the domain.
The stop's own timeout always leaves room for the destroy; 0 waits as long as
the stop's timeout allows.
</longdesc>
<shortdesc lang="en">Graceful shutdown deadline (s)</shortdesc>
<content type="integer" default="0"/>
</parameter>
<parameter name="hypervisor_timeout">
<longdesc lang="en">
Seconds monitor waits for libvirt before it falls back to looking for the
domain's process. 0 (default) uses half of the monitor's timeout, at most 30.
</longdesc>
<shortdesc lang="en">libvirt answer deadline for monitor (s)</shortdesc>
<content type="integer" default="0"/>
</parameter>
<parameter name="pid_dir">
<longdesc lang="en">
Directory where the hypervisor keeps the running domain's pid file NAME.pid,
used by monitor when libvirt does not answer. Default: /run/libvirt/qemu for
qemu:///system, /run/libvirt/lxc for lxc:///system, none otherwise.
</longdesc>
<shortdesc lang="en">Hypervisor pid file directory</shortdesc>
<content type="string" default=""/>
</parameter>
<parameter name="migration_transport">
<longdesc lang="en">
Transport this node's libvirtd uses to reach the target's during a live
migration: the destination URI is DRIVER+TRANSPORT://NODE/PATH built from
hypervisor (qemu:///system and ssh give qemu+ssh://NODE/system).
</longdesc>
<shortdesc lang="en">Migration transport</shortdesc>
<content type="string" default="ssh"/>
</parameter>
<parameter name="migration_uri">
<longdesc lang="en">
The destination libvirt URI itself, %n standing for the target node's name
(for example qemu+tcp://%n.migration/system). Overrides migration_transport.
</longdesc>
<shortdesc lang="en">Destination libvirt URI template</shortdesc>
<content type="string" default=""/>
</parameter>
<parameter name="migration_data_uri">
<longdesc lang="en">
URI the hypervisor sends the guest's memory to (libvirt's migrate URI, for
example tcp://%n-mig), %n standing for the target node's name. Default: the
hypervisor's choice (the target's host name).
</longdesc>
<shortdesc lang="en">Migration data URI template</shortdesc>
<content type="string" default=""/>
</parameter>
</parameters>
<actions>
<action name="start" timeout="90s"/>
<action name="stop" timeout="90s"/>
<action name="monitor" timeout="30s" interval="10s" depth="0"/>
<action name="migrate_to" timeout="120s"/>
<action name="migrate_from" timeout="60s"/>
<action name="utilization" timeout="10s"/>
<action name="meta-data" timeout="5s"/>
<action name="validate-all" timeout="10s"/>
</actions>
</resource-agent>
)XML";
}

}  // namespace holdfast::ra::vm
