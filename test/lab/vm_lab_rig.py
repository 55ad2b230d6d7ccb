"""What the VM lab test (vm_lab_test.py) runs beside the cluster: a tgtd target on the lab's switch,
an OCF_ROOT holding the built agents, the test's own view of each node's qemu and libvirt, and the
sampler that checks the safety invariants every ~100 ms. Everything here is agent-independent: qemu
processes are found through each node's PID namespace, domain states through each node's libvirtd
socket (reached through /proc/PID1/root, from the host), registrations through lab_pr_probe's own
iSCSI session."""
import os
import re
import signal
import subprocess
import threading
import time

QEMU_COMM = "qemu-system-x86"  # /proc/PID/comm keeps 15 characters


def pr_key(cluster, node):
    """fencing::node_key: 64-bit FNV-1a over "holdfast-pr\\0CLUSTER\\0NODE\\0", never 0; as 16 hex digits."""
    h = 0xCBF29CE484222325
    for part in ("holdfast-pr", cluster, node):
        for b in part.encode() + b"\0":
            h ^= b
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h or 1:016x}"


def make_ocf_root(path, agents):
    """An OCF_ROOT whose heartbeat agents and shell library are the system's and whose holdfast
    provider holds `agents` ({type: binary})."""
    os.makedirs(os.path.join(path, "resource.d", "holdfast"))
    os.symlink("/usr/lib/ocf/lib", os.path.join(path, "lib"))
    os.symlink("/usr/lib/ocf/resource.d/heartbeat", os.path.join(path, "resource.d", "heartbeat"))
    for name, binary in agents.items():
        os.symlink(binary, os.path.join(path, "resource.d", "holdfast", name))
    return path


class Target:
    """tgtd in the lab's switch namespace at STORAGE_ADDRESS:3260, one 16 MiB LUN. stop() deletes the
    target and kills tgtd (it ignores SIGTERM); `holdfast-lab down` would kill it as well, since it runs
    in one of the lab's namespaces."""

    def __init__(self, switch_ns, address, backing):
        self.ns = switch_ns
        self.address = address
        self.backing = backing
        self.iqn = f"iqn.2026-12.org.holdfast.lab:{switch_ns}"
        self.control = 100 + os.getpid() % 800
        while os.path.exists(f"/var/run/tgtd/socket.{self.control}"):
            self.control = 100 + (self.control - 99) % 800
        self.proc = None

    @property
    def url(self):
        return f"iscsi://{self.address}:3260/{self.iqn}/1"

    def tgtadm(self, *args):
        return subprocess.run(["tgtadm", "-C", str(self.control), "--lld", "iscsi", *args],
                              capture_output=True, text=True).returncode == 0

    def start(self):
        with open(self.backing, "wb") as f:
            f.truncate(16 << 20)
        subprocess.run(["ip", "-n", self.ns, "addr", "add", f"{self.address}/24", "dev", "br0"], check=True)
        # The probe talks to tgtd from inside the switch: traffic to a local address needs lo.
        subprocess.run(["ip", "-n", self.ns, "link", "set", "lo", "up"], check=True)
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, "tgtd", "-f", "-C", str(self.control),
                                      "--iscsi", f"portal={self.address}:3260"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 20
        while not self.tgtadm("--mode", "system", "--op", "show"):
            if time.monotonic() > end or self.proc.poll() is not None:
                raise RuntimeError("tgtd did not come up")
            time.sleep(0.05)
        ok = (self.tgtadm("--mode", "target", "--op", "new", "--tid", "1", "--targetname", self.iqn)
              and self.tgtadm("--mode", "logicalunit", "--op", "new", "--tid", "1", "--lun", "1",
                              "--backing-store", self.backing)
              and self.tgtadm("--mode", "target", "--op", "bind", "--tid", "1", "--initiator-address", "ALL"))
        if not ok:
            raise RuntimeError("tgtadm could not set up the target")

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.tgtadm("--mode", "target", "--op", "delete", "--tid", "1", "--force")
            self.proc.kill()
        self.proc.wait()
        for suffix in ("", ".lock"):
            try:
                os.unlink(f"/var/run/tgtd/socket.{self.control}{suffix}")
            except OSError:
                pass


