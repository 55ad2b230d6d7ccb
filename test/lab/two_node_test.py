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
import sys

from holdfast_lab import expect, wait_for
from lab_checks import dummy_configuration, run_lab_checks

NODES = ["node1", "node2"]


def check_formed_and_running(c):
    wait_for("both nodes online, with quorum", lambda: all(c.online(n) == NODES and c.quorate(n) for n in NODES),
             c.lab)
    p = c.load("node1", dummy_configuration("node2"))
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


def checks(c, _base):
    check_formed_and_running(c)
    check_cut(c)
    check_heal(c)
    check_wait_for_all(c)


if __name__ == "__main__":
    sys.exit(run_lab_checks("two-node", NODES, checks))
