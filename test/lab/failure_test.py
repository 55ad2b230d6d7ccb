#!/usr/bin/env python3
"""Failure recovery on a 2-node namespace lab (CTest `lab_failures`, label `lab`), with real agents:

  - monitor failures (Debian's ocf:heartbeat:Dummy loses its state file): the first restarts the
    resource in place and counts (fail-count-d1#monitor_2000 = 1); the second reaches
    migration-threshold=2 and moves it to the other node; status lists the failed actions;
  - `holdfast resource cleanup d1` clears the failures: the resource is probed again and goes back to
    its preferred node;
  - a hung monitor (Pacemaker's ocf:pacemaker:Dummy with op_sleep longer than the monitor's timeout)
    times out, and its on-fail=stop leaves the resource stopped everywhere;
  - at no sampled instant is a resource active on both nodes.

Needs root and `ip netns`; exits 77 (skip) without them. Every check waits for a state with a generous
deadline and never asserts a duration; state is read through `holdfast` inside the nodes, never from logs.
"""
import os
import re
import sys

from holdfast_lab import expect, wait_for
from lab_checks import run_lab_checks

NODES = ["node1", "node2"]

CONFIG = """<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
    </cluster_property_set>
  </crm_config>
  <resources>
    <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
      <meta_attributes id="d1-meta">
        <nvpair id="d1-meta-migration-threshold" name="migration-threshold" value="2"/>
      </meta_attributes>
      <operations>
        <op id="d1-monitor-2s" name="monitor" interval="2s"/>
      </operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="d1-prefers-node1" rsc="d1" node="node1" score="100"/>
  </constraints>
</configuration>
"""

# Its monitor (and start and stop, which call it) sleeps 6 s; the monitor may take 2.
HUNG = """<configuration>
  <resources>
    <primitive id="slow" class="ocf" provider="pacemaker" type="Dummy">
      <instance_attributes id="slow-params">
        <nvpair id="slow-params-op_sleep" name="op_sleep" value="6"/>
        <nvpair id="slow-params-state" name="state" value="/run/slow.state"/>
      </instance_attributes>
      <operations>
        <op id="slow-start" name="start" interval="0" timeout="30s"/>
        <op id="slow-stop" name="stop" interval="0" timeout="30s"/>
        <op id="slow-monitor-5s" name="monitor" interval="5s" timeout="2s" on-fail="stop"/>
      </operations>
    </primitive>
  </resources>
</configuration>
"""


def fail_count(c, node_id):
    """d1's monitor fail count on the node as the CIB holds it (0 when none)."""
    cib = c.cib("node1")
    state = re.search(r'<node_state id="%s".*?</node_state>' % node_id, cib, re.S)
    m = re.search(r'name="fail-count-d1#monitor_2000" value="(\d+)"', state.group(0)) if state else None
    return int(m.group(1)) if m else 0


def never_twice(c):
    both = c.running("node1") and c.running("node2")
    expect(not both, "d1 is not active on both nodes")
    return True


def lose_state(c, node):
    p = c.lab.exec(node, "rm", "-f", "/run/resource-agents/Dummy-d1.state")
    expect(p.returncode == 0, f"d1's state file removed on {node} (its next monitor fails)")


def check_restart_then_move(c):
    wait_for("both nodes online, with quorum", lambda: all(c.online(n) == NODES and c.quorate(n) for n in NODES),
             c.lab)
    p = c.load("node1", CONFIG)
    expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")
    wait_for("d1 runs on node1 only", lambda: never_twice(c) and c.running("node1") and not c.running("node2"),
             c.lab)
    lose_state(c, "node1")
    wait_for("the failed monitor counts once on node1 and d1 runs on node1 again",
             lambda: never_twice(c) and fail_count(c, "1") == 1 and c.running("node1"), c.lab)
    expect(not c.running("node2"), "restarted in place, not moved")
    lose_state(c, "node1")
    wait_for("the second failure reaches migration-threshold: d1 runs on node2",
             lambda: never_twice(c) and fail_count(c, "1") >= 2 and c.running("node2") and not c.running("node1"),
             c.lab)
    status = c.status("node1")
    expect("Failed Resource Actions" in status and "d1 2s-interval monitor on node1 returned 'not running'" in status,
           "status lists d1's failed monitor")


def check_cleanup(c):
    p = c.cli("node1", "resource", "cleanup", "d1")
    expect(p.returncode == 0, f"holdfast resource cleanup d1 succeeds ({p.stderr.strip()})")
    wait_for("fail counts gone, d1 back on node1 (its preference), re-probed",
             lambda: never_twice(c) and fail_count(c, "1") == 0 and c.running("node1") and not c.running("node2"),
             c.lab)
    expect("Failed Resource Actions" not in c.status("node1"), "status lists no failed action any more")


def check_hung_monitor(c):
    p = c.load("node1", HUNG)
    expect(p.returncode == 0, f"configure load update of the slow resource succeeds ({p.stderr.strip()})")
    wait_for("the slow resource's monitor timed out (status shows it)",
             lambda: re.search(r"slow 5s-interval monitor on node\d could not be executed \(Timed Out",
                               c.status("node1")) is not None,
             c.lab)
    wait_for("on-fail=stop: the slow resource is stopped on both nodes",
             lambda: all(c.lab.exec(n, "test", "-e", "/run/slow.state").returncode != 0 for n in NODES), c.lab)
    expect(re.search(r"slow\s.*Started", c.status("node1")) is None, "status does not show it started")


def checks(c, _base):
    check_restart_then_move(c)
    check_cleanup(c)
    check_hung_monitor(c)


if __name__ == "__main__":
    if not os.path.exists("/usr/lib/ocf/resource.d/pacemaker/Dummy"):
        print("skipped: pacemaker-resource-agents (ocf:pacemaker:Dummy) is not installed")
        sys.exit(77)
    sys.exit(run_lab_checks("failures", NODES, checks))
