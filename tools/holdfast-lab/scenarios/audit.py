"""The fault-injection suite's invariant audits (issue 6): pure functions of the independent event log.

The event log (events.py) is what happened in a VM lab as seen from outside the daemons: power, libvirtd's
domain events, the disk agents' state files, the LUNs' keys, Corosync's memberships and quorum, the nodes'
own LUN writes. check(events, spec) reads it and nothing else (no lab, no daemon), so the same audits run on
a real run's log and on synthetic logs (test/lab/scenario_audits_test.py). It returns Violations:

  0  an instrument broke (an ("error", ...) event): a broken instrument must not pass as "no violation";
  1  a resource is never active on two nodes;
  2  nothing a lost node ran is started elsewhere before its fencing is confirmed;
  3  a node without quorum starts nothing and stops what it runs;
  4  after fencing on the LUN is confirmed, every write from the fenced node is rejected;
  5  after healing, every node holds the same CIB.

What "active" means (audits 1-3). A domain is active on a node from libvirtd's "started" (or "resumed")
until "suspended", "stopped" or "crashed"; a live migration's incoming side (a "started" that the node
later resumes before anything else happens to the domain there) is paused, so it becomes active only when
resumed. A disk is active from its agent's state file made ("diskev started") until removed. Everything
a node runs is gone when its power goes off (the "off" and "lost" events). What a node ran when the log
began comes from the first sampled reading of its libvirtd and agents ("hv is", "disk is"); after that only
the exact events count. A frozen node keeps what it ran: it did not stop it.

Fencing evidence (audits 1, 2) is independent of the daemons: the node's power went off, or its key left
both LUNs. Both are sampled (power every 50 ms, LUNs every 50 ms plus the read), so an "off" counts from
spec.power_slack and a key's removal from spec.lun_slack before the reading that showed it (never before
the previous reading of the same thing). Within that slack a start is not called premature. Two copies
of a resource that overlap for less than spec.overlap are not counted (event delivery skew, audit 1).
Every tolerance errs towards finding nothing: what the audits report happened, beyond sampling error.
"""
import collections
import hashlib
import time
import xml.etree.ElementTree as ET

from events import node_id

Violation = collections.namedtuple("Violation", "audit t text")


class Spec:
    """What the audits need to know of the lab: node names ("node1", ...: Corosync's node id is the number),
    VM and disk resource names, which of the disks are clones (exempt from audits 1 and 2: a clone is meant to
    be active on every node), the grace a node without quorum has to stop what it runs (no-quorum-policy=stop:
    stops take time; 30 s is far beyond what the lab's agents need) and the sampling slacks (see the module's
    docstring)."""

    def __init__(self, nodes, vms, disks, clones=(), grace=30.0, power_slack=0.3, lun_slack=0.3, overlap=0.5):
        self.nodes, self.vms, self.disks = list(nodes), list(vms), list(disks)
        self.clones = set(clones)
        self.grace, self.power_slack, self.lun_slack = grace, power_slack, lun_slack
        self.overlap = overlap
        # what audits 1 and 2 watch: VMs and disk primitives
        self.exclusive = frozenset(self.vms) | (frozenset(self.disks) - self.clones)


# -- the world the events describe ------------------------------------------------------------------------

def incoming_starts(events):
    """Indices (into the sorted events) of the hvev "started" events that are a live migration's incoming
    side: the next thing that happens to that domain on that node (ignoring "suspended") is "resumed"."""
    out, pending = set(), {}
    for i, (_t, source, node, what, dom) in enumerate(events):
        if source != "hvev":
            continue
        key = (node, dom)
        if what == "started":
            pending[key] = i
        elif what == "resumed" and key in pending:
            out.add(pending.pop(key))
        elif what in ("stopped", "crashed"):
            pending.pop(key, None)
    return out


