"""The independent event log: what happened in a VM lab (rig.py), as seen from outside the daemons.

Sources, each sampled by a thread of its own, every event stamped with CLOCK_MONOTONIC (one clock for
the host and every lab node):
  - "node":  a node's power, from the lab's pid file and /proc (its PID 1 exists or not);
  - "disk":  the disks each node's SharedDisk agent recorded as started (its state file), sampled;
  - "hv":    the domains each node's libvirtd runs, sampled (a frozen node's libvirtd does not
             answer: its last answer stands, and the event log says when it stopped answering; a
             node that powers off loses them: "lost");
  - "diskev", "hvev": the same, as they happen (inotify on the agents' state directory, libvirtd's
             lifecycle events): the times a timeline shows;
  - "lun":   each LUN's registered keys and reservation holder, read by lab_pr_probe over an iSCSI
             session of its own from the switch (tgtd's answer, atomic per read);
  - "cpg":   each node's Corosync membership as libcpg delivers it (cpg_watch, run inside the node);
  - "quorum": each node's quorum as its corosync says it (corosync-quorumtool inside the node), sampled;
  - "write": each node's own writes to each LUN (lab_pr_probe inside the node, on a session of its own
             that registered the node's key): accepted or rejected, what a fenced node's writes get;
  - "inject": the faults the driver injected, recorded by the driver itself before it acts.
Events are (t, source, node or LUN, what, value). Nothing here asks holdfastd anything.
"""
import ctypes
import os
import re
import select
import struct
import subprocess
import threading
import time


