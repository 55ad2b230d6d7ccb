#!/usr/bin/env python3
"""Fence devices as resources and unfencing, on a 3-node namespace lab with a real tgtd LUN
(CTest `lab_unfencing`, label `lab`):

  - the SCSI fence device (Holdfast's fence_holdfast_scsi, `provides=unfencing`) is placed like any
    resource, started on one node and monitored there: its monitor records are in the CIB and
    `holdfast fence list` shows the last check;
  - every node is unfenced before anything starts on it: its key is registered on the LUN (read by
    the test's own iSCSI session, lab_pr_probe) and the coordinator recorded #node-unfenced;
  - a killed node is fenced through the LUN (its key preempted) and its resource recovered; booted
    again, it rejoins, is unfenced again (key back) and only then gets its resource back.

Needs root, `ip netns`, tgtd; exits 77 (skip) without them. Waits for states, never asserts durations.
"""
import os
import re
import shutil
import sys
import tempfile

from holdfast_lab import expect, wait_for
from lab_checks import run_lab_checks
from vm_lab_rig import PrProbe, Target, pr_key

NODES = ["node1", "node2", "node3"]


def configuration(url):
    return f"""<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="true"/>
      <nvpair id="opt-stonith-timeout" name="stonith-timeout" value="60s"/>
    </cluster_property_set>
  </crm_config>
  <resources>
    <primitive id="scsi-fence" class="stonith" type="fence_holdfast_scsi">
      <instance_attributes id="scsi-fence-params">
        <nvpair id="scsi-fence-devices" name="devices" value="{url}"/>
        <nvpair id="scsi-fence-hosts" name="pcmk_host_list" value="node1 node2 node3"/>
      </instance_attributes>
      <meta_attributes id="scsi-fence-meta">
        <nvpair id="scsi-fence-provides" name="provides" value="unfencing"/>
      </meta_attributes>
      <operations><op id="scsi-fence-monitor" name="monitor" interval="5s"/></operations>
    </primitive>
    <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
      <operations><op id="d1-monitor" name="monitor" interval="5s"/></operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="d1-prefers-node3" rsc="d1" node="node3" score="100"/>
    <rsc_location id="fence-prefers-node1" rsc="scsi-fence" node="node1" score="100"/>
  </constraints>
</configuration>
"""


def node_state(cib, node):
    """What node's <node_state> holds ("" when it is empty or absent)."""
    m = re.search(rf'<node_state [^>]*uname="{node}"[^>]*?(?:/>|>(.*?)</node_state>)', cib, re.S)
    return (m.group(1) or "") if m else ""


def unfenced_at(cib, node):
    """#node-unfenced of node (epoch seconds), None when not recorded."""
    m = re.search(r'name="#node-unfenced" value="(\d+)"', node_state(cib, node))
    return int(m.group(1)) if m else None


def op_records(cib, node, rid):
    """(operation, interval, rc, last-rc-change) of rid's records on node."""
    m = re.search(rf'<lrm_resource id="{rid}"[^>]*>(.*?)</lrm_resource>', node_state(cib, node), re.S)
    out = []
    for op in re.findall(r"<lrm_rsc_op [^>]*>", m.group(1) if m else ""):
        get = lambda a: (re.search(rf' {a}="([^"]*)"', op) or [None, ""])[1]  # noqa: E731
        out.append((get("operation"), get("interval"), get("rc-code"), int(get("last-rc-change") or 0)))
    return out


def d1_runs_on(c):
    return [n for n in NODES if c.lab.exec(n, "test", "-e", "/run/resource-agents/Dummy-d1.state").returncode == 0]


