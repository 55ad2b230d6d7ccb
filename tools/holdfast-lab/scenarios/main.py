#!/usr/bin/env python3
"""holdfast-lab's orchestration verbs: `demo`, `scenario NAME` and `bench failover`.

holdfast-lab (C++) makes and breaks the lab; these verbs drive it, the holdfast CLI and the
instruments the build makes, from a source checkout. holdfast-lab execs this file with
HOLDFAST_LAB (its own path), HOLDFAST_BIN_DIR (the build's bin directory) and HOLDFAST_SOURCE_DIR
in the environment, and the original arguments. See man/holdfast-lab.8.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("HOLDFAST_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
# The lab tests' and benchmarks' helpers are this driver's library too.
for sub in ("test/lab", "test/bench"):
    sys.path.insert(0, os.path.join(SOURCE, sub))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

SCENARIOS = ("failover", "maintenance", "kill", "partition", "zombie", "bmc-down", "fence-fail",
             "daemon-kill", "monitor-fail", "stop-fail", "churn")


def parse(argv):
    p = argparse.ArgumentParser(prog="holdfast-lab")
    p.add_argument("--dir", default=None, help="the lab directory (default: a fresh one per run)")
    verbs = p.add_subparsers(dest="verb", required=True)
    demo = verbs.add_parser("demo", help="the two-node VM failover and maintenance, with a timeline")
    demo.add_argument("--vm", choices=("test", "qemu"), default="test")
    demo.add_argument("--nodes", type=int, choices=(2, 3), default=2)
    sc = verbs.add_parser("scenario", help="a fault-injection scenario with invariant audits")
    sc.add_argument("name", choices=SCENARIOS)
    sc.add_argument("--runs", type=int, default=1)
    sc.add_argument("--seed", type=int, default=None)
    sc.add_argument("--nodes", type=int, default=None)
    sc.add_argument("--steps", type=int, default=None, help="churn: the number of faults (default 200)")
    sc.add_argument("--vm", choices=("test", "qemu"), default="test")
    sc.add_argument("--json", action="store_true")
    bench = verbs.add_parser("bench", help="the failover benchmark")
    bench.add_argument("what", choices=("failover",))
    bench.add_argument("--vs", choices=("pacemaker",), default=None)
    bench.add_argument("--runs", type=int, default=10)
    bench.add_argument("--token", type=int, default=None, help="corosync token in ms (default: corosync's)")
    bench.add_argument("--nodes", type=int, default=3)
    bench.add_argument("--victim", choices=("dc", "other", "both"), default="both")
    bench.add_argument("--fencing", choices=("ipmi", "scsi"), default="ipmi")
    bench.add_argument("--svg", default=None, help="write one failover of each stack as an SVG timeline")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--logs", default=None, help="copy the nodes' daemon logs here before the labs go down")
    bench.add_argument("--write-readme", action="store_true",
                       help="put the table and the SVG's reference into README.md between the failover-bench markers")
    return p.parse_args(argv)


def main(argv):
    args = parse(argv)
    if os.geteuid() != 0:
        print("holdfast-lab: must run as root (it makes namespaces)", file=sys.stderr)
        return 1
    if args.verb == "demo":
        import demo
        return demo.run(args)
    if args.verb == "scenario":
        import scenario
        return scenario.run(args)
    import bench_failover
    return bench_failover.run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
