"""`holdfast-lab bench failover`: from a node's failure until every resource runs again, Holdfast against
Pacemaker 2.1.5 on the same namespace lab, with the same fence and resource agents (issue 6).

Each stack gets `holdfast-lab up --nodes N --token T --stack STACK --bmc --lun` (with --vs pacemaker
both labs are up at once and the runs alternate between them, which one goes first alternating too) and
the same configuration: stonith-enabled=true, stonith-action=off; fencing level 1 fence_ipmilan on each
node's ipmi_sim BMC, level 2 fence_holdfast_scsi on the lab's LUN (--fencing scsi swaps them); two
"disks" and two "VMs" (ocf:heartbeat:Dummy stand-ins), order disk_i then vm_i, vm_i colocated with
disk_i, all preferring the node that will be the victim. Per run:

  T0    the victim (the DC, or a node that is not the DC) freezes: `holdfast-lab freeze` stops every
        process of it (the issue's node that "almost stops functioning")
  Td    a survivor's Corosync delivers a membership without it (test/bench/cpg_watch.c in every node)
  fence the fence agents' own runs (off of the victim): stamped by a wrapper, /usr/sbin/fence_bench_*,
        that both fencers run instead of the real agent (same stdin, same arguments)
  starts the resource agents' own start runs on the survivors: stamped by a wrapper agent,
        ocf:holdfast-failover-bench:Dummy, that runs Debian's ocf:heartbeat:Dummy
  Tend  the last of those starts ended: every resource runs again (checked from outside the daemons: its
        Dummy state file in a survivor's private /run)

total = Tend - T0; overhead = total - (Td - T0) - the fence agents' runs - the starts on the critical
path (the disk's and the VM's of the chain that finished last). The wrappers stamp into each node's
/var/log/holdfast (a per-node directory the host reads); they are installed for the run and removed
afterwards, also on failure. Times: the wrappers' wall clock, converted to CLOCK_MONOTONIC (one clock
for the host and the nodes). After each run the victim is powered off (if fencing left it frozen) and
on again through its BMC, and the next run waits until it runs every resource again. Not a test:
nothing here asserts a time.
"""
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time

import cluster_bench
import fence_bench
from holdfast_lab import Lab, become_subreaper, reap, skip_reason, wait_for

CHAINS = (("disk1", "vm1"), ("disk2", "vm2"))
RESOURCES = [r for chain in CHAINS for r in chain]
STAMPS = "/var/log/holdfast/failover-bench.stamps"  # inside a node: a per-node bind mount the host sees
RA_PROVIDER = "holdfast-failover-bench"
RA_DIR = "/usr/lib/ocf/resource.d/" + RA_PROVIDER
KINDS = {"other": "a node that is not the DC", "dc": "the DC"}
STACK_NAMES = {"holdfast": "Holdfast", "pacemaker": "Pacemaker 2.1.5"}
README_MARKER = "failover-bench"

# Both wrappers stamp with bash's $EPOCHREALTIME and use builtins only, so that their own work (a
# `date` or a subshell is a fork, milliseconds on a loaded machine) falls inside the agent's stamped run
# and not in the stack's overhead before or after it.
FENCE_WRAPPER = """#!/bin/bash
# Installed by `holdfast-lab bench failover` for its run and removed afterwards: runs {real} with the
# same arguments and stdin and stamps its own run (wall clock) into the node's {stamps}.
start=$EPOCHREALTIME
[ $# -gt 0 ] && exec {real} "$@"
mapfile -t input
what=""
for line in "${{input[@]}}"; do
    case "$line" in action=*|ip=*|plug=*|port=*) what+="$line ";; esac
done
printf -v joined '%s\\n' "${{input[@]}}"
PYTHONWARNINGS=ignore {real} <<< "${{joined%$'\\n'}}"
rc=$?
echo "fence {name} $start $EPOCHREALTIME $rc $what" >> {stamps}
exit $rc
"""

