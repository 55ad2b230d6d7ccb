"""`holdfast-lab scenario NAME`: the fault-injection suite of issue 6, on the VM lab of rig.py.

Every run brings up a fresh rig (two VMs after their disks on two LUNs, both on node1; IPMI fencing,
SCSI fencing as the second level), starts the independent event log (events.py), injects the
scenario's fault(s) (always logged with Observer.inject before the act), waits for the recovery the
scenario expects, heals the lab (thaw, cable, BMC, LUN, power on) and waits until the cluster is whole
again (every node online, each VM running once, on its preferred node1). Then the CIB digests go into
the log, the lab goes down and the invariant audits (audit.py) read the log: what they find are
"violations". A scenario that does not recover within a generous deadline is a "failure", with its
reason; the two are counted apart.

Waits are for states, read from the event log (where the VMs run, power, LUN keys) or, only to know
when to go on, from `holdfast status` / `fence history` on a survivor; no duration is ever asserted.
random.Random(seed + run index) picks the victims (and churn's faults): the seed is printed, so any
run replays with `--seed` (run i of `--seed S` is run 0 of `--seed S+i`).
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import audit
import holdfast_lab
from demo import print_logs, say
from events import Observer, build_cpg_watch, describe
from holdfast_lab import CheckFailed, become_subreaper, wait_for
from rig import DISKS, VMS, Rig, missing_tools


DEADLINE = 300  # seconds for any one state to be reached (the machine is shared and slow)
HOME = "node1"  # both VMs prefer it


class Run:
    """One run's lab, event log, random choices, injected fault count and what is broken now."""

    def __init__(self, rig, obs, rng):
        self.rig, self.obs, self.rng = rig, obs, rng
        self.faults = 0
        self.steps = 0  # churn's steps done
        self.frozen, self.cut, self.bmc_down = set(), set(), set()
        self.lun_down = False
        self.loaded = {}  # extra configuration a scenario loaded: name -> (resources, constraints)

    @property
    def names(self):
        return self.rig.names

    def fault(self, subject, what, *lab_args):
        """Logs the fault, then does it (a holdfast-lab verb, when given)."""
        self.obs.inject(subject, what)
        self.faults += 1
        if lab_args:
            self.rig.lab.run(*lab_args)

    def on(self, node):
        return self.rig.pid1(node) is not None

    def hosts(self):
        """The nodes that run a VM, as the event log says."""
        return sorted({n for vm in VMS for n in self.obs.where(vm)})

    def answering(self, node):
        """A node whose holdfast CLI can be asked (on, not frozen)."""
        return self.on(node) and node not in self.frozen

    def online(self, node):
        return self.rig.c.online(node) if self.answering(node) else []

    def current(self, source, subject):
        with self.obs.log.lock:
            return self.obs.log.current.get((source, subject))

    def keys_gone(self, node):
        """The node's key is on neither LUN (both answering): fenced on the LUNs."""
        views = [self.current("lun", f"lun{i}") for i in (1, 2)]
        return all(v is not None and node not in v[0] for v in views)

    def members(self, node):
        """The node's last Corosync membership (node names) its cpg_watch delivered, or None."""
        last = None
        for e in self.obs.log.snapshot():
            if e[1] == "cpg" and e[2] == node and e[3] == "members":
                last = e
        return None if last is None else {f"node{i}" for i in last[4]}

    def fenced_since(self, node, since, by=None):
        """A survivor's fence history has a successful fencing (not an unfencing) of node completed since
        `since` (epoch, whole seconds); `by` limits it to one device."""
        asker = next((s for s in self.names if s != node and self.answering(s)), None)
        if asker is None:
            return False
        return any(ok and action != "on" and when >= since and by in (None, device)
                   for action, ok, device, when in self.rig.c.fence_history(asker, node))


def wait(what, predicate, r):
    """holdfast_lab.wait_for with this suite's deadline."""
    holdfast_lab.DEADLINE = DEADLINE
    wait_for(what, predicate, r.rig.lab)


