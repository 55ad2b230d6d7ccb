"""What the cluster lab tests share: reading a lab cluster's state through `holdfast` inside its nodes
(never from logs), the Dummy resource they run, and the run of a list of checks on a fresh lab that is
taken down afterwards, also on failure."""
import argparse
import datetime
import hashlib
import os
import re
import shutil
import subprocess
import tempfile

from holdfast_lab import SKIP, CheckFailed, Lab, become_subreaper, reap, skip_reason

# The Dummy agent keeps its state file in the node's private /run, so "running on node N" can be read
# straight from that node.
DUMMY_STATE = "/run/resource-agents/Dummy-d1.state"


def dummy_configuration(preferred, no_quorum_policy=None):
    """A <configuration> with fencing off, Dummy d1 (monitored every 5 s) preferring node `preferred`."""
    policy = (f'\n      <nvpair id="cib-bootstrap-options-no-quorum-policy" name="no-quorum-policy" '
              f'value="{no_quorum_policy}"/>') if no_quorum_policy else ""
    return f"""<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>{policy}
    </cluster_property_set>
  </crm_config>
  <resources>
    <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
      <operations>
        <op id="d1-monitor-5s" name="monitor" interval="5s"/>
      </operations>
    </primitive>
  </resources>
  <constraints>
    <rsc_location id="d1-prefers-{preferred}" rsc="d1" node="{preferred}" score="100"/>
  </constraints>
</configuration>
"""


class Cluster:
    def __init__(self, lab, holdfast):
        self.lab = lab
        self.holdfast = holdfast

    def cli(self, node, *args):
        return self.lab.exec(node, self.holdfast, *args, timeout=60)

    def status(self, node):
        p = self.cli(node, "status")
        return p.stdout if p.returncode == 0 else ""

    def cib(self, node):
        p = self.cli(node, "cib", "show", "--xml")
        return p.stdout if p.returncode == 0 else ""

    def dc(self, node):
        """(DC name, whether the partition has quorum) as node's status says; (None, None) when it cannot."""
        m = re.search(r"Current DC: (\S+) .* partition (with|WITHOUT) quorum", self.status(node))
        return (m.group(1), m.group(2) == "with") if m else (None, None)

    def quorate(self, node):
        return self.dc(node)[1]

    def online(self, node):
        m = re.search(r"Online: \[ ([^\]]*) \]", self.status(node))
        return sorted(m.group(1).split()) if m else []

    def running(self, node):
        """Whether d1's agent state says it runs on this node."""
        return self.lab.exec(node, "sh", "-c", f"ls {DUMMY_STATE}").returncode == 0

    def fence_history(self, node, target):
        """[(action, ok, device or None, completed epoch)] of `holdfast fence history` for target, on node."""
        p = self.cli(node, "fence", "history", target)
        out = []
        for line in p.stdout.splitlines():
            m = re.match(r"(\w+) of (\S+) (successful|failed): (?:device=([^,]+), )?origin=[^,]+, "
                         r"(?:completed|last-failed)='([^']+)'", line)
            if m and m.group(2) == target:
                when = datetime.datetime.strptime(m.group(5), "%Y-%m-%d %H:%M:%S %z").timestamp()
                out.append((m.group(1), m.group(3) == "successful", m.group(4), when))
        return out

    def digest(self, node):
        return hashlib.sha256(self.cib(node).encode()).hexdigest()

    def load(self, node, configuration):
        """`holdfast configure load update` of a <configuration> text, from inside node."""
        self.lab.exec(node, "sh", "-c", "cat > /var/lib/holdfast/resources.xml <<'EOF'\n" + configuration + "EOF")
        return self.cli(node, "configure", "load", "update", "/var/lib/holdfast/resources.xml")


def run_lab_checks(name, nodes, checks, up_args=(), more_args=None, more_skip=None):
    """Parses --lab/--holdfast, brings up a lab of len(nodes) nodes (`up ... *up_args`) and runs
    checks(cluster, base_dir); the process exit status (0, 1, or SKIP). more_args(parser) adds
    arguments (the parsed ones are cluster.args); more_skip() returns a reason to skip, or None."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--lab", required=True, help="holdfast-lab binary (holdfastd next to it)")
    parser.add_argument("--holdfast", required=True, help="holdfast CLI binary")
    if more_args:
        more_args(parser)
    args = parser.parse_args()
    reason = skip_reason() or (more_skip() if more_skip else None)
    if reason:
        print(f"skipped: {reason}")
        return SKIP
    if not os.path.exists("/usr/lib/ocf/resource.d/heartbeat/Dummy"):
        print("skipped: resource-agents (ocf:heartbeat:Dummy) is not installed")
        return SKIP
    become_subreaper()
    base = tempfile.mkdtemp(prefix=f"holdfast-{name}-")
    lab = Lab(os.path.abspath(args.lab), os.path.join(base, "lab"))
    try:
        lab.up(len(nodes), *up_args)
        cluster = Cluster(lab, os.path.abspath(args.holdfast))
        cluster.args = args
        checks(cluster, base)
        print(f"all {name} checks passed")
        return 0
    except (CheckFailed, subprocess.TimeoutExpired) as e:
        print(f"FAILED: {e}", flush=True)
        for node in nodes:
            path = os.path.join(lab.dir, "nodes", node, "root", "var", "log", "holdfast", "holdfastd.log")
            if os.path.exists(path):
                print(f"--- {path} (tail)")
                with open(path) as f:
                    print("".join(f.readlines()[-int(os.environ.get("HOLDFAST_LOG_TAIL", "25")):]))
        return 1
    finally:
        subprocess.run([lab.binary, "--dir", lab.dir, "down"], capture_output=True)
        reap()
        shutil.rmtree(base, ignore_errors=True)
