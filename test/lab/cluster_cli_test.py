"""holdfast cluster init/join/stop/remove/status against real corosync and a real sshd.

Three nodes, each a network namespace (names start with `hfk`) with its own mount, UTS and PID
namespaces, a private /run and /dev/shm, and its own /etc/corosync, /var/lib/corosync and
/var/log/corosync bound from a per-node directory; a bridge in a fourth namespace connects them.
`cluster init --start` in n1 writes its files and starts corosync from them; every node runs sshd on its address
(generated host key, one authorized key); n2 (in init's nodelist) runs `cluster join n1`, which
copies the files; the two must form one quorate membership with knet crypto on and two_node.
n3 runs `cluster join n1` and must end up a member of a 3-node quorate membership, with n1's and
n2's corosync.conf rewritten (no two_node). Then stop's quorum refusal, `cluster stop n3` over
ssh, `cluster remove n3` (refused while a member, then done, two_node back), `cluster stop --all`. There is no systemd here: the service manager is a recording script that starts
and stops corosync itself and logs which node ran what; the test checks that log.
Needs root; skips (77) otherwise. Everything is removed on the way out, also after a failure.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from holdfast_lab import CheckFailed, expect, reap, become_subreaper  # noqa: E402

SKIP = 77
NODES = (1, 2, 3)
SUBNET = "192.168.77"
DEADLINE = 60


def addr(i):
    return f"{SUBNET}.{i}"


def sh(*cmd, check=True, **kw):
    p = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise CheckFailed(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p


INIT = """set -e
hostname n{i}
for d in etc/corosync var/lib/corosync var/log/corosync; do mount --bind {root}/$d /$d; done
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
mkdir -p /run/sshd
touch {root}/ready
trap 'exit 0' TERM
while :; do sleep 1; done
"""

# The service manager: `svc VERB UNIT`, logged with the node's name; corosync really started and stopped.
SERVICE = """#!/bin/sh
echo "$(hostname) $1 $2" >> {log}
case "$1 $2" in
  "start corosync") exec corosync ;;
  "stop corosync") exec corosync-cfgtool -H --force ;;
