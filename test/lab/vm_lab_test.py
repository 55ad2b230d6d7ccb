#!/usr/bin/env python3
"""A real qemu VM and its shared disk on a 2-node lab (CTest `lab_vm`, label `lab`).

The lab runs with `holdfast-lab up --libvirt` (virtlogd and libvirtd in every node, libvirtd on TCP at
the node's lab address, so peer-to-peer live migration goes node to node as between real hosts). tgtd
serves one LUN on the lab's switch (the storage box on the cluster network). The cluster runs:

  - disk-clone: ocf:holdfast:SharedDisk, cloned, reservation_type WE-AR (Write Exclusive, All
    Registrants): every node that may run the VM registers its key, the reservation lets only
    registered nodes write, and fencing a node (removing its key) cuts it off;
  - vm: ocf:holdfast:VirtualMachine (TCG, kernel + busybox initramfs, 128 MiB, no disk image),
    allow-migrate=true, preferring node1;
  - order disk-clone then vm, colocation vm with disk-clone.

Why a cloned disk: a live migration runs the guest's qemu on both nodes for a moment (the target's
waits, paused, for the memory), and after it the target must write the disk at once. A disk held by
one node at a time (a primitive with an exclusive reservation) would have to move first, which needs
the VM stopped: Pacemaker then stops and starts the VM instead of migrating it, and so does Holdfast
(with the disk as a primitive, crm_simulate 2.1.5 and `holdfast simulate` both plan, for node1's
standby, "Move vm (node1 -> node2) due to unrunnable disk stop": stop, then start). So,
as operators do with shared storage under live-migrating VMs, every node holds a registration, and the
invariant that matters is "a node running the guest is registered", not "one registrant".

Checks (state, never timings; each wait has a generous deadline):
  1. the disk starts before the VM on the VM's node (executor call ids in the CIB), and the VM's qemu
     runs on exactly one node, node1;
  2. `holdfast node standby node1` live-migrates the VM: migrate_from in node2's history, the guest on
     node2 goes on with the same boot id and a larger uptime (no new boot), node1 has no qemu left
     and its disk instance is stopped; `holdfast node online node1` migrates it back (node1 preferred),
     again with the same boot id;
  3. killing the guest's qemu: the monitor notices, the VM restarts in place (a new boot id on node1);
  4. `holdfast resource stop disk-clone`: the VM stops before the disk does (call ids), nothing runs;
  5. the other way, for comparison: group xg = [xdisk (SharedDisk primitive, WE-RO: one holder),
     xvm (a second guest, allow-migrate=true)]. Disk first on start, last on stop (call ids); `node
     standby` moves the group: xvm stopped, xdisk moved, xvm started on node2 with a fresh boot and no
     migrate_from; at every sampled instant at most one node is registered on the LUN;
  6. a sampler thread (vm_lab_rig.Sampler), every ~100 ms from start to end: no guest runs on two
     nodes, a node with a guest's qemu process always has its disk registration, and in step 5 the disk
     has one registrant at most. Zero violations; then, as a control, the first guest started by hand on
     both nodes must show up as violations.

Needs root, `ip netns`, corosync, tgtd, libvirtd, virsh and qemu-system-x86 (TCG; /dev/kvm is not
used); exits 77 (skip) naming what is missing, also when the nodes' libvirtd offers no TCG guests (a
libvirtd that does not start in the nodes is a failure: that is holdfast-lab's job). The guest
(vm_guest.py) is built once into --guest-cache with `apt-get download` (needs the Debian archive the
first time). Everything it starts (lab nodes with
their libvirtd and qemu, tgtd, the probe) is removed also when a check fails.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from holdfast_lab import SKIP, CheckFailed, Lab, become_subreaper, expect, reap, skip_reason, wait_for
from lab_checks import Cluster
from vm_guest import domain_xml, ensure_guest
from vm_lab_rig import Node, PrProbe, Sampler, Target, kill_quietly, make_ocf_root, pr_key, proc_entries

NODES = ["node1", "node2"]
DOMAIN = "labvm"  # the live-migrating VM, beside the cloned disk
DOMAIN2 = "labvm2"  # the VM in a group after an exclusive disk


def configuration(url, xml):
    return f"""<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>
    </cluster_property_set>
  </crm_config>
  <resources>
    <clone id="disk-clone">
      <primitive id="disk" class="ocf" provider="holdfast" type="SharedDisk">
        <instance_attributes id="disk-params">
          <nvpair id="disk-device" name="device" value="{url}"/>
          <nvpair id="disk-type" name="reservation_type" value="WE-AR"/>
        </instance_attributes>
        <operations>
          <op id="disk-monitor-5s" name="monitor" interval="5s" timeout="20s"/>
        </operations>
      </primitive>
    </clone>
    <primitive id="vm" class="ocf" provider="holdfast" type="VirtualMachine">
      <instance_attributes id="vm-params">
        <nvpair id="vm-config" name="config" value="{xml}"/>
        <nvpair id="vm-transport" name="migration_transport" value="tcp"/>
        <nvpair id="vm-shutdown" name="shutdown_timeout" value="2"/>
      </instance_attributes>
      <meta_attributes id="vm-meta">
        <nvpair id="vm-allow-migrate" name="allow-migrate" value="true"/>
      </meta_attributes>
      <operations>
        <op id="vm-start" name="start" interval="0" timeout="120s"/>
        <op id="vm-stop" name="stop" interval="0" timeout="60s"/>
        <op id="vm-migrate-to" name="migrate_to" interval="0" timeout="120s"/>
        <op id="vm-migrate-from" name="migrate_from" interval="0" timeout="120s"/>
        <op id="vm-monitor-3s" name="monitor" interval="3s" timeout="30s"/>
      </operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_order id="disk-then-vm" first="disk-clone" then="vm" kind="Mandatory"/>
    <rsc_colocation id="vm-with-disk" rsc="vm" with-rsc="disk-clone" score="INFINITY"/>
    <rsc_location id="vm-prefers-node1" rsc="vm" node="node1" score="50"/>
  </constraints>
