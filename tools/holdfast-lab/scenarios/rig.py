"""The VM failover lab of issue 6, shared by `holdfast-lab demo`, `scenario` and `bench failover`.

`holdfast-lab up --libvirt --bmc --lun` gives every node a libvirtd, an ipmi_sim BMC whose power is the
node, and the switch a tgtd with two LUNs. On it the rig loads:

  - VMachine1 and VMachine2 (ocf:holdfast:VirtualMachine), both preferring node1;
  - disk1 and disk2 (ocf:holdfast:SharedDisk), VMachineN's disk on LUN N; order diskN then VMachineN,
    VMachineN colocated with diskN;
  - fencing level 1 fence_ipmilan on each node's BMC, level 2 fence_holdfast_scsi on both LUNs (which
    also unfences: a node's key is registered before anything starts there). `scsi_first` swaps them.

Two shapes of disk, because libvirt's test driver cannot migrate and qemu can:
  - vm="test" (default): the guests are libvirt test-driver domains in each node's libvirtd (the lab
    keeps one connection to test:///default open for the node's life, so they last between agent
    calls and vanish when the node goes down). A disk is a primitive: on failover the disk starts on
    the survivor, then its VM; a maintenance move stops the VM, moves the disk, starts it.
  - vm="qemu": real TCG guests (vm_guest.py). A disk is a clone (WE-AR: every node that may run the VM
    is registered), so `node standby` live-migrates the VMs (see test/lab/vm_lab_test.py for why).

Everything the rig starts (lab, agent links) goes away in down(), also after a failure.
"""
import os
import re
import shutil
import subprocess
import time

from holdfast_lab import Lab, wait_for
from lab_checks import Cluster
from vm_lab_rig import PrProbe, pr_key