# -- building blocks: a node lost, recovery, healing ------------------------------------------------
def lose(r, victim, how):
    if how == "freeze":
        r.fault(victim, "every process frozen", "freeze", victim)
        r.frozen.add(victim)
    elif how == "kill":
        r.fault(victim, "power cut (every process SIGKILLed)", "kill", victim)
    elif how == "cut":
        r.fault(victim, "network cable unplugged", "cut", victim)
        r.cut.add(victim)


def recovered_without(r, victims, since, by=None):
    """The victims are fenced (history, and the power off or their keys gone), out of every survivor's
    Corosync membership and not online for any survivor, and every VM runs on exactly one node that is
    none of them. (Before Corosync has noticed, a power-on could be undone: see the report.)"""
    survivors = [n for n in r.names if n not in victims]

    def done():
        if any(set(victims) & (r.members(s) or set(victims)) for s in survivors):
            return False
        for v in victims:
            if not (r.current("node", v) == "off" or r.keys_gone(v)) or not r.fenced_since(v, since, by):
                return False
        if any(set(victims) & set(r.online(s)) or not r.online(s) for s in survivors):
            return False
        for vm in VMS:
            where = [n for n in r.obs.where(vm) if n not in victims]
            if len(where) != 1 or not r.on(where[0]):
                return False
        return True
    wait(f"{', '.join(victims)} fenced and both VMs running once on {' or '.join(survivors)}", done, r)


def power_on(r, node):
    """Through the node's BMC from a member (holdfast fence NODE --on); holdfast-lab boot when no
    member can (nobody answering)."""
    asker = next((n for n in r.names if n != node and r.answering(n) and r.online(n)), None)
    if asker is not None:
        p = r.rig.holdfast(asker, "fence", node, "--on")
        if p.returncode != 0:
            raise CheckFailed(f"holdfast fence {node} --on (from {asker}): {p.stderr.strip()}")
    else:
        r.rig.lab.run("boot", node)


def heal(r):
    """Undoes every fault still in place, powers on what is off, and waits for the nodes that were off
    to be online for everyone (then their event sources inside the node start again)."""
    for n in sorted(r.frozen):
        r.rig.lab.run("thaw", n, check=False)  # a node powered off meanwhile has nothing to thaw
    for n in sorted(r.cut):
        r.rig.lab.run("heal", n)
    for n in sorted(r.bmc_down):
        r.rig.lab.run("bmc", n, "up")
    if r.lun_down:
        r.rig.lab.run("lun", "up")
    r.frozen, r.cut, r.bmc_down, r.lun_down = set(), set(), set(), False
    booted = [n for n in r.names if not r.on(n)]
    for n in booted:
        power_on(r, n)
    for n in booted:
        wait(f"{n} powered on and online for every node",
             lambda: r.on(n) and all(n in r.online(m) for m in r.names if r.on(m)), r)
        r.obs.watch(n)


def whole(r):
    """Every node online for every node, each VM running once, on node1 (its preference), and so for
    a few consecutive samples (the cluster is done moving)."""
    def home():
        return all(r.on(n) and r.online(n) == r.names for n in r.names) and \
            all(r.obs.where(vm) == [HOME] for vm in VMS)

    def still():
        for _ in range(3):
            if not home():
                return False
            time.sleep(1)
        return True
    wait("the cluster whole again: every node online, both VMs running once on node1", still, r)


def epoch():
    return int(time.time()) - 1  # fence history times are whole seconds


def node_lost(r, victim, how, by=None):
    """A node lost (frozen, killed or cut): fenced, its VMs back on a survivor; then healed."""
    since = epoch()
    lose(r, victim, how)
    recovered_without(r, [victim], since, by)
    heal(r)


# -- the scenarios -------------------------------------------------------------------------------
def failover(r):
    """The VMs' node freezes: fenced through its BMC, the VMs start on a survivor."""
    node_lost(r, r.rng.choice(r.hosts()), "freeze")


def kill(r):
    """A node (any) powered off at once (holdfast-lab kill)."""
    node_lost(r, r.rng.choice(r.names), "kill")


