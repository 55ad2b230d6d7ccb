#!/usr/bin/env python3
"""The holdfast-lab test (CTest label `lab`): one 3-node lab with token 1000, reused across checks,
plus a small second lab beside it (running Pacemaker, `--stack pacemaker`, when it is installed). Needs root and `ip netns`; exits 77 (skip) without them.

Every check waits for a state with a generous deadline and never asserts a duration. Membership
and quorum are read from inside the nodes with corosync-quorumtool and corosync-cmapctl. This
process is a child subreaper, so the labs' orphaned processes land here and are reaped.
Everything is torn down at the end, also when a check fails.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from holdfast_lab import (SKIP, CheckFailed, Lab, alive, become_subreaper, expect, reap, skip_reason, wait_for,
                          wait_membership)


def check_formed(lab):
    wait_membership(lab, ["node1", "node2", "node3"], [1, 2, 3])
    expect(lab.cmap("node1", "totem.token") == "1000", "corosync runs with token 1000")
    expect(lab.cmap("node2", "totem.crypto_cipher") == "aes256", "knet traffic is encrypted (aes256)")
    expect(lab.cmap("node3", "nodelist.node.2.name") == "node3", "the nodelist names the nodes node1..node3")


def check_exec(lab):
    expect(lab.exec("node2", "hostname").stdout.strip() == "node2", "exec runs in the node's UTS namespace")
    expect(lab.exec("node1", "sh", "-c", "exit 7").returncode == 7, "exec passes the command's exit status")
    comm = lab.exec("node3", "cat", "/proc/1/comm").stdout.strip()
    expect(comm == "holdfast-lab", "the node's PID 1 is holdfast-lab's init, seen through the node's /proc")
    fs = lab.exec("node1", "stat", "-f", "-c", "%T", "/dev/shm").stdout.strip()
    expect(fs == "tmpfs", "the node has a private /dev/shm")
    own = lab.exec("node1", "sh", "-c", "echo marker > /var/lib/holdfast/probe")
    other = lab.exec("node2", "test", "-e", "/var/lib/holdfast/probe")
    expect(own.returncode == 0 and other.returncode == 1, "each node has its own /var/lib/holdfast")
    hosts = lab.exec("node1", "getent", "hosts", "node3").stdout.split()
    addr = lab.exec("node3", "ip", "-o", "-4", "addr", "show", "eth0").stdout.split()
    expect(hosts and hosts[0] + "/24" in addr, "node names resolve inside the lab to the nodes' addresses")


def node_programs(lab, node):
    """Names of the programs running in the node (its own /proc)."""
    out = lab.exec(node, "sh", "-c", "cat /proc/[0-9]*/comm 2>/dev/null").stdout
    return set(out.split())


def pacemaker_formed(lab, nodes):
    p = lab.exec("node1", "crm_mon", "-1")
    online = "Online: [ " + " ".join(nodes) + " ]"
    return p.returncode == 0 and "partition with quorum" in p.stdout and online in p.stdout


def check_pacemaker_stack(lab2):
    """The second lab runs Pacemaker, when it is installed (the benchmark's reference)."""
    with open(os.path.join(lab2.dir, "lab.conf")) as f:
        expect("stack=pacemaker" in f.read().split(), "lab.conf records the stack, so boot starts the same")
    wait_for("Pacemaker on node1 shows node1 and node2 online with a DC and quorum",
             lambda: pacemaker_formed(lab2, ["node1", "node2"]), lab2)
    progs = node_programs(lab2, "node2")
    expect("pacemakerd" in progs and "pacemaker-based" in progs and "holdfastd" not in progs,
           "a pacemaker node runs pacemakerd and its daemons, and no holdfastd")


def check_second_lab(lab1, lab2):
    pacemaker = os.path.exists("/usr/sbin/pacemakerd") and shutil.which("crm_mon") is not None
    bad = lab2.run("up", "--nodes", "2", "--stack", "bogus", check=False)
    expect(bad.returncode == 2 and not os.path.exists(lab2.dir), "up refuses an unknown --stack")
    if pacemaker:
        lab2.up(2, "--stack", "pacemaker")
    else:
        print("note: Pacemaker is not installed; the second lab runs holdfastd", flush=True)
        lab2.up(2)
    wait_membership(lab2, ["node1", "node2"], [1, 2])
    if pacemaker:
        check_pacemaker_stack(lab2)
    expect(lab1.id != lab2.id and not (lab1.namespaces() & lab2.namespaces()), "two labs share no namespace")
    expect(lab1.quorum("node1") == (True, [1, 2, 3]), "the first lab is untouched by the second")
    pids = lab2.processes()
    lab2.run("down")
    reap()
    expect(not lab2.namespaces() and not any(alive(p) for p in pids), "the second lab is gone after down")
    expect(lab1.quorum("node3") == (True, [1, 2, 3]), "the first lab is untouched by the second's down")


def check_cut_heal(lab):
    lab.run("cut", "node3")
    expect(lab.status()["node3"]["cable"] == "cut", "status shows node3's cable cut")
    wait_membership(lab, ["node1", "node2"], [1, 2])
    wait_membership(lab, ["node3"], [3], quorate=False)
    lab.run("heal", "node3")
    wait_membership(lab, ["node1", "node2", "node3"], [1, 2, 3])


def check_kill_boot(lab):
    pid = int(lab.status()["node2"]["pid"])
    lab.run("kill", "node2")
    reap()
    expect(lab.status()["node2"]["state"] == "dead" and not alive(pid), "kill powers node2 off")
    wait_membership(lab, ["node1", "node3"], [1, 3])
    lab.run("boot", "node2")
    expect(lab.status()["node2"]["state"] == "running", "boot starts node2 again")
    wait_membership(lab, ["node1", "node2", "node3"], [1, 2, 3])


def check_freeze_thaw(lab):
    lab.run("freeze", "node3")
    pid = int(lab.status()["node3"]["pid"])
    with open(f"/proc/{pid}/stat") as f:
        state = f.read().rsplit(")", 1)[1].split()[0]
    expect(lab.status()["node3"]["frozen"] == "yes" and state == "T", "freeze stops every process of node3")
    wait_membership(lab, ["node1", "node2"], [1, 2])
    lab.run("thaw", "node3")
    expect(lab.status()["node3"]["frozen"] == "no", "thaw resumes node3")
    wait_membership(lab, ["node1", "node2", "node3"], [1, 2, 3])


def check_interrupted_up(binary, lab):
    """SIGINT during `up` tears down what it made."""
    proc = subprocess.Popen([binary, "--dir", lab.dir, "up", "--nodes", "3", "--token", "1000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for("the interrupted lab's first node is booted",
             lambda: os.path.exists(os.path.join(lab.dir, "nodes", "node1", "pid")) or proc.poll() is not None)
    lab.id = lab.status()["lab"]["id"] if proc.poll() is None else None
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    reap()
    if proc.returncode == 0:
        print("note: up finished before SIGINT arrived; interrupt path not exercised", flush=True)
        lab.run("down")
        return
    expect(proc.returncode == 130, "an interrupted up exits 130")
    expect(lab.id is not None and not lab.namespaces() and not os.path.exists(lab.dir),
           "an interrupted up leaves no namespace and no directory")


def check_partial_down(lab):
    """down from a broken state: a node dead and the switch namespace already gone."""
    lab.up(2, "--no-wait")
    pids = lab.processes()
    lab.run("kill", "node1")
    subprocess.run(["ip", "netns", "delete", lab.id + "-sw"], check=True)
    lab.run("down")
    reap()
    expect(not lab.namespaces() and not any(alive(p) for p in pids) and not os.path.exists(lab.dir),
           "down cleans up a half-broken lab")


def check_down(lab):
    pids = lab.processes()
    expect(len(pids) >= 6, "the lab's processes are found (3 inits, 3 corosyncs)")
    lab.run("down")
    reap()
    expect(not lab.namespaces(), "down deletes every namespace of the lab")
    expect(not any(alive(p) for p in pids), "down leaves no process of the lab")
    expect(not os.path.exists(lab.dir), "down removes the lab directory")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    reason = skip_reason()
    if reason:
        print(f"skipped: {reason}")
        return SKIP
    become_subreaper()
    base = tempfile.mkdtemp(prefix="holdfast-lab-test-")
    lab1, lab2 = Lab(args.binary, os.path.join(base, "a")), Lab(args.binary, os.path.join(base, "b"))
    try:
        lab1.up(3)
        check_formed(lab1)
        check_exec(lab1)
        check_second_lab(lab1, lab2)
        check_interrupted_up(args.binary, lab2)
        check_partial_down(lab2)
        check_cut_heal(lab1)
        check_kill_boot(lab1)
        check_freeze_thaw(lab1)
        check_down(lab1)
        print("all lab checks passed")
        return 0
    except (CheckFailed, subprocess.TimeoutExpired) as e:
        print(f"FAILED: {e}", flush=True)
        for lab in (lab1, lab2):
            for log in ("init.log", "root/var/log/corosync/corosync.log"):
                path = os.path.join(lab.dir, "nodes", "node1", log)
                if os.path.exists(path):
                    print(f"--- {path} (tail)")
                    with open(path) as f:
                        print("".join(f.readlines()[-15:]))
        return 1
    finally:
        for lab in (lab1, lab2):
            subprocess.run([args.binary, "--dir", lab.dir, "down"], capture_output=True)
        reap()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