</configuration>
"""


def group_configuration(url, xml):
    """Phase two: the disk as a primitive (one holder, WE-RO) and a VM in a group after it."""
    return f"""<configuration>
  <resources>
    <group id="xg">
      <meta_attributes id="xg-meta">
        <nvpair id="xg-stickiness" name="resource-stickiness" value="100"/>
      </meta_attributes>
      <primitive id="xdisk" class="ocf" provider="holdfast" type="SharedDisk">
        <instance_attributes id="xdisk-params">
          <nvpair id="xdisk-device" name="device" value="{url}"/>
        </instance_attributes>
        <operations>
          <op id="xdisk-monitor-5s" name="monitor" interval="5s" timeout="20s"/>
        </operations>
      </primitive>
      <primitive id="xvm" class="ocf" provider="holdfast" type="VirtualMachine">
        <instance_attributes id="xvm-params">
          <nvpair id="xvm-config" name="config" value="{xml}"/>
          <nvpair id="xvm-transport" name="migration_transport" value="tcp"/>
          <nvpair id="xvm-shutdown" name="shutdown_timeout" value="2"/>
        </instance_attributes>
        <meta_attributes id="xvm-meta">
          <nvpair id="xvm-allow-migrate" name="allow-migrate" value="true"/>
        </meta_attributes>
        <operations>
          <op id="xvm-start" name="start" interval="0" timeout="120s"/>
          <op id="xvm-stop" name="stop" interval="0" timeout="60s"/>
          <op id="xvm-monitor-3s" name="monitor" interval="3s" timeout="30s"/>
        </operations>
      </primitive>
    </group>
  </resources>
  <constraints>
    <rsc_location id="xg-prefers-node1" rsc="xg" node="node1" score="50"/>
  </constraints>
</configuration>
"""


def history(cib, node, rsc):
    """{operation key: attributes} of rsc's recorded operations on node (lrm_rsc_op elements)."""
    state = re.search(r'<node_state [^>]*uname="%s".*?</node_state>' % node, cib, re.S)
    if not state:
        return {}
    block = re.search(r'<lrm_resource id="%s(?::\d+)?".*?</lrm_resource>' % rsc, state.group(0), re.S)
    if not block:
        return {}
    ops = {}
    for m in re.finditer(r"<lrm_rsc_op ([^>]*)/?>", block.group(0)):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
        ops[attrs.get("id", "")] = attrs
    return ops


