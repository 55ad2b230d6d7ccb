#!/usr/bin/env python3
"""The fault-injection suite's audits (tools/holdfast-lab/scenarios/audit.py) on synthetic event logs
(CTest `scenario_audits`: plain python3, no root, no lab).

Each audit gets a clean log (a failover told the way events.py tells it: node1 frozen, lost, fenced,
its disks and VMs started on node2, node1 back) on which it must find nothing, and the same log with
exactly its own invariant broken, on which it must report that audit and no other. Also: an instrument
error fails a run (audit 0), a live migration's paused incoming side is not a second active copy while a
domain started by hand next to the running one is, and an orderly move is not a loss. And the quorum
sampler's stamps (events.QuorumSampler), which audit 3's soundness rests on.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "holdfast-lab", "scenarios"))
sys.path.insert(0, HERE)  # events.py's own imports (holdfast_lab)
sys.dont_write_bytecode = True

import audit  # noqa: E402

NODES = ["node1", "node2"]
VMS = ["VMachine1", "VMachine2"]
DISKS = ["disk1", "disk2"]
SPEC = audit.Spec(nodes=NODES, vms=VMS, disks=DISKS)
BOTH = frozenset(NODES)


def lun(keys, holder="node2"):
    return (frozenset(keys), holder)


def writes(node, t0, t1, what="ok"):
    """A node's writer: a write to each LUN every 0.2 s in [t0, t1)."""
    out, t = [], t0
    while t < t1:
        out += [(t, "write", node, what, "lun1"), (t + 0.01, "write", node, what, "lun2")]
        t += 0.2
    return out


def start_state():
    """Both nodes up, members, quorate, registered; both VMs and their disks on node1."""
    return [
        (0.0, "node", "node1", "is", "on"), (0.0, "node", "node2", "is", "on"),
        (0.1, "disk", "node1", "is", frozenset(DISKS)), (0.1, "disk", "node2", "is", frozenset()),
        (0.1, "hv", "node1", "is", frozenset(VMS)), (0.1, "hv", "node2", "is", frozenset()),
        (0.2, "lun", "lun1", "is", lun(BOTH)), (0.2, "lun", "lun2", "is", lun(BOTH)),
        (0.3, "cpg", "node1", "members", frozenset({1, 2})), (0.3, "cpg", "node2", "members", frozenset({1, 2})),
        (0.4, "quorum", "node1", "is", True), (0.4, "quorum", "node2", "is", True),
    ]


def recovery_on_node2(t):
    return [(t, "diskev", "node2", "started", "disk1"), (t + 0.1, "diskev", "node2", "started", "disk2"),
            (t + 0.5, "hvev", "node2", "started", "VMachine1"), (t + 0.6, "hvev", "node2", "started", "VMachine2")]


def failover():
    """node1 frozen at 10, lost at 11, powered off (IPMI) at 13; node2 starts disks then VMs from 14;
    node1 boots at 20, without quorum until it joins at 24; the CIBs agree at 40."""
    return start_state() + writes("node1", 1.0, 10.0) + writes("node2", 1.0, 40.0) + [
        (10.0, "inject", "node1", "every process frozen", None),
        (10.05, "quorum", "node1", "is", None),
        (11.0, "cpg", "node2", "members", frozenset({2})),
        (13.0, "node", "node1", "is", "off"),
        (13.0, "hv", "node1", "lost", frozenset(VMS)), (13.0, "disk", "node1", "lost", frozenset(DISKS)),
        (13.0, "hv", "node1", "is", frozenset()), (13.0, "disk", "node1", "is", frozenset()),
    ] + recovery_on_node2(14.0) + [
        (20.0, "node", "node1", "is", "on"),
        (21.0, "quorum", "node1", "is", False),
        (23.5, "cpg", "node1", "members", frozenset({1, 2})), (23.5, "cpg", "node2", "members", frozenset({1, 2})),
        (24.0, "quorum", "node1", "is", True),
    ] + writes("node1", 25.0, 40.0) + [
        (40.0, "cib", "node1", "digest", "ab" * 32), (40.1, "cib", "node2", "digest", "ab" * 32),
    ]