RA_WRAPPER = """#!/bin/bash
# Installed by `holdfast-lab bench failover` for its run and removed afterwards: Debian's
# ocf:heartbeat:Dummy, with its start and stop runs stamped (wall clock) into the node's {stamps}.
start=$EPOCHREALTIME
/usr/lib/ocf/resource.d/heartbeat/Dummy "$@"
rc=$?
case "$1" in start|stop) echo "ra $OCF_RESOURCE_INSTANCE $1 $start $EPOCHREALTIME $rc" >> {stamps};; esac
exit $rc
"""


class Wrappers:
    """The stamping agents in the host's /usr/sbin and OCF tree, which every lab node shares; remove()
    takes away exactly what install() put there."""

    def __init__(self, bins):
        self.fence = {"ipmi": ("fence_bench_ipmilan", "/usr/sbin/fence_ipmilan"),
                      "scsi": ("fence_bench_scsi", os.path.join(bins, "fence_holdfast_scsi"))}
        self.made = []

    def _write(self, path, text):
        if os.path.lexists(path):
            raise RuntimeError(f"{path} exists already (another run of this benchmark?)")
        with open(path, "w") as f:
            f.write(text)
        self.made.append(path)
        os.chmod(path, 0o755)

    def install(self):
        for name, real in self.fence.values():
            self._write("/usr/sbin/" + name, FENCE_WRAPPER.format(real=real, name=name, stamps=STAMPS))
        if os.path.exists(RA_DIR):
            raise RuntimeError(f"{RA_DIR} exists already (another run of this benchmark?)")
        os.makedirs(RA_DIR)
        self.made.append(RA_DIR)
        self._write(os.path.join(RA_DIR, "Dummy"), RA_WRAPPER.format(stamps=STAMPS))

    def remove(self):
        for path in reversed(self.made):
            if os.path.isdir(path):
                os.rmdir(path)
            elif os.path.lexists(path):
                os.remove(path)
        self.made = []


def nvpairs(owner, pairs):
    return "".join(f'<nvpair id="{owner}-{k}" name="{k}" value="{v}"/>' for k, v in pairs)


def stonith(rid, agent, params, meta=()):
    attrs = f'<meta_attributes id="{rid}-meta">{nvpairs(rid + "-meta", meta)}</meta_attributes>' if meta else ""
    return (f'<primitive id="{rid}" class="stonith" type="{agent}"><instance_attributes id="{rid}-params">'
            f'{nvpairs(rid, params)}</instance_attributes>{attrs}</primitive>')


def scsi_device(nodes, lun, wrappers, victim, stack):
    """The SCSI fencing device. In two nodes both survivors of a split would fence each other on the LUN
    at once (a loaded machine splits a 300 ms token now and then): the other node is fenced 5 s late, so
    the run's victim loses such a race, and its own fencing, the one measured, has no delay. Pacemaker
    unfences only a node that rejoined the cluster, which the agent otherwise learns from holdfastd
    (rejoined=1): without it, a key removed by a fencing is not registered again."""
    params = [("devices", lun), ("pcmk_host_list", " ".join(nodes))]
    if len(nodes) == 2:
        other = next(n for n in nodes if n != victim)
        params.append(("pcmk_delay_base", f"{victim}:0;{other}:5s"))
    if stack == "pacemaker":
        params.append(("rejoined", "1"))
    return stonith("scsi", wrappers.fence["scsi"][0], params, (("provides", "unfencing"),))


