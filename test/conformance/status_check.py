#!/usr/bin/env python3
"""Compare the "Current cluster status:" section that `holdfast simulate -S`
prints with the one in Pacemaker's expected summaries (whitespace-insensitive).

With --crm-mon=FLAGS (e.g. "--crm-mon=-r -f -A -n -o", one argument), compare instead `holdfast status
--cib CASE.xml FLAGS` with what the real `crm_mon -1 FLAGS` prints for the same
file (CIB_file=CASE.xml), from "Node List:" on: the summary differs by design
(stack and DC version come from the live cluster, "Last updated" from the
clock), and holdfast's own trailing section of move/ban constraints is left out.

Usage: status_check.py --binary build/bin/holdfast [--corpus DIR] [--cases REGEX] [--show N]
                       [--crm-mon FLAGS] [--min-match N]
Prints the match count; exits 0 when every selected case matches (or, with
--min-match, at least N do), 1 otherwise, 2 when the corpus (or crm_mon) is absent.
"""
import argparse
import os
import re
import shutil
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


def after_summary(text):
    lines = text.split("\n")
    try:
        start = lines.index("Node List:")
    except ValueError:
        return None
    out = []
    for line in lines[start:]:
        if line.startswith("Constraints left by move/ban"):
            break
        out.append(line)
    return [re.sub(r"\s+", "", x) for x in out if x.strip()]


def crm_mon_case(args, name):
    xml = os.path.join(args.corpus, "xml", name + ".xml")
    flags = args.crm_mon.split()
    env = dict(os.environ, CIB_file=xml, TZ="UTC")
    try:
        ref = subprocess.run(["crm_mon", "-1"] + flags, capture_output=True, text=True, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        return None
    expected = after_summary(ref.stdout)
    if expected is None:
        return None  # crm_mon cannot show it (an invalid CIB): nothing to compare
    ours = subprocess.run([args.binary, "status", "--cib", xml] + flags, capture_output=True, text=True,
                          env=dict(os.environ, TZ="UTC"))
    return after_summary(ours.stdout) == expected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--corpus", default="/work/shared/pacemaker-scheduler")
    ap.add_argument("--cases", default="")
    ap.add_argument("--show", type=int, default=0, help="print the names of up to N mismatches")
    ap.add_argument("--crm-mon", default=None, help="compare holdfast status with crm_mon -1 and these flags")
    ap.add_argument("--min-match", type=int, default=None, help="pass when at least this many cases match")
    args = ap.parse_args()
    if args.crm_mon is not None and shutil.which("crm_mon") is None:
        print("crm_mon not found")
        return 2
    summaries = os.path.join(args.corpus, "summary")
    if not os.path.isdir(summaries):
        print("corpus not found: " + summaries)
        return 2
    names = sorted(f[:-8] for f in os.listdir(summaries) if f.endswith(".summary"))
    names = [n for n in names if re.search(args.cases, n)]
    good, bad = 0, []
    for name in names:
        if args.crm_mon is not None:
            same = crm_mon_case(args, name)
            if same:
                good += 1
            elif same is not None:
                bad.append(name)
            continue
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
    if args.min_match is not None:
        return 0 if good >= args.min_match else 1
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