class EventLog:
    """A list of events, appended by several threads, with the current value of every (source, subject)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        self.current = {}
        self.t0 = time.monotonic()

    def add(self, source, subject, what, value=None, t=None):
        with self.lock:
            self.events.append((t if t is not None else time.monotonic(), source, subject, what, value))

    def change(self, source, subject, value, t=None):
        """Records (source, subject) = value when it differs from the last value."""
        with self.lock:
            if self.current.get((source, subject), object()) == value:
                return False
            self.current[(source, subject)] = value
            self.events.append((t if t is not None else time.monotonic(), source, subject, "is", value))
            return True

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def first(self, pred, after=0.0):
        """The first event (after time `after`) for which pred(event) is true, or None."""
        for e in self.snapshot():
            if e[0] >= after and pred(e):
                return e
        return None


def stopped(pid):
    """Whether the process is stopped (SIGSTOP: a frozen lab node's processes)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
    except OSError:
        return False


class Sampler(threading.Thread):
    """Calls sample() every `period` seconds until stopped; an exception is logged as an event (so a
    broken instrument shows in the log instead of silently sampling nothing)."""

    def __init__(self, log, name, period):
        super().__init__(daemon=True, name=name)
        self.log, self.period = log, period
        self.halt = threading.Event()
        self.samples = 0

    def run(self):
        while not self.halt.is_set():
            start = time.monotonic()
            try:
                self.sample()
            except Exception as e:  # recorded, never raised in the thread
                self.log.add("error", self.name, "sampler", repr(e))
            self.samples += 1
            self.halt.wait(max(0.0, self.period - (time.monotonic() - start)))

    def stop(self):
        self.halt.set()
        self.join(timeout=30)


class NodeSampler(Sampler):
    """One node: its power (PID 1) and the domains its libvirtd runs."""

    def __init__(self, log, rig, node, period=0.05):
        super().__init__(log, f"node-{node}", period)
        self.rig, self.node = rig, node
        self.answering = None

    def sample(self):
        pid = self.rig.pid1(self.node)
        up = pid is not None
        self.log.change("node", self.node, "on" if up else "off")
        if up and stopped(pid):
            # frozen: its libvirtd cannot answer, and asking (1 s timeout) would make the power readings,
            # the fencing evidence of the audits, a second late
            self._answering(False)
            return
        if not up:
            # A node that is off runs nothing: its domains and disks are gone with it.
            with self.log.lock:
                lost = {src: self.log.current.get((src, self.node)) for src in ("hv", "disk")}
            for src, held in lost.items():
                if held:
                    self.log.add(src, self.node, "lost", held)
                self.log.change(src, self.node, frozenset())
            self._answering(False)
            return
        disks = self.rig.disks(self.node)
        if disks is not None:
            self._disks(disks)
        doms = self.rig.domains(self.node, timeout=1)
        self._answering(doms is not None)
        if doms is not None:
            self.log.change("hv", self.node, frozenset(doms))

    def _disks(self, disks):
        self.log.change("disk", self.node, frozenset(disks))

    def _answering(self, yes):
        if yes != self.answering:
            self.answering = yes
            self.log.add("hv", self.node, "answering" if yes else "silent")


class Inotify:
    """An inotify descriptor watching one directory for files made and removed (ctypes: the standard
    library has no inotify)."""
    MASK = 0x100 | 0x200 | 0x80 | 0x40  # IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM

    def __init__(self, path):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or self.libc.inotify_add_watch(self.fd, path.encode(), self.MASK) < 0:
            err = ctypes.get_errno()
            self.close()
            raise OSError(err, f"inotify on {path}")

    def read(self):
        """[(made: bool, name)] of what is waiting."""
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return []
        out, i = [], 0
        while i + 16 <= len(data):
            _wd, mask, _cookie, size = struct.unpack_from("iIII", data, i)
            name = data[i + 16:i + 16 + size].split(b"\0", 1)[0].decode(errors="replace")
            i += 16 + size
            if name:
                out.append((bool(mask & (0x100 | 0x80)), name))
        return out

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class NodeEvents(threading.Thread):
    """Exact times, as they happen, for one node: its SharedDisk agents' state files made and removed
    (inotify on the node's /run/resource-agents) and its libvirtd's domain lifecycle events (`virsh
    event --loop`). Logged as ("diskev"|"hvev", node, "started"|"stopped", name). Follows the node
    across power cycles (a new PID 1 gets new watches)."""

    def __init__(self, log, rig, node):
        super().__init__(daemon=True, name=f"events-{node}")
        self.log, self.rig, self.node = log, rig, node
        self.halt = threading.Event()
        self.pid, self.inotify, self.virsh = None, None, None

    def _attach(self, pid):
        self._detach()
        self.pid = pid
        try:
            self.inotify = Inotify(f"/proc/{pid}/root/run/resource-agents")
        except OSError:
            self.inotify = None
        uri = self.rig.hypervisor_uri(self.node)
        self.virsh = subprocess.Popen(["virsh", "-q", "-c", uri, "event", "--all", "--loop"],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        os.set_blocking(self.virsh.stdout.fileno(), False)

    def _detach(self):
        if self.inotify:
            self.inotify.close()
        if self.virsh:
            if self.virsh.poll() is None:
                self.virsh.kill()
            self.virsh.wait()
        self.inotify = self.virsh = None

    def _disk_events(self):
        for made, name in self.inotify.read():
            m = re.fullmatch(r"SharedDisk-(\w+?)(?::\d+)?\.state", name)
            if m:
                self.log.add("diskev", self.node, "started" if made else "stopped", m.group(1))

    def _hv_events(self):
        for line in self.virsh.stdout:
            m = re.search(r"event 'lifecycle' for domain '?([^':]+)'?: (\w+)", line)
            if m and m.group(2) in ("Started", "Stopped", "Crashed", "Suspended", "Resumed"):
                self.log.add("hvev", self.node, m.group(2).lower(), m.group(1))

    def run(self):
        while not self.halt.is_set():
            pid = self.rig.pid1(self.node)
            if self.virsh and self.virsh.poll() is not None:
                # `virsh event` ended (e.g. it started before libvirtd listened): attach again, a little later
                self._hv_events()
                self._detach()
                self.pid = None
                self.halt.wait(0.5)
            if pid != self.pid:
                self._detach()
                self.pid = None
                if pid is not None and os.path.isdir(f"/proc/{pid}/root/run/libvirt"):
                    self._attach(pid)
            fds = [f for f in (self.inotify and self.inotify.fd, self.virsh and self.virsh.stdout) if f]
            ready = select.select(fds, [], [], 0.05)[0] if fds else self.halt.wait(0.05) and []
            if self.inotify and self.inotify.fd in ready:
                self._disk_events()
            if self.virsh and self.virsh.stdout in ready:
                self._hv_events()
        self._detach()

    def stop(self):
        self.halt.set()
        self.join(timeout=30)


class LunSampler(Sampler):
    """Every LUN's keys and holder, translated to node names where the key is a node's."""

    def __init__(self, log, rig, period=0.05):
        super().__init__(log, "luns", period)
        self.rig = rig
        self.names = {rig.key(n): n for n in rig.names}

    def sample(self):
        for i, view in enumerate(self.rig.lun_view(), 1):
            if view is None:
                self.log.change("lun", f"lun{i}", None)
                continue
            keys, holder = view
            named = (frozenset(self.names.get(k, k) for k in keys), self.names.get(holder, holder))
            self.log.change("lun", f"lun{i}", named)


class CpgWatcher(threading.Thread):
    """cpg_watch inside one node: every membership it delivers, as a ("cpg", node, "members", ids) event
    stamped by cpg_watch itself. Ends when the node goes down; start a new one after it boots."""

    def __init__(self, log, rig, node, binary):
        super().__init__(daemon=True, name=f"cpg-{node}")
        self.log, self.node = log, node
        self.proc = subprocess.Popen([rig.lab.binary, "--dir", rig.lab.dir, "exec", node, "--", binary],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def run(self):
        for line in self.proc.stdout:
            words = line.split()
            if len(words) == 3 and words[0] == "members":
                ids = frozenset(int(x) for x in words[2].split(","))
                self.log.add("cpg", self.node, "members", ids, t=float(words[1]))

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class QuorumSampler(Sampler):
    """One node's quorum as its own corosync says it (corosync-quorumtool inside the node, rig.lab.quorum):
    ("quorum", N, "is", True|False|None), None when it cannot say (the node is off, frozen, or corosync does
    not answer). A frozen node is not asked (its PID 1 is stopped): the question would hang until the thaw.

    The stamps are chosen for audit 3 (a node without quorum starts nothing): a reading describes some moment
    between the question and the answer, so a change TO False is stamped when the answer came, and a change
    FROM False is stamped when the last reading that still said False was asked. [a False event, the next
    event) is then an interval during which the node certainly had no quorum (an empty one when a single
    reading said False), whatever the sampling delays."""

    def __init__(self, log, rig, node, period=0.25):
        super().__init__(log, f"quorum-{node}", period)
        self.rig, self.node = rig, node
        self.value, self.stamp, self.asked = object(), 0.0, None

    def read(self):
        pid = self.rig.pid1(self.node)
        if pid is None or stopped(pid):
            return None
        view = self.rig.lab.quorum(self.node)
        return None if view is None else view[0]

    def sample(self):
        asked = time.monotonic()
        value = self.read()
        if value != self.value:
            t = time.monotonic()
            if self.value is False:
                t = max(self.asked, self.stamp)
            self.log.change("quorum", self.node, value, t=t)
            self.value, self.stamp = value, t
        self.asked = asked


class LunWriter(threading.Thread):
    """A node's own writes to one LUN: lab_pr_probe run INSIDE the node (so it freezes and dies with it)
    on an iSCSI session of its own, which registers the node's key at start and then writes one block
    every `period` s: ("write", N, "ok"|"rejected"|"error", "lunI"). An accepted write is stamped when it
    was asked (the earliest moment it can have reached the target: audit 4 counts it against a fencing only
    if it was asked after the fencing was seen), the others when answered. "rejected" is RESERVATION
    CONFLICT, "error" any other failure (e.g. the LUN unreachable).

    Its registration is the node's, not the cluster's: it must not undo a fencing. So the probe starts only
    while the event log says the node is a quorate member AND its key is on both LUNs (registered by the
    cluster's unfencing), i.e. never between a fencing and the cluster's unfencing; a writer whose node
    goes down ends quietly, Observer.watch(node) starts new ones after a boot. A probe that dies while its
    node lives is an instrument error."""

    def __init__(self, log, rig, node, index, period=0.2):
        super().__init__(daemon=True, name=f"writer-{node}-lun{index}")
        self.log, self.rig, self.node, self.period = log, rig, node, period
        self.lun, self.url = f"lun{index}", rig.luns[index - 1]
        self.halt = threading.Event()
        self.proc, self.pid = None, None
        self.writes = 0

    def _may_start(self):
        with self.log.lock:
            quorate = self.log.current.get(("quorum", self.node))
            luns = [self.log.current.get(("lun", f"lun{i}")) for i in (1, 2)]
        return quorate is True and all(v is not None and self.node in v[0] for v in luns)

    def _start(self):
        """Starts the probe; True once it registered, False when it could not (logged as a write error)."""
        binary = os.path.join(self.rig.bins, "lab_pr_probe")
        self.proc = subprocess.Popen(
            [self.rig.lab.binary, "--dir", self.rig.lab.dir, "exec", self.node, "--", binary, self.url,
             "--initiator", f"iqn.2026-12.org.holdfast:{self.node}-writer-{self.lun}",
             "--register", self.rig.key(self.node)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        if self.proc.stdout.readline().strip() == "registered":
            return True
        self.close()
        self.proc.stdin.close()
        self.proc.stdout.close()
        return False

    def _write(self):
        """One write; the answer, or None when the probe is gone."""
        try:
            self.proc.stdin.write("write\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline().strip()
        except (BrokenPipeError, ValueError, OSError):
            return None
        if not line.startswith("write="):
            return None
        answer = line.split("=", 1)[1]
        return "ok" if answer == "ok" else "rejected" if answer == "reservation_conflict" else "error"

    def _node_gone(self):
        """Whether the node this probe ran in went down (waits a little for its PID 1 to be reaped)."""
        from holdfast_lab import alive
        end = time.monotonic() + 10
        while time.monotonic() < end and not self.halt.is_set():
            if self.rig.pid1(self.node) != self.pid or not alive(self.pid):
                return True
            time.sleep(0.1)
        return self.halt.is_set()

    def _begin(self):
        """Waits until the node may register (see the class) and the probe registered; False when stopped
        or the node went down first. A failed start (e.g. the LUN unreachable) is a write error, tried again
        (after the same wait: the node may have been fenced meanwhile)."""
        while True:
            while not self.halt.is_set() and not self._may_start():
                self.halt.wait(0.1)
            if self.halt.is_set():
                return False
            self.pid = self.rig.pid1(self.node)
            if self._start():
                return True
            if self.halt.is_set():
                return False
            self.log.add("write", self.node, "error", self.lun)
            if self._node_gone():
                return False
            self.halt.wait(1.0)

    def run(self):
        try:
            self._run()
        except Exception as e:  # recorded, never raised in the thread: a writer that broke is a hole in the log
            self.log.add("error", self.name, "sampler", repr(e))

    def _run(self):
        if not self._begin():
            return
        while not self.halt.is_set():
            asked = time.monotonic()
            result = self._write()
            if result is None:
                if not self._node_gone():
                    self.log.add("error", self.name, "sampler", "the writer's probe died while its node runs")
                return
            # an accepted write at the earliest it can have reached the target, the others when answered
            # (a write asked just before a freeze is answered after the thaw: that is when it was rejected)
            self.log.add("write", self.node, result, self.lun, t=asked if result == "ok" else None)
            self.writes += 1
            self.halt.wait(max(0.0, self.period - (time.monotonic() - asked)))

    def close(self):
        """Kills `holdfast-lab exec`. Its pipes stay open: the thread may be reading one (closing it would
        wait for that read), and the probe inside a frozen node holds the other end until the node thaws or
        goes down; then the thread ends."""
        if self.proc:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()

    def stop(self):
        self.halt.set()
        self.close()
        self.join(timeout=2)  # a writer in a frozen node ends with the node (a daemon thread)


def build_cpg_watch(directory):
    """Compiles test/bench/cpg_watch.c (a measuring instrument, not part of Holdfast) into directory."""
    from fence_bench import build
    return build(directory, "cpg_watch.c", ["libcpg"])


class Observer:
    """Every sampler of a rig, started together; watch(node) (re)starts what runs inside a node: its
    cpg_watch and its LUN writers (call it after the node booted, once it is a member again)."""

    def __init__(self, rig, cpg_watch=None):
        self.rig = rig
        self.log = EventLog()
        self.cpg_watch = cpg_watch
        self.samplers = ([NodeSampler(self.log, rig, n) for n in rig.names] + [LunSampler(self.log, rig)] +
                         [NodeEvents(self.log, rig, n) for n in rig.names] +
                         [QuorumSampler(self.log, rig, n) for n in rig.names])
        self.watchers = {}
        self.writers = {}

    def start(self):
        for s in self.samplers:
            s.start()
        for n in self.rig.names:
            self.watch(n)
        return self

    def watch(self, node):
        if self.cpg_watch:
            old = self.watchers.pop(node, None)
            if old:
                old.close()
            w = CpgWatcher(self.log, self.rig, node, self.cpg_watch)
            w.start()
            self.watchers[node] = w
        for old in self.writers.pop(node, ()):
            old.stop()
        # each starts once the log says the node is a quorate member with its key on both LUNs
        self.writers[node] = [LunWriter(self.log, self.rig, node, i) for i in (1, 2)]
        for w in self.writers[node]:
            w.start()

    def inject(self, subject, what):
        self.log.add("inject", subject, what)

    def stop(self):
        for writers in self.writers.values():
            for w in writers:
                w.stop()
        for s in self.samplers:
            s.stop()
        for w in self.watchers.values():
            w.close()

    def where(self, vm):
        """Nodes whose last libvirtd answer (or power-off) says they run vm."""
        with self.log.lock:
            return sorted(n for n in self.rig.names if vm in (self.log.current.get(("hv", n)) or ()))


def node_id(name):
    return int(name.removeprefix("node"))


def _set_diff(old, new):
    old, new = old or frozenset(), new or frozenset()
    return sorted(new - old), sorted(old - new)


def describe(events, t0, t1=None):
    """Readable lines "  +S.SSS s  what" for the events between t0 and t1: changes become verbs (a
    domain started or stopped on a node, a key registered or removed, a reservation taken)."""
    last, lines = {}, []
    for t, source, subject, what, value in sorted(events, key=lambda e: e[0]):
        key = (source, subject)
        prev = last.get(key)
        if what in ("is", "members"):
            if what == "members" and prev == value:
                continue  # a watcher's membership repeated (a new ring with the same members)
            last[key] = value
        if source == "write":  # a line when a node's writes to a LUN start to get another answer
            prev, last[(source, subject, value)] = last.get((source, subject, value)), what
            if prev == what:
                continue
        if t < t0 or (t1 is not None and t > t1):
            continue
        for text in _explain(source, subject, what, value, prev):
            lines.append(f"  {t - t0:+8.3f} s  {text}")
    return lines


def _explain(source, subject, what, value, prev):
    if source == "inject":
        return [f"FAULT {subject}: {what}"]
    if source == "node" and what == "is":
        return [f"{subject} powered {value}"]
    if source == "hvev":
        return [f"{value} {what} on {subject} (its libvirtd)"]
    if source == "diskev":
        return [f"{value} {what} on {subject} (its agent)"]
    if source in ("hv", "disk") and what == "lost":
        return [f"{', '.join(sorted(value))} gone with {subject}'s power"]
    if source == "hv" and what == "silent":
        return [f"{subject}'s libvirtd stops answering"]
    if source == "lun" and what == "is":
        if prev is None and value is not None:
            return []  # the first reading: a state, not a change
        if value is None:
            return [f"{subject} does not answer"]
        keys, holder = value
        old_keys, old_holder = prev if prev else (frozenset(), None)
        added, removed = _set_diff(old_keys, keys)
        out = [f"{subject}: {k} registered" for k in added] + [f"{subject}: {k}'s key removed" for k in removed]
        if holder != old_holder:
            out.append(f"{subject}: reservation held by {holder}" if holder else f"{subject}: reservation released")
        return out
    if source == "cpg" and what == "members":
        return [f"{subject}: Corosync membership now {','.join(f'node{i}' for i in sorted(value))}"]
    if source == "quorum" and what == "is":
        return [f"{subject}: {'quorate' if value else 'WITHOUT quorum' if value is False else 'quorum unknown'}"]
    if source == "write":
        return [f"{subject}'s writes to {value}: {'accepted' if what == 'ok' else what}"]
    if source == "cib":
        return [f"{subject}: CIB digest {value[:12] if value else None}"]
    if source == "error":
        return [f"instrument error in {subject}: {value}"]
    return []
