#!/usr/bin/env python3
"""Failures that end in fencing, on a 3-node namespace lab (CTest `lab_fencing`, label `lab`):

  - on-fail=fence: a failed monitor gets its node fenced by the coordinator, and the resource starts
    elsewhere only once the fencing is confirmed; the fenced node reboots and joins again;
  - a failed stop with fencing on gets the node fenced too, and the resource recovered elsewhere;
    on the coordinator itself too: it asks another member to fence it;
  - `holdfast fence history` shows those fencings on every node (the history is replicated),
    `holdfast history` shows the coordinator's transitions, the failure, who changed the configuration,
    `holdfast fence NODE --off` powers a node off, `fence list` names the device, `fence confirm`
    refuses without --force, and an unknown node is refused with one line and nothing done.

The fence device is the test's fence agent (test/lab/agents/fence_holdfast_lab, the fence-agent API
on stdin): it asks this harness, through files in a shared directory, to cut a node's power
(`holdfast-lab kill`) and to boot it (`holdfast-lab boot`). The resource agent is the test's Flaky.
A sampler checks every 0.2 s that no resource is active on two nodes (agent state files in each
node's private /run), and that a node's resource never runs elsewhere while the node still lives.

Needs root and `ip netns`; exits 77 (skip) without them. Waits for states, never asserts durations.
"""
import os
import re
import shutil
import subprocess
import sys
import threading
import time

from holdfast_lab import expect, wait_for
from lab_checks import run_lab_checks

NODES = ["node1", "node2", "node3"]
PROVIDER_DIR = "/usr/lib/ocf/resource.d/holdfast-test"
FENCE_AGENT = "/usr/sbin/fence_holdfast_lab"
HERE = os.path.dirname(os.path.abspath(__file__))


def configuration(fence_dir, resources, constraints):
    return f"""<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="true"/>
      <nvpair id="opt-stonith-timeout" name="stonith-timeout" value="90s"/>
    </cluster_property_set>
  </crm_config>
  <rsc_defaults>
    <meta_attributes id="rsc-options">
      <nvpair id="rsc-options-stickiness" name="resource-stickiness" value="200"/>
    </meta_attributes>
  </rsc_defaults>
  <resources>
    <primitive id="lab-fence" class="stonith" type="fence_holdfast_lab">
      <instance_attributes id="lab-fence-params">
        <nvpair id="lab-fence-dir" name="lab_fence_dir" value="{fence_dir}"/>
        <nvpair id="lab-fence-hosts" name="pcmk_host_list" value="node1 node2 node3"/>
      </instance_attributes>
    </primitive>{resources}
  </resources>
  <constraints>{constraints}</constraints>
</configuration>
"""


def flaky(rid, on_fail=""):
    extra = f' on-fail="{on_fail}"' if on_fail else ""
    return f"""
    <primitive id="{rid}" class="ocf" provider="holdfast-test" type="Flaky">
      <operations><op id="{rid}-monitor" name="monitor" interval="2s"{extra}/></operations>
    </primitive>"""


class PowerSwitch(threading.Thread):
    """The harness side of fence_holdfast_lab: carries out power requests with holdfast-lab."""

    def __init__(self, lab, directory):
        super().__init__(daemon=True)
        self.lab, self.dir = lab, directory
        self.stop = threading.Event()
        self.killed = []  # (node, time.monotonic() when it was gone)

    def run(self):
        while not self.stop.is_set():
            for name in os.listdir(self.dir):
                node, _, request = name.partition(".request-")
                if not request:
                    continue
                os.remove(os.path.join(self.dir, name))
                verb = "kill" if request == "off" else "boot"
                subprocess.run([self.lab.binary, "--dir", self.lab.dir, verb, node], capture_output=True, timeout=120)
                if request == "off":
                    self.killed.append((node, time.monotonic()))
                    open(os.path.join(self.dir, node + ".off"), "w").close()
                else:
                    for stale in (node + ".off",):
                        if os.path.exists(os.path.join(self.dir, stale)):
                            os.remove(os.path.join(self.dir, stale))
                    open(os.path.join(self.dir, node + ".on"), "w").close()
            time.sleep(0.1)