def checks(c, base):
    bindir = os.path.dirname(c.lab.binary)
    with open(os.path.join(c.lab.dir, "hosts")) as f:
        prefix = re.search(r"^(\d+\.\d+\.\d+)\.1 node1$", f.read(), re.M).group(1)
    target = Target(c.lab.id + "-sw", prefix + ".254", os.path.join(base, "lun.img"))
    probe = None
    try:
        target.start()
        probe = PrProbe(os.path.join(bindir, "lab_pr_probe"), c.lab.id + "-sw", target.url)
        keys = {n: pr_key(c.lab.id, n) for n in NODES}
        registered = lambda: (probe.read() or (set(), None))[0]  # noqa: E731
        wait_for("three nodes online, with quorum", lambda: c.online("node1") == NODES and c.quorate("node1"), c.lab)
        p = c.load("node1", configuration(target.url))
        expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")

        wait_for("every node unfenced (key on the LUN, #node-unfenced) and d1 running on node3",
                 lambda: registered() == set(keys.values()) and d1_runs_on(c) == ["node3"] and
                 all(unfenced_at(c.cib("node1"), n) for n in NODES), c.lab)
        cib = c.cib("node1")
        starts = [t for op, _, rc, t in op_records(cib, "node3", "d1") if op == "start" and rc == "0"]
        expect(starts and starts[-1] >= unfenced_at(cib, "node3"), "d1 started on node3 after node3 was unfenced")
        wait_for("the fence device runs on node1 and its 5 s monitor succeeded there",
                 lambda: ("monitor", "5000", "0") in [r[:3] for r in op_records(c.cib("node1"), "node1",
                                                                                  "scsi-fence")], c.lab)
        p = c.cli("node2", "fence", "list")
        expect(p.returncode == 0 and re.search(r"^  on node1: ok \(last monitor rc=0", p.stdout, re.M),
               f"fence list shows the device's last check on node1 ({p.stdout.strip()})")

        c.lab.run("kill", "node3")
        wait_for("node3 fenced through the LUN (its key gone) and d1 recovered elsewhere",
                 lambda: keys["node3"] not in registered() and d1_runs_on(c) not in ([], ["node3"]), c.lab)
        p = c.cli("node1", "fence", "history", "node3")
        expect(p.returncode == 0 and "reboot of node3 successful: device=scsi-fence" in p.stdout,
               f"the history has node3's fencing by scsi-fence ({p.stdout.strip()})")
        cib = c.cib("node1")
        expect(unfenced_at(cib, "node3") is None,
               f"node3's #node-unfenced went with its fencing ({node_state(cib, 'node3')[:600]})")

        c.lab.run("boot", "node3")
        wait_for("node3 rejoined, unfenced again and running d1",
                 lambda: keys["node3"] in registered() and d1_runs_on(c) == ["node3"] and
                 unfenced_at(c.cib("node1"), "node3") is not None, c.lab)
        cib = c.cib("node1")
        starts = [t for op, _, rc, t in op_records(cib, "node3", "d1") if op == "start" and rc == "0"]
        expect(starts and starts[-1] >= unfenced_at(cib, "node3"), "d1 came back to node3 after its unfencing")
        p = c.cli("node2", "fence", "history", "node3")
        # node3 may have tried alone first, before it saw the others: then fence_holdfast_scsi refused
        # (no rejoined=1 without quorum) and only node3 knows; the unfencing after it rejoined is known
        # to all, and comes after the fencing
        times = lambda what: [m.group(1) for m in re.finditer(  # noqa: E731
            rf"^{what} of node3 successful: device=scsi-fence, origin=\S+, completed='([^']+)'", p.stdout, re.M)]
        expect(p.returncode == 0 and times("reboot") and times("on") and max(times("on")) >= max(times("reboot")),
               f"node2's history has node3's unfencing after its fencing ({p.stdout.strip()})")
    finally:
        if probe:
            probe.close()
        target.stop()


def main():
    if os.geteuid() != 0:
        print("skipped: needs root")
        return 77
    if not shutil.which("tgtd") or not shutil.which("tgtadm"):
        print("skipped: tgtd (package tgt) is not installed")
        return 77
    lab = next((sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--lab"), None)
    agent = os.path.join(os.path.dirname(os.path.abspath(lab)), "fence_holdfast_scsi") if lab else None
    if not agent or not os.path.exists(agent):
        print("FAILED: fence_holdfast_scsi is not built beside holdfast-lab")
        return 1
    # holdfastd in the nodes finds fence agents here (the environment reaches them through holdfast-lab)
    agents = tempfile.mkdtemp(prefix="holdfast-unfencing-agents-")
    os.symlink(agent, os.path.join(agents, "fence_holdfast_scsi"))
    os.environ["HOLDFAST_FENCE_AGENT_DIR"] = agents
    try:
        return run_lab_checks("unfencing", NODES, checks)
    finally:
        shutil.rmtree(agents, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