def zombie():
    """node1 frozen at 10 with its BMC down, lost at 11, fenced on both LUNs at 13 (its key preempted),
    node2 recovers from 14; node1 thawed at 20 still runs its VMs (its libvirtd kept them) and its writes
    are rejected; it loses quorum and stops them by 30; it rejoins at 35 and is unfenced at 36."""
    return start_state() + writes("node1", 1.0, 10.0) + writes("node2", 1.0, 50.0) + [
        (10.0, "inject", "node1", "frozen, its BMC down", None),
        (10.05, "quorum", "node1", "is", None),
        (11.0, "cpg", "node2", "members", frozenset({2})),
        (13.0, "lun", "lun1", "is", lun({"node2"})), (13.02, "lun", "lun2", "is", lun({"node2"})),
    ] + recovery_on_node2(14.0) + [
        (20.0, "inject", "node1", "thawed", None),
        (20.2, "cpg", "node1", "members", frozenset({1})),
        (20.5, "quorum", "node1", "is", False),
    ] + writes("node1", 20.0, 30.0, "rejected") + [
        (29.0, "hvev", "node1", "stopped", "VMachine1"), (29.1, "hvev", "node1", "stopped", "VMachine2"),
        (29.5, "diskev", "node1", "stopped", "disk1"), (29.6, "diskev", "node1", "stopped", "disk2"),
        (35.0, "cpg", "node1", "members", frozenset({1, 2})), (35.0, "cpg", "node2", "members", frozenset({1, 2})),
        (35.2, "quorum", "node1", "is", True),
        (36.0, "lun", "lun1", "is", lun(BOTH)), (36.02, "lun", "lun2", "is", lun(BOTH)),
    ] + writes("node1", 36.5, 50.0)


def without(events, pred):
    return [e for e in events if not pred(e)]


