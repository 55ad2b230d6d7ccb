#!/usr/bin/env python3
"""Benchmark: from node loss confirmed to fencing confirmed, Holdfast against Pacemaker 2.1.5's fencer,
with the same fence agent on the same namespace lab (issue 5: no more than the agent's own run time plus
20 ms).

For each stack, `holdfast-lab up --nodes 3 --token 1000 --stack STACK` (both labs at once), the same
configuration (stonith-enabled=true, stonith-action=off, one stonith device of the agent below with
pcmk_host_list of all nodes), then per run, alternating the stacks:
  T0  the victim (--victim: a node that is not the DC, the DC, or each in turn) loses its power:
      `holdfast-lab kill`
  Td  "node loss confirmed": Corosync on the observer (the DC; when the DC is the victim, the first
      survivor) delivers a membership without the victim (test/bench/cpg_watch.c, a libcpg client in
      every node, told of every totem change)
  T1, T2  the agent's own start and end of its off action, as it records them itself
  T3  "fencing confirmed": the first whole-CIB read on the observer (a connected client, as in
      cluster_bench.py) whose victim <node_state> has expected="down". Both stacks write that only
      when a fencing of the node is confirmed (with in_ccm="false" crmd="offline" join="down", and the
      node's lrm and transient attributes erased): a node that is merely lost keeps expected="member".
      Each run checks T3 > T2.
then the victim is booted again; each run first waits for three online nodes, one DC, the device started
and every node's CIB showing every node with expected="member". Reported per stack and kind of victim,
median and max: T3 - Td (loss confirmed -> fencing confirmed), T2 - T1 (the agent), their difference
(the stack's overhead, split at the agent), and Td - T0 (detection, Corosync's token: for information).

The agent is test/bench/fence_holdfast_bench (sh; the fence-agent API on stdin), installed for the run
as /usr/sbin/fence_holdfast_bench (where both fencers look) and removed after, also on failure. Its off
asks this script, through a file in a directory the nodes share with the host, to run `holdfast-lab
kill` on the victim (already dead: quick and nearly constant), so its run time is small and steady and
the overhead stands out. Times: CLOCK_MONOTONIC (one clock for host and nodes); the agent's wall-clock
stamps are converted. Not a test: nothing here asserts a time. --write-readme puts the table into
README.md between the fence-bench markers. Needs root; exits 77 when it cannot run.
"""
import argparse
import datetime
import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "test", "lab"))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # importing the helpers must not leave __pycache__ in the tree

import cluster_bench  # noqa: E402  (its lab helpers: ready(), NodeProcess, the Pacemaker CIB client)

NODES = cluster_bench.NODES
AGENT = "fence_holdfast_bench"
AGENT_PATH = "/usr/sbin/" + AGENT
DEVICE = "bench-fence"
SKIP = 77


def skip(why):
    print(f"fence_bench: skipped: {why}")
    return SKIP


def build(directory, source, packages):
    """A C instrument compiled here (against Debian's -dev packages); its path."""
    out = os.path.join(directory, os.path.splitext(source)[0])
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", *packages], capture_output=True, text=True)
    if flags.returncode != 0:
        raise RuntimeError(f"pkg-config finds no {' '.join(packages)} (see scripts/deps)")
    subprocess.run(["cc", "-O2", "-o", out, os.path.join(HERE, source), *flags.stdout.split()], check=True)
    return out


class PowerSwitch(threading.Thread):
    """The host side of the agent: a request file NODE.request-off is answered, once `holdfast-lab kill NODE`
    has returned, by NODE.off. Polls every 2 ms, so it adds little to the agent's run time."""

    def __init__(self, lab, directory):
        super().__init__(daemon=True)
        self.lab, self.dir = lab, directory
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            for name in os.listdir(self.dir):
                node, _, request = name.partition(".request-")
                if request != "off":
                    continue
                os.remove(os.path.join(self.dir, name))
                subprocess.run([self.lab.binary, "--dir", self.lab.dir, "kill", node], capture_output=True,
                               timeout=120)
                open(os.path.join(self.dir, node + ".off"), "w").close()
            time.sleep(0.002)


