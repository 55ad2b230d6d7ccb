#!/usr/bin/env python3
"""Benchmark: holdfast simulate against Pacemaker's crm_simulate, same CIBs, same run.

Generates CIBs with ../shared/tools/gen_cib.py (-n N -r R --fail-node node1),
runs both simulators with -S, and reports median wall time, peak RSS, the
ratios, and whether the Transition Summaries are equal. Not a test: nothing
here asserts a time. --write-readme puts the table into README.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(os.path.dirname(REPO), "shared", "tools", "gen_cib.py")


TIMED_OUT = -999


def measured(cmd, env, repeat, timeout=None):
    """Run in a fresh python process per repetition so peak RSS is per run.
    A run past `timeout` seconds is killed and reported with rc TIMED_OUT."""
    walls, rss, rc, out = [], [], 0, ""
    for _ in range(repeat):
        code = ("import resource,subprocess,sys,time,json;s=time.monotonic();t=float(sys.argv[1]) or None\n"
                "try:\n p=subprocess.run(sys.argv[2:],capture_output=True,text=True,timeout=t);rc=p.returncode;o=p.stdout+p.stderr\n"
                "except subprocess.TimeoutExpired:\n rc=%d;o=''\n"
                "w=time.monotonic()-s;r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
                "print(json.dumps([w,r,rc]));sys.stderr.write(o)") % TIMED_OUT
        p = subprocess.run([sys.executable, "-c", code, str(timeout or 0)] + cmd, capture_output=True, text=True,
                           env=env)
        w, r, rc = json.loads(p.stdout)
        walls.append(w)
        rss.append(r / 1024.0)
        out = p.stderr
    return statistics.median(walls), max(rss), rc, out


def summary(text):
    lines, inside = set(), False
    for line in text.splitlines():
        if line.startswith("Transition Summary:"):
            inside = True
            continue
        if inside:
            if line and not line.startswith(" "):
                break
            if line.strip():
                lines.add(" ".join(line.split()))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "bin", "holdfast"))
    ap.add_argument("--nodes", default="2,16,32")
    ap.add_argument("--resources", default="100,1000,5000,10000")
    ap.add_argument("--quick", action="store_true", help="2 and 16 nodes, 100 and 1000 resources")
    ap.add_argument("--repeat", type=int, default=3, help="holdfast runs per size (crm_simulate runs once)")
    ap.add_argument("--timeout", type=float, default=0, help="give up on a crm_simulate run after this many seconds")
    ap.add_argument("--write-readme", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(GEN):
        print(f"bench: {GEN} not found, nothing to do")
        return 0
    if args.quick:
        args.nodes, args.resources = "2,16", "100,1000"
    env = dict(os.environ, LC_ALL="C", PCMK_schema_directory="/usr/share/pacemaker",
               CIB_shadow_dir=tempfile.mkdtemp())
    rows = ["| nodes | primitives | holdfast | crm_simulate | speed-up | holdfast RSS | crm_simulate RSS | memory | same summary |",
            "|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(x) for x in args.nodes.split(",")]:
            for r in [int(x) for x in args.resources.split(",")]:
                cib = os.path.join(tmp, f"g{n}x{r}.xml")
                subprocess.run([sys.executable, GEN, "-n", str(n), "-r", str(r), "--fail-node", "node1", "-o", cib],
                               check=True, capture_output=True)
                hw, hr, hrc, hout = measured([args.binary, "simulate", "-x", cib, "-S"], env, args.repeat)
                pw, pr, prc, pout = measured(["crm_simulate", "-x", cib, "-S"], env, 1, args.timeout)
                if hrc == 3:
                    same = "refused: " + (hout.strip().splitlines() or ["unsupported feature"])[-1][:60]
                elif prc == TIMED_OUT:
                    same = f"crm_simulate stopped at {args.timeout:.0f} s"
                else:
                    same = "yes" if hrc == 0 and summary(hout) == summary(pout) else "no"
                late = ">" if prc == TIMED_OUT else ""  # a lower bound: crm_simulate was stopped
                row = (f"| {n} | {r} | {hw*1000:.0f} ms | {late}{pw*1000:.0f} ms | {late}{pw/hw:.1f}x | {hr:.0f} MiB | "
                       f"{late}{pr:.0f} MiB | {late}{pr/max(hr,1):.1f}x | {same} |")
                print(row, flush=True)
                rows.append(row)
    table = "\n".join(rows)
    print(table)
    if args.write_readme:
        path = os.path.join(REPO, "README.md")
        text = open(path, encoding="utf-8").read()
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            _, tail = rest.split(end, 1)
            open(path, "w", encoding="utf-8").write(head + begin + "\n" + table + "\n" + end + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
