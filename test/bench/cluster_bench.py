#!/usr/bin/env python3
"""Benchmark: a 3-node Holdfast cluster against Pacemaker 2.1.5 on the same namespace lab, in one run.

For each stack, `holdfast-lab up --nodes 3 --token 1000 --stack STACK` (both labs at once), wait until
every node sees three online nodes, one DC and quorum, then measure, alternating between the stacks so
that load from elsewhere on the machine hits both alike:
  commit latency   a cluster property set on node1 (`holdfast configure property NAME=VALUE` or
                   `crm_attribute --type crm_config --name NAME --update VALUE`), from starting that
                   command until a CIB read on every node shows it (pollers on each node read the whole
                   CIB with `holdfast cib show --xml` / `cibadmin --query` in a loop); median and p90
  throughput       N such changes issued back to back from node1 (each command waits for its answer; in
                   rounds), divided by the time until the last of each round shows on every node
  memory           PSS (/proc/PID/smaps_rollup) of the stack's processes per node, corosync separately
  idle CPU         utime+stime of the stack's processes over one idle window for both stacks, % of one
                   core for the whole cluster (daemons and corosync apart)
The commands and the pollers run inside the nodes (a small agent per node, this script with `agent`),
so the lab tool's own start-up is not timed. Not a test: nothing here asserts a time. --write-readme
puts the table into README.md between the cluster-bench markers. Needs root; Ctrl-C takes the labs down.
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
import xml.etree.ElementTree as ET

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


def query_command(stack, holdfast):
    return [holdfast, "cib", "show", "--xml"] if stack == "holdfast" else ["cibadmin", "--query"]


def property_value(xml_text, name):
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError:
        return None
    for nv in root.iter("nvpair"):
        if nv.get("name") == name:
            return nv.get("value")
    return None


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
        elif cmd == "wait":  # wait NAME VALUE SECONDS -> seen Q0 Q1 (the read that first showed it) | timeout
            end = time.monotonic() + float(a[2])
            while True:
                q0 = time.monotonic()
                try:
                    out = subprocess.run(query_command(stack, holdfast), capture_output=True, text=True,
                                         timeout=60).stdout
                except subprocess.TimeoutExpired:
                    out = ""
                q1 = time.monotonic()
                if property_value(out, a[0]) == a[1]:
                    print(f"seen {q0} {q1}", flush=True)
                    break
                if q1 > end:
                    print("timeout", flush=True)
                    break
                time.sleep(0.001)
        elif cmd == "quit":
            break


# ---- the driver ----

class Agent:
    def __init__(self, lab, node, stack, holdfast):
        self.node = node
        self.proc = subprocess.Popen(
            [lab.binary, "--dir", lab.dir, "exec", node, "--", sys.executable, os.path.abspath(__file__), "agent",
             "--stack", stack, "--holdfast", holdfast],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def answer(self):
        words = self.proc.stdout.readline().split()
        if not words or words[0] == "timeout":
            raise RuntimeError(f"{self.node}: agent gave up or died ({words})")
        return words[0], [float(x) for x in words[1:]]

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def status_text(lab, stack, holdfast, node):
    cmd = [holdfast, "status"] if stack == "holdfast" else ["crm_mon", "-1"]
    p = lab.exec(node, *cmd, timeout=60)
    return p.stdout if p.returncode == 0 else ""


def ready(lab, stack, holdfast):
    dcs = set()
    for node in NODES:
        text = status_text(lab, stack, holdfast, node)
        dc = re.search(r"Current DC: (\S+) .*partition (with|WITHOUT) quorum", text)
        online = re.search(r"Online: \[ ([^\]]*) \]", text)
        if not dc or dc.group(2) != "with" or not online or sorted(online.group(1).split()) != NODES:
            return False
        dcs.add(dc.group(1))
    return len(dcs) == 1


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))]


def one_change(setter, pollers, name, value):
    """(seconds until every node's CIB read shows it, seconds the command on node1 took, read times)."""
    for p in pollers:
        p.send(f"wait {name} {value} 60")
    time.sleep(0.05)  # the pollers are reading; the value is new, so no earlier read can match
    setter.send(f"set {name} {value}")
    _, (t0, t1, rc) = setter.answer()
    if rc != 0:
        raise RuntimeError(f"the change {name}={value} on node1 failed (exit {rc:.0f})")
    seen = [p.answer()[1] for p in pollers]
    return max(q1 for _, q1 in seen) - t0, t1 - t0, [q1 - q0 for q0, q1 in seen]


def burst(setter, pollers, name, count):
    """(seconds until the last of `count` back-to-back changes shows on every node, seconds of the commands)."""
    setter.send(f"burst {name} {count}")
    _, (t0, t1, failures) = setter.answer()
    if failures:
        raise RuntimeError(f"{failures:.0f} of {count} burst changes failed")
    for p in pollers:
        p.send(f"wait {name} {count} 120")
    last = max(p.answer()[1][1] for p in pollers)
    return last - t0, t1 - t0


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
    """One stack's lab, its agents, and what was measured on it."""

    def __init__(self, stack, args, base):
        from holdfast_lab import Lab
        self.stack, self.args = stack, args
        self.lab = Lab(args.lab, os.path.join(base, stack))
        self.agents, self.setter, self.pollers = [], None, []
        self.visible, self.command, self.reads = [], [], []
        self.burst_visible = self.burst_command = 0.0
        self.pids = None

    def start(self):
        from holdfast_lab import wait_for
        print(f"{self.stack}: starting a 3-node lab", flush=True)
        self.lab.up(3, "--stack", self.stack)
        wait_for("one DC, quorum and three online nodes", lambda: ready(self.lab, self.stack, self.args.holdfast),
                 self.lab)
        self.setter = Agent(self.lab, "node1", self.stack, self.args.holdfast)
        self.pollers = [Agent(self.lab, n, self.stack, self.args.holdfast) for n in NODES]
        self.agents = [self.setter] + self.pollers
        for i in range(3):  # warm-up
            one_change(self.setter, self.pollers, "bench-warm-up", str(i))

    def change(self, i):
        visible, command, reads = one_change(self.setter, self.pollers, "bench-latency", str(i))
        self.visible.append(visible)
        self.command.append(command)
        self.reads.extend(reads)

    def burst(self, round_no, count):
        visible, command = burst(self.setter, self.pollers, f"bench-burst-{round_no}", count)
        self.burst_visible += visible
        self.burst_command += command

    def close_agents(self):
        for a in self.agents:
            a.close()
        self.agents = []

    def down(self):
        self.close_agents()
        self.lab.run("down", check=False)

    def results(self, changes_in_bursts, memory, cpu):
        return {
            "latency_median": statistics.median(self.visible), "latency_p90": percentile(self.visible, 90),
            "command_median": statistics.median(self.command), "read_median": statistics.median(self.reads),
            "rate": changes_in_bursts / self.burst_visible, "command_rate": changes_in_bursts / self.burst_command,
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
        print(f"{r.stack}: latency median {statistics.median(r.visible) * 1000:.1f} ms, "
              f"{per_round * rounds / r.burst_visible:.1f} changes/s", flush=True)
        r.close_agents()
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
    return {r.stack: r.results(per_round * rounds, memory[r.stack],
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


ROWS = [  # label, key, format, lower is better (None: no comparison)
    ("commit latency, median (visible on all 3 nodes)", "latency_median", lambda r, k: f"{r[k]*1000:.1f} ms", True),
    ("commit latency, p90", "latency_p90", lambda r, k: f"{r[k]*1000:.1f} ms", True),
    ("the command on node1, median", "command_median", lambda r, k: f"{r[k]*1000:.1f} ms", True),
    ("one CIB read by a poller, median", "read_median", lambda r, k: f"{r[k]*1000:.1f} ms", None),
    ("changes/s sustained (visible on all nodes)", "rate", lambda r, k: f"{r[k]:.1f}", False),
    ("changes/s, the commands on node1 alone", "command_rate", lambda r, k: f"{r[k]:.1f}", False),
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


def write_readme(text):
    path = os.path.join(REPO, "README.md")
    readme = open(path, encoding="utf-8").read()
    begin, end = "<!-- cluster-bench:begin -->", "<!-- cluster-bench:end -->"
    if begin not in readme or end not in readme:
        print("bench: README.md has no cluster-bench markers; not written")
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
    ap.add_argument("--burst", type=int, default=200, help="changes issued back to back for the throughput")
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
    text += (f"\n\nMeasured {stamp}: {args.changes} timed changes per stack, {args.burst} back-to-back changes in "
             f"{args.rounds} rounds, {args.idle:.0f} s idle (`test/bench/cluster_bench.py`).")
    for f in failures:
        text += f"\n\nNot measured: {f}"
    print(text)
    if args.write_readme:
        write_readme(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