def last_op(cib, node, rsc):
    """(operation, call id, rc) of rsc's last non-recurring operation on node, or None."""
    for attrs in history(cib, node, rsc).values():
        if attrs.get("id", "").endswith("_last_0"):
            return attrs.get("operation"), int(attrs.get("call-id", "-1")), int(attrs.get("rc-code", "-1"))
    return None


class Rig:
    def __init__(self, c, nodes, sampler):
        self.c = c
        self.nodes = nodes  # name -> Node
        self.sampler = sampler

    def qemu_on(self, domain=DOMAIN):
        entries = proc_entries()
        return [name for name, n in self.nodes.items() if n.qemu_pids(entries, domain)]

    def runs_only_on(self, name, domain=DOMAIN):
        return self.qemu_on(domain) == [name] and self.nodes[name].domstate(domain) == "running"

    def guest_lines(self, name):
        return self.nodes[name].console(DOMAIN)


def check_start_order(r):
    c = r.c
    wait_for("both nodes online, with quorum", lambda: all(c.online(n) == NODES and c.quorate(n) for n in NODES),
             c.lab)
    wait_for("the guest runs on node1 only and has printed on its console",
             lambda: r.runs_only_on("node1") and r.guest_lines("node1"), c.lab)
    cib = c.cib("node1")
    disk, vm = last_op(cib, "node1", "disk"), last_op(cib, "node1", "vm")
    expect(disk and vm and disk[0] == "start" and vm[0] == "start" and disk[2] == 0 and vm[2] == 0,
           f"node1's history: disk and vm started ({disk}, {vm})")
    expect(disk[1] < vm[1], f"the disk started before the VM on node1 (call ids {disk[1]} < {vm[1]})")


def max_call_id(cib, node):
    state = re.search(r'<node_state [^>]*uname="%s".*?</node_state>' % node, cib, re.S)
    return max([int(x) for x in re.findall(r'call-id="(\d+)"', state.group(0))] or [0]) if state else 0


def migrate(r, source, target, verb):
    """`holdfast node VERB node1` must move the guest from source to target by live migration."""
    c = r.c
    boot, uptime = r.guest_lines(source)[-1]
    seen = len(r.guest_lines(target))  # the console file keeps what an earlier stay there printed
    cib = c.cib("node1")
    before = {n: max_call_id(cib, n) for n in (source, target)}
    p = c.cli("node2", "node", verb, "node1")
    expect(p.returncode == 0, f"holdfast node {verb} node1 succeeds ({p.stderr.strip()})")
    wait_for(f"the guest runs on {target} only and printed there, {source}'s side stopped",
             lambda: r.runs_only_on(target) and r.guest_lines(target)[seen:]
             and (last_op(c.cib(target), source, "vm") or ("",))[0] == "stop", c.lab)
    cib = c.cib(target)
    to = history(cib, source, "vm").get("vm_migrate_to_0", {})
    frm = history(cib, target, "vm").get("vm_migrate_from_0", {})
    expect(to.get("rc-code") == "0" and int(to.get("call-id", "0")) > before[source],
           f"{source} recorded a new successful migrate_to (call {to.get('call-id')})")
    expect(frm.get("rc-code") == "0" and int(frm.get("call-id", "0")) > before[target],
           f"{target} recorded a new successful migrate_from (call {frm.get('call-id')})")
    disk = last_op(cib, target, "disk")
    expect(disk and disk[0] == "start" and disk[1] < int(frm["call-id"]),
           f"{target}'s disk instance started before the guest migrated in ({disk})")
    src = last_op(cib, source, "vm")
    expect(src and src[0] == "stop" and src[2] == 0, f"{source} stopped its side after the migration ({src})")
    lines = r.guest_lines(target)[seen:]
    new_boots = {b for b, _ in lines} - {boot}
    expect(not new_boots, f"the guest on {target} is the same boot {boot} (no fresh boot: {sorted(new_boots)})")
    first = lines[0][1]
    expect(first >= uptime, f"its uptime went on: {uptime:.0f} s last on {source}, {first:.0f} s first on {target}")