def sections(nodes, bmc, lun, fencing, wrappers, victim, stack):
    """The configuration both stacks get, as {section: XML}: crm_config properties, resources,
    constraints (everything preferring `victim`) and the fencing topology."""
    ipmi = wrappers.fence["ipmi"][0]
    devices = "".join(stonith(f"ipmi-{n}", ipmi, (
        ("ip", bmc[n]), ("username", "admin"), ("password", "holdfast-lab"), ("lanplus", "1"), ("cipher", "3"),
        ("power_wait", "1"), ("power_timeout", "10"), ("pcmk_host_list", n))) for n in nodes)
    devices += scsi_device(nodes, lun, wrappers, victim, stack)
    dummies = "".join(f'<primitive id="{r}" class="ocf" provider="{RA_PROVIDER}" type="Dummy"><operations>'
                      f'<op id="{r}-monitor-10s" name="monitor" interval="10s" timeout="20s"/></operations></primitive>'
                      for r in RESOURCES)
    order = ("scsi", "ipmi") if fencing == "scsi" else ("ipmi", "scsi")
    topology = "".join(f'<fencing-level id="fl-{n}-{i}" target="{n}" index="{i}" '
                       f'devices="{"scsi" if d == "scsi" else "ipmi-" + n}"/>'
                       for n in nodes for i, d in enumerate(order, 1))
    return {"properties": (("stonith-enabled", "true"), ("stonith-action", "off"), ("stonith-timeout", "60s")),
            "resources": f"<resources>{devices}{dummies}</resources>",
            "constraints": constraints(victim),
            "fencing-topology": f"<fencing-topology>{topology}</fencing-topology>"}


def constraints(victim):
    out = ""
    for disk, vm in CHAINS:
        out += (f'<rsc_order id="{disk}-then-{vm}" first="{disk}" then="{vm}" kind="Mandatory"/>'
                f'<rsc_colocation id="{vm}-with-{disk}" rsc="{vm}" with-rsc="{disk}" score="INFINITY"/>')
    out += "".join(f'<rsc_location id="{r}-prefers" rsc="{r}" node="{victim}" score="100"/>' for r in RESOURCES)
    return f"<constraints>{out}</constraints>"


def read_stamps(path, since):
    """The wrapper lines of one node from wall time `since` on: [("fence", name, s, e, rc, {k: v})] and
    [("ra", rsc, action, s, e, rc)]."""
    out = []
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return out
    for line in lines:
        w = line.split()
        if len(w) >= 5 and w[0] == "fence" and float(w[2]) >= since:
            out.append(("fence", w[1], float(w[2]), float(w[3]), int(w[4]),
                        dict(x.split("=", 1) for x in w[5:] if "=" in x)))
        elif len(w) == 6 and w[0] == "ra" and float(w[3]) >= since:
            out.append(("ra", w[1], w[2], float(w[3]), float(w[4]), int(w[5])))
    return out