def maintenance(r):
    """holdfast node standby: the VMs leave the node, then node online: they come back."""
    node = r.rng.choice(r.hosts())
    r.fault(node, "holdfast node standby")
    asker = next(n for n in r.names if n != node)
    p = r.rig.holdfast(asker, "node", "standby", node)
    if p.returncode != 0:
        raise CheckFailed(f"holdfast node standby {node}: {p.stderr.strip()}")
    wait(f"both VMs running once, not on {node}",
         lambda: all(len(r.obs.where(vm)) == 1 and r.obs.where(vm) != [node] for vm in VMS), r)
    p = r.rig.holdfast(asker, "node", "online", node)
    if p.returncode != 0:
        raise CheckFailed(f"holdfast node online {node}: {p.stderr.strip()}")


def partition(r):
    """A node's cable cut: 1|2 (three nodes) the majority fences it; 1|1 (two nodes) one side fences
    the other (either may win)."""
    victim = r.rng.choice(r.names)
    since = epoch()
    lose(r, victim, "cut")
    if len(r.names) == 2:
        wait("one of the two nodes fenced", lambda: any(r.current("node", n) == "off" or r.keys_gone(n)
                                                          for n in r.names), r)
        loser = next(n for n in r.names if r.current("node", n) == "off" or r.keys_gone(n))
    else:
        loser = victim
    recovered_without(r, [loser], since)
    heal(r)


def zombie(r):
    """BMC unreachable and the node frozen longer than the token: SCSI fences it (its keys go), the VMs
    start elsewhere; then it thaws: its writes are rejected and it must run nothing (the audits say)."""
    victim = r.rng.choice(r.hosts())
    since = epoch()
    r.fault(victim, "BMC unreachable", "bmc", victim, "down")
    r.bmc_down.add(victim)
    lose(r, victim, "freeze")
    recovered_without(r, [victim], since, by="scsi")
    thawed = epoch()
    r.rig.lab.run("thaw", victim)
    r.frozen.discard(victim)
    r.obs.inject(victim, "thawed (a zombie: fenced on the LUNs, still running)")
    r.faults += 1
    r.rig.lab.run("bmc", victim, "up")
    r.bmc_down.discard(victim)
    # Then the cluster decides: the zombie learns it was fenced (fence-reaction: its holdfastd stops, or
    # the node reboots) and, lost again, is fenced again through its BMC; or it rejoins and is unfenced.
    # Healing before that decision would race with the second fencing.
    survivors = [n for n in r.names if n != victim]

    def decided():
        if all(victim in r.online(m) for m in r.names):
            views = [r.current("lun", f"lun{i}") for i in (1, 2)]
            return all(v is not None and victim in v[0] for v in views)  # its key back on both LUNs
        return r.fenced_since(victim, thawed, by=f"ipmi-{victim}") and not r.on(victim) and \
            not any(victim in (r.members(s) or {victim}) for s in survivors)
    wait(f"{victim} fenced again through its BMC after the thaw, or rejoined and unfenced", decided, r)
    heal(r)


def bmc_down(r):
    """BMC unreachable, then the node powered off: level 1 fails, SCSI (level 2) fences."""
    victim = r.rng.choice(r.hosts())
    r.fault(victim, "BMC unreachable", "bmc", victim, "down")
    r.bmc_down.add(victim)
    node_lost(r, victim, "kill", by="scsi")


def fence_fail(r):
    """BMC and LUN unreachable, the node powered off: no level can fence, nothing may be recovered;
    the BMC back: fenced through it; the LUN back: the VMs recovered."""
    victim = r.rng.choice(r.hosts())
    since = epoch()
    r.fault(victim, "BMC unreachable", "bmc", victim, "down")
    r.bmc_down.add(victim)
    r.fault("luns", "LUN target unreachable", "lun", "down")
    r.lun_down = True
    lose(r, victim, "kill")
    survivor = next(n for n in r.names if n != victim)
    wait(f"two failed fencing attempts of {victim} in {survivor}'s history",
         lambda: len([h for h in r.rig.c.fence_history(survivor, victim) if not h[1] and h[3] >= since]) >= 2, r)
    r.rig.lab.run("bmc", victim, "up")
    r.bmc_down.discard(victim)
    r.rig.lab.run("lun", "up")
    r.lun_down = False
    recovered_without(r, [victim], since, by=f"ipmi-{victim}")
    heal(r)