VMS = ("VMachine1", "VMachine2")
DISKS = ("disk1", "disk2")
SCSI_AGENT = "/usr/sbin/fence_holdfast_scsi"
TEST_URI = "test+unix:///default"
SOURCE = os.environ.get("HOLDFAST_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


def bin_dir():
    return os.environ.get("HOLDFAST_BIN_DIR") or os.path.join(os.environ.get("HOLDFAST_SOURCE_DIR", "."),
                                                              "build", "bin")


def missing_tools(vm):
    """Why this machine cannot run the rig, or None."""
    tools = ["ip", "corosync", "tgtd", "tgtadm", "ipmi_sim", "ipmitool", "libvirtd", "virtlogd", "virsh",
             "fence_ipmilan"]
    if vm == "qemu":
        tools += ["qemu-system-x86_64", "apt-get", "dpkg-deb"]
    for tool in tools:
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed (scripts/deps)"
    return None


def test_domain_xml(name, lun_url):
    """A libvirt test-driver domain whose disk is the LUN (the test driver only records it)."""
    m = re.match(r"iscsi://([^:/]+):(\d+)/(.+)$", lun_url)
    return f"""<domain type='test'>
  <name>{name}</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='network' device='disk'>
      <source protocol='iscsi' name='{m.group(3)}'><host name='{m.group(1)}' port='{m.group(2)}'/></source>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
"""


def nvpairs(prefix, pairs):
    return "".join(f'<nvpair id="{prefix}-{k}" name="{k}" value="{v}"/>' for k, v in pairs)


class Rig:
    """A running VM lab. nodes: names; luns: the two LUN URLs; lab: holdfast_lab.Lab; c: Cluster."""

    def __init__(self, base, nodes=2, vm="test", token=1000, scsi_first=False, stack="holdfast"):
        self.base = base
        self.names = [f"node{i}" for i in range(1, nodes + 1)]
        self.vm = vm
        self.token = token
        self.scsi_first = scsi_first
        self.stack = stack
        self.bins = bin_dir()
        self.lab = Lab(os.environ.get("HOLDFAST_LAB") or os.path.join(self.bins, "holdfast-lab"),
                       os.path.join(base, "lab"))
        self.c = Cluster(self.lab, os.path.join(self.bins, "holdfast"))
        self.luns = []
        self.cluster_name = None
        self.probes = []
        self._linked_agent = False

    # -- bring up and take down ------------------------------------------------------------------
    def up(self, quiet=False):
        os.environ["OCF_ROOT"] = self._ocf_root()
        os.environ["PATH"] += ":/usr/sbin:/sbin"
        self._link_scsi_agent()
        extra = ["--libvirt", "--bmc", "--lun", "--stack", self.stack]
        token = ["--token", str(self.token)] if self.token else []
        self.lab.run("up", "--nodes", str(len(self.names)), *token, *extra, timeout=600)
        top = self.lab.status()["lab"]
        self.lab.id = top["id"]
        self.luns = [top["lun"], top["lun2"]]
        self.cluster_name = self.lab.cmap("node1", "totem.cluster_name")
        self.probes = [PrProbe(os.path.join(self.bins, "lab_pr_probe"), self.lab.id + "-sw", u) for u in self.luns]
        self._write_domains()
        wait_for("every node online", lambda: all(self.c.online(n) == self.names for n in self.names), self.lab)
        p = self.c.load("node1", self.configuration())
        if p.returncode != 0:
            raise RuntimeError(f"configure load update failed: {p.stderr.strip()}")
        self.wait_placed({vm: "node1" for vm in VMS}, "both VMs run on node1")

    def down(self):
        for p in self.probes:
            p.close()
        self.probes = []
        self.lab.down("scenario rig")
        if self._linked_agent and os.path.islink(SCSI_AGENT):
            os.remove(SCSI_AGENT)
        self._linked_agent = False

    def _ocf_root(self):
        """An OCF_ROOT whose heartbeat agents are the system's and whose holdfast provider is this build's."""
        root = os.path.join(self.base, "ocf")
        if not os.path.isdir(root):
            os.makedirs(os.path.join(root, "resource.d", "holdfast"))
            os.symlink("/usr/lib/ocf/lib", os.path.join(root, "lib"))
            os.symlink("/usr/lib/ocf/resource.d/heartbeat", os.path.join(root, "resource.d", "heartbeat"))
            for agent in ("VirtualMachine", "SharedDisk"):
                os.symlink(os.path.join(self.bins, agent), os.path.join(root, "resource.d", "holdfast", agent))
            # the lab tests' agent with injectable failures (`scenario stop-fail` makes a stop fail)
            os.symlink(os.path.join(SOURCE, "test", "lab", "agents", "Flaky"),
                       os.path.join(root, "resource.d", "holdfast", "Flaky"))
        return root

    def _link_scsi_agent(self):
        """Both fencers look for agents in /usr/sbin: this build's fence_holdfast_scsi goes there for the
        lab's life, unless a package installed one."""
        if os.path.exists(SCSI_AGENT):
            return  # installed, or linked by another lab still running: use it, leave it to its owner
        if os.path.islink(SCSI_AGENT):
            os.remove(SCSI_AGENT)  # dangling: left by a run that was killed
        os.symlink(os.path.join(self.bins, "fence_holdfast_scsi"), SCSI_AGENT)
        self._linked_agent = True

    def _write_domains(self):
        self.domain_files = {}
        guest = None
        if self.vm == "qemu":
            from vm_guest import domain_xml, ensure_guest
            guest = ensure_guest(os.path.join(os.path.dirname(self.bins), "lab-guest"))
        for vm, lun in zip(VMS, self.luns):
            path = os.path.join(self.base, f"{vm}.xml")
            with open(path, "w") as f:
                if guest:
                    f.write(domain_xml(vm, *guest, f"/var/log/libvirt/qemu/{vm}.console"))
                else:
                    f.write(test_domain_xml(vm, lun))
            self.domain_files[vm] = path

    # -- the configuration ----------------------------------------------------------------------
    def configuration(self):
        bmc = {n: self.lab.status()[n]["bmc"].split(":")[0] for n in self.names}
        levels = ("scsi", "ipmi") if self.scsi_first else ("ipmi", "scsi")
        devices = "".join(self._ipmi_device(n, bmc[n]) for n in self.names) + self._scsi_device()
        topology = "".join(
            f'<fencing-level id="fl-{n}-{i}" target="{n}" index="{i}" devices="{"ipmi-" + n if d == "ipmi" else "scsi"}"/>'
            for n in self.names for i, d in enumerate(levels, 1))
        # off, not reboot: a lost node stays off until someone looks at it (the survivors go on as soon
        # as the power is off, instead of waiting for a boot as well)
        # fence-reaction=panic: a node fenced on the LUNs only (its BMC unreachable) that wakes up again
        # must not go on running its VMs beside their recovered copies
        props = nvpairs("opt", (("stonith-enabled", "true"), ("stonith-action", "off"), ("stonith-timeout", "60s"),
                                ("fence-reaction", "panic")))
        resources = "".join(self._disk(d, lun) + self._vm(vm) for d, vm, lun in zip(DISKS, VMS, self.luns))
        constraints = ""
        for d, vm in zip(DISKS, VMS):
            first = d + "-clone" if self.vm == "qemu" else d
            constraints += (f'<rsc_order id="{d}-then-{vm}" first="{first}" then="{vm}" kind="Mandatory"/>'
                            f'<rsc_colocation id="{vm}-with-{d}" rsc="{vm}" with-rsc="{first}" score="INFINITY"/>'
                            f'<rsc_location id="{vm}-prefers-node1" rsc="{vm}" node="node1" score="50"/>')
        return (f'<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">{props}'
                f'</cluster_property_set></crm_config><resources>{devices}{resources}</resources>'
                f'<constraints>{constraints}</constraints><fencing-topology>{topology}</fencing-topology>'
                f'</configuration>\n')

    def _ipmi_device(self, node, address):
        params = (("ip", address), ("username", "admin"), ("password", "holdfast-lab"), ("lanplus", "1"),
                  ("cipher", "3"), ("power_wait", "1"), ("power_timeout", "10"), ("pcmk_host_list", node))
        return (f'<primitive id="ipmi-{node}" class="stonith" type="fence_ipmilan">'
                f'<instance_attributes id="ipmi-{node}-params">{nvpairs("ipmi-" + node, params)}'
                f'</instance_attributes></primitive>')

    def _scsi_device(self):
        params = (("devices", ",".join(self.luns)), ("pcmk_host_list", " ".join(self.names)))
        return (f'<primitive id="scsi" class="stonith" type="fence_holdfast_scsi">'
                f'<instance_attributes id="scsi-params">{nvpairs("scsi", params)}</instance_attributes>'
                f'<meta_attributes id="scsi-meta"><nvpair id="scsi-provides" name="provides" value="unfencing"/>'
                f'</meta_attributes></primitive>')

    def _disk(self, name, lun):
        if self.vm == "qemu":
            params = (("device", lun), ("reservation_type", "WE-AR"))
        else:
            params = (("device", lun), ("reservation_type", "WE-RO"))
        primitive = (f'<primitive id="{name}" class="ocf" provider="holdfast" type="SharedDisk">'
                     f'<instance_attributes id="{name}-params">{nvpairs(name, params)}</instance_attributes>'
                     f'<operations><op id="{name}-monitor-5s" name="monitor" interval="5s" timeout="20s"/>'
                     f'</operations></primitive>')
        return f'<clone id="{name}-clone">{primitive}</clone>' if self.vm == "qemu" else primitive

    def _vm(self, name):
        params = [("config", self.domain_files[name]), ("shutdown_timeout", "2")]
        if self.vm == "qemu":
            params.append(("migration_transport", "tcp"))
        else:
            params.append(("hypervisor", TEST_URI))
        meta = nvpairs(name + "-meta", (("allow-migrate", "true" if self.vm == "qemu" else "false"),))
        ops = "".join(f'<op id="{name}-{op}" name="{op}" interval="0" timeout="{t}"/>'
                      for op, t in (("start", "120s"), ("stop", "60s"), ("migrate_to", "120s"),
                                    ("migrate_from", "120s")))
        return (f'<primitive id="{name}" class="ocf" provider="holdfast" type="VirtualMachine">'
                f'<instance_attributes id="{name}-params">{nvpairs(name, params)}</instance_attributes>'
                f'<meta_attributes id="{name}-meta">{meta}</meta_attributes>'
                f'<operations>{ops}<op id="{name}-monitor-3s" name="monitor" interval="3s" timeout="30s"/>'
                f'</operations></primitive>')

    # -- what is true, read outside the daemons ---------------------------------------------------
    def pid1(self, node):
        """The node's PID 1 while it runs, else None."""
        try:
            with open(os.path.join(self.lab.dir, "nodes", node, "pid")) as f:
                pid = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if os.path.exists(f"/proc/{pid}") else None

    def hypervisor_uri(self, node):
        pid = self.pid1(node)
        if pid is None:
            return None
        driver = "qemu:///system" if self.vm == "qemu" else TEST_URI
        sep = "&" if "?" in driver else "?"
        return f"{driver}{sep}socket=/proc/{pid}/root/run/libvirt/libvirt-sock"

    def domains(self, node, timeout=5):
        """Names of the running domains in the node's libvirtd; None when it does not answer (a frozen
        or powered-off node)."""
        uri = self.hypervisor_uri(node)
        if uri is None:
            return None
        try:
            p = subprocess.run(["virsh", "-q", "-c", uri, "list", "--name"], capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        if p.returncode != 0:
            return None
        return {line.strip() for line in p.stdout.splitlines() if line.strip() in VMS}

    def disks(self, node):
        """{disk: CLOCK_MONOTONIC time of its start} for the disks whose SharedDisk agent recorded a
        start on the node (its state file in the node's /run/resource-agents: the agent's own record,
        written by the start it ran); None when the node cannot be read (off, or going down)."""
        pid = self.pid1(node)
        run = f"/proc/{pid}/root/run"
        if pid is None or not os.path.isdir(run):
            return None
        try:
            names = os.listdir(run + "/resource-agents") if os.path.isdir(run + "/resource-agents") else []
            # wall-clock mtimes, converted: every lab node shares the host's clocks
            offset = time.time() - time.monotonic()
            out = {}
            for n in names:
                m = re.fullmatch(r"SharedDisk-(\w+?)(?::\d+)?\.state", n)
                if m and m.group(1) in DISKS:
                    out[m.group(1)] = os.stat(f"{run}/resource-agents/{n}").st_mtime - offset
            return out
        except OSError:
            return None

    def placement(self):
        """{vm: [nodes whose libvirtd runs it]} over the nodes that answer."""
        where = {vm: [] for vm in VMS}
        for n in self.names:
            for vm in self.domains(n) or ():
                where[vm].append(n)
        return where

    def key(self, node):
        return pr_key(self.cluster_name, node)

    def lun_view(self):
        """[(registered keys, holder)] per LUN, or None for a LUN that did not answer."""
        return [p.read() for p in self.probes]

    def wait_placed(self, want, what):
        """Waits until every VM of `want` ({vm: node}) runs on that node alone."""
        wait_for(what, lambda: all(self.placement()[vm] == [n] for vm, n in want.items()), self.lab)

    def dc(self, node="node1"):
        return self.c.dc(node)[0]

    def holdfast(self, node, *args):
        return self.c.cli(node, *args)
