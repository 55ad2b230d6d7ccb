#!/usr/bin/env python3
"""Benchmark: a 3-node Holdfast cluster against Pacemaker 2.1.5 on the same namespace lab, in one run.

For each stack, `holdfast-lab up --nodes 3 --token 1000 --stack STACK` (both labs at once), wait until
every node sees three online nodes, one DC and quorum, then measure, alternating between the stacks so
that load from elsewhere on the machine hits both alike:
  command latency  a cluster property set on node1 by the operator's command (`holdfast configure property
                   NAME=VALUE` / `crm_attribute --type crm_config --name NAME --update VALUE`), from starting
                   it until a CIB read on every node shows it; median and p90. A new process per change.
  commit latency   the same change sent by a client already connected to the node1 daemon (Holdfast's IPC
                   / Pacemaker's libcib, as its own daemons use it), until every node shows it: the cluster's
                   commit without a program's start-up
  throughput       changes back to back from node1 until the last shows on every node: by command, by one
                   connected client, and by 16 connected clients at once; and, for the 16 clients, the CPU the
                   daemons and corosync of all three nodes used per change
  memory           PSS (/proc/PID/smaps_rollup) of the stack's processes per node, corosync separately
  idle CPU         utime+stime of the stack's processes over one idle window for both stacks, % of one
                   core for the whole cluster (daemons and corosync apart)
Each node runs a connected client that reads the whole CIB in a loop while a change is awaited
(test/bench/cib_client.cpp for Holdfast; test/bench/pcmk_cib_client.c against libcib for Pacemaker, built
here from pacemaker-dev). Commands run inside the nodes (a small agent, this script with `agent`), so
the lab tool's own start-up is not timed. Not a test: nothing here asserts a time. --write-readme puts
the table into README.md between the cluster-bench markers. Needs root; Ctrl-C takes the labs down.
"""
import argparse
import datetime
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "test", "lab"))
sys.dont_write_bytecode = True  # importing holdfast_lab must not leave __pycache__ in the tree

NODES = ["node1", "node2", "node3"]
PACEMAKER_DAEMONS = {"pacemakerd", "pacemaker-based", "pacemaker-fenced", "pacemaker-execd", "pacemaker-attrd",
                     "pacemaker-schedulerd", "pacemaker-controld"}
DAEMONS = {"holdfast": {"holdfastd"}, "pacemaker": PACEMAKER_DAEMONS}


# ---- the agent: runs inside one node, reads commands on stdin, answers one line each ----

def set_command(stack, holdfast, name, value):
    if stack == "holdfast":
        return [holdfast, "configure", "property", f"{name}={value}"]
    return ["crm_attribute", "--type", "crm_config", "--name", name, "--update", value]


def run_quiet(argv):
    """Exit status of argv; a command hung for a minute counts as failed."""
    try:
        return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60).returncode
    except subprocess.TimeoutExpired:
        return -1


def agent(stack, holdfast):
    for line in sys.stdin:
        cmd, *a = line.split()
        if cmd == "set":  # set NAME VALUE -> done T0 T1 RC
            t0 = time.monotonic()
            rc = run_quiet(set_command(stack, holdfast, a[0], a[1]))
            print(f"done {t0} {time.monotonic()} {rc}", flush=True)
        elif cmd == "burst":  # burst NAME N: values 1..N one after the other -> done T0 T1 FAILURES
            t0, failures = time.monotonic(), 0
            for i in range(1, int(a[1]) + 1):
                failures += run_quiet(set_command(stack, holdfast, a[0], str(i))) != 0
            print(f"done {t0} {time.monotonic()} {failures}", flush=True)
        elif cmd == "quit":
            break


# ---- the driver ----

class NodeProcess:
    """A long-lived program inside a lab node that answers one line per command line."""

    def __init__(self, lab, node, argv):
        self.node = node
        self.proc = subprocess.Popen([lab.binary, "--dir", lab.dir, "exec", node, "--", *argv],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def answer(self):
        words = self.proc.stdout.readline().split()
        if not words or words[0] == "timeout":
            raise RuntimeError(f"{self.node}: a benchmark process gave up or died ({words})")
        return words[0], [float(x) for x in words[1:]]

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def command_agent(lab, node, stack, holdfast):
    """Sets properties by running the operator's command, a new process each time."""
    return NodeProcess(lab, node, [sys.executable, os.path.abspath(__file__), "agent", "--stack", stack,
                                   "--holdfast", holdfast])


def connected_client(lab, node, stack, clients):
    """Sets and reads through one connection to the node's daemon (see the module text)."""
    return NodeProcess(lab, node, [clients[stack]])


def build_pacemaker_client(directory):
    """pcmk_cib_client.c compiled against Debian's pacemaker-dev; its path."""
    out = os.path.join(directory, "pcmk_cib_client")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "pacemaker-cib", "libxml-2.0", "glib-2.0"],
                           capture_output=True, text=True)
    if flags.returncode != 0:
        raise RuntimeError("pkg-config finds no pacemaker-cib (scripts/deps installs pacemaker-dev)")
    subprocess.run(["cc", "-O2", "-o", out, os.path.join(HERE, "pcmk_cib_client.c"), *flags.stdout.split()],
                   check=True)
    return out