class World:
    """The lab's state as the events tell it, applied one event at a time (events sorted by time).
    apply() returns the starts the event was: [(node, resource)] that became active by a start of theirs
    (not by a seed reading)."""

    def __init__(self, spec, incoming=frozenset()):
        self.spec = spec
        self.incoming = incoming
        self.power = {}                      # node -> "on"|"off"
        self.hv = collections.defaultdict(dict)  # node -> {domain: "active"|"paused"}
        self.disk = collections.defaultdict(set)
        self.seeded = set()                  # (source, node) whose first reading was taken as the state
        self.lun = {}                        # "lunI" -> (frozenset(names), holder) or None
        self.quorum = {}                     # node -> True|False|None
        self.members = {}                    # node -> frozenset(ids) (its cpg_watch's last), None when off

    def active(self, node):
        """What the node runs (domains not paused, disks), as far as the events say."""
        return {d for d, s in self.hv[node].items() if s == "active"} | set(self.disk[node])

    def key_gone(self, node):
        """The node's key is off both LUNs (each LUN's last reading answered and lacks it)."""
        return all(self.lun.get(f"lun{i}") is not None and node not in self.lun[f"lun{i}"][0] for i in (1, 2))

    def fenced(self, node):
        """Independent evidence that the node can do no harm: its power is off or its key left both LUNs."""
        return self.power.get(node) == "off" or self.key_gone(node)

    def effective(self, node):
        return set() if self.fenced(node) else self.active(node)

    def apply(self, i, event):
        _t, source, node, what, value = event
        handler = getattr(self, "_" + source, None)
        return (handler(i, node, what, value) or []) if handler else []

    def _node(self, i, node, what, value):
        self.power[node] = value
        if value == "off":
            self.hv[node].clear()
            self.disk[node].clear()
            self.members[node] = None

    def _hv(self, i, node, what, value):
        if what == "lost":
            for d in value:
                self.hv[node].pop(d, None)
        elif what == "is" and ("hv", node) not in self.seeded:
            self.seeded.add(("hv", node))
            for d in value:
                self.hv[node].setdefault(d, "active")

    def _disk(self, i, node, what, value):
        if what == "lost":
            self.disk[node] -= set(value)
        elif what == "is" and ("disk", node) not in self.seeded:
            self.seeded.add(("disk", node))
            self.disk[node] |= set(value)

    def _hvev(self, i, node, what, dom):
        if dom not in self.spec.vms or self.power.get(node) == "off":
            return []  # not a resource (the test driver's own "test" domain); a node that is off does nothing
        was = self.hv[node].get(dom)
        if what == "started":
            self.hv[node][dom] = "paused" if i in self.incoming else "active"
        elif what == "resumed":
            self.hv[node][dom] = "active"
        elif what == "suspended":
            self.hv[node][dom] = "paused"
        elif what in ("stopped", "crashed"):
            self.hv[node].pop(dom, None)
        return [(node, dom)] if was != "active" and self.hv[node].get(dom) == "active" else []

    def _diskev(self, i, node, what, disk):
        if disk not in self.spec.disks or self.power.get(node) == "off":
            return []
        if what == "started":
            was = disk in self.disk[node]
            self.disk[node].add(disk)
            return [] if was else [(node, disk)]
        self.disk[node].discard(disk)
        return []

    def _lun(self, i, lun, what, value):
        self.lun[lun] = value

    def _quorum(self, i, node, what, value):
        self.quorum[node] = value

    def _cpg(self, i, node, what, value):
        self.members[node] = frozenset(value)


def ordered(events, spec, slack=True):
    """The events sorted by time, with fencing evidence moved earlier by its slack (unless slack=False): a
    node's "off" by spec.power_slack, a LUN reading that removes a key by spec.lun_slack, never before the
    previous reading of the same thing."""
    evs = sorted(events, key=lambda e: e[0])
    if not slack:
        return evs
    out, last, keys = [], {}, {}
    for e in evs:
        t, source, subject, what, value = e
        slack = 0.0
        if source == "node" and value == "off":
            slack = spec.power_slack
        elif source == "lun" and value is not None and keys.get(subject) and keys[subject] - value[0]:
            slack = spec.lun_slack
        if source == "lun" and value is not None:
            keys[subject] = value[0]
        if slack:
            t = max(t - slack, last.get((source, subject), t - slack))
            e = (t,) + e[1:]
        last[(source, subject)] = e[0]
        out.append(e)
    return sorted(out, key=lambda e: e[0])


