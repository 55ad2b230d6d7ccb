#!/usr/bin/env python3
"""Compare the "Current cluster status:" section that `holdfast simulate -S`
prints with the one in Pacemaker's expected summaries (whitespace-insensitive).

Usage: status_check.py --binary build/bin/holdfast [--corpus DIR] [--cases REGEX] [--show N]
Prints the match count; exits 0 when every selected case matches, 1 otherwise,
2 when the corpus is absent.
"""
import argparse
import os
import re
import subprocess
import sys


def status_section(text):
    lines = text.split("\n")
    try:
        start = lines.index("Current cluster status:")
    except ValueError:
        return None
    out = []
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break
        out.append(line)
    return [re.sub(r"\s+", "", x) for x in out if x.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--corpus", default="/work/shared/pacemaker-scheduler")
    ap.add_argument("--cases", default="")
    ap.add_argument("--show", type=int, default=0, help="print the names of up to N mismatches")
    args = ap.parse_args()
    summaries = os.path.join(args.corpus, "summary")
    if not os.path.isdir(summaries):
        print("corpus not found: " + summaries)
        return 2
    names = sorted(f[:-8] for f in os.listdir(summaries) if f.endswith(".summary"))
    names = [n for n in names if re.search(args.cases, n)]
    good, bad = 0, []
    for name in names:
        with open(os.path.join(summaries, name + ".summary")) as f:
            expected = status_section(f.read())
        if expected is None:
            continue
        run = subprocess.run([args.binary, "simulate", "-x", os.path.join(args.corpus, "xml", name + ".xml"), "-S"],
                             capture_output=True, text=True)
        if status_section(run.stdout) == expected:
            good += 1
        else:
            bad.append(name)
    print("%d/%d status sections match" % (good, good + len(bad)))
    for name in bad[:args.show]:
        print("  mismatch: " + name)
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