class StackRun:
    """One stack's lab, its instruments (a membership watcher in every node) and the runs measured on it."""

    def __init__(self, stack, args, base, wrappers):
        self.stack, self.args, self.wrappers = stack, args, wrappers
        self.lab = Lab(args.lab_binary, os.path.join(base, stack))
        self.nodes = [f"node{i}" for i in range(1, args.nodes + 1)]
        self.watchers, self.preferred, self.bmc, self.lun = {}, None, {}, None
        self.samples = {k: [] for k in KINDS}

    # -- what the cluster says (only to choose the victim and to wait; never timed) --------------------
    def status(self, node):
        return cluster_bench.status_text(self.lab, self.stack, self.args.holdfast, node)

    def dc(self):
        m = re.search(r"Current DC: (\S+)", self.status(self.nodes[0]))
        return m.group(1) if m else None

    def settled(self):
        """Every node online with quorum and one DC; every configured resource, the fence devices too,
        started, as the first node's status says."""
        if not cluster_bench.ready(self.lab, self.stack, self.args.holdfast, self.nodes):
            return False
        text = self.status(self.nodes[0])
        ids = [f"ipmi-{n}" for n in self.nodes] + ["scsi"] + RESOURCES
        return all(re.search(rf"\b{re.escape(i)}\b[^\n]*Started", text) for i in ids)

    # -- what is true, read outside the daemons ----------------------------------------------------------
    def pids(self):
        view = self.lab.status()
        return {n: int(view[n]["pid"]) for n in self.nodes if view[n]["state"] == "running"}

    def running(self, pids):
        """{resource: [nodes whose private /run holds its Dummy state file]} among the nodes in pids."""
        return {r: [n for n, pid in pids.items()
                    if os.path.exists(f"/proc/{pid}/root/run/resource-agents/Dummy-{r}.state")] for r in RESOURCES}

    def stamps(self, node, since):
        return read_stamps(os.path.join(self.lab.dir, "nodes", node, "root", STAMPS.lstrip("/")), since)

    # -- the lab -----------------------------------------------------------------------------------------
    def start(self, victim):
        print(f"{self.stack}: starting a {len(self.nodes)}-node lab", flush=True)
        self.lab.up(len(self.nodes), "--stack", self.stack, "--bmc", "--lun", token=self.args.token or 3000)
        view = self.lab.status()
        self.bmc = {n: view[n]["bmc"].split(":")[0] for n in self.nodes}
        self.lun = view["lab"]["lun"]
        wait_for("one DC, quorum and every node online",
                 lambda: cluster_bench.ready(self.lab, self.stack, self.args.holdfast, self.nodes), self.lab)
        self.load(victim)

    def load(self, victim):
        s = sections(self.nodes, self.bmc, self.lun, self.args.fencing, self.wrappers, victim, self.stack)
        if self.stack == "holdfast":
            text = (f'<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">'
                    f'{nvpairs("bench", s["properties"])}</cluster_property_set></crm_config>{s["resources"]}'
                    f'{s["constraints"]}{s["fencing-topology"]}</configuration>\n')
            self.lab.exec(self.nodes[0], "sh", "-c",
                          "cat > /var/lib/holdfast/failover-bench.xml <<'EOF'\n" + text + "EOF")
            steps = [[self.args.holdfast, "configure", "load", "update", "/var/lib/holdfast/failover-bench.xml"]]
        else:
            steps = [["crm_attribute", "--type", "crm_config", "--name", k, "--update", v] for k, v in s["properties"]]
            steps += [["cibadmin", "--replace", "--scope", scope, "--xml-text", s[scope]]
                      for scope in ("resources", "constraints")]
            # the lab's first CIB has no fencing-topology section to replace
            steps.append(["cibadmin", "--create", "--scope", "configuration", "--xml-text", s["fencing-topology"]])
        self.run_steps(steps)
        self.preferred = victim

    def prefer(self, victim):
        """Every resource prefers `victim` (its location constraints changed in place)."""
        if victim == self.preferred:
            return
        # in two nodes the SCSI device's delay follows the victim (scsi_device)
        scsi = scsi_device(self.nodes, self.lun, self.wrappers, victim, self.stack) if len(self.nodes) == 2 else ""
        if self.stack == "holdfast":
            resources = f"<resources>{scsi}</resources>" if scsi else ""
            text = f"<configuration>{resources}{constraints(victim)}</configuration>\n"
            self.lab.exec(self.nodes[0], "sh", "-c",
                          "cat > /var/lib/holdfast/failover-bench-prefer.xml <<'EOF'\n" + text + "EOF")
            steps = [[self.args.holdfast, "configure", "load", "update", "/var/lib/holdfast/failover-bench-prefer.xml"]]
        else:
            steps = [["cibadmin", "--replace", "--scope", "constraints", "--xml-text", constraints(victim)]]
            if scsi:
                steps.append(["cibadmin", "--modify", "--scope", "resources", "--xml-text",
                              f"<resources>{scsi}</resources>"])
        self.run_steps(steps)
        self.preferred = victim

    def run_steps(self, steps):
        for argv in steps:
            p = self.lab.exec(self.nodes[0], *argv, timeout=60)
            if p.returncode != 0:
                raise RuntimeError(f"{' '.join(argv[:4])} failed: {p.stderr.strip()}")

    def instruments(self):
        """A membership watcher in every node; a node's old one died with it."""
        for node in self.nodes:
            if node not in self.watchers or self.watchers[node].proc.poll() is not None:
                self.watchers[node] = fence_bench.Watcher(self.lab, node, self.args.cpg_watch)
                self.watchers[node].start()

    def down(self):
        for w in self.watchers.values():
            w.close()
        self.watchers = {}
        if self.lab.id is None and not os.path.exists(self.lab.dir):
            return  # never made, or already taken down
        if self.args.logs:  # the nodes' daemon and Corosync logs, to DIR/STACK/NODE
            self.lab.keep_logs(os.path.join(self.args.logs, self.stack), self.nodes)
        if self.lab.down(f"bench failover: {self.stack}"):
            shutil.rmtree(self.lab.dir, ignore_errors=True)
        self.lab.id = None

    # -- one run ---------------------------------------------------------------------------------------
    def ready_for(self, kind):
        """The victim for this kind of run, once everything is started and runs on it (the DC can change
        when a node rejoins, so the choice is checked again after the resources moved)."""
        for _ in range(3):
            wait_for("every node online, one DC, everything started", self.settled, self.lab)
            dc = self.dc()
            victim = dc if kind == "dc" else [n for n in self.nodes if n != dc][-1]
            self.prefer(victim)
            wait_for(f"every resource running on {victim} only, everything started",
                     lambda: self.settled() and all(on == [victim] for on in self.running(self.pids()).values()),
                     self.lab)
            if (self.dc() == victim) == (kind == "dc"):
                self.instruments()
                return victim
        raise RuntimeError(f"the DC kept changing; no {KINDS[kind]} to fail")

    def until_recovered(self, pids):
        """Polls the survivors' /run (every 10 ms) until every resource runs on one of them."""
        end = time.monotonic() + 300
        while True:
            on = self.running(pids)
            if all(on[r] for r in RESOURCES):
                return time.monotonic(), on
            if time.monotonic() > end:
                raise RuntimeError(f"not every resource running again on the survivors after 300 s: {on}")
            time.sleep(0.01)

    def agent_runs(self, victim, survivors, since, offset):
        """(the fence agents' runs against the victim, {resource: its successful start}) from the survivors'
        stamps, as (start, end, ...) in monotonic seconds. A wrapper stamps after its agent returned, so
        the last stamps may follow the state files by a moment."""
        end = time.monotonic() + 30
        while True:
            fences, starts = self.stamped(victim, survivors, since, offset)
            missing = [r for r in RESOURCES if r not in starts]
            if (any(f[2] == 0 for f in fences) and not missing) or time.monotonic() > end:
                break
            time.sleep(0.1)
        if not any(f[2] == 0 for f in fences) or missing:
            raise RuntimeError(f"the stamps show fencing {fences} and starts {starts} (missing {missing})")
        return fences, starts

    def stamped(self, victim, survivors, since, offset):
        fences, starts = [], {}
        for node in survivors:
            for s in self.stamps(node, since):
                if s[0] == "fence" and s[5].get("action") in ("off", "reboot") and self.target(s[5]) == victim:
                    fences.append((s[2] - offset, s[3] - offset, s[4], s[1]))
                elif s[0] == "ra" and s[2] == "start" and s[5] == 0:
                    starts[s[1]] = (s[3] - offset, s[4] - offset, node)
        fences.sort()
        return fences, starts

    def target(self, fields):
        """The node a fence agent's run was against: its plug (port), else the node whose BMC it drove."""
        by_bmc = next((n for n, a in self.bmc.items() if a == fields.get("ip")), None)
        return fields.get("plug") or fields.get("port") or by_bmc

    def one(self, i, kind):
        victim = self.ready_for(kind)
        survivors = [n for n in self.nodes if n != victim]
        pids = {n: p for n, p in self.pids().items() if n != victim}
        watcher = self.watchers[survivors[0]]
        watcher.drain()
        since = time.time() - 0.5
        t0 = time.monotonic()
        self.lab.run("freeze", victim)
        td = watcher.without(self.nodes.index(victim) + 1, 120)
        tpoll, on = self.until_recovered(pids)
        offset = time.time() - time.monotonic()
        fences, starts = self.agent_runs(victim, survivors, since, offset)
        s = timings(t0, td, fences, starts)
        s.update(victim=victim, observer=survivors[0], seen_running=tpoll - t0,
                 where={r: on[r][0] for r in RESOURCES})
        self.samples[kind].append(s)
        print(f"{self.stack} run {i}: victim {victim} ({KINDS[kind]}): total {s['total'] * 1000:.0f} ms, detection "
              f"{s['detect'] * 1000:.0f} ms, fence agent {s['fence'] * 1000:.0f} ms, starts "
              f"{s['starts'] * 1000:.0f} ms, overhead {s['overhead'] * 1000:.0f} ms (to the fence agent {s['to_fence'] * 1000:.0f}, fence -> start "
              f"{s['fence_to_start'] * 1000:.0f}, disk -> VM {s['disk_to_vm'] * 1000:.0f})"
              + ("" if s["after_fence"] else "; A START BEGAN BEFORE THE FENCING ENDED"), flush=True)
        self.recover(victim)

    def recover(self, victim):
        """The victim off (if the fencing left it frozen) and on again through its BMC, so the BMC's power
        state stays the node's."""
        if self.lab.status()[victim]["state"] == "running":
            p = self.lab.ipmitool(victim, "chassis", "power", "off")
            if p.returncode != 0:
                raise RuntimeError(f"{victim}: ipmitool power off failed: {p.stderr.strip()}")
        wait_for(f"{victim} off, its BMC reading power off",
                 lambda: self.lab.status()[victim]["bmc_power"] == "off", self.lab)
        p = self.lab.ipmitool(victim, "chassis", "power", "on")
        if p.returncode != 0:
            raise RuntimeError(f"{victim}: ipmitool power on failed: {p.stderr.strip()}")


