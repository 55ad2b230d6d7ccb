#!/usr/bin/env python3
"""Fencing through real devices on a 3-node namespace lab (CTest `lab_fence_ipmi`, label `lab`):
`holdfast-lab up --bmc --lun` gives every node an ipmi_sim BMC whose power really is the node, and a
tgtd LUN on the switch. The CIB has a fence_ipmilan device per node (Debian's agent, RMCP+, cipher
suite 3; power_timeout 10 s, so an unreachable BMC fails in about 10 s instead of 20) at fencing level 1 and fence_holdfast_scsi on the LUN at level 2, stonith-action=off, and
Dummy d1 (ocf:heartbeat:Dummy).

  (a) the node running d1 is killed -> it is fenced through its BMC (history: device ipmi-NODE, the
      level-1 device), d1 starts elsewhere only after the fencing completed (d1's state file is newer
      than the history's completion time), the node stays off (no process left, BMC power off);
  (b) the victim's BMC is unreachable and the victim frozen -> level 1 fails, level 2 fences it on the
      LUN (history: device scsi): its key is gone from the LUN and a write through the victim's own
      iSCSI session gets RESERVATION CONFLICT;
  (c) BMC unreachable and the LUN unreachable -> d1 is not recovered and the history shows repeated
      failed attempts (the coordinator keeps retrying, backing off); the BMC reachable again ->
      fencing succeeds through it -> d1 is recovered.

The SCSI device provides unfencing: the cluster registers every node's key before anything starts
there (each node runs the agent's `on` itself), and registers a node fenced on the LUN again only once
it has rejoined; the test checks the keys, it never registers them itself.

Needs root, ip netns, ipmi_sim, ipmitool, Debian's fence_ipmilan, tgtd and resource-agents; exits 77
(skip) without them. Waits for states, never asserts durations. Everything the lab made dies with
`holdfast-lab down`, which run_lab_checks runs also on failure.
"""
import os
import re
import shutil
import subprocess
import sys
import time

from holdfast_lab import expect, wait_for, CheckFailed
from lab_checks import run_lab_checks
from vm_lab_rig import PrProbe, pr_key

NODES = ["node1", "node2", "node3"]
SCSI_AGENT = "/usr/sbin/fence_holdfast_scsi"
DUMMY_STATE = "/run/resource-agents/Dummy-d1.state"


def configuration(c, lun_url):
    bmc = {n: c.lab.status()[n]["bmc"].split(":")[0] for n in NODES}
    devices, levels = "", ""
    for n in NODES:
        devices += f"""
    <primitive id="ipmi-{n}" class="stonith" type="fence_ipmilan">
      <instance_attributes id="ipmi-{n}-params">
        <nvpair id="ipmi-{n}-ip" name="ip" value="{bmc[n]}"/>
        <nvpair id="ipmi-{n}-user" name="username" value="admin"/>
        <nvpair id="ipmi-{n}-password" name="password" value="holdfast-lab"/>
        <nvpair id="ipmi-{n}-lanplus" name="lanplus" value="1"/>
        <nvpair id="ipmi-{n}-cipher" name="cipher" value="3"/>
        <nvpair id="ipmi-{n}-power-wait" name="power_wait" value="1"/>
        <nvpair id="ipmi-{n}-power-timeout" name="power_timeout" value="10"/>
        <nvpair id="ipmi-{n}-hosts" name="pcmk_host_list" value="{n}"/>
      </instance_attributes>
    </primitive>"""
        levels += (f'\n    <fencing-level id="fl-{n}-1" target="{n}" index="1" devices="ipmi-{n}"/>'
                   f'\n    <fencing-level id="fl-{n}-2" target="{n}" index="2" devices="scsi"/>')
    return f"""<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="true"/>
      <nvpair id="opt-stonith-action" name="stonith-action" value="off"/>
      <nvpair id="opt-stonith-timeout" name="stonith-timeout" value="60s"/>
    </cluster_property_set>
  </crm_config>
  <rsc_defaults>
    <meta_attributes id="rsc-options">
      <nvpair id="rsc-options-stickiness" name="resource-stickiness" value="200"/>
    </meta_attributes>
  </rsc_defaults>
  <resources>{devices}
    <primitive id="scsi" class="stonith" type="fence_holdfast_scsi">
      <instance_attributes id="scsi-params">
        <nvpair id="scsi-devices" name="devices" value="{lun_url}"/>
        <nvpair id="scsi-hosts" name="pcmk_host_list" value="node1 node2 node3"/>
      </instance_attributes>
      <meta_attributes id="scsi-meta">
        <nvpair id="scsi-provides" name="provides" value="unfencing"/>
      </meta_attributes>
    </primitive>
    <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
      <operations><op id="d1-monitor-5s" name="monitor" interval="5s"/></operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="d1-prefers-node3" rsc="d1" node="node3" score="100"/>
  </constraints>
  <fencing-topology>{levels}
  </fencing-topology>
</configuration>
"""