def sweep(events, spec, slack=True):
    """Yields (world after the event, index, event, starts) over the ordered events."""
    evs = ordered(events, spec, slack)
    world = World(spec, incoming_starts(evs))
    for i, e in enumerate(evs):
        starts = world.apply(i, e)
        yield world, i, e, starts


# -- the audits ----------------------------------------------------------------------------------------------

def audit_instruments(events, spec):
    """0: every ("error", sampler, ...) event. A sampler that threw, a writer whose probe died while its node
    ran: the log has a hole, so the run cannot be called clean."""
    return [Violation(0, t, f"instrument error in {subject}: {value}")
            for t, source, subject, _what, value in events if source == "error"]


def audit_exclusive(events, spec):
    """1: a VM or disk primitive is never active on two nodes at once. Checked after every event (a start,
    but also an unfencing that makes a zombie's leftovers count again), counting only nodes that are not
    fenced (power off, or key off both LUNs: what a SCSI-fenced node still "runs" cannot reach its disk).
    One violation per episode, at its start; an episode shorter than spec.overlap is not one (a move's stop
    on one node and start on the next come through different nodes' libvirtd events and threads, which can
    deliver them some tens of ms apart); one still going when the log ends is."""
    out, double = [], {}  # resource -> (since, where)
    for world, _i, (t, *_rest), _starts in sweep(events, spec):
        effective = {n: world.effective(n) for n in spec.nodes}
        for r in spec.exclusive:
            where = sorted(n for n in spec.nodes if r in effective[n])
            if len(where) > 1:
                double.setdefault(r, (t, where))
            elif r in double:
                since, nodes = double.pop(r)
                if t - since >= spec.overlap:
                    out.append(Violation(1, since, f"{r} active on {' and '.join(nodes)} for {t - since:.3f} s"))
    out += [Violation(1, since, f"{r} active on {' and '.join(nodes)} (still at the end of the log)")
            for r, (since, nodes) in double.items()]
    return out


def audit_fenced_first(events, spec):
    """2: a node X starts nothing another node N ran, while N is lost to X (it left X's Corosync membership)
    and its fencing is not confirmed (N's power off, or its key off both LUNs). "Ran" = active on N when X
    lost it, or started there since. The window ends at the confirmation or when N is back in X's membership.
    An orderly stop (standby: N's resources stopped before it left) leaves nothing to check."""
    out = []
    lost = {}  # (X, N) -> set of what N ran
    prev = {}
    for world, _i, (t, source, subject, what, value), starts in sweep(events, spec):
        if source == "cpg":
            before = prev.get(subject) or frozenset()
            prev[subject] = frozenset(value)
            for n in spec.nodes:
                if n == subject:
                    continue
                if node_id(n) in before and node_id(n) not in value and not world.fenced(n):
                    lost[(subject, n)] = world.active(n) & spec.exclusive
                elif node_id(n) in value:
                    lost.pop((subject, n), None)
        elif source == "node" and value == "off":
            prev[subject] = None
            for key in [k for k in lost if k[0] == subject]:
                del lost[key]
        for key in [k for k in lost if world.fenced(k[1])]:
            del lost[key]
        for node, r in starts:
            for (x, n), ran in lost.items():
                if n == node and r in spec.exclusive:
                    ran.add(r)
                elif x == node and r in ran:
                    out.append(Violation(2, t, f"{node} started {r}, which {n} ran, while {n} was lost to "
                                               f"{node} and not fenced (power on, key on a LUN)"))
    return out


def audit_quorum(events, spec):
    """3: a node whose last quorum reading is False starts nothing (the readings' stamps make [False, next
    reading) a time the node certainly had no quorum: events.QuorumSampler), and whatever it runs is stopped
    within spec.grace: a node still running something spec.grace after its quorum went False, with no other
    reading in between, breaks it. Clones count too: without quorum a node starts no instance either."""
    out, since = [], {}
    for world, _i, (t, source, subject, what, value), starts in sweep(events, spec):
        for n, since_t in list(since.items()):
            if t >= since_t + spec.grace:
                left = world.active(n)
                if left:
                    out.append(Violation(3, since_t + spec.grace,
                                         f"{n} still runs {', '.join(sorted(left))} {spec.grace:.0f} s after it "
                                         f"lost quorum"))
                del since[n]
        if source == "quorum":
            since.pop(subject, None)
            if value is False:
                since[subject] = t
        for node, r in starts:
            if world.quorum.get(node) is False:
                out.append(Violation(3, t, f"{node} started {r} without quorum"))
    return out