def daemon_pids(r, node, comm):
    """PIDs of the node's processes named comm (its own PID namespace, read from the host's /proc)."""
    try:
        ns = os.stat(f"/proc/{r.rig.pid1(node)}/ns/pid").st_ino
    except OSError:  # off
        return []
    out = []
    for e in os.listdir("/proc"):
        try:
            if e.isdigit() and os.stat(f"/proc/{e}/ns/pid").st_ino == ns:
                with open(f"/proc/{e}/comm") as f:
                    if f.read().strip() == comm:
                        out.append(int(e))
        except OSError:
            pass
    return out


def sigkill(r, node, comm):
    """SIGKILL of one daemon on node, then waits until the node is fenced (its daemons do not come
    back: nothing restarts them) and the VMs run elsewhere; then heals."""
    since = epoch()
    pids = daemon_pids(r, node, comm)
    if not pids:
        raise CheckFailed(f"no {comm} process on {node}")
    r.fault(node, f"SIGKILL {comm}")
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    recovered_without(r, [node], since)
    heal(r)
    whole(r)


def daemon_kill(r):
    """SIGKILL of holdfastd and of corosync, one on the DC and one on another node (the seed says
    which gets which)."""
    daemons = ["holdfastd", "corosync"]
    r.rng.shuffle(daemons)
    for daemon, where in zip(daemons, ("dc", "other")):
        dc = r.rig.dc(r.names[0]) or r.names[0]
        node = dc if where == "dc" else r.rng.choice([n for n in r.names if n != dc])
        sigkill(r, node, daemon)