def status_text(lab, stack, holdfast, node):
    cmd = [holdfast, "status"] if stack == "holdfast" else ["crm_mon", "-1"]
    p = lab.exec(node, *cmd, timeout=60)
    return p.stdout if p.returncode == 0 else ""


def ready(lab, stack, holdfast, nodes=NODES):
    """Every node of `nodes` sees all of them online, quorum and the same DC."""
    dcs = set()
    for node in nodes:
        text = status_text(lab, stack, holdfast, node)
        dc = re.search(r"Current DC: (\S+) .*partition (with|WITHOUT) quorum", text)
        online = re.search(r"Online: \[ ([^\]]*) \]", text)
        if not dc or dc.group(2) != "with" or not online or sorted(online.group(1).split()) != nodes:
            return False
        dcs.add(dc.group(1))
    return len(dcs) == 1


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))]


def one_change(setter, pollers, name, value):
    """(seconds until every node's CIB read shows it, seconds the setter took, read times)."""
    for p in pollers:
        p.send(f"wait {name} {value} 60")
    time.sleep(0.05)  # the pollers are reading; the value is new, so no earlier read can match
    setter.send(f"set {name} {value}")
    _, (t0, t1, rc) = setter.answer()
    if rc != 0:
        raise RuntimeError(f"the change {name}={value} on node1 failed (exit {rc:.0f})")
    seen = [p.answer()[1] for p in pollers]
    return max(q1 for _, q1 in seen) - t0, t1 - t0, [q1 - q0 for q0, q1 in seen]


def burst(setters, pollers, name, count):
    """Every setter sends `count` changes back to back (its own property), all at once; (seconds from the
    first start until the last value shows on every node, seconds until the last setter finished)."""
    for k, s in enumerate(setters):
        s.send(f"burst {name}-{k} {count}")
    answers = [s.answer()[1] for s in setters]
    if any(failures for _, _, failures in answers):
        raise RuntimeError(f"burst changes failed: {[int(a[2]) for a in answers]}")
    start, finished = min(a[0] for a in answers), max(a[1] for a in answers)
    last = 0.0
    for k in range(len(setters)):
        for p in pollers:
            p.send(f"wait {name}-{k} {count} 120")
        last = max([last] + [p.answer()[1][1] for p in pollers])
    return last - start, finished - start


def node_processes(pid1):
    """PID -> program name of every process in the node's PID namespace."""
    ns = os.stat(f"/proc/{pid1}/ns/pid").st_ino
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}/ns/pid").st_ino != ns:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode(errors="replace")
            out[int(entry)] = os.path.basename(argv0)
        except OSError:
            pass
    return out


def stack_pids(lab, stack):
    """{node: {"corosync": [pids], "daemons": [pids]}} for the stack's own processes."""
    view = lab.status()
    result = {}
    for node in NODES:
        procs = node_processes(int(view[node]["pid"]))
        result[node] = {"corosync": [p for p, n in procs.items() if n == "corosync"],
                        "daemons": [p for p, n in procs.items() if n in DAEMONS[stack]]}
        if not result[node]["corosync"] or not result[node]["daemons"]:
            raise RuntimeError(f"{node}: the stack's processes are not all running ({procs})")
    return result


def pss_mib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def cpu_seconds(pids):
    return sum(cpu_ticks(p) for p in pids) / os.sysconf("SC_CLK_TCK")


def print_logs(lab, stack):
    log = "/var/log/holdfast/holdfastd.log" if stack == "holdfast" else "/var/log/pacemaker/pacemaker.log"
    for node in NODES:
        path = os.path.join(lab.dir, "nodes", node, "root", log.lstrip("/"))
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                print(f"--- {path} (tail)\n" + "".join(f.readlines()[-15:]), flush=True)