esac
exit 0
"""

SSHD = """Port 22
ListenAddress {addr}
HostKey {dir}/host_key
PidFile /run/sshd.pid
AuthorizedKeysFile {dir}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
"""


class Rig:
    def __init__(self, holdfast, top):
        self.holdfast = holdfast
        self.top = top
        self.tag = f"hfk{os.getpid()}"
        self.init = {}  # node -> (unshare Popen, host pid of the node's PID 1)
        self.namespaces = []
        self.svc_log = os.path.join(top, "services.log")
        self.svc = os.path.join(top, "svc")
        self.ssh_dir = os.path.join(top, "ssh")

    def root(self, i):
        return os.path.join(self.top, f"n{i}")

    def etc(self, i):
        return os.path.join(self.root(i), "etc", "corosync")

    def network(self):
        sw = f"{self.tag}-sw"
        sh("ip", "netns", "add", sw)
        self.namespaces.append(sw)
        sh("ip", "-n", sw, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", sw, "link", "set", "br0", "up")
        for i in NODES:
            ns = f"{self.tag}-{i}"
            sh("ip", "netns", "add", ns)
            self.namespaces.append(ns)
            sh("ip", "link", "add", f"{self.tag}v{i}", "type", "veth", "peer", "name", f"{self.tag}p{i}")
            sh("ip", "link", "set", f"{self.tag}v{i}", "netns", ns)
            sh("ip", "link", "set", f"{self.tag}p{i}", "netns", sw)
            sh("ip", "-n", ns, "link", "set", f"{self.tag}v{i}", "name", "eth0")
            sh("ip", "-n", ns, "addr", "add", f"{addr(i)}/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", sw, "link", "set", f"{self.tag}p{i}", "master", "br0")
            sh("ip", "-n", sw, "link", "set", f"{self.tag}p{i}", "up")

    def boot(self, i):
        for d in ("etc/corosync", "var/lib/corosync", "var/log/corosync"):
            os.makedirs(os.path.join(self.root(i), d), exist_ok=True)
        script = INIT.format(i=i, root=self.root(i))
        p = subprocess.Popen(["ip", "netns", "exec", f"{self.tag}-{i}", "unshare", "-m", "-u", "-p", "-f",
                              "--mount-proc", "--propagation", "private", "sh", "-c", script],
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.top, f"n{i}.init.log"), "w"))
        end = time.monotonic() + 10
        while not os.path.exists(os.path.join(self.root(i), "ready")):
            if p.poll() is not None or time.monotonic() > end:
                raise CheckFailed(f"n{i}'s PID 1 did not come up (see n{i}.init.log)")
            time.sleep(0.05)
        with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
            self.init[i] = (p, int(f.read().split()[0]))

    def run(self, i, *cmd, env=None, timeout=60):
        pid1 = self.init[i][1]
        p = subprocess.run(["nsenter", "-t", str(pid1), "-n", "-m", "-u", "-p", "--wd=/", *cmd],
                           capture_output=True, text=True, env=env, timeout=timeout)
        reap()
        return p

    def holdfast_in(self, i, *args, env=None):
        return self.run(i, self.holdfast, "cluster", *args, env=env)

    def quorum(self, i):
        p = self.run(i, "corosync-quorumtool", "-s", timeout=15)
        if p.returncode not in (0, 2):
            return None
        quorate, members, table = None, [], False
        for line in p.stdout.splitlines():
            w = line.split()
            if not w:
                continue
            if w[0] == "Quorate:":
                quorate = w[1] == "Yes"
            elif w[0] == "Nodeid":
                table = True
            elif table and w[0].isdigit():
                members.append(int(w[0]))
        return quorate, sorted(members)

    def wait_membership(self, nodes, members):
        want = (True, sorted(members))
        end = time.monotonic() + DEADLINE
        while not all(self.quorum(n) == want for n in nodes):
            if time.monotonic() > end:
                raise CheckFailed(f"n{nodes} never saw members {members}: " +
                                  ", ".join(f"n{n}={self.quorum(n)}" for n in nodes))
            time.sleep(0.25)
        print(f"ok: {', '.join(f'n{n}' for n in nodes)} see members {members}, quorate", flush=True)

    def cmap(self, i, key):
        p = self.run(i, "corosync-cmapctl", "-g", key)
        return p.stdout.strip().rsplit("= ", 1)[-1] if p.returncode == 0 else None

    def ssh_setup(self):
        os.makedirs(self.ssh_dir)
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(self.ssh_dir, "host_key"))
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(self.ssh_dir, "client_key"))
        shutil.copy(os.path.join(self.ssh_dir, "client_key.pub"), os.path.join(self.ssh_dir, "authorized_keys"))
        with open(self.svc, "w") as f:
            f.write(SERVICE.format(log=self.svc_log))
        os.chmod(self.svc, 0o755)

    def start_sshd(self, i):
        conf = os.path.join(self.ssh_dir, f"sshd_n{i}.conf")
        with open(conf, "w") as f:
            f.write(SSHD.format(addr=addr(i), dir=self.ssh_dir))
        p = self.run(i, "/usr/sbin/sshd", "-f", conf, "-E", os.path.join(self.top, f"sshd_n{i}.log"))
        if p.returncode != 0:
            raise CheckFailed(f"sshd on n{i}: {p.stderr.strip()}")

    def env(self):
        e = dict(os.environ)
        e["PATH"] = e.get("PATH", "") + ":/usr/sbin:/sbin"
        key = os.path.join(self.ssh_dir, "client_key")
        e["HOLDFAST_SSH"] = (f"-i {key} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                             "-o LogLevel=ERROR -o ConnectTimeout=10")
        e["HOLDFAST_SERVICE_MANAGER"] = self.svc
        return e

    def services(self):
        if not os.path.exists(self.svc_log):
            return []
        with open(self.svc_log) as f:
            return [line.strip() for line in f if line.strip()]

    def teardown(self):
        for p, pid1 in self.init.values():
            try:
                os.kill(pid1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        reap()
        for ns in reversed(self.namespaces):
            for _ in range(10):
                if subprocess.run(["ip", "netns", "delete", ns], capture_output=True).returncode == 0:
                    break
                time.sleep(0.5)


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def check_bad_input(rig):
    d = os.path.join(rig.top, "bad")
    e = rig.env()
    hf = rig.holdfast
    p = subprocess.run([hf, "cluster", "init", "--name", "x", "n1=300.1.1.1", "--corosync-dir", d],
                       capture_output=True, text=True, env=e)
    expect(p.returncode == 1 and "300.1.1.1" in p.stderr and not os.path.exists(d),
           "init refuses a bad address, naming it, and writes nothing")
    p = subprocess.run([hf, "cluster", "init", "--name", "x", "bad/name=10.0.0.1", "--corosync-dir", d],
                       capture_output=True, text=True, env=e)
    expect(p.returncode == 1 and not os.path.exists(d), "init refuses a bad node name and writes nothing")
    p = subprocess.run([hf, "cluster", "init", "--name", "x", "n1=10.0.0.1", "--bogus"], capture_output=True,
                       text=True, env=e)
    expect(p.returncode == 2, "an unknown option is a usage error")


def check_init(rig):
    e = rig.env()
    p = rig.holdfast_in(1, "init", "--name", "hfk", f"n1={addr(1)}", f"n2={addr(2)}", "--start", env=e)
    expect(p.returncode == 0, f"cluster init --start on n1 writes its files ({p.stderr.strip()})")
    expect(rig.services() == ["n1 start corosync", "n1 start holdfastd"], "init --start started corosync, then holdfastd")
    conf, key = os.path.join(rig.etc(1), "corosync.conf"), os.path.join(rig.etc(1), "authkey")
    expect(os.stat(key).st_mode & 0o777 == 0o400 and os.path.getsize(key) > 0, "the authkey is 0400")
    before = read(conf)
    p = rig.holdfast_in(1, "init", "--name", "other", f"n1={addr(1)}", env=e)
    expect(p.returncode == 1 and "corosync.conf" in p.stderr and read(conf) == before,
           "init without --force refuses to overwrite, naming the file")


def check_two_nodes(rig):
    """n1 runs corosync from init's files; n2, already in the nodelist, joins through n1 (a copy, no edit)."""
    for i in NODES:
        rig.start_sshd(i)
    conf = read(os.path.join(rig.etc(1), "corosync.conf"))
    p = rig.holdfast_in(2, "join", addr(1), env=rig.env())
    expect(p.returncode == 0 and read(os.path.join(rig.etc(2), "corosync.conf")) == conf
           and read(os.path.join(rig.etc(1), "corosync.conf")) == conf,
           f"n2, in init's nodelist, joins by copying n1's files unchanged ({p.stderr.strip()})")
    expect(rig.services()[2:] == ["n2 start corosync", "n2 start holdfastd"], "join started corosync, then holdfastd, on n2")
    rig.wait_membership([1, 2], [1, 2])
    expect(rig.cmap(1, "totem.crypto_cipher") == "aes256" and rig.cmap(1, "totem.crypto_hash") == "sha256",
           "corosync runs with crypto aes256/sha256")
    st = rig.holdfast_in(1, "status", "--output-as=json", env=rig.env())
    doc = json.loads(st.stdout)
    expect("2Node" in doc["quorum"]["flags"], "votequorum runs in two_node mode")
    expect(st.returncode == 0 and doc["quorum"]["quorate"] and doc["cluster_name"] == "hfk"
           and [n["member"] for n in doc["nodes"]] == [True, True],
           "cluster status (json): quorate, both nodes members")
    peers = {p["nodeid"]: p["state"] for p in doc["corosync"]["links"][0]["peers"]}
    expect(peers.get(2) == "connected", "cluster status shows n2 connected on link 0")