def monitor_fail(r):
    """With migration-threshold=1, a VM destroyed behind the cluster's back (virsh destroy) moves to
    another node; its fail count cleaned up afterwards, it comes back."""
    vm = r.rng.choice(VMS)
    configure(r, "migration-threshold", "".join(
        f'<primitive id="{v}"><meta_attributes id="{v}-meta"><nvpair id="{v}-meta-migration-threshold" '
        f'name="migration-threshold" value="1"/></meta_attributes></primitive>' for v in VMS), "")
    node = r.obs.where(vm)[0]
    r.fault(node, f"{vm} destroyed (virsh destroy)")
    p = subprocess.run(["virsh", "-c", r.rig.hypervisor_uri(node), "destroy", vm], capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        raise CheckFailed(f"virsh destroy {vm} on {node}: {p.stderr.strip()}")
    wait(f"{vm} running once, on another node than {node}",
         lambda: len(r.obs.where(vm)) == 1 and r.obs.where(vm) != [node], r)
    p = r.rig.holdfast(node, "resource", "cleanup", vm)
    if p.returncode != 0:
        raise CheckFailed(f"holdfast resource cleanup {vm}: {p.stderr.strip()}")


FLAKY = "flaky1"


def flaky_on(r, node):
    return r.answering(node) and r.rig.lab.exec(node, "test", "-e", f"/run/flaky-{FLAKY}.state").returncode == 0


def stop_fail(r):
    """A resource whose stop fails, with on-fail=fence (ocf:holdfast:Flaky, test/lab/agents): moved
    away, its stop fails, its node is fenced, it starts on another node."""
    victim = r.rng.choice(r.names)
    if "flaky" in r.loaded:  # an earlier churn step: it runs where that one left it
        wait(f"{FLAKY} runs on one node", lambda: sum(flaky_on(r, n) for n in r.names) == 1, r)
        victim = next(n for n in r.names if flaky_on(r, n))
    resource = (f'<primitive id="{FLAKY}" class="ocf" provider="holdfast" type="Flaky"><operations>'
                f'<op id="{FLAKY}-monitor" name="monitor" interval="5s"/>'
                f'<op id="{FLAKY}-stop" name="stop" interval="0" on-fail="fence"/></operations></primitive>')
    configure(r, "flaky", resource, f'<rsc_location id="{FLAKY}-prefers" rsc="{FLAKY}" node="{victim}" score="100"/>')
    wait(f"{FLAKY} runs on {victim}", lambda: flaky_on(r, victim), r)
    since = epoch()
    r.fault(victim, f"{FLAKY}'s stop fails (marker file)")
    if r.rig.lab.exec(victim, "touch", f"/run/flaky-{FLAKY}.fail-stop").returncode != 0:
        raise CheckFailed(f"could not set {FLAKY}'s fail-stop marker on {victim}")
    other = next(n for n in r.names if n != victim)
    p = r.rig.holdfast(other, "resource", "move", FLAKY, other)
    if p.returncode != 0:
        raise CheckFailed(f"holdfast resource move {FLAKY} {other}: {p.stderr.strip()}")
    recovered_without(r, [victim], since)
    wait(f"{FLAKY} runs on {other}", lambda: flaky_on(r, other), r)
    heal(r)  # the marker was in the fenced node's /run: gone with its power
    for args in (("resource", "clear", FLAKY), ("resource", "cleanup", FLAKY)):
        p = r.rig.holdfast(other, *args)
        if p.returncode != 0:
            raise CheckFailed(f"holdfast {' '.join(args)}: {p.stderr.strip()}")


def configure(r, name, resources, constraints):
    """Loads a configuration addition once per run (load update keeps the rest)."""
    if name in r.loaded:
        return
    xml = f"<configuration><resources>{resources}</resources><constraints>{constraints}</constraints></configuration>\n"
    p = r.rig.c.load(next(n for n in r.names if r.answering(n)), xml)
    if p.returncode != 0:
        raise CheckFailed(f"configure load update ({name}): {p.stderr.strip()}")
    r.loaded[name] = xml


SCENARIOS = {"failover": failover, "maintenance": maintenance, "kill": kill, "partition": partition,
             "zombie": zombie, "bmc-down": bmc_down, "fence-fail": fence_fail, "daemon-kill": daemon_kill,
             "monitor-fail": monitor_fail, "stop-fail": stop_fail}


ENOUGH = threading.Event()  # SIGUSR1: churn ends after the step in progress (the audits still run)


def churn(r, steps):
    """`steps` scenarios drawn by the seed, one after the other on the same lab, each from a whole
    cluster back to a whole cluster. r.steps counts the steps done."""
    for i in range(steps):
        if ENOUGH.is_set():
            say(f"   churn: SIGUSR1, ending after {r.steps} steps")
            return
        name = r.rng.choice(sorted(SCENARIOS))
        say(f"   churn step {i + 1}/{steps}: {name} ({r.faults} faults so far)")
        SCENARIOS[name](r)
        whole(r)
        r.steps += 1


# -- runs, audits and the report ------------------------------------------------------------------
def spec(rig):
    # with qemu guests the disks are clones (active on every node by design)
    return audit.Spec(nodes=list(rig.names), vms=list(VMS), disks=list(DISKS),
                      clones=list(DISKS) if rig.vm == "qemu" else [])


def node_count(args):
    return args.nodes or (3 if args.name == "partition" else 2)


def one_run(args, base, cpg_watch, seed):
    """One run on a fresh lab: {"faults", "violations" [(audit, t, text)], "failure" or None}."""
    rig = Rig(os.path.join(base, f"run-{seed}"), nodes=node_count(args), vm=args.vm)
    os.makedirs(rig.base, exist_ok=True)
    obs, r, failure, violations = None, None, None, []
    try:
        rig.up()
        obs = Observer(rig, cpg_watch).start()
        r = Run(rig, obs, random.Random(seed))
        wait("the event log sees both VMs on node1", lambda: all(obs.where(vm) == [HOME] for vm in VMS), r)
        if args.name == "churn":
            churn(r, args.steps or 200)
        else:
            SCENARIOS[args.name](r)
            whole(r)
        audit.cib_digests(rig, obs.log)
        violations = [(v.audit, v.t, v.text) for v in audit.check(obs.log.snapshot(), spec(rig))]
    except (CheckFailed, RuntimeError, subprocess.SubprocessError, OSError) as e:
        failure = f"{type(e).__name__}: {e}"
        say(f"   FAILED: {failure}")
    finally:
        try:
            if obs:
                obs.stop()
            if failure or violations:
                # what the daemons said, for the report of a bug
                print_logs(rig, int(os.environ.get("HOLDFAST_LOG_TAIL", "40")))
        finally:
            rig.down()  # also when the above raised (the lab must not outlive the run)
        for a, t, text in violations:  # what the event log says around each violation (times from t - 1 s)
            say(f"   around audit {a}'s violation at {wall(t)} ({text}):")
            for line in describe(obs.log.snapshot(), t - 1.0, t + 1.0):
                say("   " + line)
    if obs and os.environ.get("HOLDFAST_SCENARIO_TIMELINE"):
        for line in describe(obs.log.snapshot(), obs.log.t0):
            say(line)
    if obs and failure:
        violations = [(v.audit, v.t, v.text) for v in audit.check(obs.log.snapshot(), spec(rig))]
    return {"seed": seed, "faults": r.faults if r else 0, "steps": r.steps if r else 0, "violations": violations,
            "failure": failure}


def wall(t):
    """A CLOCK_MONOTONIC time as the wall-clock time holdfastd.log uses (every lab node shares the host's
    clocks), so a violation can be read against the daemons' logs."""
    stamp = time.time() - time.monotonic() + t
    return time.strftime("%H:%M:%S", time.localtime(stamp)) + f".{int(stamp * 1000) % 1000:03d}"


def report(args, seed, results):
    by_audit = {}
    for res in results:
        for a, _t, _text in res["violations"]:
            by_audit[str(a)] = by_audit.get(str(a), 0) + 1
    return {"scenario": args.name, "runs": len(results), "seed": seed, "nodes": node_count(args),
            "faults": sum(r["faults"] for r in results),
            "violations": sum(len(r["violations"]) for r in results), "violations_by_audit": by_audit,
            "failures": [{"seed": r["seed"], "reason": r["failure"]} for r in results if r["failure"]],
            **({"steps": sum(r["steps"] for r in results)} if args.name == "churn" else {})}


def run(args):
    reason = missing_tools(args.vm)
    if reason:
        print(f"holdfast-lab scenario: cannot run here: {reason}", file=sys.stderr)
        return 77  # ctest's "skipped"
    if args.name == "churn" and args.steps is not None and args.steps < 1:
        print("holdfast-lab scenario: --steps must be at least 1", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    become_subreaper()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGUSR1, lambda *_: ENOUGH.set())
    base = tempfile.mkdtemp(prefix="holdfast-scenario-", dir=args.dir)
    results = []
    try:
        cpg_watch = build_cpg_watch(base)
        for i in range(args.runs):
            say(f"== scenario {args.name}, run {i + 1}/{args.runs}, seed {seed + i}")
            res = one_run(args, base, cpg_watch, seed + i)
            results.append(res)
            for a, t, text in res["violations"]:
                say(f"   VIOLATION (audit {a}) at {wall(t)}: {text}")
            steps = f" steps={res['steps']}" if args.name == "churn" else ""
            say(f"{args.name} seed={seed + i}{steps} faults={res['faults']} violations={len(res['violations'])} "
                f"failures={1 if res['failure'] else 0}" + (f" ({res['failure']})" if res["failure"] else ""))
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        shutil.rmtree(base, ignore_errors=True)
    out = report(args, seed, results)
    if args.json:
        print(json.dumps(out), flush=True)
    complete = args.name != "churn" or out["steps"] == args.runs * (args.steps or 200)
    return 0 if out["violations"] == 0 and not out["failures"] and out["runs"] == args.runs and complete else 1