class Audits(unittest.TestCase):
    def found(self, events, spec=SPEC):
        return audit.check(events, spec)

    def assertClean(self, events, spec=SPEC):
        self.assertEqual(self.found(events, spec), [])

    def assertOnly(self, events, number, spec=SPEC):
        v = self.found(events, spec)
        self.assertTrue(v, f"audit {number}: nothing found")
        self.assertEqual({x.audit for x in v}, {number}, v)
        return v

    def test_clean_logs(self):
        self.assertClean(failover())
        self.assertClean(zombie())

    def test_0_instrument_error(self):
        v = self.assertOnly(failover() + [(5.0, "error", "quorum-node1", "sampler", "OSError()")], 0)
        self.assertEqual(v[0].t, 5.0)

    def test_1_two_active_copies(self):
        # VMachine1 started by hand on node2 while node1 runs it (not a migration: never resumed there)
        v = self.assertOnly(failover() + [(5.0, "hvev", "node2", "started", "VMachine1")], 1)
        self.assertEqual((v[0].t, "VMachine1" in v[0].text), (5.0, True))

    def test_1_disk_primitive_but_not_clone(self):
        events = failover() + [(5.0, "diskev", "node2", "started", "disk2")]
        self.assertOnly(events, 1)
        self.assertClean(events, audit.Spec(nodes=NODES, vms=VMS, disks=DISKS, clones=DISKS))

    def test_1_live_migration_is_not_two_copies(self):
        move = [(5.0, "hvev", "node2", "started", "VMachine1"), (6.0, "hvev", "node1", "suspended", "VMachine1"),
                (6.1, "hvev", "node2", "resumed", "VMachine1"), (6.3, "hvev", "node1", "stopped", "VMachine1")]
        self.assertClean(failover() + move)
        # resumed on the destination while the source still runs it: two copies
        early = [(5.0, "hvev", "node2", "started", "VMachine1"), (6.1, "hvev", "node2", "resumed", "VMachine1"),
                 (6.7, "hvev", "node1", "stopped", "VMachine1")]
        v = self.assertOnly(failover() + early, 1)
        self.assertEqual(v[0].t, 6.1)
        # events of two nodes some tens of ms apart (libvirtd, virsh, a thread each): not two copies
        skew = [(5.0, "hvev", "node2", "started", "VMachine1"), (5.05, "hvev", "node1", "stopped", "VMachine1")]
        self.assertClean(failover() + skew)

    def test_1_zombie_unfenced_with_its_vm(self):
        # the zombie keeps quorum, never stops its VMs and is unfenced at 36: they count on both nodes again
        events = without(zombie(), lambda e: e[1] in ("hvev", "diskev") and e[2] == "node1")
        events = without(events, lambda e: e[1] == "quorum" and e[2] == "node1" and e[4] is False)
        v = self.assertOnly(events, 1)
        self.assertEqual({x.t for x in v}, {36.0})
        self.assertEqual(len(v), 4, v)  # both VMs and both disks, once each

    def test_2_started_before_fencing(self):
        # node1 (cut off) stops VMachine1 itself, but node2 starts it before node1's power is off
        events = without(failover(), lambda e: e[1] == "hvev" and e[4] == "VMachine1")
        events += [(11.5, "hvev", "node1", "stopped", "VMachine1"), (12.0, "hvev", "node2", "started", "VMachine1")]
        v = self.assertOnly(events, 2)
        self.assertEqual(v[0].t, 12.0)

    def test_2_within_the_power_slack_is_not_early(self):
        events = without(failover(), lambda e: e[1] == "hvev" and e[4] == "VMachine1")
        events += [(11.5, "hvev", "node1", "stopped", "VMachine1"), (12.9, "hvev", "node2", "started", "VMachine1")]
        self.assertClean(events)

    def test_2_orderly_move_is_not_a_loss(self):
        # standby: node1 stops everything, leaves, node2 starts it all; node1 stays on
        events = start_state() + [
            (10.0, "hvev", "node1", "stopped", "VMachine1"), (10.1, "hvev", "node1", "stopped", "VMachine2"),
            (10.5, "diskev", "node1", "stopped", "disk1"), (10.6, "diskev", "node1", "stopped", "disk2"),
            (11.0, "cpg", "node2", "members", frozenset({2}))] + recovery_on_node2(12.0)
        self.assertClean(events)

    def test_3_start_without_quorum(self):
        # node2 stops VMachine2, then node1, booted but not yet quorate, starts it
        events = failover() + [(21.5, "hvev", "node2", "stopped", "VMachine2"),
                               (22.0, "hvev", "node1", "started", "VMachine2")]
        v = self.assertOnly(events, 3)
        self.assertEqual(v[0].t, 22.0)

    def test_3_no_stop_without_quorum(self):
        # the zombie keeps its VMs (fenced on the LUN, so not a second copy) past the grace without quorum
        events = without(zombie(), lambda e: (e[1] in ("hvev", "diskev") and e[2] == "node1") or e[0] >= 34)
        events += writes("node2", 34.0, 55.0)
        v = self.assertOnly(events, 3)
        self.assertEqual([x.t for x in v], [50.5])
        # the log ends before the grace does: nothing can be said
        self.assertClean(without(events, lambda e: e[0] >= 50))

    def test_4_accepted_write_after_fencing(self):
        v = self.assertOnly(zombie() + [(22.05, "write", "node1", "ok", "lun2")], 4)
        self.assertEqual(v[0].t, 22.05)

    def test_4_unfenced_by_itself_before_rejoining(self):
        # the zombie's key is back on lun1 at 30 (not by the cluster: it has not rejoined), its writes pass
        events = zombie() + [(30.0, "lun", "lun1", "is", lun(BOTH))] + [
            (30.5, "write", "node1", "ok", "lun1"), (30.51, "write", "node1", "rejected", "lun2")]
        v = self.assertOnly(events, 4)
        self.assertEqual([(x.t, "lun1" in x.text) for x in v], [(30.5, True)])
        # after the rejoin and the unfencing, its writes are its right
        self.assertClean(zombie() + writes("node1", 36.1, 36.3))

    def test_5_different_cibs(self):
        events = without(failover(), lambda e: e[1] == "cib") + [
            (40.0, "cib", "node1", "digest", "ab" * 32), (40.1, "cib", "node2", "digest", "cd" * 32)]
        self.assertOnly(events, 5)
        missing = without(failover(), lambda e: e[1] == "cib" and e[2] == "node2") + [
            (40.1, "cib", "node2", "digest", None)]
        self.assertOnly(missing, 5)

    def test_cib_digest_ignores_volatile_attributes(self):
        a = '<cib epoch="3" cib-last-written="Wed Dec  2 10:00:00 2026" update-origin="node1"><configuration/></cib>'
        b = '<cib epoch="3" cib-last-written="Wed Dec  2 10:00:09 2026" update-origin="node2"><configuration/></cib>'
        c = '<cib epoch="4" cib-last-written="Wed Dec  2 10:00:09 2026"><configuration/></cib>'
        self.assertEqual(audit.cib_digest(a), audit.cib_digest(b))
        self.assertNotEqual(audit.cib_digest(a), audit.cib_digest(c))
        self.assertIsNone(audit.cib_digest(""))


class QuorumStamps(unittest.TestCase):
    """events.QuorumSampler stamps so that [False, next reading) is a time without quorum for certain."""

    def test_stamps(self):
        import events
        clock = [0.0]

        class Lab:
            answers = iter([True, False, False, True])

            def quorum(self, node):
                clock[0] += 0.1  # the answer comes 0.1 s after the question
                return next(self.answers), [1, 2]

        class Rig:
            lab = Lab()

            def pid1(self, node):
                return os.getpid()

        real = events.time
        events.time = type("Clock", (), {"monotonic": staticmethod(lambda: clock[0])})
        try:
            log = events.EventLog()
            sampler = events.QuorumSampler(log, Rig(), "node1")
            for asked in (1.0, 2.0, 3.0, 4.0):
                clock[0] = asked
                sampler.sample()
        finally:
            events.time = real
        got = [(round(e[0], 3), e[4]) for e in log.snapshot()]
        # True when the first answer came; False when the answer that saw it came; True again from when the
        # last reading that still said False was asked
        self.assertEqual(got, [(1.1, True), (2.1, False), (3.0, True)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
