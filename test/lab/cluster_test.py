#!/usr/bin/env python3
"""holdfastd on a 3-node namespace lab (CTest `lab_cluster`, label `lab`): the cluster forms with one DC
and quorum; a property set on node1 is visible on node3; a resource runs; node3 cut off -> the majority
keeps quorum and runs the resource, node3 loses quorum and stops what it ran; heal -> identical CIBs; the
DC killed -> a new DC and no change lost; a restarted node rejoins with the cluster's CIB; a corrupt
on-disk CIB is kept aside and replaced by the cluster's copy; SIGTERM moves a node's resources away before
it leaves.

Needs root and `ip netns`; exits 77 (skip) without them. Every check waits for a state with a generous
deadline and never asserts a duration; state is read through `holdfast` inside the nodes, never from logs.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from holdfast_lab import expect, wait_for
from lab_checks import dummy_configuration, run_lab_checks

NODES = ["node1", "node2", "node3"]


def check_formed(c):
    wait_for("every node sees node1..node3 online, node1 as DC, with quorum",
             lambda: all(c.online(n) == NODES and c.dc(n) == ("node1", True) for n in NODES), c.lab)
    expect(True, "3 nodes formed one cluster: node1 is DC, the partition has quorum")


def check_property(c):
    p = c.cli("node1", "configure", "property", "holdfast-lab-marker=42")
    expect(p.returncode == 0, f"configure property on node1 succeeds ({p.stderr.strip()})")
    wait_for("node3 holds the property set on node1",
             lambda: 'name="holdfast-lab-marker" value="42"' in c.cib("node3"), c.lab)
    expect(True, "a property set on node1 is visible on node3")


def check_resource(c):
    p = c.load("node1", dummy_configuration("node3", no_quorum_policy="stop"))
    expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")
    wait_for("d1 runs on node3 (its preferred node) and nowhere else",
             lambda: c.running("node3") and not c.running("node1") and not c.running("node2"), c.lab)
    wait_for("status on node1 shows d1 started on node3",
             lambda: re.search(r"d1\s.*Started node3", c.status("node1")) is not None, c.lab)
    expect(True, "the DC started d1 on node3 through its agent")


def check_pacemaker_reads_it(c, base):
    """The live CIB (configuration and status) is one Pacemaker 2.1.5's own tools accept."""
    if shutil.which("crm_verify") is None and not os.path.exists("/usr/sbin/crm_verify"):
        print("skipped: Pacemaker's tools are not installed (crm_verify, crm_simulate, crm_mon)")
        return
    path = os.path.join(base, "live-cib.xml")
    with open(path, "w") as f:
        f.write(c.cib("node1"))
    env = dict(os.environ, LC_ALL="C", PCMK_schema_directory="/usr/share/pacemaker",
               CIB_shadow_dir=tempfile.mkdtemp(dir=base))
    verify = subprocess.run(["crm_verify", "-x", path], capture_output=True, text=True, env=env)
    expect(verify.returncode == 0, f"crm_verify -x accepts the live CIB ({verify.stderr.strip()[:200]})")
    sim = subprocess.run(["crm_simulate", "-x", path, "-S"], capture_output=True, text=True, env=env)
    expect(sim.returncode == 0 and re.search(r"d1\s.*Started node3", sim.stdout) is not None,
           "crm_simulate -x reads it and sees d1 started on node3")
    mon = subprocess.run(["crm_mon", "-1"], capture_output=True, text=True, env=dict(env, CIB_file=path))
    expect(mon.returncode == 0 and "node3" in mon.stdout, "CIB_file=... crm_mon -1 renders it")


def check_cut(c):
    c.lab.run("cut", "node3")
    wait_for("node1 and node2 keep quorum with node1 as DC; node3 is alone without quorum",
             lambda: c.dc("node1") == ("node1", True) and c.dc("node3") == ("node3", False), c.lab)
    wait_for("node3 stopped d1 (no-quorum-policy=stop)", lambda: not c.running("node3"), c.lab)
    wait_for("the majority runs d1 on node1 or node2",
             lambda: c.running("node1") != c.running("node2"), c.lab)
    expect(True, "cut off, node3 lost quorum and stopped d1; the majority recovered it")


def check_heal(c):
    c.lab.run("heal", "node3")
    wait_for("all three nodes are online again with one DC",
             lambda: all(c.online(n) == NODES for n in NODES), c.lab)
    wait_for("d1 is back on node3, and only there",
             lambda: c.running("node3") and not c.running("node1") and not c.running("node2"), c.lab)
    wait_for("the three CIBs are identical", lambda: len({c.digest(n) for n in NODES}) == 1, c.lab)
    expect(True, "healed: one cluster again, identical CIBs")


def check_dc_killed(c):
    c.lab.run("kill", "node1")
    wait_for("node2 becomes DC with quorum", lambda: c.dc("node3") == ("node2", True), c.lab)
    p = c.cli("node2", "configure", "property", "holdfast-lab-after-dc=1")
    expect(p.returncode == 0, "a change goes through the new DC's cluster")
    c.lab.run("boot", "node1")
    wait_for("node1 rejoins and holds the change made while it was dead",
             lambda: 'name="holdfast-lab-after-dc" value="1"' in c.cib("node1"), c.lab)
    wait_for("the three CIBs are identical again", lambda: len({c.digest(n) for n in NODES}) == 1, c.lab)
    expect(True, "the DC killed: a new DC took over, no change was lost, the restarted node rejoined")


def check_corrupt_cib(c):
    c.lab.run("kill", "node2")
    stored = os.path.join(c.lab.dir, "nodes", "node2", "root", "var", "lib", "holdfast", "cib.xml")
    with open(stored, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        f.truncate(size // 2)
    c.lab.run("boot", "node2")
    wait_for("node2 rejoins with the cluster's CIB", lambda: len({c.digest(n) for n in NODES}) == 1, c.lab)
    expect(os.path.exists(stored + ".corrupt-1"), "the damaged cib.xml was kept aside as cib.xml.corrupt-1")
    expect('name="holdfast-lab-after-dc"' in c.cib("node2"), "node2 took the cluster's copy")


def check_orderly_shutdown(c):
    wait_for("d1 runs on node3 again", lambda: c.running("node3"), c.lab)
    p = c.lab.exec("node3", "sh", "-c", "kill -TERM $(pidof holdfastd)")
    expect(p.returncode == 0, "SIGTERM sent to holdfastd on node3")
    wait_for("d1 moved to node1 or node2 before node3 left",
             lambda: not c.running("node3") and c.running("node1") != c.running("node2"), c.lab)
    wait_for("holdfastd on node3 exited", lambda: c.lab.exec("node3", "pidof", "holdfastd").returncode != 0, c.lab)
    wait_for("node1 sees node3 cleanly offline (not unclean)",
             lambda: c.online("node1") == ["node1", "node2"] and "UNCLEAN" not in c.status("node1")
             and "OFFLINE" in c.status("node1"), c.lab)
    expect(True, "SIGTERM: node3's resource moved away first, then node3 left cleanly")


def checks(c, base):
    check_formed(c)
    check_property(c)
    check_resource(c)
    check_pacemaker_reads_it(c, base)
    check_cut(c)
    check_heal(c)
    check_dc_killed(c)
    check_corrupt_cib(c)
    check_orderly_shutdown(c)


if __name__ == "__main__":
    sys.exit(run_lab_checks("cluster", NODES, checks))
