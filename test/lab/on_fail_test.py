#!/usr/bin/env python3
"""Failure handling end to end on a 2-node namespace lab (CTest `lab_on_fail`, label `lab`), with
the test agent ocf:holdfast-test:Flaky (test/lab/agents/Flaky: failures injected per node by marker
files) and Pacemaker's own ocf:pacemaker:Stateful, unmodified:

  - start-delay: a monitor's first run waits it out (its record's queue-time says so);
  - utilization: an agent that offers a `utilization` action has its report copied into the
    primitive's <utilization> once it has started;
  - Stateful's promotion score (crm_attribute --promotion, answered by holdfastd through the
    agent-tools links) promotes exactly one instance of a promotable clone;
  - on-fail=ignore: a failed monitor is shown and nothing is restarted (a recurring monitor's late
    failure still counts, as in Pacemaker, whose controller knows on-fail only for actions of the
    transition in progress);
  - on-fail=block: a failed monitor leaves the resource where it is, blocked;
  - on-fail=standby: a failed monitor puts its node in standby: every resource leaves it;
  - a failed start (start-failure-is-fatal) moves the resource to the other node;
  - a failed stop with fencing off blocks the resource on its node, never started elsewhere;
  - on-fail=demote: a failed promoted monitor demotes the instance without stopping it.
At no sampled instant is a resource active on both nodes.

Needs root and `ip netns`; exits 77 (skip) without them. Every check waits for a state with a
generous deadline and never asserts a duration; state is read through `holdfast` and the agents'
state files inside the nodes, never from logs.
"""
import os
import re
import shutil
import sys

from holdfast_lab import expect, wait_for
from lab_checks import run_lab_checks

NODES = ["node1", "node2"]
PROVIDER_DIR = "/usr/lib/ocf/resource.d/holdfast-test"


def flaky(rid, monitor_extra="", meta="", interval="2s"):
    return f"""
    <primitive id="{rid}" class="ocf" provider="holdfast-test" type="Flaky">{meta}
      <operations>
        <op id="{rid}-monitor" name="monitor" interval="{interval}"{monitor_extra}/>
      </operations>
    </primitive>"""


def prefers(rid, node, score=100):
    return f'<rsc_location id="{rid}-prefers-{node}" rsc="{rid}" node="{node}" score="{score}"/>'


def configuration(resources, constraints=""):
    return f"""<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
    </cluster_property_set>
  </crm_config>
  <resources>{resources}
  </resources>
  <constraints>{constraints}</constraints>
</configuration>
"""


STATEFUL = """
    <clone id="stateful-clone">
      <meta_attributes id="stateful-clone-meta">
        <nvpair id="stateful-clone-promotable" name="promotable" value="true"/>
      </meta_attributes>
      <primitive id="stateful" class="ocf" provider="pacemaker" type="Stateful">
        <operations>
          <op id="stateful-mon-p" name="monitor" interval="3s" role="Promoted"/>
          <op id="stateful-mon-u" name="monitor" interval="4s" role="Unpromoted"/>
        </operations>
      </primitive>
    </clone>"""

PROMOTABLE_FLAKY = """
    <clone id="fp-clone">
      <meta_attributes id="fp-clone-meta">
        <nvpair id="fp-clone-promotable" name="promotable" value="true"/>
      </meta_attributes>
      <primitive id="fp" class="ocf" provider="holdfast-test" type="Flaky">
        <operations>
          <op id="fp-mon-p" name="monitor" interval="3s" role="Promoted" on-fail="demote"/>
          <op id="fp-mon-u" name="monitor" interval="4s" role="Unpromoted"/>
        </operations>
      </primitive>
    </clone>"""


