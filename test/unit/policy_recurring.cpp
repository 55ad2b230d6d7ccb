// Recurring operations: monitors for the Stopped role, monitors already
// running according to the history, and unmanaged resources' monitors.
// Small inline CIBs, unpacked and scheduled; checks are on the graph.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "test/unit/policy_fixture.hpp"

namespace hp = holdfast::policy;
namespace cib = holdfast::cib;

namespace {

const std::string up = "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"";

std::string op(const std::string& rsc, const std::string& task, int call, int rc, int target, int interval = 0) {
    return "<lrm_rsc_op id=\"" + rsc + "_" + task + "_" + std::to_string(interval) + "\" operation=\"" + task +
           "\" call-id=\"" + std::to_string(call) + "\" rc-code=\"" + std::to_string(rc) +
           "\" op-status=\"0\" interval=\"" + std::to_string(interval) +
           "\" transition-key=\"1:1:" + std::to_string(target) + ":abc\" last-rc-change=\"1000\"/>";
}

std::string state(const std::string& uname, const std::string& ops) {
    return "<node_state id=\"" + uname + "\" uname=\"" + uname + "\" " + up + "><lrm id=\"" + uname +
           "\"><lrm_resources><lrm_resource id=\"r\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" + ops +
           "</lrm_resource></lrm_resources></lrm></node_state>";
}

// r with a 10s monitor for its active role and a 20s one for the Stopped role
std::string cib_text(const std::string& meta, const std::string& status) {
    return "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
           "<configuration><crm_config><cluster_property_set id=\"o\"><nvpair id=\"s\" name=\"stonith-enabled\" "
           "value=\"false\"/></cluster_property_set></crm_config>"
           "<nodes><node id=\"n1\" uname=\"n1\"/><node id=\"n2\" uname=\"n2\"/><node id=\"n3\" uname=\"n3\"/></nodes>"
           "<resources><primitive id=\"r\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
           "<meta_attributes id=\"m\">" +
           meta +
           "</meta_attributes><operations><op id=\"m10\" name=\"monitor\" interval=\"10\"/>"
           "<op id=\"m20\" name=\"monitor\" interval=\"20\" role=\"Stopped\"/></operations></primitive></resources>"
           "<constraints/></configuration><status>" +
           status + "</status></cib>";
}

// "task interval node" of every graph action of r, e.g. "monitor 20000 n2"
std::vector<std::string> graph_ops(const std::string& text) {
    const holdfast::test::scheduled_cib scheduled(text);
    const hp::schedule_result& result = scheduled.result;
    std::vector<std::string> out;
    for (const auto& a : result.graph.actions)
        if (a.rsc_id == "r") out.push_back(a.task + " " + std::to_string(a.interval_ms) + " " + a.node_uname);
    std::sort(out.begin(), out.end());
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_recurring)

BOOST_AUTO_TEST_CASE(stopped_role_monitor_runs_where_the_resource_does_not) {
    const std::string probed = op("r", "monitor", 1, 7, 7);
    auto ops = graph_ops(cib_text("", state("n1", probed) + state("n2", probed) + state("n3", probed)));
    BOOST_TEST(has(ops, "start 0 n1"));
    BOOST_TEST(has(ops, "monitor 10000 n1"));
    BOOST_TEST(has(ops, "monitor 20000 n2"));
    BOOST_TEST(has(ops, "monitor 20000 n3"));
    BOOST_TEST(!has(ops, "monitor 20000 n1"));
}

BOOST_AUTO_TEST_CASE(stopped_role_monitor_already_running_is_kept) {
    // n2 and n3 already run the Stopped-role monitor (no start or stop in their history)
    const std::string probed = op("r", "monitor", 1, 7, 7);
    const std::string watching = probed + op("r", "monitor", 2, 7, 7, 20000);
    auto ops = graph_ops(cib_text("", state("n1", probed) + state("n2", watching) + state("n3", watching)));
    BOOST_TEST(!has(ops, "monitor 20000 n2"));
    BOOST_TEST(!has(ops, "monitor 20000 n3"));
}

BOOST_AUTO_TEST_CASE(stopped_resource_is_watched_everywhere) {
    const std::string running =
        op("r", "monitor", 1, 7, 7) + op("r", "start", 2, 0, 0) + op("r", "monitor", 3, 0, 0, 10000);
    const std::string probed = op("r", "monitor", 1, 7, 7);
    auto ops = graph_ops(cib_text("<nvpair id=\"t\" name=\"target-role\" value=\"Stopped\"/>",
                                  state("n1", running) + state("n2", probed) + state("n3", probed)));
    BOOST_TEST(has(ops, "stop 0 n1"));
    BOOST_TEST(has(ops, "monitor 20000 n1"));
    BOOST_TEST(has(ops, "monitor 20000 n2"));
    BOOST_TEST(!has(ops, "monitor 10000 n1"));
}

BOOST_AUTO_TEST_CASE(unmanaged_monitor_needs_no_start) {
    // Unmanaged and running on n1 without its 10s monitor: the monitor is
    // scheduled on its own, with no (unmanaged) start to wait for
    const std::string running = op("r", "monitor", 1, 7, 7) + op("r", "start", 2, 0, 0);
    const std::string probed = op("r", "monitor", 1, 7, 7);
    auto ops = graph_ops(cib_text("<nvpair id=\"u\" name=\"is-managed\" value=\"false\"/>",
                                  state("n1", running) + state("n2", probed) + state("n3", probed)));
    BOOST_TEST(has(ops, "monitor 10000 n1"));
    BOOST_TEST(!has(ops, "start 0 n1"));
}

BOOST_AUTO_TEST_CASE(duplicate_ops_get_no_monitor) {
    // "10" and "PT10S" are the same op twice: Pacemaker schedules neither
    std::string text =
        cib_text("", state("n1", op("r", "monitor", 1, 7, 7)) + state("n2", op("r", "monitor", 1, 7, 7)) +
                         state("n3", op("r", "monitor", 1, 7, 7)));
    const std::string ops = "<op id=\"m20\" name=\"monitor\" interval=\"20\" role=\"Stopped\"/>";
    text.replace(text.find(ops), ops.size(), "<op id=\"m10b\" name=\"monitor\" interval=\"PT10S\"/>");
    auto graph = graph_ops(text);
    BOOST_TEST(has(graph, "start 0 n1"));
    BOOST_TEST(!has(graph, "monitor 10000 n1"));
}

BOOST_AUTO_TEST_SUITE_END()