class Watcher(threading.Thread):
    """cpg_watch inside a node: its membership lines, as (monotonic time, set of node ids), on a queue."""

    def __init__(self, lab, node, binary):
        super().__init__(daemon=True)
        self.proc = subprocess.Popen([lab.binary, "--dir", lab.dir, "exec", node, "--", binary],
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.changes = queue.Queue()

    def run(self):
        for line in self.proc.stdout:
            words = line.split()
            if len(words) == 3 and words[0] == "members":
                self.changes.put((float(words[1]), {int(x) for x in words[2].split(",")}))

    def drain(self):
        while not self.changes.empty():
            self.changes.get_nowait()

    def without(self, nodeid, seconds):
        """The time of the first membership change without nodeid."""
        end = time.monotonic() + seconds
        while True:
            t, members = self.changes.get(timeout=max(0.1, end - time.monotonic()))
            if nodeid not in members:
                return t

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def configuration(bench_dir):
    props = "".join(f'<nvpair id="bench-{n}" name="{n}" value="{v}"/>'
                    for n, v in (("stonith-enabled", "true"), ("stonith-action", "off")))
    primitive = (f'<primitive id="{DEVICE}" class="stonith" type="{AGENT}">'
                 f'<instance_attributes id="{DEVICE}-params">'
                 f'<nvpair id="{DEVICE}-dir" name="bench_dir" value="{bench_dir}"/>'
                 f'<nvpair id="{DEVICE}-hosts" name="pcmk_host_list" value="{" ".join(NODES)}"/>'
                 f'</instance_attributes></primitive>')
    return props, primitive


KINDS = {"other": "a node that is not the DC", "dc": "the DC"}


class StackRun:
    """One stack's lab, its instruments (a CIB client and a membership watcher in every node), and the runs
    measured on it."""

    def __init__(self, stack, args, base):
        from holdfast_lab import Lab
        self.stack, self.args = stack, args
        self.lab = Lab(args.lab, os.path.join(base, stack))
        self.bench_dir = os.path.join(base, stack + "-power")
        os.makedirs(self.bench_dir)
        self.switch = PowerSwitch(self.lab, self.bench_dir)
        self.pollers, self.watchers = {}, {}
        self.samples = {k: [] for k in KINDS}  # dicts: detect, loss_to_fenced, agent, overhead, ...

    def status(self, node):
        return cluster_bench.status_text(self.lab, self.stack, self.args.holdfast, node)

    def dc_name(self, node):
        import re
        m = re.search(r"Current DC: (\S+)", self.status(node))
        return m.group(1) if m else None

    def instruments(self):
        """A CIB client and a watcher in every node; a node's old ones died with it."""
        for node in NODES:
            if node not in self.pollers or self.pollers[node].proc.poll() is not None:
                self.pollers[node] = cluster_bench.NodeProcess(self.lab, node, [self.args.clients[self.stack]])
            if node not in self.watchers or self.watchers[node].proc.poll() is not None:
                self.watchers[node] = Watcher(self.lab, node, self.args.cpg_watch)
                self.watchers[node].start()

    def start(self):
        from holdfast_lab import wait_for
        print(f"{self.stack}: starting a 3-node lab", flush=True)
        self.lab.up(3, "--stack", self.stack)
        self.switch.start()
        wait_for("one DC, quorum and three online nodes",
                 lambda: cluster_bench.ready(self.lab, self.stack, self.args.holdfast), self.lab)
        self.load()

    def load(self):
        props, primitive = configuration(self.bench_dir)
        if self.stack == "holdfast":
            text = (f'<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">{props}'
                    f'</cluster_property_set></crm_config><resources>{primitive}</resources></configuration>\n')
            self.lab.exec(NODES[0], "sh", "-c", "cat > /var/lib/holdfast/fence-bench.xml <<'EOF'\n" + text + "EOF")
            steps = [[self.args.holdfast, "configure", "load", "update", "/var/lib/holdfast/fence-bench.xml"]]
        else:
            steps = [["crm_attribute", "--type", "crm_config", "--name", "stonith-enabled", "--update", "true"],
                     ["crm_attribute", "--type", "crm_config", "--name", "stonith-action", "--update", "off"],
                     ["cibadmin", "--create", "--scope", "resources", "--xml-text", primitive]]
        for argv in steps:
            p = self.lab.exec(NODES[0], *argv, timeout=60)
            if p.returncode != 0:
                raise RuntimeError(f"{' '.join(argv[:4])} failed: {p.stderr.strip()}")

    def device_started(self):
        return any(DEVICE in line and "Started" in line for line in self.status(NODES[0]).splitlines())

    def wait_ready(self):
        """Three online nodes, one DC, the device started, every node's instruments, and every node's CIB with
        every node expected="member" (a fenced node gets that back when it joins again)."""
        from holdfast_lab import wait_for
        wait_for("one DC, quorum, three online nodes and the fence device started",
                 lambda: cluster_bench.ready(self.lab, self.stack, self.args.holdfast) and self.device_started(),
                 self.lab)
        self.instruments()
        for node in NODES:
            for other in NODES:
                self.pollers[node].send(f"state {other} expected=member 120")
                if self.pollers[node].answer()[0] != "seen":
                    raise RuntimeError(f"{node} never shows {other} with expected=member")

    def one(self, i, kind):
        self.wait_ready()
        dc = self.dc_name(NODES[0])
        victim = dc if kind == "dc" else [n for n in NODES if n != dc][-1]
        # where it is seen: the DC when it survives; else the first survivor (Holdfast's next DC)
        observer = dc if kind == "other" else [n for n in NODES if n != victim][0]
        runs = os.path.join(self.bench_dir, "runs")
        if os.path.exists(runs):
            os.remove(runs)
        watcher, poller = self.watchers[observer], self.pollers[observer]
        watcher.drain()
        t0 = time.monotonic()
        self.lab.run("kill", victim)
        td = watcher.without(NODES.index(victim) + 1, 60)
        poller.send(f"state {victim} expected=down 90")
        word, times = poller.answer()
        if word != "seen":
            raise RuntimeError(f"run {i}: no fencing of {victim} confirmed in {observer}'s CIB")
        t3 = times[1]
        offset = time.time() - time.monotonic()  # wall clock -> monotonic, for the agent's stamps
        with open(runs) as f:
            lines = [line.split() for line in f if line.strip()]
        if len(lines) != 1 or lines[0][1] != victim:
            raise RuntimeError(f"run {i}: the agent recorded {lines}, not one off of {victim}")
        t1, t2 = float(lines[0][2]) - offset, float(lines[0][3]) - offset
        if t3 < t2:
            raise RuntimeError(f"run {i}: expected=down was read before the agent finished (T3 {t3} < T2 {t2})")
        s = {"detect": td - t0, "loss_to_fenced": t3 - td, "agent": t2 - t1, "overhead": (t3 - td) - (t2 - t1),
             "to_agent": t1 - td, "after_agent": t3 - t2, "victim": victim, "observer": observer,
             # wall clock, to line the run up with the daemons' logs (--keep-logs)
             "wall": {"t0": t0 + offset, "td": td + offset, "t1": t1 + offset, "t2": t2 + offset, "t3": t3 + offset}}
        self.samples[kind].append(s)
        print(f"{self.stack} run {i}: victim {victim} ({KINDS[kind]}), seen on {observer}: detection "
              f"{s['detect'] * 1000:.0f} ms, loss confirmed -> fencing confirmed {s['loss_to_fenced'] * 1000:.1f} ms "
              f"(to the agent's start {s['to_agent'] * 1000:.1f}, agent {s['agent'] * 1000:.1f}, after it "
              f"{s['after_agent'] * 1000:.1f}), overhead {s['overhead'] * 1000:.1f} ms", flush=True)
        self.lab.run("boot", victim)

    def down(self):
        self.switch.stop.set()
        for p in list(self.pollers.values()) + list(self.watchers.values()):
            p.close()
        self.pollers, self.watchers = {}, {}
        try:
            if self.args.keep_logs:
                self.lab.keep_logs(os.path.join(self.args.keep_logs, self.stack), NODES)
        finally:
            self.lab.down(f"fence_bench: {self.stack}")

    def results(self):
        out = {}
        for kind, samples in self.samples.items():
            if not samples:
                continue
            r = {"runs": len(samples)}
            for k in ("detect", "loss_to_fenced", "agent", "overhead", "to_agent", "after_agent"):
                values = [s[k] for s in samples]
                r[k + "_median"] = statistics.median(values)
                r[k + "_max"] = max(values)
            r["samples"] = samples
            out[kind] = r
        return out


def measure(runs, args, failures):
    everyone = list(runs)
    cluster_bench.guarded(runs, failures, "starting", lambda r: r.start())
    kinds = list(KINDS) if args.victim == "both" else [args.victim]
    for i in range(1, args.runs + 1):
        for kind in kinds:
            # alternate which stack goes first, so neither always follows the other's load
            cluster_bench.guarded(runs, failures, f"run {i}", lambda r: r.one(i, kind), reverse=i % 2 == 0)
    return {r.stack: r.results() for r in everyone if r.results()}


def ms(v):
    return f"{v * 1000:.1f} ms"


ROWS = [  # label, key
    ("node loss confirmed -> fencing confirmed", "loss_to_fenced"),
    ("the agent's own run time (T2 - T1)", "agent"),
    ("overhead: the above minus the agent's run time", "overhead"),
    ("... of which: loss confirmed -> the agent starts", "to_agent"),
    ("... of which: the agent ends -> fencing confirmed in the CIB", "after_agent"),
    ("for information: power cut -> node loss confirmed (Corosync, token 1000 ms)", "detect"),
]


def table(res):
    h, p = res.get("holdfast", {}), res.get("pacemaker", {})
    out = ["| victim | measure (median / max) | Holdfast | Pacemaker 2.1.5 |", "|---|---|---|---|"]
    for kind, what in KINDS.items():
        if kind not in h and kind not in p:
            continue
        runs = "/".join(str(r[kind]["runs"]) if kind in r else "0" for r in (h, p))
        for label, key in ROWS:
            cells = [f"{ms(r[kind][key + '_median'])} / {ms(r[kind][key + '_max'])}" if kind in r else "not measured"
                     for r in (h, p)]
            out.append(f"| {what} ({runs} runs) | {label} | {cells[0]} | {cells[1]} |")
    return "\n".join(out)


def write_readme(text):
    cluster_bench.write_readme(text, "fence-bench")


def install_agent():
    if os.path.exists(AGENT_PATH):
        raise RuntimeError(f"{AGENT_PATH} exists already (another run of this benchmark?)")
    shutil.copy(os.path.join(HERE, AGENT), AGENT_PATH)
    os.chmod(AGENT_PATH, 0o755)


def run(args, base, failures):
    args.clients = {"holdfast": os.path.join(os.path.dirname(args.lab), "bench_cib_client")}
    if "pacemaker" in args.stack.split(","):
        args.clients["pacemaker"] = cluster_bench.build_pacemaker_client(base)
    args.cpg_watch = build(base, "cpg_watch.c", ["libcpg"])
    runs = [StackRun(stack, args, base) for stack in args.stack.split(",")]
    install_agent()
    try:
        return measure(list(runs), args, failures)
    finally:
        # a second Ctrl-C must not stop the tear-down half-way
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        for r in runs:
            r.down()
        os.remove(AGENT_PATH)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab", default=os.path.join(REPO, "build", "bin", "holdfast-lab"))
    ap.add_argument("--holdfast", default=None, help="holdfast CLI (default: next to --lab)")
    ap.add_argument("--stack", default="holdfast,pacemaker", help="stacks to run, comma-separated")
    ap.add_argument("--runs", type=int, default=10, help="fencings per stack and kind of victim")
    ap.add_argument("--victim", default="other", choices=["other", "dc", "both"],
                    help="which node loses its power: one that is not the DC, the DC, or each in turn")
    ap.add_argument("--keep-logs", metavar="DIR", help="copy the nodes' /var/log there before the labs go down")
    ap.add_argument("--json", action="store_true", help="print the raw results as JSON too")
    ap.add_argument("--write-readme", action="store_true")
    args = ap.parse_args()
    args.lab = os.path.abspath(args.lab)
    args.holdfast = os.path.abspath(args.holdfast or os.path.join(os.path.dirname(args.lab), "holdfast"))
    from holdfast_lab import become_subreaper, reap, skip_reason
    reason = skip_reason()
    if reason:
        return skip(reason)
    for tool in ("cc", "pkg-config", "cibadmin", "crm_attribute"):
        if shutil.which(tool) is None:
            return skip(f"{tool} is not installed (scripts/deps)")
    for f in (args.lab, args.holdfast, os.path.join(os.path.dirname(args.lab), "bench_cib_client")):
        if not os.access(f, os.X_OK):
            return skip(f"{f} is not built")
    become_subreaper()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    failures = []
    with tempfile.TemporaryDirectory(prefix="holdfast-fence-bench-") as base:
        try:
            results = run(args, base, failures)
        except KeyboardInterrupt:
            print("fence_bench: interrupted; the labs are down", flush=True)
            return 130
        finally:
            reap()
    text = table(results)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text += (f"\n\nMeasured {stamp} on {os.cpu_count()} CPUs, agent `{AGENT}`: "
             f"`test/bench/fence_bench.py {' '.join(sys.argv[1:])}`.")
    for f in failures:
        text += f"\n\nNot measured: {f}"
    print(text)
    if args.json:
        print(json.dumps(results))
    if args.write_readme:
        write_readme(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
