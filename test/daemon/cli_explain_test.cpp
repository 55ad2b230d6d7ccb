// daemon_ipc, `holdfast explain` against the real holdfastd: it explains the
// CIB the daemon serves (as offline explain explains the same CIB saved to a
// file), follows a change made through the daemon, and names an unknown
// resource in a one-line error.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

BOOST_AUTO_TEST_CASE(explain_reads_the_daemons_cib) {
    daemon_fixture d(true);
    auto live = d.cli({"explain", "vm-web"});
    BOOST_TEST(live.status == 0);
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_REQUIRE(xml.status == 0);
    const fs::path saved = d.dir / "served.xml";
    std::ofstream(saved) << xml.out;
    auto offline = run({HOLDFAST_BIN, "explain", "vm-web", "--cib", saved.string()}, {});
    BOOST_TEST(offline.status == 0);
    BOOST_TEST(first_line(live.out) == first_line(offline.out));
    BOOST_TEST(live.out.rfind("vm-web ", 0) == 0u);

    // a standby set through the daemon shows in the next explanation's data
    BOOST_REQUIRE(d.cli({"node", "standby", "node1"}).status == 0);
    auto json = d.cli({"explain", "vm-web", "--output-as=json"});
    BOOST_TEST(json.status == 0);
    const size_t node1 = json.out.find("{\"name\": \"node1\"");
    BOOST_REQUIRE(node1 != std::string::npos);
    const std::string entry = json.out.substr(node1, json.out.find('\n', node1) - node1);
    BOOST_TEST(entry.find("\"conditions\": [\"standby\"]") != std::string::npos);

    auto unknown = d.cli({"explain", "vm9"});
    BOOST_TEST(unknown.status == 1);
    BOOST_TEST(one_line(unknown.err));
    BOOST_TEST(unknown.err == "holdfast explain: unknown resource 'vm9'\n");
}
