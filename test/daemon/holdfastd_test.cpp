// daemon_ipc: the real holdfastd binary on a temporary state dir and a private
// IPC name, driven through the real `holdfast` CLI and the IPC client.
// Checks state (exit codes, the CIB's epoch, notify messages, files), never
// log text, and waits with generous deadlines without timing anything.
#define BOOST_TEST_MODULE daemon_ipc
#include <grp.h>
#include <qb/qbipc_common.h>
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "cib/cib.hpp"
#include "daemon/client.hpp"
#include "test/daemon/daemon_fixture.hpp"
#include "test/daemon/print.hpp"
#include "test/daemon/process.hpp"

namespace fs = std::filesystem;
using namespace holdfast;
using namespace std::chrono_literals;
using namespace holdfast::test;
using test::credentials;

namespace {

// run_as() entry points: exit status = the errc of the call
int child_ping(const std::string& ipc) { return static_cast<int>(call_status(ipc, daemon::request_type::ping)); }
int child_shutdown(const std::string& ipc) {
    return static_cast<int>(call_status(ipc, daemon::request_type::shutdown));
}

}  // namespace

BOOST_AUTO_TEST_CASE(serves_the_cib_to_the_cli_and_stops_on_sigterm) {
    daemon_fixture d(true);
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_TEST(xml.status == 0);
    auto doc = cib::load_string(xml.out, {}, "<cib show>");
    BOOST_REQUIRE(doc);
    BOOST_TEST(doc->model().epoch == "12");

    auto status = d.cli({"status"});
    BOOST_TEST(status.status == 0);
    BOOST_TEST(status.out.find("node1") != std::string::npos);
    BOOST_TEST(status.out.find("node2") != std::string::npos);
    auto as_xml = d.cli({"status", "--output-as=xml"});
    BOOST_TEST(as_xml.status == 0);
    BOOST_TEST(as_xml.out.find("<node name=\"node1\"") != std::string::npos);
    auto as_json = d.cli({"status", "--output-as=json"});
    BOOST_TEST(as_json.status == 0);
    BOOST_TEST(as_json.out.find("\"epoch\": 12") != std::string::npos);

    BOOST_REQUIRE(kill(d.proc->pid(), SIGTERM) == 0);
    BOOST_TEST(d.proc->wait(deadline).value_or(-1) == 0);
    BOOST_TEST(d.notify.wait_for("STOPPING=1", deadline));
    // gone: the CLI says so with its exit code for "not reachable"
    BOOST_TEST(d.cli({"cib", "show", "--xml"}).status == 5);
}

BOOST_AUTO_TEST_CASE(only_root_and_haclient_members_get_in) {
    if (geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: uid checks skipped (CI runs them)");
        return;
    }
    daemon_fixture d(true);
    BOOST_TEST(d.cli({"cib", "show", "--xml"}).status == 0);
    BOOST_TEST(d.cli({"cib", "show", "--xml"}, nobody).status == 4);
    BOOST_TEST(d.cli({"status"}, nobody).status == 4);
    BOOST_TEST(test::run_as(nobody, child_ping, d.ipc) == static_cast<int>(daemon::errc::permission_denied));

    group* g = getgrnam("haclient");
    if (!g) {
        BOOST_TEST_MESSAGE("no group haclient: membership covered by unit_daemon only");
        return;
    }
    // nobody with haclient as its primary group: may read, may not shut down
    credentials member{65534, g->gr_gid};
    BOOST_TEST(d.cli({"cib", "show", "--xml"}, member).status == 0);
    BOOST_TEST(test::run_as(member, child_ping, d.ipc) == 0);
    BOOST_TEST(test::run_as(member, child_shutdown, d.ipc) == static_cast<int>(daemon::errc::permission_denied));
    // root may: the same orderly stop as SIGTERM
    BOOST_TEST(call_status(d.ipc, daemon::request_type::shutdown) == daemon::errc::ok);
    BOOST_TEST(d.proc->wait(deadline).value_or(-1) == 0);
    BOOST_TEST(d.notify.wait_for("STOPPING=1", deadline));
}

BOOST_AUTO_TEST_CASE(bad_requests_get_error_replies_and_the_daemon_keeps_serving) {
    daemon_fixture d(true);
    BOOST_TEST(call_status(d.ipc, daemon::request_type::ping, std::string(daemon::max_request_bytes + 1, 'x')) ==
               daemon::errc::request_too_large);
    BOOST_TEST(call_status(d.ipc, daemon::request_type::ping, "\xff") == daemon::errc::bad_request);
    {
        auto c = daemon::client::connect(d.ipc);
        BOOST_REQUIRE(c);
        std::string v99 = daemon::encode_request({daemon::request_type::ping, ""});
        v99[sizeof(qb_ipc_request_header)] = 99;
        auto r = c->call_raw(v99, 60s);
        BOOST_REQUIRE(r);
        BOOST_TEST(r->status == daemon::errc::unsupported_version);
    }
    BOOST_TEST(call_status(d.ipc, daemon::request_type::cib_change, "<x/>") == daemon::errc::bad_request);
    BOOST_TEST(call_status(d.ipc, daemon::request_type::ping) == daemon::errc::ok);
    BOOST_TEST(d.cli({"cib", "show", "--xml"}).status == 0);
}

BOOST_AUTO_TEST_CASE(empty_state_dir_watchdog_blackbox_and_a_taken_name) {
    daemon_fixture d(false, {"WATCHDOG_USEC=200000"});
    BOOST_TEST(d.notify.wait_for("WATCHDOG=1", deadline));
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_TEST(xml.status == 0);
    auto doc = cib::load_string(xml.out, {}, "<cib show>");  // validates against pacemaker-3.9
    BOOST_REQUIRE(doc);
    BOOST_TEST(doc->model().epoch == "0");

    BOOST_REQUIRE(kill(d.proc->pid(), SIGUSR1) == 0);
    fs::path dump = d.dir / ("blackbox-" + std::to_string(d.proc->pid()) + "-1");
    auto end = std::chrono::steady_clock::now() + deadline;
    while (!fs::exists(dump) && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(10ms);
    BOOST_TEST(fs::exists(dump));

    // a second daemon on the same IPC name refuses to start
    auto second = test::run(
        {HOLDFASTD_BIN, "--foreground", "--standalone", "--state-dir", d.dir.string(), "--socket", d.ipc}, {});
    BOOST_TEST(second.status == 1);
    BOOST_TEST(call_status(d.ipc, daemon::request_type::ping) == daemon::errc::ok);
}

BOOST_AUTO_TEST_CASE(the_cli_refuses_a_daemon_not_running_as_root) {
    if (geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: cannot run a daemon as another user");
        return;
    }
    group* g = getgrnam("haclient");
    credentials user{65534, g ? g->gr_gid : gid_t(65534)};
    daemon_fixture d(true, {}, user);
    BOOST_TEST(d.cli({"cib", "show", "--xml"}).status == 6);
    BOOST_TEST(call_status(d.ipc, daemon::request_type::ping) == daemon::errc::server_untrusted);
    // the daemon's own user trusts it (nothing to gain by impersonating it)
    if (g) BOOST_TEST(d.cli({"cib", "show", "--xml"}, user).status == 0);
}
