// Each exit status man/holdfast.8 documents (EXIT STATUS, and the agent
// tools' Pacemaker codes), reached through the real binary and a real
// holdfastd, with the one-line error that names the fix where there is one.
#include <grp.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

// A CIB the scheduler cannot handle yet: a bundle (exit status 3).
constexpr const char* bundle_cib =
    "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\"><configuration>"
    "<crm_config/><nodes><node id=\"1\" uname=\"node1\"/></nodes><resources>"
    "<bundle id=\"b\"><docker image=\"pcmk:http\" replicas=\"1\"/></bundle>"
    "</resources><constraints/></configuration><status/></cib>\n";

std::string agent_tool(const char* name) {
    return (fs::path(HOLDFAST_BIN).parent_path() / "agent-tools" / name).string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_exit_codes)

BOOST_AUTO_TEST_CASE(each_documented_status_of_holdfast) {
    temp_dir tmp;
    const auto bundle = tmp.path / "bundle.xml";
    std::ofstream(bundle) << bundle_cib;
    const std::vector<std::string> no_daemon = {"HOLDFAST_IPC_NAME=" + unique_name()};

    // 0 success
    BOOST_TEST(run({HOLDFAST_BIN, "version"}, {}).status == 0);
    // 1 bad input: a file that does not exist
    auto r = run({HOLDFAST_BIN, "verify", "-x", (tmp.path / "missing.xml").string()}, {});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(one_line(r.err), r.err);
    // 2 bad usage: unknown command, unknown output format
    BOOST_TEST(run({HOLDFAST_BIN, "frobnicate"}, {}).status == 2);
    r = run({HOLDFAST_BIN, "status", "--output-as=yaml"}, no_daemon);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("'yaml'") != std::string::npos, r.err);
    // 3 a feature not implemented yet
    BOOST_TEST(run({HOLDFAST_BIN, "simulate", "-x", bundle.string()}, {}).status == 3);
    // 5 holdfastd not running: one line that says how to start it
    r = run({HOLDFAST_BIN, "status"}, no_daemon);
    BOOST_TEST(r.status == 5);
    BOOST_TEST(one_line(r.err), r.err);
    BOOST_TEST(r.err.find("systemctl start holdfastd") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(statuses_that_need_a_daemon) {
    daemon_fixture d(true);
    // 1 the daemon's CIB has no such resource; nothing changes
    auto r = d.cli({"resource", "start", "no-such-resource"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(one_line(r.err), r.err);
    if (geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: permission and trust statuses skipped (CI runs them)");
        return;
    }
    // 4 permission denied, with the fix
    r = d.cli({"status"}, nobody);
    BOOST_TEST(r.status == 4);
    BOOST_TEST(r.err.find("group haclient") != std::string::npos, r.err);
    // 6 protocol mismatch: a daemon not running as root is not trusted
    group* g = getgrnam("haclient");
    daemon_fixture untrusted(true, {}, credentials{65534, g ? g->gr_gid : gid_t(65534)});
    BOOST_TEST(untrusted.cli({"status"}).status == 6);
}

BOOST_AUTO_TEST_CASE(agent_tools_return_pacemakers_codes) {
    const std::vector<std::string> no_daemon = {"HOLDFAST_IPC_NAME=" + unique_name()};
    // 64 usage
    BOOST_TEST(run({agent_tool("crm_attribute"), "--bogus"}, no_daemon).status == 64);
    // 102 not connected
    BOOST_TEST(run({agent_tool("crm_attribute"), "-n", "x", "-v", "1", "-t", "crm_config"}, no_daemon).status == 102);
    daemon_fixture d(true);
    // 105 no such attribute; 0 once it is set
    BOOST_TEST(run({agent_tool("crm_attribute"), "-t", "crm_config", "-n", "no-such", "-G"}, d.cli_env()).status ==
               105);
    BOOST_TEST(
        run({agent_tool("crm_attribute"), "-t", "crm_config", "-n", "batch-limit", "-v", "3"}, d.cli_env()).status ==
        0);
    BOOST_TEST(run({agent_tool("crm_attribute"), "-t", "crm_config", "-n", "batch-limit", "-G"}, d.cli_env()).status ==
               0);
}

BOOST_AUTO_TEST_SUITE_END()
