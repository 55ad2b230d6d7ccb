#!/usr/bin/env python3
"""holdfastd on a 2-node namespace lab (CTest `lab_two_node`, label `lab`): votequorum's two_node mode
(holdfast-lab writes `two_node: 1` for two nodes, which implies wait_for_all).

  - the two nodes form one cluster with quorum, and a resource runs;
  - the resource's node is cut off: the other keeps quorum (two_node) and runs the resource (fencing
    is off here, as it is until the fencing issue);
  - healed: one cluster again, the resource on exactly one node, identical CIBs;
  - both nodes down, then only node1 booted: wait_for_all keeps it without quorum, so it starts
    nothing; node2 booted: quorum, and the resource runs again.

Needs root and `ip netns`; exits 77 (skip) without them. Every check waits for a state with a generous
deadline and never asserts a duration; state is read through `holdfast` inside the nodes, never from logs.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from holdfast_lab import SKIP, CheckFailed, Lab, become_subreaper, expect, reap, skip_reason, wait_for

NODES = ["node1", "node2"]

RESOURCES = """<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
    </cluster_property_set>
  </crm_config>
  <resources>
    <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
      <operations>
        <op id="d1-monitor-5s" name="monitor" interval="5s"/>
      </operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="d1-prefers-node2" rsc="d1" node="node2" score="100"/>
  </constraints>
</configuration>
"""


class Cluster:
    def __init__(self, lab, holdfast):
        self.lab = lab
        self.holdfast = holdfast

    def cli(self, node, *args):
        return self.lab.exec(node, self.holdfast, *args, timeout=60)

    def status(self, node):
        p = self.cli(node, "status")
        return p.stdout if p.returncode == 0 else ""

    def quorate(self, node):
        """True/False as node's status says; None when it cannot say (holdfastd not answering yet)."""
        m = re.search(r"partition (with|WITHOUT) quorum", self.status(node))
        return (m.group(1) == "with") if m else None

    def online(self, node):
        m = re.search(r"Online: \[ ([^\]]*) \]", self.status(node))
        return sorted(m.group(1).split()) if m else []

    def running(self, node):
        return self.lab.exec(node, "sh", "-c", "ls /run/resource-agents/Dummy-d1.state").returncode == 0

    def digest(self, node):
        p = self.cli(node, "cib", "show", "--xml")
        return hashlib.sha256(p.stdout.encode()).hexdigest() if p.returncode == 0 else node


def check_formed_and_running(c):
    wait_for("both nodes online, with quorum", lambda: all(c.online(n) == NODES and c.quorate(n) for n in NODES),
             c.lab)
    c.lab.exec("node1", "sh", "-c", "cat > /var/lib/holdfast/resources.xml <<'EOF'\n" + RESOURCES + "EOF")
    p = c.cli("node1", "configure", "load", "update", "/var/lib/holdfast/resources.xml")
    expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")
    wait_for("d1 runs on node2 only", lambda: c.running("node2") and not c.running("node1"), c.lab)
    expect(True, "2 nodes formed one cluster with quorum and run d1")


def check_cut(c):
    c.lab.run("cut", "node2")
    wait_for("node1 alone keeps quorum (two_node)", lambda: c.online("node1") == ["node1"] and c.quorate("node1"),
             c.lab)
    wait_for("node1 runs d1", lambda: c.running("node1"), c.lab)
    expect(True, "cut off from node2, node1 kept quorum and recovered d1")


def check_heal(c):
    c.lab.run("heal", "node2")
    wait_for("both nodes online again", lambda: all(c.online(n) == NODES for n in NODES), c.lab)
    wait_for("d1 runs on exactly one node", lambda: c.running("node1") != c.running("node2"), c.lab)
    wait_for("the two CIBs are identical", lambda: c.digest("node1") == c.digest("node2"), c.lab)
    expect(True, "healed: one cluster, d1 active once, identical CIBs")


def check_wait_for_all(c):
    c.lab.run("kill", "node1")
    c.lab.run("kill", "node2")
    c.lab.run("boot", "node1")
    wait_for("node1, booted alone, answers and has no quorum (wait_for_all)",
             lambda: c.quorate("node1") is False, c.lab)
    expect(not c.running("node1"), "node1 without quorum started nothing")
    c.lab.run("boot", "node2")
    wait_for("with node2 back: both online, with quorum",
             lambda: all(c.online(n) == NODES and c.quorate(n) for n in NODES), c.lab)
    wait_for("d1 runs on exactly one node", lambda: c.running("node1") != c.running("node2"), c.lab)
    expect(True, "wait_for_all: quorum only once both nodes had been seen")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lab", required=True, help="holdfast-lab binary (holdfastd next to it)")
    parser.add_argument("--holdfast", required=True, help="holdfast CLI binary")
    args = parser.parse_args()
    reason = skip_reason()
    if reason:
        print(f"skipped: {reason}")
        return SKIP
    if not os.path.exists("/usr/lib/ocf/resource.d/heartbeat/Dummy"):
        print("skipped: resource-agents (ocf:heartbeat:Dummy) is not installed")
        return SKIP
    become_subreaper()
    base = tempfile.mkdtemp(prefix="holdfast-two-node-test-")
    lab = Lab(args.lab, os.path.join(base, "lab"))
    c = Cluster(lab, args.holdfast)
    try:
        lab.up(2)
        check_formed_and_running(c)
        check_cut(c)
        check_heal(c)
        check_wait_for_all(c)
        print("all two-node checks passed")
        return 0
    except (CheckFailed, subprocess.TimeoutExpired) as e:
        print(f"FAILED: {e}", flush=True)
        for node in NODES:
            path = os.path.join(lab.dir, "nodes", node, "root", "var", "log", "holdfast", "holdfastd.log")
            if os.path.exists(path):
                print(f"--- {path} (tail)")
                with open(path) as f:
                    print("".join(f.readlines()[-25:]))
        return 1
    finally:
        subprocess.run([args.lab, "--dir", lab.dir, "down"], capture_output=True)
        reap()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