class Agents:
    """Reads Flaky's state files and sets its markers inside the nodes."""

    def __init__(self, c):
        self.c = c

    def read(self, node, rid, what="state"):
        p = self.c.lab.exec(node, "cat", f"/run/flaky-{rid}.{what}")
        return p.stdout.strip() if p.returncode == 0 else None

    def running_on(self, rid):
        return [n for n in NODES if self.read(n, rid) is not None]

    def starts(self, node, rid):
        text = self.read(node, rid, "starts")
        return len(text.split()) if text else 0

    def mark(self, node, rid, what):
        p = self.c.lab.exec(node, "touch", f"/run/flaky-{rid}.{what}")
        expect(p.returncode == 0, f"marker {what} for {rid} set on {node}")

    def unmark(self, node, rid, what):
        self.c.lab.exec(node, "rm", "-f", f"/run/flaky-{rid}.{what}")

    def lose_state(self, node, rid):
        p = self.c.lab.exec(node, "rm", "-f", f"/run/flaky-{rid}.state")
        expect(p.returncode == 0, f"{rid}'s state removed on {node} (its next monitor says not running)")


class Checks:
    def __init__(self, c):
        self.c = c
        self.a = Agents(c)
        self.resources = ""
        self.constraints = ""
        self.watched = []

    def add(self, resources, constraints=""):
        """Adds resources to the configuration (load update keeps what is there)."""
        self.resources += resources
        self.constraints += constraints
        p = self.c.load("node1", configuration(self.resources, self.constraints))
        expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")

    def never_twice(self):
        for rid in self.watched:
            on = self.a.running_on(rid)
            expect(len(on) <= 1, f"{rid} is not active on both nodes (state files on {on})")
        return True

    def runs_on(self, rid, node):
        return self.never_twice() and self.a.running_on(rid) == [node]

    def node_attrs(self, node_id):
        state = re.search(r'<node_state id="%s".*?</node_state>' % node_id, self.c.cib("node1"), re.S)
        return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', state.group(0))) if state else {}

    def wait_runs(self, what, rid, node):
        wait_for(what, lambda: self.runs_on(rid, node), self.c.lab)


# fd's recurring monitor record and its queue-time
MONITOR_FD = r'<lrm_rsc_op [^>]*\sid="fd_monitor_2000"[^>]*queue-time="(\d+)"'


def check_utilization_and_promotion(k):
    k.watched += ["fu", "fd"]
    k.add(flaky("fu") + flaky("fd", ' start-delay="3s"') + STATEFUL, prefers("fu", "node1") + prefers("fd", "node1"))
    k.wait_runs("fu runs on node1", "fu", "node1")
    wait_for("fd's monitor has run once, after its start-delay",
             lambda: re.search(MONITOR_FD, k.c.cib("node1")),
             k.c.lab)
    queued = int(re.search(MONITOR_FD, k.c.cib("node1")).group(1))
    expect(queued >= 3000, f"fd's first monitor waited its 3 s start-delay (queue-time {queued} ms)")
    wait_for("fu's utilization report is in its primitive",
             lambda: re.search(r'<primitive id="fu".*?<utilization[^>]*>.*?name="cpu" value="2".*?'
                               r'name="hv_memory" value="256"', k.c.cib("node1"), re.S) is not None, k.c.lab)
    wait_for("Stateful: one instance promoted, one unpromoted",
             lambda: re.search(r"Promoted: \[ node\d \]", k.c.status("node1")) is not None and
             re.search(r"Unpromoted: \[ node\d \]", k.c.status("node1")) is not None, k.c.lab)
    for node_id in ("1", "2"):
        expect("master-stateful" in k.node_attrs(node_id),
               f"Stateful's crm_attribute --promotion reached node {node_id}'s transient attributes")


def check_ignore_and_block(k):
    k.watched += ["fi", "fb"]
    k.add(flaky("fi", ' on-fail="ignore"') + flaky("fb", ' on-fail="block"'),
          prefers("fi", "node1") + prefers("fb", "node1"))
    k.wait_runs("fi runs on node1", "fi", "node1")
    k.wait_runs("fb runs on node1", "fb", "node1")
    k.a.lose_state("node1", "fi")
    wait_for("fi's failed monitor is shown",
             lambda: "fi 2s-interval monitor on node1 returned 'not running'" in k.c.status("node1"), k.c.lab)
    k.a.mark("node1", "fb", "fail-monitor")
    wait_for("on-fail=block: fb is FAILED and blocked on node1",
             lambda: re.search(r"fb\s.*FAILED node1 \(blocked\)", k.c.status("node1")) is not None, k.c.lab)
    # the blocked failure came after fi's: the scheduler has seen fi's failure by now
    expect(k.a.running_on("fi") == [], "on-fail=ignore: fi was not restarted")
    expect(k.a.starts("node1", "fi") == 1, "fi was started once")
    expect(k.a.running_on("fb") == ["node1"], "fb stays where it failed, not stopped")
    k.a.unmark("node1", "fb", "fail-monitor")


