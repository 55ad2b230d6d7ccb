// ocf:holdfast:VirtualMachine against a libvirtd of the test's own, so that
// state lasts from one agent call to the next: the daemon serves libvirt's
// test driver (test+unix:///default?socket=...) and the test holds one
// connection open for the whole case (libvirtd drops test:///default's state
// with its last connection) and reads the domains' states through it.
//
// The daemon runs in a private mount namespace whose libvirt state, cache and
// log directories and driver-module directory are empty tmpfs: it loads no
// hypervisor driver and leaves the host's libvirt alone. Needs root,
// util-linux's unshare and libvirtd (package libvirt-daemon); skips otherwise.
#include <boost/test/unit_test.hpp>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "ra/process.hpp"
#include "test/unit/vm_agent_util.hpp"

namespace fs = std::filesystem;
namespace ra = holdfast::ra;
using holdfast::test::vm_fixture;

namespace {

constexpr const char* libvirtd_bin = "/usr/sbin/libvirtd";
constexpr const char* unshare_bin = "/usr/bin/unshare";

std::optional<std::string> missing() {
    if (geteuid() != 0) return "not root";
    if (access(libvirtd_bin, X_OK) != 0) return "no libvirtd (package libvirt-daemon)";
    if (access(unshare_bin, X_OK) != 0) return "no unshare (util-linux)";
    return std::nullopt;
}

struct connection_close {
    void operator()(virConnectPtr c) const { virConnectClose(c); }
};

class private_libvirtd {
public:
    explicit private_libvirtd(const fs::path& dir) : sock_dir_(dir / "libvirtd") {
        fs::create_directories(sock_dir_);
        std::ofstream(dir / "libvirtd.conf") << "unix_sock_dir = \"" << sock_dir_.string() << "\"\n"
                                             << "auth_unix_rw = \"none\"\nauth_unix_ro = \"none\"\n";
        // Only directories that exist are covered: mkdir here would reach the host.
        const std::string script =
            "set -e; for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt "
            "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver; do "
            "if [ -d $d ]; then mount -t tmpfs tmpfs $d; fi; done; exec " +
            std::string(libvirtd_bin) + " --config " + (dir / "libvirtd.conf").string() + " --pid-file " +
            (dir / "libvirtd.pid").string();
        auto child =
            ra::child_process::spawn({unshare_bin, "--mount", "--propagation", "private", "/bin/sh", "-c", script},
                                     {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"});
        BOOST_REQUIRE(child.has_value());
        daemon_.emplace(std::move(*child));
        // Up when a connection succeeds (generous deadline: a loaded machine)
        for (int i = 0; i < 300 && !held_; ++i) {
            if (fs::exists(sock_dir_ / "libvirt-sock")) held_.reset(virConnectOpen(uri().c_str()));
            if (!held_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        BOOST_REQUIRE_MESSAGE(held_ != nullptr, "private libvirtd did not come up");
    }
    ~private_libvirtd() {
        held_.reset();
        daemon_.reset();  // kills its process group and reaps it
    }
    private_libvirtd(const private_libvirtd&) = delete;
    private_libvirtd& operator=(const private_libvirtd&) = delete;

    std::string uri() const { return "test+unix:///default?socket=" + (sock_dir_ / "libvirt-sock").string(); }
    virConnectPtr conn() const { return held_.get(); }

    // The domain's virDomainState; -1 when there is no such domain.
    int state_of(const std::string& name) const {
        virDomainPtr d = virDomainLookupByName(held_.get(), name.c_str());
        if (!d) return -1;
        int st = -1;
        int reason = 0;
        if (virDomainGetState(d, &st, &reason, 0) < 0) st = -1;
        virDomainFree(d);
        return st;
    }

private:
    fs::path sock_dir_;
    std::optional<ra::child_process> daemon_;
    std::unique_ptr<virConnect, connection_close> held_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(vm_agent_libvirtd)

BOOST_AUTO_TEST_CASE(lifecycle_from_config_across_calls) {
    if (auto why = missing()) {
        BOOST_TEST_MESSAGE("private libvirtd test skipped: " << *why);
        return;
    }
    virSetErrorFunc(nullptr, [](void*, virErrorPtr) {});
    vm_fixture f;
    private_libvirtd lv(f.path(""));
    const std::map<std::string, std::string> vm{{"config", f.path("new.xml")}, {"hypervisor", lv.uri()}};
    BOOST_TEST(f.run("monitor", vm).rc == 7);
    BOOST_TEST(f.run("start", vm).rc == 0);
    BOOST_TEST(lv.state_of("vm-new") == VIR_DOMAIN_RUNNING);
    BOOST_TEST(f.run("monitor", vm).rc == 0);
    BOOST_TEST(f.run("start", vm).rc == 0);              // again: still the one domain
    BOOST_TEST(virConnectNumOfDomains(lv.conn()) == 2);  // vm-new and test:///default's "test"
    const auto size = f.run("utilization", vm);
    BOOST_TEST(size.output == "cpu=4 hv_memory=1024\n");
    // A migration that cannot happen leaves the domain running here.
    auto mig = vm;
    mig["CRM_meta_migrate_target"] = "node2";
    mig["migration_uri"] = "test+unix:///default?socket=" + f.path("nobody-listens");
    const auto refused = f.run("migrate_to", mig);
    BOOST_TEST(refused.rc == 1);
    BOOST_TEST(!refused.exit_reason.empty());
    BOOST_TEST(lv.state_of("vm-new") == VIR_DOMAIN_RUNNING);
    const auto stopped = f.run("stop", vm);
    BOOST_TEST(stopped.rc == 0, stopped.exit_reason);
    BOOST_TEST(lv.state_of("vm-new") == -1);  // transient: gone
    BOOST_TEST(f.run("stop", vm).rc == 0);
    BOOST_TEST(f.run("monitor", vm).rc == 7);
}

BOOST_AUTO_TEST_CASE(defined_domain_and_a_guest_that_ignores_shutdown) {
    if (auto why = missing()) {
        BOOST_TEST_MESSAGE("private libvirtd test skipped: " << *why);
        return;
    }
    virSetErrorFunc(nullptr, [](void*, virErrorPtr) {});
    vm_fixture f;
    private_libvirtd lv(f.path(""));
    // test:///default's own persistent domain "test" runs
    const std::map<std::string, std::string> test_dom{{"domain", "test"}, {"hypervisor", lv.uri()}};
    BOOST_TEST(f.run("stop", test_dom).rc == 0);
    BOOST_TEST(lv.state_of("test") == VIR_DOMAIN_SHUTOFF);  // still defined
    BOOST_TEST(f.run("monitor", test_dom).rc == 7);
    BOOST_TEST(f.run("start", test_dom).rc == 0);
    BOOST_TEST(lv.state_of("test") == VIR_DOMAIN_RUNNING);
    // A guest that restarts on power off: only the destroy stops it
    virDomainPtr d = virDomainDefineXML(lv.conn(),
                                        "<domain type='test'><name>vm-stubborn</name><memory>131072</memory>"
                                        "<vcpu>1</vcpu><on_poweroff>restart</on_poweroff><os><type>hvm</type></os>"
                                        "</domain>");
    BOOST_REQUIRE(d != nullptr);
    BOOST_REQUIRE(virDomainCreate(d) == 0);
    virDomainFree(d);
    const std::map<std::string, std::string> stubborn{
        {"domain", "vm-stubborn"}, {"hypervisor", lv.uri()}, {"shutdown_timeout", "1"}};
    BOOST_TEST(f.run("stop", stubborn).rc == 0);
    BOOST_TEST(lv.state_of("vm-stubborn") == VIR_DOMAIN_SHUTOFF);
}

BOOST_AUTO_TEST_SUITE_END()
