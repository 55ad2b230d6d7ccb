#!/usr/bin/env python3
"""A two-node split with fencing on (CTest `lab_two_node_fencing`, label `lab`): both halves keep
quorum (votequorum's two_node) and both want to fence the other; priority-fencing-delay delays the
fencing of the node that runs the more important resources, so that node shoots first and is the only
survivor, never both fenced, never none.

node2 runs d1 (priority 10); node2's cable is cut. node1 must wait priority-fencing-delay before
fencing node2, and is fenced by node2 before that: node1 is the only node whose power is cut, d1 keeps
running on node2 the whole time, and once healed the two form one cluster again.

The fence device is the test's agent (test/lab/agents/fence_holdfast_lab) and the harness's power
switch (fencing_test.PowerSwitch): `holdfast-lab kill|boot` on request. Needs root and `ip netns`;
exits 77 (skip) without them. Waits for states, never asserts durations.
"""
import os
import shutil
import sys
import time

from fencing_test import FENCE_AGENT, HERE, PowerSwitch
from holdfast_lab import expect, wait_for
from lab_checks import DUMMY_STATE, run_lab_checks

NODES = ["node1", "node2"]
DELAY_S = 10


def configuration(fence_dir):
    return f"""<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="true"/>
      <nvpair id="opt-priority-fencing-delay" name="priority-fencing-delay" value="{DELAY_S}s"/>
    </cluster_property_set>
  </crm_config>
  <resources>
    <primitive id="lab-fence" class="stonith" type="fence_holdfast_lab">
      <instance_attributes id="lab-fence-params">
        <nvpair id="lab-fence-dir" name="lab_fence_dir" value="{fence_dir}"/>
        <nvpair id="lab-fence-hosts" name="pcmk_host_list" value="node1 node2"/>
      </instance_attributes>
    </primitive>
    <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
      <meta_attributes id="d1-meta"><nvpair id="d1-priority" name="priority" value="10"/></meta_attributes>
      <operations><op id="d1-monitor" name="monitor" interval="5s"/></operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="d1-on-node2" rsc="d1" node="node2" score="100"/>
  </constraints>
</configuration>
"""


def runs_on(c):
    return [n for n in NODES if c.lab.exec(n, "test", "-e", DUMMY_STATE).returncode == 0]


def checks(c, base):
    fence_dir = os.path.join(base, "power")
    os.makedirs(fence_dir)
    switch = PowerSwitch(c.lab, fence_dir)
    switch.start()
    try:
        wait_for("both nodes online, with quorum", lambda: c.online("node1") == NODES and c.quorate("node1"), c.lab)
        p = c.load("node1", configuration(fence_dir))
        expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")
        wait_for("d1 runs on node2", lambda: runs_on(c) == ["node2"], c.lab)

        c.lab.run("cut", "node2")
        wait_for("node2 fences node1", lambda: any(n == "node1" for n, _ in switch.killed), c.lab)
        # node1's own fencing of node2 would come DELAY_S after its decision: give it twice that
        time.sleep(2 * DELAY_S)
        killed = [n for n, _ in switch.killed]
        expect(killed == ["node1"], f"only node1 was fenced, node2 survived ({killed})")
        expect(runs_on(c) == ["node2"], "d1 runs on node2, where it ran before the split")
        p = c.cli("node2", "fence", "history")
        expect(p.returncode == 0 and "reboot of node1 successful: device=lab-fence, origin=node2" in p.stdout,
               f"node2's history has its fencing of node1 ({p.stdout.strip()})")

        c.lab.run("heal", "node2")
        wait_for("one cluster of two again, d1 on node2 only",
                 lambda: c.online("node2") == NODES and c.quorate("node2") and runs_on(c) == ["node2"], c.lab)
        expect([n for n, _ in switch.killed] == ["node1"], "nothing else was fenced after the heal")
    finally:
        switch.stop.set()


def main():
    if os.geteuid() != 0:
        print("skipped: needs root")
        return 77
    shutil.copy(os.path.join(HERE, "agents", "fence_holdfast_lab"), FENCE_AGENT)
    try:
        return run_lab_checks("two-node-fencing", NODES, checks)
    finally:
        if os.path.exists(FENCE_AGENT):
            os.remove(FENCE_AGENT)


if __name__ == "__main__":
    sys.exit(main())