def timings(t0, td, fences, starts):
    """One run's figures (seconds) and its timeline relative to T0."""
    tend = max(e for _, e, _ in starts.values())
    disk, vm = max(CHAINS, key=lambda c: starts[c[1]][1])  # the chain that finished last
    fence_runs = [f for f in fences if f[0] < starts[disk][0]]  # those before the critical start
    fenced = max(f[1] for f in fence_runs if f[2] == 0) if any(f[2] == 0 for f in fence_runs) else fences[-1][1]
    fence = sum(e - s for s, e, _, _ in fence_runs)
    run_of = {r: starts[r][1] - starts[r][0] for r in RESOURCES}
    total, detect = tend - t0, td - t0
    return {
        "total": total, "detect": detect, "fence": fence, "starts": run_of[disk] + run_of[vm],
        "overhead": total - detect - fence - run_of[disk] - run_of[vm],
        "to_fence": (fence_runs or fences)[0][0] - td, "fence_to_start": starts[disk][0] - fenced,
        "disk_to_vm": starts[vm][0] - starts[disk][1], "critical": [disk, vm],
        "after_fence": all(starts[r][0] >= fenced for r in RESOURCES),
        "timeline": {"detect": detect, "fence": [(s - t0, e - t0, rc, a) for s, e, rc, a in fences],
                     "starts": {r: (s - t0, e - t0, n) for r, (s, e, n) in starts.items()}, "end": total},
    }