def check_standby_migrates(r):
    migrate(r, "node1", "node2", "standby")
    wait_for("node1's disk instance is stopped (standby)",
             lambda: (last_op(r.c.cib("node2"), "node1", "disk") or ("",))[0] == "stop", r.c.lab)
    migrate(r, "node2", "node1", "online")


def check_kill_restarts_in_place(r):
    c = r.c
    boots = {b for b, _ in r.guest_lines("node1")}
    pids = r.nodes["node1"].qemu_pids(proc_entries(), DOMAIN)
    expect(len(pids) == 1, f"one qemu process on node1 ({pids})")
    kill_quietly(pids[0])
    wait_for("the monitor noticed and the guest runs again on node1 with a new boot id",
             lambda: r.runs_only_on("node1") and any(b not in boots for b, _ in r.guest_lines("node1")), c.lab)
    expect(re.search(r'name="fail-count-vm#monitor_3000" value="[1-9]', c.cib("node1")) is not None,
           "the failed monitor is counted")
    expect(r.qemu_on() == ["node1"], "restarted in place (node1), not moved")


def check_stop_order(r):
    c = r.c
    p = c.cli("node1", "resource", "stop", "disk-clone")
    expect(p.returncode == 0, f"holdfast resource stop disk-clone succeeds ({p.stderr.strip()})")
    wait_for("no qemu on any node and both disk instances stopped",
             lambda: not r.qemu_on() and all((last_op(c.cib("node1"), n, "disk") or ("",))[0] == "stop"
                                             for n in NODES), c.lab)
    cib = c.cib("node1")
    disk, vm = last_op(cib, "node1", "disk"), last_op(cib, "node1", "vm")
    expect(vm and vm[0] == "stop" and vm[2] == 0, f"the VM stopped on node1 ({vm})")
    expect(disk[1] > vm[1], f"the disk stopped after the VM on node1 (call ids {vm[1]} < {disk[1]})")


def check_group_moves(r, url, xml2):
    """An exclusive disk cannot be held by two nodes, so `node standby` moves the group (VM stopped,
    disk moved, VM started: a fresh boot), and the sampler checks one registrant at every instant."""
    c = r.c
    keys = r.sampler.probe.read()
    expect(keys is not None and not keys[0], f"the LUN has no registration left ({keys})")
    r.sampler.exclusive = True
    p = c.load("node1", group_configuration(url, xml2))
    expect(p.returncode == 0, f"configure load update of the group succeeds ({p.stderr.strip()})")
    lines = lambda n: r.nodes[n].console(DOMAIN2)  # noqa: E731
    wait_for(f"{DOMAIN2} runs on node1 only and printed", lambda: r.runs_only_on("node1", DOMAIN2) and lines("node1"),
             c.lab)
    cib = c.cib("node1")
    disk, vm = last_op(cib, "node1", "xdisk"), last_op(cib, "node1", "xvm")
    expect(disk[0] == vm[0] == "start" and disk[1] < vm[1], f"xdisk started before xvm on node1 ({disk}, {vm})")
    boot = lines("node1")[-1][0]
    p = c.cli("node2", "node", "standby", "node1")
    expect(p.returncode == 0, f"holdfast node standby node1 succeeds ({p.stderr.strip()})")
    wait_for(f"{DOMAIN2} runs on node2 only and printed, node1's side stopped",
             lambda: r.runs_only_on("node2", DOMAIN2) and lines("node2")
             and (last_op(c.cib("node2"), "node1", "xdisk") or ("",))[0] == "stop", c.lab)
    cib = c.cib("node2")
    old_disk, old_vm = last_op(cib, "node1", "xdisk"), last_op(cib, "node1", "xvm")
    new_disk, new_vm = last_op(cib, "node2", "xdisk"), last_op(cib, "node2", "xvm")
    expect(old_vm[0] == "stop" and old_vm[1] < old_disk[1], f"on node1 xvm stopped before xdisk ({old_vm}, {old_disk})")
    expect(new_disk[0] == new_vm[0] == "start" and new_disk[1] < new_vm[1],
           f"on node2 xdisk started before xvm ({new_disk}, {new_vm})")
    expect("xvm_migrate_from_0" not in history(cib, "node2", "xvm"), "xvm was moved, not migrated")
    expect(lines("node2")[-1][0] != boot, "so its guest booted afresh on node2")
    p = c.cli("node2", "node", "online", "node1")
    expect(p.returncode == 0, f"holdfast node online node1 succeeds ({p.stderr.strip()})")
    p = c.cli("node2", "resource", "stop", "xg")
    expect(p.returncode == 0, f"holdfast resource stop xg succeeds ({p.stderr.strip()})")
    wait_for("the group stopped", lambda: not r.qemu_on(DOMAIN2)
             and (last_op(c.cib("node2"), "node2", "xdisk") or ("",))[0] == "stop", c.lab)
    cib = c.cib("node2")
    disk, vm = last_op(cib, "node2", "xdisk"), last_op(cib, "node2", "xvm")
    expect(vm[0] == "stop" and vm[1] < disk[1], f"on node2 xvm stopped before xdisk ({vm}, {disk})")