class Rig:
    """What the checks share: the cluster, the LUN's URL, the observer's view of the LUN."""

    def __init__(self, c):
        self.c = c
        self.lab = c.lab
        top = self.lab.status()["lab"]
        self.url = top["lun"]
        self.switch = self.lab.id + "-sw"
        self.cluster = self.lab.cmap("node1", "totem.cluster_name")
        self.pr_probe = os.path.abspath(c.args.pr_probe)
        self.agent = os.path.abspath(c.args.scsi_agent)
        self.probe = PrProbe(self.pr_probe, self.switch, self.url)

    def keys(self):
        view = self.probe.read()
        if view is None:
            raise CheckFailed("the observer cannot read the LUN's keys")
        return view[0]

    def key(self, node):
        return pr_key(self.cluster, node)

    def d1_on(self):
        view = self.lab.status()
        return [n for n in NODES if view[n]["state"] == "running" and self.c.running(n)]

    def d1_started(self, node):
        """d1's state file's mtime inside node: when the agent started it (monitors do not touch it)."""
        p = self.lab.exec(node, "date", "-r", DUMMY_STATE, "+%s.%N")
        return float(p.stdout.strip())

    def history(self, node, target):
        return self.c.fence_history(node, target)

    def successes(self, node, target, device):
        return [h for h in self.history(node, target) if h[1] and h[2] == device]

    def ipmitool(self, node, *args):
        return self.lab.ipmitool(node, *args)

    def power_on(self, node):
        p = self.ipmitool(node, "chassis", "power", "on")
        expect(p.returncode == 0, f"{node} powered on through its BMC ({p.stderr.strip()})")
        wait_for(f"{node} joined again", lambda: self.c.online("node1") == NODES or self.c.online("node2") == NODES,
                 self.lab)

    def node_processes(self, node):
        with open(os.path.join(self.lab.dir, "nodes", node, "pid")) as f:
            pidns = int(f.read().split()[2])
        return pidns, [int(e) for e in os.listdir("/proc") if e.isdigit() and pid_ns_of(e) == pidns]


def pid_ns_of(pid):
    try:
        return os.stat(f"/proc/{pid}/ns/pid").st_ino
    except OSError:
        return None


def comm_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def survivor(victim):
    return next(n for n in NODES if n != victim)


