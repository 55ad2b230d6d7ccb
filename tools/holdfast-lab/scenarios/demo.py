"""`holdfast-lab demo`: the VM failover and the maintenance move on a lab cluster, with a timeline.

Brings up the rig (rig.py: two VMs, each after its disk on a shared LUN, both on node1; IPMI fencing,
SCSI fencing as the second level), then:
  1. failover: every process of node1 is frozen (it "almost stops functioning": no heartbeats, nothing
     answers). A survivor fences it through its BMC (power off), starts the disks and then the VMs;
     the operator powers node1 on (`holdfast fence node1 --on`, through the BMC), it boots, rejoins
     and takes its VMs back (it is their preferred node);
  2. maintenance: `holdfast node standby node1` moves both VMs off node1 (live migration with
     --vm qemu; libvirt's test driver cannot migrate, so there the VMs stop and start), then
     `holdfast node online node1` brings them back.
The timelines come from the independent event log (events.py: libvirtd's domains, the LUN's keys,
Corosync's membership, the nodes' power), not from the daemons. The lab is taken down at the end,
also on failure or Ctrl-C. Exit status 0 when every step happened, 1 otherwise.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from events import Observer, build_cpg_watch, describe
from holdfast_lab import CheckFailed, become_subreaper, wait_for
from rig import DISKS, VMS, Rig, missing_tools


def say(text=""):
    print(text, flush=True)


def heading(text):
    say()
    say(f"== {text}")


def show_status(rig, node):
    p = rig.holdfast(node, "status")
    say("\n".join("   " + line for line in p.stdout.rstrip().splitlines()))


def placed_off(obs, victim, names):
    """Every VM runs on exactly one node, not the victim."""
    return all(len(obs.where(vm)) == 1 and obs.where(vm)[0] != victim for vm in VMS) and \
        all(obs.where(vm)[0] in names for vm in VMS)


def all_on(obs, node):
    return all(obs.where(vm) == [node] for vm in VMS)


def settle(obs, quiet=0.7):
    """Waits until the event log has been still for `quiet` seconds (what a move does after the sampled
    placement looks right: a guest's start finishing, a migration's source side stopping)."""
    def still():
        # the nodes' LUN writers log a write every 0.2 s: they are not changes
        events = [e for e in obs.log.snapshot() if e[1] != "write"]
        return not events or time.monotonic() - max(e[0] for e in events) > quiet
    wait_for(f"no change for {quiet} s", still)


def check_recovery_order(rig, obs, t0, starts, off):
    """What the failover must show, from the event log: both VMs started on a survivor only after node1's
    power was off, each after its disk was active there."""
    if not all(starts) or off is None:
        raise CheckFailed(f"the event log lacks the VMs' starts ({starts}) or node1's power-off ({off})")
    for vm, disk, start in zip(VMS, DISKS, starts):
        if start[0] < off[0]:
            raise CheckFailed(f"{vm} started on {start[2]} before node1's power was off")
        if rig.vm == "qemu":
            continue  # the disk is a clone, active on the survivor all along
        active = obs.log.first(lambda e: e[1] == "diskev" and e[2] == start[2] and e[3] == "started" and e[4] == disk,
                               after=t0)
        if active is None or active[0] > start[0]:
            raise CheckFailed(f"{vm} started on {start[2]} before its disk {disk} was active there")


def failover(rig, obs):
    heading("Failover: node1 freezes (no heartbeats, nothing answers)")
    survivors = [n for n in rig.names if n != "node1"]
    t0 = time.monotonic()
    obs.inject("node1", "every process frozen")
    rig.lab.run("freeze", "node1")
    wait_for("both VMs run again on a survivor", lambda: placed_off(obs, "node1", survivors), rig.lab)
    settle(obs)
    events = obs.log.snapshot()
    starts = [obs.log.first(lambda e: e[1] == "hvev" and e[3] == "started" and e[4] == vm, after=t0) for vm in VMS]
    t_up = max(e[0] for e in starts) if all(starts) else time.monotonic()
    for line in describe(events, t0, t_up):
        say(line)
    detected = obs.log.first(lambda e: e[1] == "cpg" and e[2] in survivors and 1 not in e[4], after=t0)
    off = obs.log.first(lambda e: e[1] == "node" and e[2] == "node1" and e[4] == "off", after=t0)
    check_recovery_order(rig, obs, t0, starts, off)
    say()
    say(f"   both VMs ran again {t_up - t0:.2f} s after the freeze"
        + (f"; Corosync noticed after {detected[0] - t0:.2f} s" if detected else "")
        + (f"; node1 was off {off[0] - t0:.2f} s after the freeze" if off else ""))
    p = rig.holdfast(survivors[0], "fence", "history", "node1")
    say("   holdfast fence history node1:")
    say("\n".join("     " + line for line in (p.stdout.strip() or p.stderr.strip()).splitlines()))
    heading("The operator powers node1 on through its BMC (holdfast fence node1 --on); it rejoins and "
            "takes its VMs back")
    t1 = time.monotonic()
    p = rig.holdfast(survivors[0], "fence", "node1", "--on")
    if p.returncode != 0:
        raise CheckFailed(f"holdfast fence node1 --on: {p.stderr.strip()}")
    wait_for("node1 is online again", lambda: "node1" in rig.c.online(survivors[0]), rig.lab)
    obs.watch("node1")
    wait_for("both VMs run on node1 again", lambda: all_on(obs, "node1"), rig.lab)
    settle(obs)
    for line in describe(obs.log.snapshot(), t1):
        say(line)
    show_status(rig, "node1")


def maintenance(rig, obs):
    how = "live migration" if rig.vm == "qemu" else "stop and start (libvirt's test driver cannot migrate)"
    heading(f"Maintenance: holdfast node standby node1 (VMs move by {how})")
    t0 = time.monotonic()
    p = rig.holdfast("node2", "node", "standby", "node1")
    if p.returncode != 0:
        raise CheckFailed(f"holdfast node standby node1: {p.stderr.strip()}")
    wait_for("both VMs moved off node1", lambda: placed_off(obs, "node1", rig.names), rig.lab)
    settle(obs)
    events = obs.log.snapshot()
    for line in describe(events, t0):
        say(line)
    last = max((e[0] for e in events if e[0] > t0 and e[2] == "node1" and e[1] in ("hvev", "diskev")), default=t0)
    say(f"   node1 ran nothing {last - t0:.2f} s after the command: it can be updated now")
    show_status(rig, "node2")
    heading("holdfast node online node1: the VMs come back to their preferred node")
    t1 = time.monotonic()
    p = rig.holdfast("node2", "node", "online", "node1")
    if p.returncode != 0:
        raise CheckFailed(f"holdfast node online node1: {p.stderr.strip()}")
    wait_for("both VMs run on node1 again", lambda: all_on(obs, "node1"), rig.lab)
    settle(obs)
    for line in describe(obs.log.snapshot(), t1):
        say(line)


def print_logs(rig, lines=30):
    """The last `lines` lines of every node's holdfastd.log (also used by `scenario`)."""
    for node in rig.names:
        path = os.path.join(rig.lab.dir, "nodes", node, "root", "var", "log", "holdfast", "holdfastd.log")
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                say(f"--- {node}: holdfastd.log (tail)\n" + "".join(f.readlines()[-lines:]))


def run(args):
    reason = missing_tools(args.vm)
    if reason:
        print(f"holdfast-lab demo: cannot run here: {reason}", file=sys.stderr)
        return 77  # what ctest's lab_demo takes as "skipped"
    become_subreaper()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = tempfile.mkdtemp(prefix="holdfast-demo-", dir=args.dir)
    rig = Rig(base, nodes=args.nodes, vm=args.vm)
    obs = None
    try:
        heading(f"Bringing up a {args.nodes}-node lab: corosync, holdfastd, libvirtd, a BMC per node, two LUNs")
        rig.up()
        show_status(rig, "node1")
        obs = Observer(rig, build_cpg_watch(base)).start()
        wait_for("the observer sees both VMs on node1", lambda: all_on(obs, "node1"), rig.lab)
        settle(obs)
        failover(rig, obs)
        maintenance(rig, obs)
        heading("Done: the lab goes down")
        return 0
    except (CheckFailed, RuntimeError, subprocess.TimeoutExpired, KeyboardInterrupt) as e:
        say(f"holdfast-lab demo: FAILED: {e}")
        print_logs(rig)
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        if obs:
            obs.stop()
        rig.down()
        shutil.rmtree(base, ignore_errors=True)