def check_join(rig):
    stray = os.path.join(rig.etc(3), "authkey")
    with open(stray, "wb") as f:
        f.write(os.urandom(256))
    before = read(os.path.join(rig.etc(1), "corosync.conf"))
    p = rig.holdfast_in(3, "join", addr(1), "--address", addr(3), env=rig.env())
    expect(p.returncode == 1 and "authkey" in p.stderr and read(os.path.join(rig.etc(1), "corosync.conf")) == before
           and not os.path.exists(os.path.join(rig.etc(3), "corosync.conf")),
           "join refuses a node with another cluster's key; nothing changed anywhere")
    os.remove(stray)
    p = rig.holdfast_in(3, "join", addr(1), "--address", addr(3), env=rig.env())
    expect(p.returncode == 0, f"cluster join n1 from n3 ({p.stderr.strip()})")
    rig.wait_membership([1, 2, 3], [1, 2, 3])
    expect(read(os.path.join(rig.etc(3), "authkey"), "rb") == read(os.path.join(rig.etc(1), "authkey"), "rb")
           and os.stat(os.path.join(rig.etc(3), "authkey")).st_mode & 0o777 == 0o400,
           "n3 has the cluster's authkey, 0400")
    for i in (1, 2, 3):
        text = read(os.path.join(rig.etc(i), "corosync.conf"))
        expect("name: n3" in text and addr(3) in text and "two_node" not in text,
               f"n{i}'s corosync.conf lists n3 and has no two_node")
    expect(rig.services()[4:] == ["n3 start corosync", "n3 start holdfastd"], "join started corosync, then holdfastd, on n3")