def check_sampler_sees_a_double_start(r, xml):
    """The control: the same guest started by hand on both nodes (behind the cluster's back, and with no
    disk registration left) must show up as violations, or the sampler's silence would prove nothing."""
    for n in NODES:
        p = subprocess.run(["virsh", "-q", "-c", r.nodes[n].uri, "create", xml], capture_output=True, text=True)
        expect(p.returncode == 0, f"started {DOMAIN} by hand on {n} ({p.stderr.strip()})")
    wait_for("the sampler saw the guest running on two nodes and without its disk",
             lambda: any("running on" in w for _, w in r.sampler.violations)
             and any("without its disk" in w for _, w in r.sampler.violations), r.c.lab)
    for n in NODES:
        subprocess.run(["virsh", "-q", "-c", r.nodes[n].uri, "destroy", DOMAIN], capture_output=True)
    expect(not r.qemu_on(), "the hand-started guests are gone")


def report_sampler(s, real=None):
    """The timeline, the first violations, and (after the control) how many the control caused."""
    real = len(s.violations) if real is None else real
    print("sampler timeline:", flush=True)
    t0 = s.timeline[0][0] if s.timeline else 0
    for t, what in s.timeline:
        print(f"  {t - t0:7.2f}s {what}")
    for t, what in s.violations[:min(real, 20)]:
        print(f"  VIOLATION at {t - t0:7.2f}s: {what}")
    if len(s.violations) > real:
        print(f"  the control caused {len(s.violations) - real} (expected) violations")


