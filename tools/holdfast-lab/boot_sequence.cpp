#include "tools/holdfast-lab/boot_sequence.hpp"

#include <unistd.h>

#include <filesystem>

namespace holdfast::lab {

namespace {

// holdfastd from the same build as this holdfast-lab binary.
std::string daemon_next_to_us() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    const auto daemon = self.parent_path() / "holdfastd";
    return ::access(daemon.c_str(), X_OK) == 0 ? daemon.string() : std::string();
}

// A first CIB for Pacemaker: without dc-deadtime it waits 20 s before electing a DC; the lab has
// no fence device.
const char* const pacemaker_cib =
    "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">"
    "<configuration><crm_config><cluster_property_set id=\"cib-bootstrap-options\">"
    "<nvpair id=\"cib-bootstrap-options-dc-deadtime\" name=\"dc-deadtime\" value=\"2s\"/>"
    "<nvpair id=\"cib-bootstrap-options-stonith-enabled\" name=\"stonith-enabled\" value=\"false\"/>"
    "</cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration>"
    "<status/></cib>";

// Makes what Debian's package and systemd unit would (directories owned by hacluster:haclient,
// the seeded CIB on first boot), waits until corosync answers (pacemakerd gives up quickly
// without it), then execs pacemakerd, which starts Pacemaker's other daemons.
const char* const pacemaker_start =
    "set -e\n"
    "cd /var/lib/pacemaker\n"
    "install -d -o hacluster -g haclient -m 0750 cib pengine blackbox cores\n"
    "install -d -o hacluster -g haclient -m 0770 /var/log/pacemaker\n"
    "if [ ! -e cib/cib.xml ]; then\n"
    "  printf '%s\\n' \"$0\" >cib/cib.xml\n"
    "  chown hacluster:haclient cib/cib.xml\n"
    "  chmod 0600 cib/cib.xml\n"
    "fi\n"
    "i=0\n"
    "until /usr/sbin/corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1 || [ $i -ge 300 ]; do\n"
    "  sleep 0.1\n"
    "  i=$((i + 1))\n"
    "done\n"
    "export PCMK_logfile=/var/log/pacemaker/pacemaker.log\n"
    "exec /usr/sbin/pacemakerd >>/var/log/pacemaker/pacemakerd.log 2>&1\n";

const char* const holdfastd_start = "exec \"$0\" --foreground >>/var/log/holdfast/holdfastd.log 2>&1";
const char* const holdfastd_after_libvirtd =
    "i=0\n"
    "until [ -S /run/libvirt/libvirt-sock ] || [ $i -ge 300 ]; do\n"
    "  sleep 0.1\n"
    "  i=$((i + 1))\n"
    "done\n"
    "exec \"$0\" --foreground >>/var/log/holdfast/holdfastd.log 2>&1";

// libvirt's test driver (test:///default, reached as test+unix:///default through libvirtd) keeps
// its domains only while libvirtd has a connection to it: this client holds one for the node's
// life, so the node is a hypervisor whose (simulated) guests last from one agent call to the
// next, and vanish when the node goes down.
const char* const libvirt_test_host =
    "i=0\n"
    "until [ -S /run/libvirt/libvirt-sock ] || [ $i -ge 300 ]; do\n"
    "  sleep 0.1\n"
    "  i=$((i + 1))\n"
    "done\n"
    "tail -f /dev/null | /usr/bin/virsh -q -c test+unix:///default >>/var/log/libvirt/test-host.log 2>&1";

}  // namespace

std::vector<service> boot_sequence(const lab_layout& l, int) {
    std::vector<service> out{
        // -f: stay in the foreground, so the node's PID 1 is its parent and sees it exit.
        {"corosync", {"/usr/sbin/corosync", "-f"}},
    };
    const auto c = load_config(l);
    const bool libvirt = c && c->libvirt;
    if (libvirt) {
        // Both stay in the foreground (no --daemon), children of the node's PID 1.
        out.push_back({"virtlogd", {"/usr/sbin/virtlogd"}});
        out.push_back(
            {"libvirtd", {"/bin/sh", "-c", "exec /usr/sbin/libvirtd --listen >>/var/log/libvirt/libvirtd.out 2>&1"}});
        if (::access("/usr/bin/virsh", X_OK) == 0)
            out.push_back({"libvirt-test-host", {"/bin/sh", "-c", libvirt_test_host}});
    }
    if (c && c->stack == "pacemaker") {
        // pacemakerd always stays in the foreground; exec keeps it PID 1's child.
        out.push_back({"pacemakerd", {"/bin/sh", "-c", pacemaker_start, pacemaker_cib}});
        return out;
    }
    // holdfastd waits for corosync itself; its log goes to the node's own /var/log/holdfast. With
    // libvirt it first waits (bounded) for libvirtd's socket, so its first probes of a
    // VirtualMachine find libvirtd answering.
    if (const std::string daemon = daemon_next_to_us(); !daemon.empty())
        out.push_back({"holdfastd", {"/bin/sh", "-c", libvirt ? holdfastd_after_libvirtd : holdfastd_start, daemon}});
    return out;
}

}  // namespace holdfast::lab