def check_stop_and_remove(rig):
    e = rig.env()
    p = rig.holdfast_in(1, "stop", "n2", "n3", env=e)
    expect(p.returncode == 1 and "quorum" in p.stderr and len(rig.services()) == 6,
           "stopping n2 and n3 is refused (quorum would be lost); nothing ran")
    p = rig.holdfast_in(1, "remove", "n3", env=e)
    expect(p.returncode == 1 and "name: n3" in read(os.path.join(rig.etc(1), "corosync.conf")),
           "remove refuses a node that is still a member")
    p = rig.holdfast_in(1, "stop", "n3", env=e)
    expect(p.returncode == 0 and rig.services()[6:] == ["n3 stop holdfastd", "n3 stop corosync"],
           f"cluster stop n3 ran on n3 over ssh: holdfastd, then corosync ({p.stderr.strip()})")
    rig.wait_membership([1, 2], [1, 2])
    p = rig.holdfast_in(1, "remove", "n3", env=e)
    # no holdfastd runs in this rig: the CIB step reports it unreachable (exit 5) after corosync's part
    expect(p.returncode == 5, f"remove n3: corosync.conf done, holdfastd unreachable ({p.stderr.strip()})")
    for i in (1, 2):
        text = read(os.path.join(rig.etc(i), "corosync.conf"))
        expect("name: n3" not in text and "two_node: 1" in text, f"n{i}'s corosync.conf lost n3, two_node is back")
    expect(rig.cmap(2, "nodelist.node.2.name") is None, "n2's corosync reloaded a two-node nodelist")
    rig.wait_membership([1, 2], [1, 2])
    st = rig.holdfast_in(2, "status", "--output-as=xml", env=e)
    root = ET.fromstring(st.stdout)
    expect(st.returncode == 0 and root.find("quorum").get("quorate") == "true"
           and "2Node" in root.find("quorum").get("flags").split()
           and [n.get("name") for n in root.find("nodes")] == ["n1", "n2"],
           "cluster status (xml) on n2: quorate, two_node again, nodes n1 and n2")


def check_stop_all(rig):
    e = rig.env()
    p = rig.holdfast_in(1, "stop", "--all", env=e)
    expect(p.returncode == 0 and rig.services()[8:] == ["n1 stop holdfastd", "n1 stop corosync", "n2 stop holdfastd",
                                                        "n2 stop corosync"],
           f"cluster stop --all: n1 here, n2 over ssh, holdfastd before corosync ({p.stderr.strip()})")
    end = time.monotonic() + DEADLINE
    while rig.quorum(1) is not None or rig.quorum(2) is not None:
        if time.monotonic() > end:
            raise CheckFailed("corosync still runs after stop --all")
        time.sleep(0.25)
    st = rig.holdfast_in(1, "status", "--output-as=json", env=e)
    expect(st.returncode == 5 and json.loads(st.stdout)["corosync"]["running"] is False,
           "cluster status says corosync is not running (exit status 5)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--holdfast", required=True)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("skip: needs root")
        return SKIP
    for tool in ("corosync", "corosync-keygen", "sshd", "ssh", "nsenter", "unshare", "ip"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            print(f"skip: {tool} is not installed")
            return SKIP
    become_subreaper()
    top = tempfile.mkdtemp(prefix="hfk-cluster-")
    rig = Rig(os.path.abspath(a.holdfast), top)
    ok = False
    try:
        rig.network()
        for i in NODES:
            rig.boot(i)
        rig.ssh_setup()
        check_bad_input(rig)
        check_init(rig)
        check_two_nodes(rig)
        check_join(rig)
        check_stop_and_remove(rig)
        check_stop_all(rig)
        ok = True
    except (CheckFailed, subprocess.TimeoutExpired, OSError, ValueError, KeyError, AttributeError, ET.ParseError) as err:
        print(f"FAIL: {err}", file=sys.stderr)
    finally:
        rig.teardown()
        if ok:
            shutil.rmtree(top, ignore_errors=True)
        else:
            print(f"logs kept in {top}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