def missing_tools():
    for tool in ("tgtd", "tgtadm", "libvirtd", "virtlogd", "virsh", "qemu-system-x86_64", "apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/deps)"
    return None


class NoTcg(Exception):
    """libvirtd runs in the nodes but offers no qemu (TCG) guests: the machine cannot run this test."""


def require_libvirt(lab, nodes):
    """libvirtd must answer in every node (starting it is holdfast-lab's job: a failure otherwise); a
    libvirtd without TCG qemu guests is this machine's limit (NoTcg: skip)."""
    for n in nodes.values():
        wait_for(f"libvirtd answers in {n.name}",
                 lambda: subprocess.run(["virsh", "-q", "-c", n.uri, "version"], capture_output=True).returncode == 0,
                 lab)
    caps = subprocess.run(["virsh", "-q", "-c", nodes["node1"].uri, "capabilities"], capture_output=True, text=True)
    if "<domain type='qemu'" not in caps.stdout:
        raise NoTcg("libvirtd in the lab offers no qemu (TCG) x86_64 guests")


def print_failure_details(lab, holdfast):
    try:
        print(Cluster(lab, holdfast).status("node1"))
    except subprocess.TimeoutExpired:
        pass
    for node in NODES:
        for log in ("var/log/holdfast/holdfastd.log", "var/log/libvirt/libvirtd.log",
                    f"var/log/libvirt/qemu/{DOMAIN}.log", f"var/log/libvirt/qemu/{DOMAIN2}.log"):
            path = os.path.join(lab.dir, "nodes", node, "root", log)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    print(f"--- {path} (tail)\n" + "".join(f.readlines()[-25:]))


def run_checks(rig, url, xml, xml2):
    """The cluster's checks with the sampler running, then the sampler's control and verdict."""
    sampler = rig.sampler
    for check in (check_start_order, check_standby_migrates, check_kill_restarts_in_place, check_stop_order):
        sampler.note(f"-- {check.__name__}")
        check(rig)
    sampler.note("-- check_group_moves")
    check_group_moves(rig, url, xml2)
    violations, samples = list(sampler.violations), sampler.samples
    sampler.note("-- check_sampler_sees_a_double_start")
    check_sampler_sees_a_double_start(rig, xml)
    sampler.stop()
    report_sampler(sampler, len(violations))
    expect(samples > 100, f"the sampler ran throughout the cluster's checks ({samples} samples)")
    expect(not violations, "no sampled instant had the guest on two nodes or a qemu without its disk")


def run(args, base, guest):
    xml, xml2 = (os.path.join(base, f"{d}.xml") for d in (DOMAIN, DOMAIN2))
    for d, path in ((DOMAIN, xml), (DOMAIN2, xml2)):
        with open(path, "w") as f:
            f.write(domain_xml(d, *guest, f"/var/log/libvirt/qemu/{d}.console"))
    os.environ["OCF_ROOT"] = make_ocf_root(os.path.join(base, "ocf"),
                                           {"VirtualMachine": args.vm_agent, "SharedDisk": args.disk_agent})
    lab = Lab(os.path.abspath(args.lab), os.path.join(base, "lab"))
    c = Cluster(lab, os.path.abspath(args.holdfast))
    target = probe = sampler = None
    try:
        lab.up(len(NODES), "--libvirt")
        nodes = {n: Node(lab.dir, n) for n in NODES}
        require_libvirt(lab, nodes)
        with open(os.path.join(lab.dir, "hosts")) as f:
            prefix = re.search(r"^(\d+\.\d+\.\d+)\.1 node1$", f.read(), re.M).group(1)
        target = Target(lab.id + "-sw", prefix + ".254", os.path.join(base, "lun.img"))
        target.start()
        probe = PrProbe(args.pr_probe, lab.id + "-sw", target.url)
        sampler = Sampler(list(nodes.values()), [DOMAIN, DOMAIN2], probe, {n: pr_key(lab.id, n) for n in NODES})
        sampler.start()
        wait_for("both nodes online", lambda: all(c.online(n) == NODES for n in NODES), lab)
        p = c.load("node1", configuration(target.url, xml))
        expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")
        run_checks(Rig(c, nodes, sampler), target.url, xml, xml2)
        print("all lab_vm checks passed")
        return 0
    except NoTcg as e:
        print(f"skipped: {e}")
        return SKIP
    except (CheckFailed, subprocess.TimeoutExpired, RuntimeError) as e:
        print(f"FAILED: {e}", flush=True)
        if sampler:
            sampler.stop()
            report_sampler(sampler)
        print_failure_details(lab, c.holdfast)
        return 1
    finally:
        if sampler:
            sampler.stop()
        if probe:
            probe.close()
        if target:
            target.stop()
        subprocess.run([lab.binary, "--dir", lab.dir, "down"], capture_output=True)
        reap()


def main():
    parser = argparse.ArgumentParser()
    for opt in ("--lab", "--holdfast", "--vm-agent", "--disk-agent", "--pr-probe", "--guest-cache"):
        parser.add_argument(opt, required=True)
    args = parser.parse_args()
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    reason = skip_reason() or missing_tools()
    if reason:
        print(f"skipped: {reason}")
        return SKIP
    try:
        guest = ensure_guest(args.guest_cache)
    except (RuntimeError, OSError) as e:
        print(f"skipped: cannot build the guest: {e}")
        return SKIP
    become_subreaper()
    # ctest's timeout and ^C: unwind through run()'s cleanup instead of leaving the lab behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = tempfile.mkdtemp(prefix="holdfast-lab-vm-")
    try:
        return run(args, base, guest)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