def audit_writes(events, spec):
    """4: once a LUN's reading shows a node's key gone (fenced on that LUN), every write of that node to that
    LUN asked after that reading is rejected, until the node has rejoined and been unfenced: its quorum
    reading True, another node's Corosync membership including it, and its key on the LUN again, all at
    once. Writes are stamped when asked (events.LunWriter), readings when they returned, so an accepted write
    counted here reached the target after the key was seen gone. Only "ok" can break it ("error" is not a
    write)."""
    out, fenced = [], {}  # (node, lun) -> since
    for world, _i, (t, source, subject, what, value), _starts in sweep(events, spec, slack=False):
        if source == "lun" and value is not None:
            for n in spec.nodes:
                if n not in value[0]:
                    fenced.setdefault((n, subject), t)
        for (n, lun) in list(fenced):
            back = world.lun.get(lun) is not None and n in world.lun[lun][0]
            member = any(node_id(n) in (world.members.get(x) or ()) for x in spec.nodes if x != n)
            if back and member and world.quorum.get(n) is True:
                del fenced[(n, lun)]
        if source == "write" and what == "ok" and (subject, value) in fenced:
            out.append(Violation(4, t, f"{subject}'s write to {value} was accepted after its key left it "
                                       f"(fenced on the LUN since {fenced[(subject, value)]:.3f})"))
    return out


def audit_cib(events, spec):
    """5: the CIB digests that audit.cib_digests logged after healing are all equal, and every node that was
    read gave one (a None digest: the node runs but could not show its CIB). Nodes that were off hold no CIB
    and are not compared. No digests in the log: nothing to check."""
    last = {}
    for t, source, subject, _what, value in sorted(events, key=lambda e: e[0]):
        if source == "cib":
            last[subject] = (t, value)
    if not last:
        return []
    t = max(v[0] for v in last.values())
    missing = sorted(n for n, (_t, d) in last.items() if d is None)
    if missing:
        return [Violation(5, t, f"{', '.join(missing)} could not show its CIB")]
    if len({d for _t, d in last.values()}) > 1:
        text = ", ".join(f"{n}={d[:12]}" for n, (_t, d) in sorted(last.items()))
        return [Violation(5, t, f"the nodes hold different CIBs: {text}")]
    return []


AUDITS = (audit_instruments, audit_exclusive, audit_fenced_first, audit_quorum, audit_writes, audit_cib)


def check(events, spec):
    """Every audit over the events; the violations sorted by time (empty: the run kept every invariant)."""
    out = []
    for audit in AUDITS:
        out += audit(events, spec)
    return sorted(out, key=lambda v: (v.t, v.audit))


# -- audit 5's instrument --------------------------------------------------------------------------------

VOLATILE = ("cib-last-written", "update-origin", "update-client", "update-user")


def cib_digest(xml_text):
    """sha256 of a CIB's XML with the attributes that differ between nodes holding the same CIB removed
    (when and through whom it was last written); None for text that is not XML."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError:
        return None
    for el in root.iter():
        for a in VOLATILE:
            el.attrib.pop(a, None)
    return hashlib.sha256(ET.tostring(root, encoding="unicode").encode()).hexdigest()


def cib_digests(rig, log, deadline=60):
    """After healing: reads `holdfast cib show --xml` on every node that is powered on and logs ("cib", N,
    "digest", hex or None). Replication may still be settling, so it reads again (every second, up to
    `deadline` s) until the digests agree; the last reading is what is logged. Returns {node: digest}."""
    end = time.monotonic() + deadline
    while True:
        digests = {n: cib_digest(rig.c.cib(n)) for n in rig.names if rig.pid1(n) is not None}
        values = set(digests.values())
        if (len(values) <= 1 and None not in values) or time.monotonic() > end:
            break
        time.sleep(1)
    for n, d in digests.items():
        log.add("cib", n, "digest", d)
    return digests