class Sampler(threading.Thread):
    """Every 0.2 s: where each watched resource's state file is, across the nodes that are up."""

    def __init__(self, c, rids):
        super().__init__(daemon=True)
        self.c, self.rids = c, rids
        self.stop = threading.Event()
        self.violations = []

    def run(self):
        while not self.stop.is_set():
            for rid in self.rids:
                on = [n for n in NODES
                      if self.c.lab.exec(n, "test", "-e", f"/run/flaky-{rid}.state").returncode == 0]
                # the reads are one after the other, not one snapshot: a node read before it was fenced
                # and another read after the resource started there are both "on". Read them again;
                # still on both is a real overlap
                if len(on) > 1:
                    on = [n for n in on
                          if self.c.lab.exec(n, "test", "-e", f"/run/flaky-{rid}.state").returncode == 0]
                if len(on) > 1:
                    self.violations.append(f"{rid} active on {on}")
            time.sleep(0.2)


def runs_on(c, rid):
    return [n for n in NODES if c.lab.exec(n, "test", "-e", f"/run/flaky-{rid}.state").returncode == 0]


def checks(c, base):
    fence_dir = os.path.join(base, "power")
    os.makedirs(fence_dir)
    switch = PowerSwitch(c.lab, fence_dir)
    switch.start()
    sampler = Sampler(c, ["fx", "ft"])
    try:
        wait_for("three nodes online, with quorum",
                 lambda: all(c.online(n) == NODES and c.quorate(n) for n in ["node1"]), c.lab)
        resources = flaky("fx", "fence") + flaky("ft")
        # stickiness keeps recovered resources where they went; ft never runs on the coordinator
        # (node1), which would have to fence itself after ft's failed stop
        constraints = ('<rsc_location id="fx-on-node3" rsc="fx" node="node3" score="100"/>'
                       '<rsc_location id="ft-on-node3" rsc="ft" node="node3" score="100"/>'
                       '<rsc_location id="ft-not-node1" rsc="ft" node="node1" score="-INFINITY"/>')
        p = c.load("node1", configuration(fence_dir, resources, constraints))
        expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")
        wait_for("fx and ft run on node3", lambda: runs_on(c, "fx") == ["node3"] and runs_on(c, "ft") == ["node3"],
                 c.lab)
        sampler.start()

        c.lab.exec("node3", "rm", "-f", "/run/flaky-fx.state")
        wait_for("on-fail=fence: node3 is fenced and fx and ft run on another node",
                 lambda: any(n == "node3" for n, _ in switch.killed) and
                 runs_on(c, "fx") not in ([], ["node3"]) and runs_on(c, "ft") not in ([], ["node3"]), c.lab)
        wait_for("node3 rebooted and joined again", lambda: c.online("node1") == NODES, c.lab)

        expect(runs_on(c, "ft") == ["node2"], "ft was recovered on node2 (not node1, not back to node3)")
        c.lab.exec("node2", "touch", "/run/flaky-ft.fail-stop")
        kills = len(switch.killed)
        p = c.cli("node1", "resource", "move", "ft", "node3")
        expect(p.returncode == 0, f"resource move ft node3 succeeds ({p.stderr.strip()})")
        wait_for("ft's stop fails on node2 (fencing on): node2 is fenced and ft runs on node3",
                 lambda: len(switch.killed) > kills and switch.killed[-1][0] == "node2" and
                 runs_on(c, "ft") == ["node3"], c.lab)
        expect(not sampler.violations, f"no resource was ever active on two nodes ({sampler.violations[:3]})")
        # while node2 reboots: the fence commands' checks below are sensitive to timing (a confirm
        # racing the DC's own fencing of the node it confirms), so their pace is left as it was
        check_history(c)
        check_fence_commands(c, switch)
        check_coordinator_fenced_by_peer(c, switch, fence_dir, resources, constraints)
    finally:
        sampler.stop.set()
        switch.stop.set()


def check_fence_commands(c, switch):
    wait_for("node2 rebooted and joined again", lambda: c.online("node1") == NODES, c.lab)
    p = c.cli("node3", "fence", "history")
    expect(p.returncode == 0 and "reboot of node3 successful: device=lab-fence, origin=node1" in p.stdout and
           "reboot of node2 successful: device=lab-fence, origin=node1" in p.stdout,
           f"node3's fence history has both fencings the coordinator did ({p.stdout.strip()})")
    p = c.cli("node1", "fence", "list")
    expect(p.returncode == 0 and p.stdout.startswith("lab-fence (stonith:fence_holdfast_lab): node1 node2 node3"),
           f"fence list names the device and its nodes ({p.stdout.strip()})")
    p = c.cli("node1", "fence", "node9")
    expect(p.returncode != 0 and p.stderr.count("\n") == 1 and "unknown node 'node9'" in p.stderr,
           f"fencing an unknown node is refused in one line ({p.stderr.strip()})")
    p = c.cli("node1", "fence", "confirm", "node3")
    expect(p.returncode == 2, "fence confirm without --force is refused")
    kills = len(switch.killed)
    p = c.cli("node2", "fence", "node3", "--off")
    expect(p.returncode == 0 and p.stdout.startswith("off of node3 successful: device=lab-fence, origin=node2"),
           f"holdfast fence node3 --off from node2 succeeds ({p.stdout.strip()} {p.stderr.strip()})")
    expect(len(switch.killed) == kills + 1 and switch.killed[-1][0] == "node3", "node3's power was cut")
    wait_for("node3 is offline", lambda: "node3" not in c.online("node1"), c.lab)
    p = c.cli("node1", "fence", "confirm", "node3", "--force")
    expect(p.returncode == 0 and "off of node3 successful: device=operator" in p.stdout,
           f"fence confirm --force records the operator's word ({p.stdout.strip()})")