def measure(runs, args, failures):
    """Alternating runs on both stacks; a stack that fails is reported, taken down and dropped."""
    everyone = list(runs)
    kinds = list(KINDS) if args.victim == "both" else [args.victim]
    first = "node1" if kinds[0] == "dc" else f"node{args.nodes}"
    cluster_bench.guarded(runs, failures, "starting", lambda r: r.start(first))
    for i in range(1, args.runs + 1):
        for kind in kinds:  # which stack goes first alternates, so neither always follows the other's load
            cluster_bench.guarded(runs, failures, f"run {i} ({KINDS[kind]})", lambda r: r.one(i, kind),
                                  reverse=i % 2 == 0)
    return {r.stack: r.samples for r in everyone if any(r.samples.values())}


# ---- the report ---------------------------------------------------------------------------------------

FIGURES = ("total", "detect", "fence", "starts", "overhead", "to_fence", "fence_to_start", "disk_to_vm")
ROWS = [  # label, key
    ("total: failure -> every resource running again", "total"),
    ("detection: failure -> a survivor's membership without the victim (Corosync)", "detect"),
    ("the fence agents' own runs", "fence"),
    ("the resource agents' own starts on the critical path (disk + VM)", "starts"),
    ("**overhead**: total - detection - the agents' runs", "overhead"),
    ("... of which: detection -> the fence agent starts", "to_fence"),
    ("... of which: the fencing ends -> the disk's start begins", "fence_to_start"),
    ("... of which: the disk started -> the VM's start begins", "disk_to_vm"),
]


