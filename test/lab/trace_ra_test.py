#!/usr/bin/env python3
"""`holdfast resource trace` through the real cluster (CTest `lab_trace_ra`, label `lab`): on a 2-node
namespace lab running ocf:heartbeat:Dummy d1, `resource trace d1 monitor` makes the executor of the
node running d1 pass trace_ra=1, so the agent's ocf-shellfuncs writes monitor traces under
/var/lib/heartbeat/trace_ra/Dummy/ (a directory the lab nodes share with the host); `trace d1` traces
the start too (its changed definition makes the scheduler restart d1, traced); after `untrace d1` no
new trace is written. And `configure edit` through the cluster's change path: an edit is refused when
the configuration changed while the editor ran (the epoch precondition), and committed on every node
otherwise.

Needs root and `ip netns`; exits 77 (skip) without them. State is read from the trace files and through
`holdfast` inside the nodes, never from logs.
"""
import glob
import os
import sys
import time

from holdfast_lab import expect, wait_for
from lab_checks import dummy_configuration, run_lab_checks

NODES = ["node1", "node2"]
TRACE_DIR = "/var/lib/heartbeat/trace_ra/Dummy"


def traces(action):
    return set(glob.glob(os.path.join(TRACE_DIR, f"d1.{action}.*")))


def check_traced(c):
    for f in traces("*"):  # an earlier run's
        os.remove(f)
    wait_for("both nodes online, with quorum", lambda: all(c.online(n) == NODES and c.quorate(n) for n in NODES),
             c.lab)
    p = c.load("node1", dummy_configuration("node1"))
    expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")
    wait_for("d1 runs on node1", lambda: c.running("node1"), c.lab)
    expect(not traces("*"), "no trace while d1 is not traced")

    p = c.cli("node2", "resource", "trace", "d1", "monitor")
    expect(p.returncode == 0, f"resource trace d1 monitor succeeds ({p.stderr.strip()})")
    wait_for("the 5 s monitor of d1 writes a trace", lambda: traces("monitor"), c.lab)
    expect(all(os.path.getsize(f) > 0 for f in traces("monitor")), "the monitor traces are not empty")

    p = c.cli("node1", "resource", "trace", "d1")
    expect(p.returncode == 0, f"resource trace d1 succeeds ({p.stderr.strip()})")
    # trace_ra on start and stop changes their definitions (op instance attributes are in the op
    # digest): the scheduler restarts d1 by itself, as Pacemaker's would, and that restart is traced
    wait_for("the scheduler's restart wrote stop and start traces and d1 runs again",
             lambda: traces("stop") and traces("start") and c.running("node1"), c.lab)

    p = c.cli("node1", "resource", "untrace", "d1")
    expect(p.returncode == 0, f"resource untrace d1 succeeds ({p.stderr.strip()})")
    time.sleep(7)  # a monitor already started with trace_ra may still finish
    before = traces("monitor")
    time.sleep(12)  # more than two monitor intervals
    expect(traces("monitor") == before and c.running("node1"), "untraced: d1's monitors write no more traces")
    for f in traces("*"):
        os.remove(f)


def edit(c, node, concurrent):
    """`holdfast configure edit` in node with an editor script that raises d1's preference to 200,
    after setting a property through the same daemon first when `concurrent`."""
    script = "#!/bin/sh\n"
    if concurrent:
        script += f"{c.holdfast} configure property lab-concurrent-edit=1 || exit 9\n"
    script += "sed -i 's/^location d1-prefers-node1 d1 100: node1$/location d1-prefers-node1 d1 200: node1/' \"$1\"\n"
    c.lab.exec(node, "sh", "-c", "cat > /var/lib/holdfast/editor.sh <<'EOF'\n" + script + "EOF\n"
               "chmod 755 /var/lib/holdfast/editor.sh")
    return c.lab.exec(node, "env", "VISUAL=", "EDITOR=/var/lib/holdfast/editor.sh", c.holdfast, "configure", "edit",
                      timeout=60)


def check_edit(c):
    p = edit(c, "node1", concurrent=True)
    expect(p.returncode == 1 and "changed since it was read" in p.stderr,
           f"an edit made while the configuration changed is refused ({p.returncode}: {p.stderr.strip()})")
    cib = c.cib("node2")
    expect('name="lab-concurrent-edit" value="1"' in cib and 'score="100"' in cib,
           "the concurrent change stays, the refused edit is not applied")
    p = edit(c, "node1", concurrent=False)
    expect(p.returncode == 0, f"an edit of an unchanged configuration is committed ({p.stderr.strip()})")
    wait_for("node2 has the edited score", lambda: "location d1-prefers-node1 d1 200: node1\n"
             in c.cli("node2", "configure", "show").stdout, c.lab)


def checks(c, _base):
    check_traced(c)
    check_edit(c)


if __name__ == "__main__":
    sys.exit(run_lab_checks("trace-ra", NODES, checks))