class PrProbe:
    """lab_pr_probe in the switch namespace: read() returns (set of registered keys, holder key or None),
    read after the call began; None when the target did not answer."""

    def __init__(self, binary, switch_ns, url):
        self.proc = subprocess.Popen(["ip", "netns", "exec", switch_ns, binary, url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.lock = threading.Lock()

    def read(self):
        with self.lock:
            try:
                self.proc.stdin.write("\n")
                self.proc.stdin.flush()
                line = self.proc.stdout.readline()
            except (BrokenPipeError, ValueError):
                return None
        m = re.match(r"keys=(\S+) holder=(\S+) type=(\S+)", line)
        if not m:
            return None
        keys = set() if m.group(1) == "-" else set(m.group(1).split(","))
        return keys, None if m.group(2) == "-" else m.group(2)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Node:
    """One lab node seen from the host: its PID 1 (from the lab's pid file), qemu processes in its PID
    namespace, its libvirtd, its guest's serial console."""

    def __init__(self, lab_dir, name):
        self.name = name
        self.root = os.path.join(lab_dir, "nodes", name, "root")
        with open(os.path.join(lab_dir, "nodes", name, "pid")) as f:
            pid, _start, pidns = f.read().split()
        self.pid1 = int(pid)
        self.pidns = int(pidns)

    def qemu_pids(self, proc_entries, domain):
        """Host PIDs of this node's qemu processes running `domain` (libvirt names it on the command line:
        `-name guest=DOMAIN,...`; libvirtd's own capability probes are other qemu processes), among
        (pid, pidns inode, comm) triples."""
        out = []
        for pid, ns, comm in proc_entries:
            if ns != self.pidns or comm != QEMU_COMM:
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    args = f.read().split(b"\0")
            except OSError:
                continue
            if any(a.startswith(f"guest={domain},".encode()) for a in args):
                out.append(pid)
        return out

    @property
    def uri(self):
        """The node's libvirtd, reached from the host through its PID 1's root."""
        return f"qemu:///system?socket=/proc/{self.pid1}/root/run/libvirt/libvirt-sock"

    def domstate(self, domain):
        """libvirt's state of `domain` on this node ("running", "paused", ...), None when it has none."""
        p = subprocess.run(["virsh", "-q", "-c", self.uri, "domstate", domain], capture_output=True, text=True)
        return p.stdout.strip() if p.returncode == 0 else None

    def console(self, domain):
        """[(boot id, uptime)] as the guest printed them on this node's serial console file."""
        path = os.path.join(self.root, "var", "log", "libvirt", "qemu", f"{domain}.console")
        try:
            with open(path, errors="replace") as f:
                text = f.read()
        except OSError:
            return []
        return [(m.group(1), float(m.group(2)))
                for m in re.finditer(r"holdfast-guest boot=(\S+) uptime=([\d.]+)", text)]


def proc_entries():
    """(pid, pid namespace inode, comm) of every live process."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ns = os.stat(f"/proc/{entry}/ns/pid").st_ino
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        out.append((int(entry), ns, comm))
    return out


class Sampler(threading.Thread):
    """Every ~100 ms: which nodes have a qemu process of each domain, and which keys the LUN has.

    Invariants, recorded as violations (never raised in the thread):
      - a guest runs (libvirt state "running") on at most one node. qemu processes on two nodes are
        normal during a live migration (the target's qemu waits, paused, for the guest's memory), so then
        the states are read twice in node order; only a pair of reads that cannot come from one handover
        counts (node Y seen running before node X is seen running, and X before Y);
      - a node with a guest's qemu process has its disk: its key is registered on the LUN in the read just
        before or just after the process scan (between the two, a start or stop of the disk may fall);
      - while `exclusive` is set (the disk is a primitive, not a clone): at most one node's key is
        registered, and a held reservation is held by that key (each read is one atomic answer of tgtd).
    It also keeps a timeline of (time, what) changes for the ordering checks."""

    def __init__(self, nodes, domains, probe, keys):
        super().__init__(daemon=True)
        self.nodes = nodes
        self.domains = domains
        self.probe = probe
        self.keys = keys  # node name -> key
        self.exclusive = False
        self.violations = []
        self.timeline = []
        self.samples = 0
        self.stop_event = threading.Event()
        self._last = None

    def note(self, what):
        self.timeline.append((time.monotonic(), what))

    def violation(self, what):
        self.violations.append((time.monotonic(), what))

    @staticmethod
    def _both_running(hosts, domain):
        reads = [(n, n.domstate(domain) == "running") for _ in range(2) for n in hosts]
        seen = set()
        for i, (x, x_run) in enumerate(reads):
            for y, y_run in reads[i + 1:]:
                if x is not y and x_run and y_run:
                    seen.add((x.name, y.name))
        return any((b, a) in seen for a, b in seen)

    def _check_exclusive(self, read):
        keys, holder = read
        mine = [n for n, k in self.keys.items() if k in keys]
        if len(mine) > 1:
            self.violation(f"the exclusive disk is registered by {mine}")
        if holder is not None and (len(mine) != 1 or holder != self.keys[mine[0]]):
            self.violation(f"the exclusive disk's reservation is held by {holder} with {mine} registered")

    def sample(self):
        before = self.probe.read()
        entries = proc_entries()
        after = self.probe.read()
        hosts = {d: [n for n in self.nodes if n.qemu_pids(entries, d)] for d in self.domains}
        state = (tuple((d, tuple(n.name for n in h)) for d, h in hosts.items() if h),
                 tuple(sorted(before[0])) if before else None)
        if state != self._last:
            running = " ".join(f"{d}@{','.join(h)}" for d, h in state[0]) or "-"
            self.note(f"qemu: {running} keys={','.join(state[1] or []) or '-'}")
            self._last = state
        if before is None or after is None:
            self.violation("the LUN did not answer the probe")
            return
        for d, h in hosts.items():
            for n in h:
                if self.keys[n.name] not in before[0] and self.keys[n.name] not in after[0]:
                    self.violation(f"{d}'s qemu runs on {n.name} without its disk registration")
            if len(h) > 1 and self._both_running(h, d):
                self.violation(f"{d} running on {[n.name for n in h]}")
        if self.exclusive:
            self._check_exclusive(before)
            self._check_exclusive(after)

    def run(self):
        while not self.stop_event.is_set():
            start = time.monotonic()
            try:
                self.sample()
            except Exception as e:  # recorded, so the test fails instead of silently sampling nothing
                self.violations.append((time.monotonic(), f"sampler error: {e!r}"))
            self.samples += 1
            self.stop_event.wait(max(0.0, 0.1 - (time.monotonic() - start)))

    def stop(self):
        self.stop_event.set()
        self.join(timeout=30)


def kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