def check_ipmi(r):
    """(a) killed -> level 1 (IPMI) -> recovery after the fencing; the node stays off."""
    victim = r.d1_on()[0]
    with open(os.path.join(r.lab.dir, "nodes", victim, "pid")) as f:
        pidns = int(f.read().split()[2])
    r.lab.run("kill", victim)
    other = survivor(victim)
    wait_for(f"{victim} fenced through ipmi-{victim} and d1 running on another node",
             lambda: r.successes(other, victim, f"ipmi-{victim}") and r.d1_on() not in ([], [victim]), r.lab)
    done = r.successes(other, victim, f"ipmi-{victim}")[-1]
    expect(done[0] == "off", "the fencing was an off (stonith-action=off)")
    now_on = r.d1_on()
    expect(len(now_on) == 1, f"d1 runs on one node ({now_on})")
    started = r.d1_started(now_on[0])
    expect(started >= done[3], f"d1 started on {now_on[0]} ({started:.2f}) after the fencing completed ({done[3]})")
    view = r.lab.status()[victim]
    left = [e for e in os.listdir("/proc") if e.isdigit() and pid_ns_of(e) == pidns]
    expect(view["state"] == "dead" and not left, f"{victim} is off: no process of it is left ({left[:3]})")
    expect(view["bmc_power"] == "off", f"{victim}'s BMC reads power off ({view['bmc_power']})")
    r.power_on(victim)