def summary(samples):
    out = {"runs": len(samples)}
    for k in FIGURES:
        values = [s[k] for s in samples]
        out[k + "_median"], out[k + "_max"] = statistics.median(values), max(values)
    return out


def as_json(results):
    """The issue's keys per stack (all runs of the stack), then the same figures per kind of victim and
    every run's, in ms."""
    out = {}
    for stack, by_kind in results.items():
        every = [s for samples in by_kind.values() for s in samples]
        if not every:
            continue
        whole = summary(every)
        ms = lambda v: round(v * 1000, 1)  # noqa: E731
        out[stack] = {"median_ms": ms(whole["total_median"]), "max_ms": ms(whole["total_max"]),
                      "detection_median_ms": ms(whole["detect_median"]),
                      "overhead_median_ms": ms(whole["overhead_median"]), "runs": len(every),
                      "by_victim": {kind: {k: (ms(v) if k != "runs" else v) for k, v in summary(samples).items()}
                                    for kind, samples in by_kind.items() if samples},
                      "samples": [{**{k: ms(s[k]) for k in FIGURES}, "victim": s["victim"],
                                   "after_fence": s["after_fence"]} for s in every]}
    return out


def table(results, stacks):
    head = " | ".join(STACK_NAMES[s] for s in stacks)
    out = [f"| victim | measure (median / max) | {head} |", "|---|---|" + "---|" * len(stacks)]
    for kind, what in KINDS.items():
        got = {s: summary(results[s][kind]) for s in stacks if results.get(s, {}).get(kind)}
        if not got:
            continue
        runs = "/".join(str(got[s]["runs"]) if s in got else "0" for s in stacks)
        for label, key in ROWS:
            cells = [f"{got[s][key + '_median'] * 1000:.0f} ms / {got[s][key + '_max'] * 1000:.0f} ms" if s in got
                     else "not measured" for s in stacks]
            out.append(f"| {what} (runs: {runs}) | {label} | {' | '.join(cells)} |")
    early = [f"{s} run against {x['victim']}" for s in stacks for k in KINDS for x in results.get(s, {}).get(k, [])
             if not x["after_fence"]]
    if early:
        out.append(f"\nA resource start began before the victim's fencing ended in: {', '.join(early)}.")
    return "\n".join(out)


def readme_marker(args):
    """The README block this configuration's figures go to: the main one (3 nodes, token 1000 ms, IPMI
    first), or one per other configuration (its markers must be in README.md)."""
    if (args.nodes, args.token, args.fencing) == (3, 1000, "ipmi"):
        return README_MARKER
    return f"{README_MARKER}-{args.nodes}-nodes-token-{args.token or 'default'}-{args.fencing}"


