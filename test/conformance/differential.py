#!/usr/bin/env python3
"""Differential test: holdfast simulate against Debian's crm_simulate 2.1.5.

Generates CIBs with ../shared/tools/gen_cib.py over a grid of sizes, seeds and
scenarios (a failed node, steady state, without probe history), runs both
simulators with -S, and compares the Transition Summary (as a set of lines)
and the whole output (whitespace-insensitively). Exits 77 (skipped) when the
generator or crm_simulate is missing, 1 on any difference, 0 otherwise.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(os.path.dirname(REPO), "shared", "tools", "gen_cib.py")
SCENARIOS = [["--fail-node", "node1"], ["--fail-node", "none"], ["--fail-node", "node2", "--probes", "none"]]


def words(text):
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def summary(text):
    out, inside = set(), False
    for line in text.splitlines():
        if line.startswith("Transition Summary:"):
            inside = True
        elif inside and line and not line.startswith(" "):
            break
        elif inside and line.strip():
            out.add(" ".join(line.split()))
    return out


def run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600).stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "bin", "holdfast"))
    ap.add_argument("--seeds", type=int, default=6, help="seeds per size and scenario")
    ap.add_argument("--sizes", default="2:30,3:60,5:40,8:80", help="NODES:RESOURCES pairs")
    args = ap.parse_args()
    if not os.path.exists(GEN) or not shutil.which("crm_simulate"):
        print("differential: skipped (needs ../shared/tools/gen_cib.py and crm_simulate)")
        return 77
    failures, total = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LC_ALL="C", PCMK_schema_directory="/usr/share/pacemaker", CIB_shadow_dir=tmp)
        for pair in args.sizes.split(","):
            nodes, rscs = pair.split(":")
            for seed in range(1, args.seeds + 1):
                for scenario in SCENARIOS:
                    cib = os.path.join(tmp, "cib.xml")
                    subprocess.run([sys.executable, GEN, "-n", nodes, "-r", rscs, "-s", str(seed), "-o", cib] + scenario,
                                   check=True, capture_output=True)
                    ours = run([args.binary, "simulate", "-x", cib, "-S"])
                    theirs = run(["crm_simulate", "-x", cib, "-S"], env)
                    total += 1
                    name = f"-n {nodes} -r {rscs} -s {seed} {' '.join(scenario)}"
                    if summary(ours) != summary(theirs):
                        failures.append(f"{name}: Transition Summary differs")
                    elif words(ours) != words(theirs):
                        failures.append(f"{name}: output differs (summary equal)")
    for f in failures:
        print("differential: " + f)
    print(f"differential: {total - len(failures)} of {total} generated CIBs give crm_simulate's output")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
