#!/usr/bin/env python3
"""A short seeded subset of the fault-injection suite (CTest `lab_scenarios`, label `lab`):
`holdfast-lab scenario NAME --seed S --json` for failover (the VMs' node frozen), bmc-down (SCSI fencing
as level 2), zombie (frozen, SCSI-fenced, thawed), daemon-kill (SIGKILL of holdfastd and of corosync) and
a few churn steps. Each run must recover (no "failures"), inject the faults it names, and its invariant
audits (tools/holdfast-lab/scenarios/audit.py, over the independent event log) must find no violation.
The seeds are fixed, so a failure here replays with the same command.

Needs root and what the VM lab needs (rig.missing_tools: corosync, tgtd, ipmi_sim, libvirtd, ...);
exits 77 (skip) without them. Waits are the driver's (states, generous deadlines); nothing is timed.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "holdfast-lab", "scenarios"))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

from holdfast_lab import SKIP, skip_reason  # noqa: E402
from rig import missing_tools  # noqa: E402

# (scenario, extra arguments, the least number of faults it injects)
SUBSET = [
    ("failover", [], 1),
    ("bmc-down", [], 2),
    ("zombie", [], 3),
    ("daemon-kill", [], 2),
    ("churn", ["--steps", "6"], 6),
]
SEED = 6


def run(lab, name, extra, least):
    """Runs one scenario; the reasons it failed (empty when it passed)."""
    cmd = [lab, "scenario", name, "--seed", str(SEED), "--json", *extra]
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    print(p.stdout, end="", flush=True)
    if p.stderr.strip():
        print(p.stderr, end="", file=sys.stderr, flush=True)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return [f"{name}: no JSON report (exit {p.returncode})"]
    report = json.loads(lines[-1])
    problems = []
    if report["runs"] != 1:
        problems.append(f"{name}: {report['runs']} runs reported, 1 asked")
    if report["faults"] < least:
        problems.append(f"{name}: {report['faults']} faults injected, at least {least} expected")
    if report["failures"]:
        problems.append(f"{name}: did not recover: {report['failures']}")
    if report["violations"]:
        problems.append(f"{name}: {report['violations']} violations {report['violations_by_audit']}")
    if p.returncode != (1 if problems else 0):
        problems.append(f"{name}: exit status {p.returncode} does not match its report")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lab", required=True, help="holdfast-lab binary")
    args = parser.parse_args()
    reason = skip_reason() or missing_tools("test")
    if reason:
        print(f"skipped: {reason}")
        return SKIP
    problems = []
    for name, extra, least in SUBSET:
        problems += run(os.path.abspath(args.lab), name, extra, least)
    for p in problems:
        print(f"FAILED: {p}", flush=True)
    if not problems:
        print(f"all {len(SUBSET)} scenarios recovered with no violation (seed {SEED})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