class StackRun:
    """One stack's lab, its processes, and what was measured on it."""

    WAYS = ("command", "connected", "parallel")  # throughput: by command, one client, PARALLEL clients
    PARALLEL = 16

    def __init__(self, stack, args, base):
        from holdfast_lab import Lab
        self.stack, self.args = stack, args
        self.lab = Lab(args.lab, os.path.join(base, stack))
        self.procs, self.command_setter, self.clients, self.pollers = [], None, [], []
        self.samples = {"command_visible": [], "command": [], "commit_visible": [], "commit": [], "reads": []}
        self.burst_visible = {w: 0.0 for w in self.WAYS}
        self.burst_changes = {w: 0 for w in self.WAYS}
        self.burst_cpu = {g: 0.0 for g in ("daemons", "corosync")}  # during the parallel runs
        self.pids = None

    def start(self):
        from holdfast_lab import wait_for
        print(f"{self.stack}: starting a 3-node lab", flush=True)
        self.lab.up(3, "--stack", self.stack)
        wait_for("one DC, quorum and three online nodes", lambda: ready(self.lab, self.stack, self.args.holdfast),
                 self.lab)
        self.command_setter = command_agent(self.lab, "node1", self.stack, self.args.holdfast)
        self.clients = [connected_client(self.lab, "node1", self.stack, self.args.clients)
                        for _ in range(self.PARALLEL)]
        self.pollers = [connected_client(self.lab, n, self.stack, self.args.clients) for n in NODES]
        self.procs = [self.command_setter] + self.clients + self.pollers
        self.pids = stack_pids(self.lab, self.stack)
        for i in range(3):  # warm-up
            one_change(self.command_setter, self.pollers, "bench-warm-up", str(i))
            one_change(self.clients[0], self.pollers, "bench-warm-up-connected", str(i))

    def change(self, i):
        visible, command, reads = one_change(self.command_setter, self.pollers, "bench-latency", str(i))
        self.samples["command_visible"].append(visible)
        self.samples["command"].append(command)
        self.samples["reads"].extend(reads)
        visible, command, _ = one_change(self.clients[0], self.pollers, "bench-commit", str(i))
        self.samples["commit_visible"].append(visible)
        self.samples["commit"].append(command)

    def burst(self, round_no, count):
        for way, setters in (("command", [self.command_setter]), ("connected", self.clients[:1]),
                             ("parallel", self.clients)):
            each = max(1, count // len(setters))
            groups = {g: [p for n in NODES for p in self.pids[n][g]] for g in self.burst_cpu}
            before = {g: cpu_seconds(pids) for g, pids in groups.items()}
            visible, _ = burst(setters, self.pollers, f"bench-{way}-{round_no}", each)
            if way == "parallel":
                for g, pids in groups.items():
                    self.burst_cpu[g] += cpu_seconds(pids) - before[g]
            self.burst_visible[way] += visible
            self.burst_changes[way] += each * len(setters)

    def close_procs(self):
        for a in self.procs:
            a.close()
        self.procs = []

    def down(self):
        self.close_procs()
        self.lab.run("down", check=False)

    def results(self, memory, cpu):
        m = self.samples
        return {
            "command_visible_median": statistics.median(m["command_visible"]),
            "command_visible_p90": percentile(m["command_visible"], 90),
            "command_median": statistics.median(m["command"]),
            "commit_visible_median": statistics.median(m["commit_visible"]),
            "commit_visible_p90": percentile(m["commit_visible"], 90),
            "read_median": statistics.median(m["reads"]),
            **{f"rate_{w}": self.burst_changes[w] / self.burst_visible[w] for w in self.WAYS},
            **{f"cpu_per_change_{g}": used / self.burst_changes["parallel"] for g, used in self.burst_cpu.items()},
            "daemons_per_node": len(self.pids["node1"]["daemons"]),
            "mem_daemons": statistics.median(memory[n]["daemons"] for n in NODES),
            "mem_corosync": statistics.median(memory[n]["corosync"] for n in NODES),
            "mem_total": statistics.median(memory[n]["daemons"] + memory[n]["corosync"] for n in NODES),
            **cpu,
        }


def guarded(runs, failures, what, action, reverse=False):
    """Runs action(run) for every run (in reverse order if asked); a run that fails is reported, taken down
    and dropped from `runs`."""
    for r in (runs[::-1] if reverse else list(runs)):
        try:
            action(r)
        except Exception as e:  # one stack failing still leaves the other's numbers
            failures.append(f"{r.stack} ({what}): {e}")
            print(f"bench: {r.stack} failed while {what}: {e}", flush=True)
            print_logs(r.lab, r.stack)
            r.down()
            runs.remove(r)


def measure(runs, args, failures):
    """Both stacks side by side: their changes alternate, and their idle CPU is taken over one window."""
    guarded(runs, failures, "starting", lambda r: r.start())
    for i in range(1, args.changes + 1):
        # Alternate which stack goes first, so neither always follows the other's load.
        guarded(runs, failures, "timing changes", lambda r: r.change(i), reverse=i % 2 == 0)
    rounds = max(1, args.rounds)
    per_round = max(1, args.burst // rounds)
    for k in range(rounds):
        guarded(runs, failures, "sending bursts", lambda r: r.burst(k, per_round), reverse=k % 2 == 1)
    for r in runs:
        print(f"{r.stack}: command latency median {statistics.median(r.samples['command_visible']) * 1000:.1f} ms, "
              f"commit latency median {statistics.median(r.samples['commit_visible']) * 1000:.1f} ms, changes/s "
              + ", ".join(f"{w} {r.burst_changes[w] / r.burst_visible[w]:.1f}" for w in r.WAYS), flush=True)
        r.close_procs()
    time.sleep(args.settle)
    guarded(runs, failures, "finding processes", lambda r: setattr(r, "pids", stack_pids(r.lab, r.stack)))
    memory = {r.stack: {n: {g: sum(pss_mib(p) for p in r.pids[n][g]) for g in ("daemons", "corosync")}
                        for n in NODES} for r in runs}
    groups = {(r.stack, g): [p for n in NODES for p in r.pids[n][g]] for r in runs for g in ("daemons", "corosync")}
    before = {k: cpu_seconds(v) for k, v in groups.items()}
    t0 = time.monotonic()
    time.sleep(args.idle)
    elapsed = time.monotonic() - t0
    used = {k: 100.0 * (cpu_seconds(v) - before[k]) / elapsed for k, v in groups.items()}
    tick = 100.0 / os.sysconf("SC_CLK_TCK") / elapsed  # one clock tick in the whole window, as %
    return {r.stack: r.results(memory[r.stack],
                               {"cpu_daemons": used[(r.stack, "daemons")], "cpu_corosync": used[(r.stack, "corosync")],
                                "cpu_resolution": tick}) for r in runs}


def cpu(res, key):
    """CPU % as measured; no clock tick at all reads as "below one tick"."""
    v = res[key]
    return f"{v:.2f}% of a core" if v > 0 else f"< {res['cpu_resolution']:.2f}% of a core (no tick)"


def advantage(h, p, key, lower_better):
    """How many times better Holdfast is (below 1: worse), with > when Holdfast's figure is a bound."""
    hv, pv = h[key], p[key]
    if key.startswith("cpu") and hv == 0:
        return f"> {pv / h['cpu_resolution']:.0f}x" if pv else ""
    if not hv or not pv:
        return ""
    x = pv / hv if lower_better else hv / pv
    return f"{x:.1f}x" + ("" if x >= 1 else " (worse)")


def ms(r, k):
    return f"{r[k] * 1000:.1f} ms"


ROWS = [  # label, key, format, lower is better (None: no comparison)
    ("a command on node1 until visible on all 3 nodes, median", "command_visible_median", ms, True),
    ("the same, p90", "command_visible_p90", ms, True),
    ("the command itself (process start to exit), median", "command_median", ms, True),
    ("commit latency: a connected client's change until visible on all 3 nodes, median", "commit_visible_median",
     ms, True),
    ("commit latency, p90", "commit_visible_p90", ms, True),
    ("one whole-CIB read by a connected client, median", "read_median", ms, True),
    ("changes/s, commands back to back (visible on all nodes)", "rate_command", lambda r, k: f"{r[k]:.1f}", False),
    ("changes/s, one connected client back to back", "rate_connected", lambda r, k: f"{r[k]:.1f}", False),
    (f"changes/s, {StackRun.PARALLEL} connected clients at once", "rate_parallel", lambda r, k: f"{r[k]:.1f}", False),
    (f"CPU per change at {StackRun.PARALLEL} clients, the daemons of all 3 nodes", "cpu_per_change_daemons", ms, True),
    (f"CPU per change at {StackRun.PARALLEL} clients, corosync of all 3 nodes", "cpu_per_change_corosync", ms, None),
    ("daemon processes per node", "daemons_per_node", lambda r, k: f"{r[k]}", None),
    ("PSS per node, daemons", "mem_daemons", lambda r, k: f"{r[k]:.1f} MiB", True),
    ("PSS per node, corosync", "mem_corosync", lambda r, k: f"{r[k]:.1f} MiB", None),
    ("PSS per node, daemons + corosync", "mem_total", lambda r, k: f"{r[k]:.1f} MiB", True),
    ("idle CPU, 3 nodes, daemons", "cpu_daemons", cpu, True),
    ("idle CPU, 3 nodes, corosync", "cpu_corosync", cpu, None),
]


def table(res):
    h, p = res.get("holdfast"), res.get("pacemaker")
    out = ["| measure | Holdfast | Pacemaker 2.1.5 | Holdfast better by |", "|---|---|---|---|"]
    for label, key, fmt, lower_better in ROWS:
        hv = fmt(h, key) if h else "not measured"
        pv = fmt(p, key) if p else "not measured"
        cmp = advantage(h, p, key, lower_better) if h and p and lower_better is not None else ""
        out.append(f"| {label} | {hv} | {pv} | {cmp} |")
    return "\n".join(out)


def write_readme(text, marker="cluster-bench"):
    """Puts text into README.md between <!-- MARKER:begin --> and <!-- MARKER:end -->."""
    path = os.path.join(REPO, "README.md")
    readme = open(path, encoding="utf-8").read()
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    if begin not in readme or end not in readme:
        print(f"bench: README.md has no {marker} markers; not written")
        return
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    open(path, "w", encoding="utf-8").write(head + begin + "\n" + text + "\n" + end + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", default="bench", choices=["bench", "agent"], help=argparse.SUPPRESS)
    ap.add_argument("--lab", default=os.path.join(REPO, "build", "bin", "holdfast-lab"))
    ap.add_argument("--holdfast", default=None, help="holdfast CLI (default: next to --lab)")
    ap.add_argument("--stack", default="holdfast,pacemaker", help="stacks to run, comma-separated")
    ap.add_argument("--changes", type=int, default=30, help="changes timed one by one for the latency")
    ap.add_argument("--burst", type=int, default=800, help="changes issued back to back for the throughput")
    ap.add_argument("--rounds", type=int, default=4, help="the burst is split into this many rounds per stack")
    ap.add_argument("--idle", type=float, default=30, help="seconds of idle CPU measured")
    ap.add_argument("--settle", type=float, default=10, help="seconds to wait after the changes before idle")
    ap.add_argument("--write-readme", action="store_true")
    args = ap.parse_args()
    args.holdfast = os.path.abspath(args.holdfast or os.path.join(os.path.dirname(args.lab), "holdfast"))
    if args.mode == "agent":
        # Ctrl-C is for the driver, which then quits the agents and takes the labs down.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        agent(args.stack, args.holdfast)
        return 0
    from holdfast_lab import become_subreaper, reap, skip_reason
    reason = skip_reason()
    if reason:
        print(f"bench: {reason}; nothing measured")
        return 77
    args.lab = os.path.abspath(args.lab)
    become_subreaper()
    # SIGINT (also when a shell started us in the background), SIGTERM and SIGHUP all unwind, so every lab
    # is taken down.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    failures = []
    with tempfile.TemporaryDirectory(prefix="holdfast-cluster-bench-") as base:
        args.clients = {"holdfast": os.path.join(os.path.dirname(args.lab), "bench_cib_client")}
        if "pacemaker" in args.stack.split(","):
            args.clients["pacemaker"] = build_pacemaker_client(base)
        runs = [StackRun(stack, args, base) for stack in args.stack.split(",")]
        try:
            results = measure(list(runs), args, failures)
        except KeyboardInterrupt:
            print("bench: interrupted; taking the labs down", flush=True)
            return 130
        finally:
            # A second Ctrl-C must not stop the tear-down half-way.
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            for r in runs:
                r.down()
            reap()
    text = table(results)
    stamp = datetime.date.today().isoformat()
    text += (f"\n\nMeasured {stamp}: {args.changes} timed changes of each kind per stack, {args.burst} back-to-back "
             f"changes of each way in {args.rounds} rounds, {args.idle:.0f} s idle (`test/bench/cluster_bench.py`).")
    for f in failures:
        text += f"\n\nNot measured: {f}"
    print(text)
    if args.write_readme:
        write_readme(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
