#!/usr/bin/env python3
"""`holdfast fence test` end to end, against real devices on loopback:

- an ipmi_sim BMC (package openipmi) whose power control starts and stops a
  "node" process, driven by Debian's fence_ipmilan: off really stops the
  node, on starts it again, reboot leaves it running; a wrong password gives
  a failing verdict; the device also comes from a CIB file (--cib);
- a tgtd target (package tgt) driven by fence_holdfast_scsi: node2 unfenced,
  fenced from node1 (status reads off), and a second `on` without a clean
  rejoin fails the verdict.

Needs root; skips (77) without root, ipmi_sim, fence_ipmilan, ipmitool or
tgtd. Every daemon it starts dies with it (PR_SET_PDEATHSIG) and is killed by
PID in `finally`, also when a check fails.
"""
import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

PASSWORD = "fence-test-pw"
failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        failures.append(what)


def die_with_parent():
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    return p.returncode, p.stdout + p.stderr


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


class bmc:
    """One ipmi_sim on 127.0.0.1:PORT whose chassis power runs node.sh."""

    def __init__(self, work):
        self.work = work
        self.port = free_port(socket.SOCK_DGRAM)
        self.serial = free_port(socket.SOCK_STREAM)
        self.pidfile = os.path.join(work, "node.pid")
        node = os.path.join(work, "node.sh")
        with open(node, "w") as f:
            f.write(f"#!/bin/sh\necho $$ > {self.pidfile}\nexec sleep 100000\n")
        os.chmod(node, 0o755)
        with open(os.path.join(work, "lan.conf"), "w") as f:
            f.write(
                "name \"fence-test\"\nset_working_mc 0x20\n  startlan 1\n"
                f"    addr 127.0.0.1 {self.port}\n    priv_limit admin\n"
                "    allowed_auths_callback none md2 md5 straight\n"
                "    allowed_auths_user none md2 md5 straight\n"
                "    allowed_auths_operator none md2 md5 straight\n"
                "    allowed_auths_admin none md2 md5 straight\n"
                "    guid a123456789abcdefa123456789abcdef\n  endlan\n"
                f"  serial 15 127.0.0.1 {self.serial} codec VM\n"
                f"  startcmd \"{node}\"\n  startnow true\n  poweroff_wait 1\n  kill_wait 1\n"
                f"  user 2 true \"admin\" \"{PASSWORD}\" admin 10 none md2 md5 straight\n"
            )
        with open(os.path.join(work, "node.emu"), "w") as f:
            f.write("mc_setbmc 0x20\n"
                    "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\n"
                    "mc_enable 0x20\n")
        state = os.path.join(work, "state")
        os.mkdir(state)
        self.proc = subprocess.Popen(
            ["ipmi_sim", "-c", os.path.join(work, "lan.conf"), "-f", os.path.join(work, "node.emu"), "-s", state,
             "-n"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent)

    def ipmitool(self, *args):
        return run(["ipmitool", "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", str(self.port), "-U", "admin",
                    "-P", PASSWORD] + list(args))

    def wait_ready(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.ipmitool("chassis", "power", "status")[0] == 0 and os.path.exists(self.pidfile):
                return True
            time.sleep(0.2)
        return False

    def node_pid(self):
        try:
            with open(self.pidfile) as f:
                pid = int(f.read().strip())
            return pid if pid_alive(pid) else None
        except (FileNotFoundError, ValueError):
            return None

    def stop(self):
        pid = self.node_pid()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if pid:
            os.kill(pid, signal.SIGKILL)


class tgtd:
    """A private tgtd with one 8 MiB LUN on 127.0.0.1."""

    def __init__(self, work):
        self.control = next(n for n in range(4242, 5000) if not os.path.exists(f"/var/run/tgtd/socket.{n}"))
        self.port = free_port(socket.SOCK_STREAM)
        self.iqn = f"iqn.2026-12.org.holdfast.test:fence{os.getpid()}"
        self.backing = os.path.join(work, "lun.img")
        with open(self.backing, "wb") as f:
            f.truncate(8 << 20)
        self.proc = subprocess.Popen(
            ["tgtd", "-f", "-C", str(self.control), "--iscsi", f"portal=127.0.0.1:{self.port}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent)

    def adm(self, args):
        return run(["tgtadm", "-C", str(self.control), "--lld", "iscsi"] + args.split())[0] == 0

    def setup(self):
        deadline = time.monotonic() + 20
        while not self.adm("--mode system --op show"):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return (self.adm(f"--mode target --op new --tid 1 --targetname {self.iqn}")
                and self.adm(f"--mode logicalunit --op new --tid 1 --lun 1 --backing-store {self.backing}")
                and self.adm("--mode target --op bind --tid 1 --initiator-address ALL"))

    def url(self):
        return f"iscsi://127.0.0.1:{self.port}/{self.iqn}/1"

    def stop(self):
        if self.proc.poll() is None:
            self.adm("--mode target --op delete --tid 1 --force")
            self.proc.kill()
            self.proc.wait()
        for f in (f"/var/run/tgtd/socket.{self.control}", f"/var/run/tgtd/socket.{self.control}.lock"):
            if os.path.exists(f):
                os.unlink(f)


def ipmi_options(b):
    return ["--agent", "fence_ipmilan", "--option", "ip=127.0.0.1", "--option", f"ipport={b.port}", "--option",
            "username=admin", "--option", f"password={PASSWORD}", "--option", "lanplus=1", "--option", "cipher=3",
            "--option", "pcmk_host_list=node1"]


def ipmi_checks(holdfast, work):
    b = bmc(work)
    try:
        check(b.wait_ready(), "ipmi_sim answers and its node runs")
        env = dict(os.environ, PYTHONWARNINGS="ignore")
        fence = [holdfast, "fence", "test", "ipmi-node1"]
        rc, out = run(fence + ["--target", "node1", "--action", "off"] + ipmi_options(b), env)
        print(out)
        check(rc == 0 and "verdict: PASS" in out, "fence test off: PASS")
        check(b.node_pid() is None, "after off the node process is gone")
        rc, out = run(fence + ["--target", "node1", "--action", "on"] + ipmi_options(b), env)
        print(out)
        check(rc == 0 and "verdict: PASS" in out, "fence test on: PASS")
        first = b.node_pid()
        check(first is not None, "after on the node process runs")
        cib = os.path.join(work, "cib.xml")
        with open(cib, "w") as f:
            f.write(f"""<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
<configuration><crm_config/><nodes/><resources>
<primitive id="ipmi-node1" class="stonith" type="fence_ipmilan"><instance_attributes id="ia">
<nvpair id="a1" name="ip" value="127.0.0.1"/><nvpair id="a2" name="ipport" value="{b.port}"/>
<nvpair id="a3" name="username" value="admin"/><nvpair id="a4" name="password" value="{PASSWORD}"/>
<nvpair id="a5" name="lanplus" value="1"/><nvpair id="a6" name="cipher" value="3"/>
<nvpair id="a7" name="pcmk_host_list" value="node1"/></instance_attributes></primitive>
</resources><constraints/></configuration><status/></cib>
""")
        rc, out = run(fence + ["--cib", cib, "--target", "node1", "--action", "reboot"], env)
        print(out)
        check(rc == 0 and "verdict: PASS" in out, "fence test reboot from --cib: PASS")
        check(b.node_pid() not in (None, first), "after reboot a new node process runs")
        rc, out = run(fence + ["--cib", cib, "--target", "node2"], env)
        check(rc == 1 and "can fence node2" in out and "verdict: FAIL" in out,
              "node2 is not in pcmk_host_list: FAIL")
        bad = [o.replace(PASSWORD, "wrong") for o in ipmi_options(b)]
        rc, out = run(fence + ["--target", "node1"] + bad, env)
        print(out)
        check(rc == 1 and "verdict: FAIL" in out, "wrong password: FAIL verdict, exit 1")
    finally:
        b.stop()


def scsi_checks(holdfast, work):
    t = tgtd(work)
    try:
        check(t.setup(), "tgtd target up")

        def opts(local):
            return ["--agent", "fence_holdfast_scsi", "--option", f"devices={t.url()}", "--option",
                    "cluster_name=lab", "--option", f"local_node={local}", "--option",
                    f"state_dir={work}/scsi-{local}", "--option", "pcmk_host_list=node1 node2"]

        fence = [holdfast, "fence", "test", "scsi"]
        for node in ("node1", "node2"):
            rc, out = run(fence + ["--target", node, "--action", "on"] + opts(node))
            print(out)
            check(rc == 0 and "verdict: PASS" in out, f"unfence {node}: PASS")
        rc, out = run(fence + ["--target", "node2", "--action", "off"] + opts("node1"))
        print(out)
        check(rc == 0 and "verdict: PASS" in out and "status node2" in out, "node1 fences node2: PASS")
        rc, out = run(fence + ["--target", "node2", "--action", "off", "--count", "2"] + opts("node1"))
        print(out)
        check(rc == 0 and out.count("status node2 #") == 2, "fencing the fenced node2 twice more: PASS")
        rc, out = run(fence + ["--target", "node2"] + opts("node1"))
        status = [line.split()[3] for line in out.splitlines() if line[14:].startswith("status node2")]
        check(rc == 0 and status == ["off"], "status of the fenced node2 reads off")
        rc, out = run(fence + ["--target", "node2", "--action", "on"] + opts("node2"))
        print(out)
        check(rc == 1 and "verdict: FAIL" in out, "node2 does not unfence itself before a clean rejoin: FAIL")
    finally:
        t.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--holdfast", required=True)
    ap.add_argument("--agent-dir", required=True, help="where fence_holdfast_scsi is built")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("skipped: needs root (ipmi_sim, tgtd); CI runs as root")
        return 77
    missing = [p for p in ("ipmi_sim", "ipmitool", "tgtd", "tgtadm") if not shutil.which(p)]
    if missing or not os.access("/usr/sbin/fence_ipmilan", os.X_OK):
        print("skipped: missing " + " ".join(missing or ["fence_ipmilan"]) + " (scripts/deps)")
        return 77
    # Debian's agents and the one just built, side by side
    with tempfile.TemporaryDirectory(prefix="fence-test-") as work:
        agents = os.path.join(work, "agents")
        os.mkdir(agents)
        os.symlink("/usr/sbin/fence_ipmilan", os.path.join(agents, "fence_ipmilan"))
        os.symlink(os.path.join(os.path.abspath(a.agent_dir), "fence_holdfast_scsi"),
                   os.path.join(agents, "fence_holdfast_scsi"))
        os.environ["HOLDFAST_FENCE_AGENT_DIR"] = agents
        os.environ["HOLDFAST_IPC_NAME"] = "holdfast-fence-test-none"  # never a running daemon
        ipmi_checks(a.holdfast, work)
        scsi_checks(a.holdfast, work)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