def check_start_and_stop_failures(k):
    k.watched += ["fs", "ft"]
    k.a.mark("node1", "fs", "fail-start")
    k.add(flaky("fs") + flaky("ft"), prefers("fs", "node1") + prefers("ft", "node1"))
    k.wait_runs("fs's start fails on node1, so it runs on node2", "fs", "node2")
    expect(k.node_attrs("1").get("fail-count-fs#start_0") == "INFINITY", "a failed start counts INFINITY")
    k.wait_runs("ft runs on node1", "ft", "node1")
    k.a.mark("node1", "ft", "fail-stop")
    p = k.c.cli("node1", "resource", "move", "ft", "node2")
    expect(p.returncode == 0, f"resource move ft node2 succeeds ({p.stderr.strip()})")
    wait_for("ft's failed stop (fencing off) leaves it FAILED and blocked on node1",
             lambda: re.search(r"ft\s.*FAILED node1 \(blocked\)", k.c.status("node1")) is not None, k.c.lab)
    expect(k.a.running_on("ft") == ["node1"], "ft is not started on node2 while its stop failed")
    k.a.unmark("node1", "ft", "fail-stop")


def check_standby(k):
    k.watched += ["fy", "fo"]
    k.add(flaky("fy", ' on-fail="standby"') + flaky("fo", interval="5s"),
          prefers("fy", "node1") + prefers("fo", "node1"))
    k.wait_runs("fy runs on node1", "fy", "node1")
    k.wait_runs("fo runs on node1", "fo", "node1")
    k.a.lose_state("node1", "fy")
    wait_for("on-fail=standby: node1 is in standby and both fy and fo run on node2",
             lambda: k.runs_on("fy", "node2") and k.runs_on("fo", "node2"), k.c.lab)
    expect("Node node1: standby (on-fail)" in k.c.status("node1"), "status shows node1 standby (on-fail)")


def check_demote(k):
    k.add(PROMOTABLE_FLAKY)
    promoted = {}

    def one_promoted():
        states = {n: k.a.read(n, "fp") for n in NODES}
        promoted["node"] = next((n for n, s in states.items() if s == "promoted"), None)
        return sorted(states.values(), key=str) == ["promoted", "started"]

    wait_for("fp: one instance promoted, the other started", one_promoted, k.c.lab)
    node = promoted["node"]
    starts = k.a.starts(node, "fp")
    k.a.mark(node, "fp", "fail-promoted")
    wait_for(f"on-fail=demote: fp on {node} is demoted (its failed promoted monitor counted)",
             lambda: k.a.read(node, "fp") == "started" and
             any(n.startswith("fail-count-fp") for n in k.node_attrs("1" if node == "node1" else "2")), k.c.lab)
    k.a.unmark(node, "fp", "fail-promoted")
    expect(k.a.starts(node, "fp") == starts, f"fp on {node} was demoted, not stopped and started again")


def checks(c, _base):
    wait_for("both nodes online, with quorum", lambda: all(c.online(n) == NODES and c.quorate(n) for n in NODES),
             c.lab)
    k = Checks(c)
    check_utilization_and_promotion(k)
    check_ignore_and_block(k)
    check_start_and_stop_failures(k)
    check_demote(k)
    check_standby(k)


def main():
    if not os.path.exists("/usr/lib/ocf/resource.d/pacemaker/Stateful"):
        print("skipped: pacemaker-resource-agents (ocf:pacemaker:Stateful) is not installed")
        return 77
    if os.geteuid() != 0:
        print("skipped: needs root")
        return 77
    # the agent is installed where agents live for the test's duration only
    os.makedirs(PROVIDER_DIR, exist_ok=True)
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "agents", "Flaky"), PROVIDER_DIR)
    try:
        return run_lab_checks("on_fail", NODES, checks)
    finally:
        shutil.rmtree(PROVIDER_DIR, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