def writer(r, node):
    """lab_pr_probe inside node, with node's key on its own iSCSI session."""
    p = subprocess.Popen([r.lab.binary, "--dir", r.lab.dir, "exec", node, "--", r.pr_probe, r.url,
                          "--initiator", f"iqn.2026-12.org.holdfast:{node}-writer", "--register", r.key(node)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         bufsize=1)
    line = p.stdout.readline().strip()
    expect(line == "registered", f"{node}'s own session registered {node}'s key ({line})")
    return p


def ask(p, line):
    p.stdin.write(line + "\n")
    p.stdin.flush()
    return p.stdout.readline().strip()


def check_scsi(r):
    """(b) BMC unreachable -> level 2: the victim's key is gone and its writes conflict."""
    victim = r.d1_on()[0]
    w = writer(r, victim)
    try:
        expect(ask(w, "write") == "write=ok", f"{victim} writes to the LUN through its own session")
        pidns, _ = r.node_processes(victim)
        since = int(time.time())  # the history's times are whole seconds
        r.lab.run("bmc", victim, "down")
        r.lab.run("freeze", victim)
        other = survivor(victim)
        wait_for(f"{victim} fenced through scsi (level 2) and d1 running on another node",
                 lambda: r.successes(other, victim, "scsi") and r.d1_on() not in ([], [victim]), r.lab)
        done = r.successes(other, victim, "scsi")[-1]
        expect(not [h for h in r.successes(other, victim, f"ipmi-{victim}") if h[3] >= since],
               "no fencing of the victim succeeded through its unreachable BMC")
        expect(r.key(victim) not in r.keys(), f"{victim}'s key {r.key(victim)} is gone from the LUN")
        started = r.d1_started([n for n in r.d1_on() if n != victim][0])
        expect(started >= done[3], "d1 started after the SCSI fencing completed")
        # only the writer wakes up: the rest of the victim stays frozen
        probe_pids = [int(e) for e in os.listdir("/proc") if e.isdigit() and pid_ns_of(e) == pidns and
                      comm_of(e) == "lab_pr_probe"]
        for pid in probe_pids:
            os.kill(pid, 18)  # SIGCONT
        answer = ask(w, "write")
        expect(answer == "write=reservation_conflict",
               f"a write through {victim}'s own session gets RESERVATION CONFLICT ({answer})")
    finally:
        w.kill()
        w.wait()
    r.lab.run("bmc", victim, "up")
    p = r.ipmitool(victim, "chassis", "power", "off")
    expect(p.returncode == 0, f"{victim} powered off through its BMC, reachable again")
    r.power_on(victim)
    # a node fenced on the LUN registers again once it has rejoined: the cluster unfences it
    wait_for(f"{victim} rejoined and was unfenced: its key is on the LUN again", lambda: r.key(victim) in r.keys(),
             r.lab)


def check_both_fail(r):
    """(c) both levels fail -> no recovery, repeated failed attempts; the BMC back -> fenced -> recovery."""
    victim = r.d1_on()[0]
    other = survivor(victim)
    r.lab.run("bmc", victim, "down")
    r.lab.run("lun", "down")
    r.lab.run("kill", victim)
    failures = lambda: [h for h in r.history(other, victim) if not h[1]]
    before = len(failures())
    end = time.monotonic() + 240
    while len(failures()) < before + 2:
        if time.monotonic() > end:
            raise CheckFailed("no two failed fencing attempts of the victim within 240 s")
        on = r.d1_on()
        if on:
            raise CheckFailed(f"d1 was recovered on {on} although {victim} was never fenced")
        time.sleep(1)
    expect(r.d1_on() == [], f"after {len(failures()) - before} failed attempts d1 is still not recovered")
    expect(not r.successes(other, victim, f"ipmi-{victim}")[-1:] or
           r.successes(other, victim, f"ipmi-{victim}")[-1][3] < failures()[-1][3],
           "no success after the failures")
    r.lab.run("bmc", victim, "up")
    wait_for(f"{victim} fenced through its BMC again reachable and d1 recovered",
             lambda: [h for h in r.successes(other, victim, f"ipmi-{victim}") if h[3] >= failures()[-1][3]] and
             r.d1_on() not in ([], [victim]), r.lab)
    done = r.successes(other, victim, f"ipmi-{victim}")[-1]
    started = r.d1_started(r.d1_on()[0])
    expect(started >= done[3], "d1 started after the fencing that finally succeeded")
    print(r.c.cli(other, "fence", "history", victim).stdout, flush=True)
    r.lab.run("lun", "up")


def checks(c, base):
    r = Rig(c)
    try:
        wait_for("three nodes online, with quorum", lambda: c.online("node1") == NODES and c.quorate("node1"), c.lab)
        p = c.load("node1", configuration(c, r.url))
        expect(p.returncode == 0, f"configure load update succeeds ({p.stderr.strip()})")
        wait_for("every node unfenced (its key on the LUN) and d1 running on node3",
                 lambda: {r.key(n) for n in NODES} <= r.keys() and r.d1_on() == ["node3"], c.lab)
        for step in (check_ipmi, check_scsi, check_both_fail):
            began = time.monotonic()
            step(r)
            print(f"{step.__name__} took {time.monotonic() - began:.1f} s (information, not checked)", flush=True)
    finally:
        r.probe.close()


def more_args(parser):
    parser.add_argument("--pr-probe", required=True, help="lab_pr_probe binary")
    parser.add_argument("--scsi-agent", required=True, help="fence_holdfast_scsi binary")


def more_skip():
    for tool in ("ipmi_sim", "ipmitool", "tgtd", "tgtadm"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed (scripts/deps: openipmi, ipmitool, tgt)"
    if not os.access("/usr/sbin/fence_ipmilan", os.X_OK):
        return "fence_ipmilan is not installed (scripts/deps: fence-agents)"
    if os.path.exists(SCSI_AGENT) and not os.path.islink(SCSI_AGENT):
        return f"{SCSI_AGENT} is installed: the test would not run the agent just built"
    return None


def main():
    if os.geteuid() != 0:
        print("skipped: needs root")
        return 77
    os.environ["PYTHONWARNINGS"] = "ignore"  # fence_ipmilan's DeprecationWarning
    scsi = os.path.abspath(sys.argv[sys.argv.index("--scsi-agent") + 1]) if "--scsi-agent" in sys.argv else None
    # the fencer looks for agents in /usr/sbin, as Pacemaker does
    ours = scsi and not os.path.exists(SCSI_AGENT)
    if ours:
        os.symlink(scsi, SCSI_AGENT)
    try:
        return run_lab_checks("fence-ipmi", NODES, checks, ("--bmc", "--lun"), more_args, more_skip)
    finally:
        if ours and os.path.islink(SCSI_AGENT):
            os.remove(SCSI_AGENT)


if __name__ == "__main__":
    sys.exit(main())