def timeline_svg(results, stacks, path, caption):
    """For each stack, its run with the median total among those with the DC as victim (else any)."""
    import failover_svg
    chosen = []
    for s in stacks:
        kind = "dc" if results.get(s, {}).get("dc") else "other"
        runs = sorted(results.get(s, {}).get(kind, []), key=lambda x: x["total"])
        if not runs:
            continue
        run = runs[(len(runs) - 1) // 2]
        chosen.append((f"{STACK_NAMES[s]}: {run['victim']} ({KINDS[kind]}) frozen; total {run['total'] * 1000:.0f} "
                       f"ms, overhead {run['overhead'] * 1000:.0f} ms", run["timeline"]))
    if not chosen:
        return False
    with open(path, "w") as f:
        f.write(failover_svg.render(chosen, caption))
    return True


def missing(args):
    for tool in ("ipmi_sim", "ipmitool", "tgtd", "cc", "pkg-config"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed (scripts/deps)"
    for f in ("/usr/sbin/fence_ipmilan", "/usr/lib/ocf/resource.d/heartbeat/Dummy"):
        if not os.access(f, os.X_OK):
            return f"{f} is not installed (scripts/deps: fence-agents, resource-agents)"
    if args.vs and (shutil.which("cibadmin") is None or shutil.which("pacemakerd") is None and
                    not os.path.exists("/usr/sbin/pacemakerd")):
        return "Pacemaker is not installed (scripts/deps)"
    for f in (args.lab_binary, args.holdfast):
        if not os.access(f, os.X_OK):
            return f"{f} is not built"
    return None


def measured(args, stacks, failures, base_cmd):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    token = f"token {args.token} ms" if args.token else "corosync's default token (3000 ms)"
    fencing = ("fence_holdfast_scsi at level 1, fence_ipmilan at level 2" if args.fencing == "scsi"
               else "fence_ipmilan at level 1, fence_holdfast_scsi at level 2")
    text = (f"Measured {stamp} on {os.cpu_count()} CPUs, {args.nodes} nodes, {token}, {fencing}, "
            f"{args.runs} runs per stack and kind of victim: `{base_cmd}`.")
    for f in failures:
        text += f"\n\nNot measured: {f}"
    if "pacemaker" not in stacks:
        text += "\n\nPacemaker was not run (no --vs pacemaker)."
    return text


def report(results, args, stacks, failures):
    cmd = "holdfast-lab bench failover " + " ".join(sys.argv[1:][sys.argv[1:].index("failover") + 1:]) \
        if "failover" in sys.argv[1:] else "holdfast-lab bench failover"
    text = table(results, stacks) + "\n\n" + measured(args, stacks, failures, cmd)
    caption = (f"{cmd}. Bars: Corosync's detection and the agents' own runs (stamped by wrappers); "
               "the gaps between them are the stack's own time.")
    if args.svg and timeline_svg(results, stacks, args.svg, caption):
        source = os.environ.get("HOLDFAST_SOURCE_DIR", os.getcwd())
        rel = os.path.relpath(os.path.abspath(args.svg), source)
        text += f"\n\n![one failover of each stack, as a timeline]({rel})"
    if args.json:
        print(json.dumps(as_json(results)))
    else:
        print(text)
    if getattr(args, "write_readme", False):
        cluster_bench.write_readme(text, readme_marker(args))


def run(args):
    """The verb: labs up, runs, labs down (also on failure or Ctrl-C), then the report. 77 when it cannot
    run here, 1 when a stack failed (the other's figures are still reported)."""
    source = os.environ.get("HOLDFAST_SOURCE_DIR") or os.getcwd()
    bins = os.environ.get("HOLDFAST_BIN_DIR") or os.path.join(source, "build", "bin")
    args.lab_binary = os.path.abspath(os.environ.get("HOLDFAST_LAB") or os.path.join(bins, "holdfast-lab"))
    args.holdfast = os.path.join(bins, "holdfast")
    reason = skip_reason() or missing(args)
    if reason:
        print(f"bench failover: skipped: {reason}")
        return 77
    stacks = ["holdfast"] + (["pacemaker"] if args.vs else [])
    become_subreaper()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)
    os.environ["PYTHONWARNINGS"] = "ignore"  # fence_ipmilan's DeprecationWarning, for both stacks
    base = os.path.abspath(args.dir) if args.dir else tempfile.mkdtemp(prefix="holdfast-failover-bench-")
    os.makedirs(base, exist_ok=True)
    failures, runs, wrappers = [], [], Wrappers(bins)
    try:
        args.cpg_watch = fence_bench.build(base, "cpg_watch.c", ["libcpg"])
        runs = [StackRun(s, args, base, wrappers) for s in stacks]
        wrappers.install()
        results = measure(list(runs), args, failures)
    except KeyboardInterrupt:
        print("bench failover: interrupted; the labs are down", flush=True)
        return 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a second Ctrl-C must not stop the tear-down
            signal.signal(sig, signal.SIG_IGN)
        for r in runs:
            r.down()
        wrappers.remove()
        reap()
        if not args.dir and not any(os.path.exists(r.lab.dir) for r in runs):
            shutil.rmtree(base, ignore_errors=True)  # a lab that would not go down keeps its directory
    report(results, args, stacks, failures)
    return 1 if failures else 0
