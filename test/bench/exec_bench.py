#!/usr/bin/env python3
"""Benchmark: Holdfast's executor against Pacemaker 2.1.5's pacemaker-execd, same agents, same run.

Holdfast: build/bin/exec_bench (test/bench/exec_bench.cpp) runs actions through ra/ on holdfastd's
event loop, as daemon/local_executor does (fork/exec, pidfd watch with a timeout timer, the result
made into its <lrm_rsc_op> history entry). Pacemaker: Debian's /usr/lib/pacemaker/pacemaker-execd,
started standalone in a network namespace of its own (its IPC socket "lrmd" is an abstract socket, so
a Pacemaker running elsewhere on the machine is not disturbed), driven by test/bench/pcmk_exec_client.c
through liblrmd as pacemaker-controld drives it (built here from pacemaker-dev).

  per-action overhead  N actions one after the other (from the request until its result is in the
                       caller's hands), minus the agent's own run time: before each action both
                       programs run the same agent by plain posix_spawn + waitpid, and the median of
                       those baselines is subtracted. Median and p95. The rounds alternate stacks.
  monitor CPU          R resources with a recurring monitor at interval I; after 2 s of warm-up, the
                       executor's own CPU (utime + stime without the agents: exec_bench's RUSAGE_SELF,
                       pacemaker-execd's /proc/PID/stat) over T seconds, per 1000 monitors completed.

The default agent is ocf:holdfast-bench:Null (`exit 0`, written by the bench under
/usr/lib/ocf/resource.d/holdfast-bench and removed after), so the agent's run time (and its noise)
is small beside the executor's; ocf:pacemaker:Dummy (a shell agent sourcing ocf-shellfuncs) is the
realistic second row. Not a test: nothing here asserts a time. --write-readme puts the table into
README.md between the exec-bench markers. Needs root; exits 77 when it cannot run.
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EXECD = "/usr/lib/pacemaker/pacemaker-execd"
OCF_DIR = "/usr/lib/ocf/resource.d"
BENCH_PROVIDER = "holdfast-bench"
SKIP = 77


def skip(why):
    print(f"exec_bench: skipped: {why}")
    return SKIP


def build_pcmk_client(directory):
    out = os.path.join(directory, "pcmk_exec_client")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "pacemaker-lrmd", "pacemaker-service", "glib-2.0",
                            "libxml-2.0"], capture_output=True, text=True)
    if flags.returncode != 0:
        raise RuntimeError("pkg-config finds no pacemaker-lrmd (scripts/deps installs pacemaker-dev)")
    subprocess.run(["cc", "-O2", "-o", out, os.path.join(HERE, "pcmk_exec_client.c"), *flags.stdout.split()],
                   check=True)
    return out


class execd:
    """A standalone pacemaker-execd in a network namespace of its own; stopped on exit, also on failure."""

    def __init__(self, directory):
        env = dict(os.environ, PCMK_logfile=os.path.join(directory, "execd.log"), PCMK_logfacility="none",
                   PCMK_debug="no")
        # unshare execs execd, so the child's pid is execd's
        self.proc = subprocess.Popen(["unshare", "--net", EXECD], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def __enter__(self):
        deadline = time.monotonic() + 10
        while not self.listening():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("pacemaker-execd did not start")
            time.sleep(0.05)
        return self

    def listening(self):
        try:
            with open(f"/proc/{self.proc.pid}/net/unix", encoding="ascii") as f:
                # an abstract name, padded with @ to its full length
                return any(line.split()[-1].rstrip("@") == "@lrmd" for line in f if len(line.split()) > 7)
        except OSError:
            return False

    def run(self, argv):
        """argv inside execd's network namespace; its JSON answer."""
        p = subprocess.run(["nsenter", f"--net=/proc/{self.proc.pid}/ns/net", *argv], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {p.stderr.strip()}")
        return json.loads(p.stdout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc):
        self.stop()


def run_json(argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {p.stderr.strip()}")
    return json.loads(p.stdout)


def p95(values):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def oneshot(args, agent, holdfast_bin, client, daemon):
    """Alternating rounds of both stacks; overheads per action in ms."""
    provider, type_ = agent.split(":")
    per_round = max(1, args.actions // args.rounds)
    result = {"holdfast": {"overhead": [], "baseline": [], "failures": 0},
              "pacemaker": {"overhead": [], "baseline": [], "failures": 0}}
    for rnd in range(args.rounds):
        order = ["holdfast", "pacemaker"] if rnd % 2 == 0 else ["pacemaker", "holdfast"]
        for stack in order:
            if stack == "holdfast":
                out = run_json([holdfast_bin, "oneshot", str(per_round), provider, type_, args.action])
            else:
                out = daemon.run([client, "oneshot", str(per_round), provider, type_, args.action])
            base = statistics.median(out["baseline_ms"])
            r = result[stack]
            r["overhead"] += [t - base for t in out["executor_ms"]]
            r["baseline"] += out["baseline_ms"]
            r["failures"] += out["failures"]
    return result


def recurring(args, agent, holdfast_bin, client, daemon):
    provider, type_ = agent.split(":")
    common = [str(args.resources), str(args.interval_ms), str(args.seconds)]
    return {"pacemaker": daemon.run([client, "recurring", *common, provider, type_, str(daemon.proc.pid)]),
            "holdfast": run_json([holdfast_bin, "recurring", *common, provider, type_])}


def ratio(pcmk, hf):
    return f"{pcmk / hf:.1f}x" if hf > 0 else "-"


def table(results, args):
    rows = ["| measure | Holdfast | Pacemaker 2.1.5 | Holdfast better by |", "|---|---|---|---|"]
    for agent, r in results["oneshot"].items():
        h, p = r["holdfast"], r["pacemaker"]
        hm, pm = statistics.median(h["overhead"]), statistics.median(p["overhead"])
        h95, p95_ = p95(h["overhead"]), p95(p["overhead"])
        name = f"ocf:{agent}"
        rows.append(f"| {name} {args.action}: overhead per action, median of {len(h['overhead'])} | {hm:.2f} ms | "
                    f"{pm:.2f} ms | {ratio(pm, hm)} |")
        rows.append(f"| {name} {args.action}: overhead per action, p95 | {h95:.2f} ms | {p95_:.2f} ms | "
                    f"{ratio(p95_, h95)} |")
        rows.append(f"| {name} {args.action}: the agent alone (posix_spawn + waitpid), median | "
                    f"{statistics.median(h['baseline']):.2f} ms | {statistics.median(p['baseline']):.2f} ms |  |")
    for agent, r in results["recurring"].items():
        h, p = r["holdfast"], r["pacemaker"]
        hc = h["cpu_ms"] * 1000 / max(h["monitors"], 1)
        pc = p["cpu_ms"] * 1000 / max(p["monitors"], 1)
        rows.append(f"| ocf:{agent}: executor CPU per 1000 recurring monitors ({args.resources} resources, "
                    f"{args.interval_ms} ms, {args.seconds} s) | {hc:.0f} ms | {pc:.0f} ms | {ratio(pc, hc)} |")
        rows.append(f"| ocf:{agent}: monitors completed in those {args.seconds} s | {h['monitors']} | "
                    f"{p['monitors']} |  |")
    return "\n".join(rows)


def write_readme(text):
    path = os.path.join(REPO, "README.md")
    doc = open(path, encoding="utf-8").read()
    begin, end = "<!-- exec-bench:begin -->", "<!-- exec-bench:end -->"
    if begin in doc and end in doc:
        head, rest = doc.split(begin, 1)
        _, tail = rest.split(end, 1)
        open(path, "w", encoding="utf-8").write(head + begin + "\n" + text + "\n" + end + tail)


def bench_agent():
    """ocf:holdfast-bench:Null, unless a directory of that name is already there (then it is left alone)."""
    directory = os.path.join(OCF_DIR, BENCH_PROVIDER)
    if os.path.exists(directory):
        return None
    os.makedirs(directory)
    path = os.path.join(directory, "Null")
    with open(path, "w", encoding="ascii") as f:
        f.write("#!/bin/sh\n# The executor benchmark's agent: every action succeeds at once.\nexit 0\n")
    os.chmod(path, 0o755)
    return directory


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "bin", "exec_bench"))
    ap.add_argument("--agents", default=f"{BENCH_PROVIDER}:Null,pacemaker:Dummy",
                    help="PROVIDER:TYPE list for the one-shot actions")
    ap.add_argument("--action", default="monitor")
    ap.add_argument("--actions", type=int, default=1000, help="one-shot actions per stack and agent")
    ap.add_argument("--rounds", type=int, default=4, help="alternating rounds the actions are split into")
    ap.add_argument("--recurring-agent", default=f"{BENCH_PROVIDER}:Null")
    ap.add_argument("--resources", type=int, default=100)
    ap.add_argument("--interval-ms", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--json", action="store_true", help="print the raw results as JSON too")
    ap.add_argument("--write-readme", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        return skip("needs root (pacemaker-execd runs as root, the bench agent goes under " + OCF_DIR + ")")
    for tool in (EXECD, shutil.which("unshare"), shutil.which("nsenter"), shutil.which("cc")):
        if not tool or not os.access(tool, os.X_OK):
            return skip(f"{tool or 'unshare/nsenter/cc'} is missing (scripts/deps)")
    if not os.access(args.binary, os.X_OK):
        return skip(f"{args.binary} is not built (cmake --build build --target exec_bench)")
    # a SIGTERM unwinds like Ctrl-C, so execd is stopped and the bench agent removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    made = bench_agent()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            client = build_pcmk_client(tmp)
            results = {"oneshot": {}, "recurring": {}}
            with execd(tmp) as daemon:
                for agent in args.agents.split(","):
                    results["oneshot"][agent] = oneshot(args, agent, args.binary, client, daemon)
                    print(f"exec_bench: {agent}: one-shot actions done", file=sys.stderr, flush=True)
                results["recurring"][args.recurring_agent] = recurring(args, args.recurring_agent, args.binary,
                                                                       client, daemon)
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)
    command = " ".join(["test/bench/exec_bench.py", *sys.argv[1:]])
    text = (table(results, args) + f"\n\nMeasured {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on "
            f"{os.cpu_count()} CPUs: `{command}`.")
    print(text)
    if args.json:
        print(json.dumps(results))
    if args.write_readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
