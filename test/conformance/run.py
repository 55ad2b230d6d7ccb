#!/usr/bin/env python3
"""Conformance of `holdfast simulate` against Pacemaker 2.1.5's scheduler corpus.

For every case in categories.tsv, runs `holdfast simulate -x xml/NAME.xml -S`
and compares with summary/NAME.summary (crm_simulate's output):
  (a) the Transition Summary as a set of lines, whitespace folded;
  (b) the whole output, blank lines and whitespace ignored.
Prints pass counts per category, overall and for the core categories.
The passing lists are a ratchet: a listed case that fails now fails the run.
Exit 77 (CTest skip) when the corpus is absent.
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORE = [
    "Basic primitives (simple*)", "Groups", "Colocation",
    "Ordering (incl. one-or-more/require-all, sets)",
    "Rules (date/number/string expressions)", "Dates, probes, standby",
    "Resource failure recovery", "Quorum", "Node failure / fencing",
    "Clones (anonymous/unique, clone-min, interleave, notify)",
    "Promotable (master/slave)", "Live migration", "Unmanaged / maintenance",
    "Monitors / recurring ops",
]
PASS_SUMMARY = os.path.join(HERE, "passing-summary.txt")
PASS_FULL = os.path.join(HERE, "passing-full.txt")


def normalise(text):
    """The corpus README's sed, applied to both sides."""
    out = []
    for line in text.splitlines():
        line = line.replace("ocf::", "ocf:")
        line = line.replace("Masters:", "Promoted:", 1)
        line = line.replace("Slaves:", "Unpromoted:", 1)
        line = re.sub(r" Master( |\[|$)", r" Promoted\1", line)
        line = line.replace(" Slave ", " Unpromoted ", 1)
        out.append(line)
    return out


def fold(line):
    return " ".join(line.split())


def summary_lines(lines):
    result, inside = set(), False
    for line in lines:
        if line.startswith("Transition Summary:"):
            inside = True
            continue
        if inside:
            if line.strip() == "":
                continue
            if not line.startswith(" "):
                break
            result.add(fold(line))
    return result


def whole(lines):
    return [fold(l) for l in lines if l.strip()]


def load_cases(corpus):
    cases = []
    with open(os.path.join(corpus, "categories.tsv"), encoding="utf-8") as f:
        next(f)
        for row in f:
            parts = row.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0]:
                cases.append((parts[0], parts[1]))
    return cases


def run_case(binary, corpus, name, timeout):
    env = dict(os.environ, LC_ALL="C")
    try:
        p = subprocess.run([binary, "simulate", "-x", os.path.join(corpus, "xml", name + ".xml"), "-S"],
                           capture_output=True, text=True, timeout=timeout, env=env)
        got = p.stdout if p.returncode == 0 else ""
    except subprocess.TimeoutExpired:
        got = ""
    with open(os.path.join(corpus, "summary", name + ".summary"), encoding="utf-8") as f:
        want = f.read()
    g, w = normalise(got), normalise(want)
    ok_summary = bool(got) and summary_lines(g) == summary_lines(w)
    ok_full = bool(got) and whole(g) == whole(w)
    return name, ok_summary, ok_full, g, w


def read_list(path):
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        return {l.strip() for l in f if l.strip()}


def write_list(path, names):
    with open(path, "w", encoding="utf-8") as f:
        for n in sorted(names):
            f.write(n + "\n")


def table(cases, results):
    cats = {}
    for name, cat in cases:
        s = cats.setdefault(cat, [0, 0, 0])
        s[0] += 1
        s[1] += results[name][0]
        s[2] += results[name][1]
    rows = ["| category | cases | summary matches | full output matches |", "|---|---|---|---|"]
    for cat in sorted(cats, key=lambda c: -cats[c][0]):
        n, a, b = cats[cat]
        rows.append(f"| {cat} | {n} | {a} | {b} |")
    core = [cats[c] for c in CORE if c in cats]
    cn, ca, cb = (sum(x[i] for x in core) for i in range(3))
    tn = len(cases)
    ta = sum(r[0] for r in results.values())
    tb = sum(r[1] for r in results.values())
    rows.append(f"| **core categories** | {cn} | {ca} ({100*ca/max(cn,1):.1f}%) | {cb} ({100*cb/max(cn,1):.1f}%) |")
    rows.append(f"| **all** | {tn} | {ta} ({100*ta/max(tn,1):.1f}%) | {tb} ({100*tb/max(tn,1):.1f}%) |")
    return "\n".join(rows)


def replace_section(path, begin, end, body):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if begin not in text or end not in text:
        return
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + begin + "\n" + body + "\n" + end + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "bin", "holdfast"))
    ap.add_argument("--corpus", default=os.environ.get(
        "HOLDFAST_CORPUS", os.path.join(os.path.dirname(REPO), "shared", "pacemaker-scheduler")))
    ap.add_argument("--cases", help="only cases whose name matches this regex")
    ap.add_argument("--diff", metavar="NAME", help="show the diff for one case")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=20)
    ap.add_argument("--write-results", action="store_true", help="write RESULTS.md and README table")
    ap.add_argument("--update-passing", action="store_true", help="rewrite the passing lists")
    args = ap.parse_args()

    if not os.path.isdir(os.path.join(args.corpus, "xml")):
        print(f"conformance: corpus not found at {args.corpus}, skipping")
        return 77
    if args.diff:
        _, a, b, g, w = run_case(args.binary, args.corpus, args.diff, args.timeout)
        print(f"summary match: {a}, full match: {b}")
        sys.stdout.writelines(difflib.unified_diff([l + "\n" for l in w], [l + "\n" for l in g],
                                                   "expected", "holdfast"))
        return 0

    cases = load_cases(args.corpus)
    if args.cases:
        cases = [c for c in cases if re.search(args.cases, c[0])]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for name, a, b, _, _ in pool.map(lambda c: run_case(args.binary, args.corpus, c[0], args.timeout), cases):
            results[name] = (a, b)
    print(table(cases, results))

    passing_summary = {n for n, r in results.items() if r[0]}
    passing_full = {n for n, r in results.items() if r[1]}
    if args.write_results:
        with open(os.path.join(HERE, "RESULTS.md"), "w", encoding="utf-8") as f:
            f.write("# Conformance with Pacemaker 2.1.5's scheduler corpus\n\n"
                    "Generated by `test/conformance/run.py --write-results`.\n\n" + table(cases, results) + "\n")
        replace_section(os.path.join(REPO, "README.md"), "<!-- conformance:begin -->",
                        "<!-- conformance:end -->", table(cases, results))
    if args.update_passing and not args.cases:
        write_list(PASS_SUMMARY, passing_summary)
        write_list(PASS_FULL, passing_full)

    regressed = sorted((read_list(PASS_SUMMARY) - passing_summary) | (read_list(PASS_FULL) - passing_full))
    regressed = [n for n in regressed if n in results]
    if regressed:
        print("conformance: these cases passed before and fail now: " + " ".join(regressed))
        return 1
    print(f"conformance: {len(passing_summary)} summary and {len(passing_full)} full matches, no regressions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
