// daemon_ipc, agent tools: crm_attribute (with --promotion), crm_master,
// attrd_updater and crm_node as resource agents call them (the links in
// bin/agent-tools), against the real holdfastd, checked through the CIB it
// serves and the exit codes Pacemaker's tools use.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "cib/cib.hpp"
#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast;
using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

// An agent tool run as an agent on node1 runs it (the executor's environment).
run_result tool(const daemon_fixture& d, const std::string& name, std::vector<std::string> args,
                std::vector<std::string> env = {"OCF_RESKEY_CRM_meta_on_node=node1"}) {
    const fs::path link = fs::path(HOLDFAST_BIN).parent_path() / "agent-tools" / name;
    args.insert(args.begin(), link.string());
    env.push_back("HOLDFAST_IPC_NAME=" + d.ipc);
    return run(args, env);
}

std::string transient(const daemon_fixture& d, const std::string& node_id, const std::string& name) {
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_REQUIRE(xml.status == 0);
    auto doc = cib::load_string(xml.out, {}, "<cib show>");
    BOOST_REQUIRE(doc);
    for (const auto& st : doc->model().node_states)
        if (st.id == node_id)
            for (const auto& set : st.transient_attributes)
                for (const auto& p : set.pairs)
                    if (p.name == name) return p.value;
    return "<unset>";
}

}  // namespace

BOOST_AUTO_TEST_CASE(crm_attribute_and_crm_master_write_what_pacemakers_would) {
    daemon_fixture d(true);
    const std::vector<std::string> agent{"OCF_RESKEY_CRM_meta_on_node=node1", "OCF_RESOURCE_INSTANCE=stateful"};
    // Stateful's promotion score: master-<instance>, transient, on the agent's node
    BOOST_TEST(tool(d, "crm_attribute", {"--promotion", "-v", "10"}, agent).status == 0);
    BOOST_TEST(transient(d, "1", "master-stateful") == "10");
    auto q = tool(d, "crm_attribute", {"--promotion", "-G", "-q"}, agent);
    BOOST_TEST(q.status == 0);
    BOOST_TEST(q.out == "10\n");
    BOOST_TEST(tool(d, "crm_attribute", {"--promotion", "-D"}, agent).status == 0);
    BOOST_TEST(transient(d, "1", "master-stateful") == "<unset>");

    // node attributes on a named node, permanent by default; cluster properties without a node
    BOOST_TEST(tool(d, "crm_attribute", {"-N", "node2", "-n", "site", "-v", "north"}).status == 0);
    auto g = tool(d, "crm_attribute", {"--node", "node2", "--name=site", "--query"});
    BOOST_TEST(g.status == 0);
    BOOST_TEST(g.out == "scope=nodes  name=site value=north\n");
    BOOST_TEST(tool(d, "crm_attribute", {"-n", "cluster-recheck-interval", "-v", "5min"}).status == 0);
    BOOST_TEST(tool(d, "crm_attribute", {"-n", "cluster-recheck-interval", "-G", "-q"}).out == "5min\n");
    BOOST_TEST(tool(d, "crm_attribute", {"-l", "reboot", "-n", "pingd", "-v", "100"}).status == 0);
    BOOST_TEST(transient(d, "1", "pingd") == "100");

    // crm_master: the deprecated spelling of a permanent promotion score
    BOOST_TEST(tool(d, "crm_master", {"-v", "5"}, agent).status == 0);
    BOOST_TEST(tool(d, "crm_master", {"-G", "-q"}, agent).out == "5\n");

    // what is missing, and bad input: Pacemaker's exit codes, nothing changed
    auto missing = tool(d, "crm_attribute", {"-n", "nothing-here", "-G"});
    BOOST_TEST(missing.status == 105);
    BOOST_TEST(tool(d, "crm_attribute", {"-n", "nothing-here", "-G", "-d", "7", "-q"}).out == "7\n");
    BOOST_TEST(tool(d, "crm_attribute", {"-N", "node9", "-n", "x", "-v", "1"}).status == 105);
    auto typo = tool(d, "crm_attribute", {"--promoton", "-v", "1"}, agent);
    BOOST_TEST(typo.status == 64);
    BOOST_TEST(one_line(typo.err));
    BOOST_TEST(tool(d, "crm_attribute", {"--promotion", "-v", "1"}, {}).status == 64);  // no instance
}

BOOST_AUTO_TEST_CASE(attrd_updater_and_crm_node_answer_from_the_daemon) {
    daemon_fixture d(true);
    BOOST_TEST(tool(d, "attrd_updater", {"-n", "pingd", "-U", "1000", "-d", "5s"}).status == 0);
    BOOST_TEST(transient(d, "1", "pingd") == "1000");
    BOOST_TEST(tool(d, "attrd_updater", {"-n", "pingd", "-U", "200", "-N", "node2"}).status == 0);
    auto q = tool(d, "attrd_updater", {"-n", "pingd", "-Q"});
    BOOST_TEST(q.status == 0);
    BOOST_TEST(q.out == "name=\"pingd\" host=\"node1\" value=\"1000\"\n");
    auto all = tool(d, "attrd_updater", {"-n", "pingd", "-Q", "-A"});
    BOOST_TEST(all.out ==
               "name=\"pingd\" host=\"node1\" value=\"1000\"\nname=\"pingd\" host=\"node2\" value=\"200\"\n");
    BOOST_TEST(tool(d, "attrd_updater", {"-n", "pingd", "-D"}).status == 0);
    BOOST_TEST(tool(d, "attrd_updater", {"-n", "pingd", "-Q"}).status == 105);
    BOOST_TEST(tool(d, "attrd_updater", {"-n", "pingd"}).status == 64);

    BOOST_TEST(tool(d, "crm_node", {"-n"}).out == "node1\n");
    BOOST_TEST(tool(d, "crm_node", {"--cluster-id"}).out == "1\n");
    BOOST_TEST(tool(d, "crm_node", {"-q"}).out == "1\n");
    BOOST_TEST(tool(d, "crm_node", {"-l"}).out == "1 node1 member\n2 node2 lost\n");
    BOOST_TEST(tool(d, "crm_node", {"-p"}).out == "node1\n");
    BOOST_TEST(tool(d, "crm_node", {"-N", "2"}).out == "node2\n");
    BOOST_TEST(tool(d, "crm_node", {"-N", "7"}).status == 105);
    BOOST_TEST(tool(d, "crm_node", {"--bogus"}).status == 64);
}
