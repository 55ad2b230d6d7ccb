"""Drives build/bin/holdfast-lab from Python for the lab tests: a Lab object per lab directory,
membership read from inside the nodes, and waits with generous deadlines (never timings).
The test process should call become_subreaper() so the labs' orphaned processes are reaped here.
"""
import ctypes
import os
import shutil
import subprocess
import sys
import time

SKIP = 77
DEADLINE = 90  # seconds; membership changes take about 4 s with token 1000


class CheckFailed(Exception):
    pass


def reap():
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def alive(pid):
    """A live, non-zombie process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def netns_names():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


class Lab:
    def __init__(self, binary, directory):
        self.binary = binary
        self.dir = directory
        self.id = None

    def run(self, *args, check=True, timeout=300):
        p = subprocess.run([self.binary, "--dir", self.dir, *args], capture_output=True, text=True,
                           timeout=timeout)
        reap()
        if check and p.returncode != 0:
            raise CheckFailed(f"holdfast-lab {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
        return p

    def up(self, nodes, *extra, token=1000):
        self.run("up", "--nodes", str(nodes), "--token", str(token), *extra)
        self.id = self.status()["lab"]["id"]

    def down(self, who="holdfast-lab"):
        """`down`, and once more 2 s later when it fails (a process the lab killed may still be a zombie
        of ours, reaped in between). Each failure is said on stderr under `who`. True when it is down."""
        for attempt in (1, 2):
            p = self.run("down", check=False)
            if p.returncode == 0:
                return True
            print(f"{who}: holdfast-lab down exited {p.returncode}: {p.stderr.strip()}"
                  + ("; trying again" if attempt == 1 else f"; the lab stays in {self.dir}"), file=sys.stderr,
                  flush=True)
            if attempt == 1:
                time.sleep(2)
        return False

    def keep_logs(self, dest, nodes):
        """Every node's /var/log (the daemons' and Corosync's logs) copied to DEST/NODE, before the lab goes."""
        for node in nodes:
            src = os.path.join(self.dir, "nodes", node, "root", "var", "log")
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(dest, node), dirs_exist_ok=True)

    def status(self):
        """{'lab': {...}, 'node1': {'state': ..., 'members': [...]}, ...}"""
        out = self.run("status").stdout
        view = {}
        for line in out.splitlines():
            name, *pairs = line.split()
            view[name] = dict(p.split("=", 1) for p in pairs)
            if "members" in view[name]:
                m = view[name]["members"]
                view[name]["members"] = [] if m == "-" else [int(x) for x in m.split(",")]
        return view

    def exec(self, node, *cmd, timeout=30):
        return self.run("exec", node, "--", *cmd, check=False, timeout=timeout)

    def quorum(self, node):
        """(quorate, member ids) as corosync-quorumtool inside the node reports them; None when it cannot say."""
        try:
            p = self.exec(node, "corosync-quorumtool", "-s", "-p", timeout=15)
        except subprocess.TimeoutExpired:
            return None
        if p.returncode not in (0, 2):
            return None
        quorate, members, in_table = None, [], False
        for line in p.stdout.splitlines():
            words = line.split()
            if not words:
                continue
            if words[0] == "Quorate:":
                quorate = words[1] == "Yes"
            elif words[0] == "Nodeid":
                in_table = True
            elif in_table and words[0].isdigit():
                members.append(int(words[0]))
        return quorate, sorted(members)

    def cmap(self, node, key):
        p = self.exec(node, "corosync-cmapctl", "-g", key)
        if p.returncode != 0:
            raise CheckFailed(f"{node}: corosync-cmapctl -g {key}: {p.stderr.strip()}")
        return p.stdout.strip().rsplit("= ", 1)[-1]

    def ipmitool(self, node, *args):
        """ipmitool against node's BMC (RMCP+, cipher suite 3, the lab's user), from the switch's namespace."""
        addr = self.status()[node]["bmc"].split(":")[0]
        return subprocess.run(["ip", "netns", "exec", self.id + "-sw", "ipmitool", "-I", "lanplus", "-C", "3", "-H",
                               addr, "-U", "admin", "-P", "holdfast-lab", *args], capture_output=True, text=True,
                              timeout=60)

    def namespaces(self):
        return {n for n in netns_names() if n.startswith(self.id + "-")}

    def processes(self):
        """PIDs of every live process in one of this lab's network namespaces."""
        inodes = {os.stat(f"/run/netns/{n}").st_ino for n in self.namespaces()}
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}/ns/net").st_ino in inodes and alive(int(entry)):
                        pids.append(int(entry))
                except OSError:
                    pass
        return pids


def wait_for(what, predicate, lab=None):
    end = time.monotonic() + DEADLINE
    while True:
        if predicate():
            return
        if time.monotonic() > end:
            detail = ""
            if lab is not None:
                detail = "\n" + lab.run("status", check=False).stdout
            raise CheckFailed(f"timed out waiting until {what}{detail}")
        time.sleep(0.25)


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)
    print(f"ok: {what}", flush=True)


def wait_membership(lab, nodes, members, quorate=True):
    want = (quorate, sorted(members))
    wait_for(f"{', '.join(nodes)} see members {members} (quorate={quorate})",
             lambda: all(lab.quorum(n) == want for n in nodes), lab)
    print(f"ok: {', '.join(nodes)} see members {members}, quorate={quorate}", flush=True)


def skip_reason():
    if os.geteuid() != 0:
        return "needs root"
    for tool in ("ip", "corosync", "corosync-keygen", "corosync-quorumtool"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed"
    probe = f"hflabprobe{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        return "ip netns is unusable here"
    subprocess.run(["ip", "netns", "delete", probe], capture_output=True)
    return None


def become_subreaper():
    """Orphans of holdfast-lab (a killed node's PID 1) are re-parented here; call reap() to reap them."""
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    os.environ["PATH"] += ":/usr/sbin:/sbin"
