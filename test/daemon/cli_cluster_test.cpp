// daemon_ipc, `holdfast cluster remove`: corosync.conf edited and the node
// taken out of the real holdfastd's CIB (its <node> and <node_state>, as
// crm_node -R). Corosync does not run here, so membership cannot be read:
// without --force remove refuses and changes nothing; with it, the only
// remaining node is this one (no ssh) and its corosync.conf is written here.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cib/cib.hpp"
#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast;
using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool in_cib(const daemon_fixture& d, const std::string& id) {
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_REQUIRE(xml.status == 0);
    auto doc = cib::load_string(xml.out, {}, "<cib show>");
    BOOST_REQUIRE(doc);
    bool found = false;
    for (const auto& n : doc->model().nodes) found |= n.id == id;
    for (const auto& s : doc->model().node_states) found |= s.id == id;
    return found;
}

}  // namespace

BOOST_AUTO_TEST_CASE(cluster_remove_edits_corosync_conf_and_the_cib) {
    daemon_fixture d(true);
    const auto dir = d.dir / "corosync";
    const auto conf = dir / "corosync.conf";
    auto init =
        d.cli({"cluster", "init", "--name", "t", "node1=192.0.2.1", "node2=192.0.2.2", "--corosync-dir", dir.string()});
    BOOST_REQUIRE(init.status == 0);
    const std::string before = slurp(conf);
    BOOST_TEST(before.find("two_node: 1") != std::string::npos);
    BOOST_REQUIRE(in_cib(d, "2"));
    const std::vector<std::string> remove{"cluster", "remove",         "node2",     "--node-name",
                                          "node1",   "--corosync-dir", dir.string()};
    auto refused = d.cli(remove);
    BOOST_TEST(refused.status == 1);
    BOOST_TEST(one_line(refused.err));
    BOOST_TEST(slurp(conf) == before);
    BOOST_TEST(in_cib(d, "2"));
    auto self = d.cli({"cluster", "remove", "node1", "--node-name", "node1", "--corosync-dir", dir.string()});
    BOOST_TEST(self.status == 1);
    auto forced = remove;
    forced.push_back("--force");
    auto done = d.cli(forced);
    BOOST_TEST(done.status == 0, done.err);
    const std::string after = slurp(conf);
    BOOST_TEST(after.find("node2") == std::string::npos);
    BOOST_TEST(after.find("name: node1") != std::string::npos);
    BOOST_TEST(after.find("two_node") == std::string::npos);  // one node left
    BOOST_TEST(!in_cib(d, "2"));
    BOOST_TEST(in_cib(d, "1"));
}
