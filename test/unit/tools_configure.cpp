// tools/: what `holdfast configure` and `holdfast node` decide before any
// daemon is asked (usage errors, a bad file), so no daemon runs here; the
// daemon side is test/daemon/cli_change_test.cpp.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "tools/holdfast/commands.hpp"

namespace tools = holdfast::tools;

namespace {

// An IPC name nobody serves: were anything sent, the exit code would be 5.
struct no_daemon {
    no_daemon() { setenv("HOLDFAST_IPC_NAME", ("holdfast-nobody-" + std::to_string(getpid())).c_str(), 1); }
    ~no_daemon() { unsetenv("HOLDFAST_IPC_NAME"); }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(usage_errors_name_the_mistake_and_exit_2, no_daemon) {
    BOOST_TEST(tools::run_configure({}) == 2);
    BOOST_TEST(tools::run_configure({"shwo"}) == 2);
    BOOST_TEST(tools::run_configure({"load", "merge", "f.xml"}) == 2);
    BOOST_TEST(tools::run_configure({"load", "update"}) == 2);
    BOOST_TEST(tools::run_configure({"property"}) == 2);
    BOOST_TEST(tools::run_configure({"property", "a=1", "=2"}) == 2);  // none is sent
    BOOST_TEST(tools::run_configure({"show", "--json"}) == 2);
    BOOST_TEST(tools::run_configure({"verify", "extra"}) == 2);
    BOOST_TEST(tools::run_configure({"delete"}) == 2);
    BOOST_TEST(tools::run_configure({"rename", "a"}) == 2);
    BOOST_TEST(tools::run_node({}) == 2);
    BOOST_TEST(tools::run_node({"stanby", "node1"}) == 2);
    BOOST_TEST(tools::run_node({"standby"}) == 2);
    BOOST_TEST(tools::run_node({"standby", "node1", "node2"}) == 2);
}

BOOST_FIXTURE_TEST_CASE(a_bad_file_fails_before_the_daemon_is_asked, no_daemon) {
    char name[] = "/tmp/holdfast-configure-XXXXXX";
    int fd = mkstemp(name);
    BOOST_REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(name) << "<configuration>\n<crm_config>\n";
    BOOST_TEST(tools::run_configure({"load", "update", name}) == 1);
    std::ofstream(name) << "<status/>\n";
    BOOST_TEST(tools::run_configure({"load", "replace", name}) == 1);
    std::ofstream(name) << "<configuration/>\n";  // well-formed: now the daemon is asked, and is not there
    BOOST_TEST(tools::run_configure({"load", "replace", name}) == 5);
    unlink(name);
    BOOST_TEST(tools::run_configure({"load", "replace", "/nonexistent/cib.xml"}) == 1);
    BOOST_TEST(tools::run_node({"standby", "node1"}) == 5);
}