def check_history(c):
    """`holdfast history` on the coordinator: the configuration change and who made it, fx's failure, the
    transition's fencing action and the fencing itself (once, though both the journal and the fencer's
    history have it); on node3, which never was DC, the fencing from the cluster's history."""
    def coordinator_history():
        p = c.cli("node1", "history", "--since", "1h")
        out = p.stdout
        return (p.returncode == 0 and " root via holdfast changed the configuration (epoch " in out and
                "fx failed: " in out and re.search(r"transition \d+: fenced node3 \(ok\)", out) and
                re.search(r"transition \d+ started \(\d+ actions\)", out) and
                out.count("fenced node3 (reboot) by node1 with lab-fence: ok") == 1 and
                "fenced node2 (reboot) by node1 with lab-fence: ok" in out)
    wait_for("node1's history has the change, the failure, the transitions and both fencings (once each)",
             coordinator_history, c.lab)
    wait_for("node3's history has node2's fencing",
             lambda: '"kind": "fencing", "target": "node2"' in c.cli("node3", "history", "--output-as=json").stdout,
             c.lab)


def check_coordinator_fenced_by_peer(c, switch, fence_dir, resources, constraints):
    """The coordinator (node1) fails to stop a resource: it must be fenced, and it asks another member
    to do it rather than refuse."""
    c.lab.run("boot", "node3")
    wait_for("node3 booted and joined again", lambda: c.online("node1") == NODES, c.lab)
    p = c.load("node1", configuration(fence_dir, resources + flaky("fd"),
                                      constraints + '<rsc_location id="fd-on-node1" rsc="fd" node="node1" score="50"/>'))
    expect(p.returncode == 0, f"configure load update with fd succeeds ({p.stderr.strip()})")
    wait_for("fd runs on node1, the coordinator", lambda: runs_on(c, "fd") == ["node1"], c.lab)
    c.lab.exec("node1", "touch", "/run/flaky-fd.fail-stop")
    kills = len(switch.killed)
    p = c.cli("node2", "resource", "move", "fd", "node2")
    expect(p.returncode == 0, f"resource move fd node2 succeeds ({p.stderr.strip()})")
    wait_for("fd's stop fails on node1: node1 is fenced by a peer and fd runs on node2",
             lambda: len(switch.killed) > kills and switch.killed[-1][0] == "node1" and
             runs_on(c, "fd") == ["node2"], c.lab)
    # The outcome reaches node3 on the controller's CPG group, the recovery on the CIB's: two groups,
    # no order between them, so the history may arrive just after fd is seen running.
    line = "reboot of node1 successful: device=lab-fence, origin=node2"
    wait_for("node3's fence history shows node2 fenced node1 for it",
             lambda: line in c.cli("node3", "fence", "history", "node1").stdout, c.lab)
    wait_for("node1 rebooted and joined again", lambda: c.online("node2") == NODES, c.lab)


def main():
    if os.geteuid() != 0:
        print("skipped: needs root")
        return 77
    os.makedirs(PROVIDER_DIR, exist_ok=True)
    shutil.copy(os.path.join(HERE, "agents", "Flaky"), PROVIDER_DIR)
    shutil.copy(os.path.join(HERE, "agents", "fence_holdfast_lab"), FENCE_AGENT)
    try:
        return run_lab_checks("fencing", NODES, checks)
    finally:
        shutil.rmtree(PROVIDER_DIR, ignore_errors=True)
        if os.path.exists(FENCE_AGENT):
            os.remove(FENCE_AGENT)


if __name__ == "__main__":
    sys.exit(main())
