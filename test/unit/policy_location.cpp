// Placement constraints: inverted rsc-pattern and value-source="param"
// location rules (parameters evaluated for each node), and colocation sets.
// Inline CIBs, unpacked and scheduled; checks are on where the starts go.
#include <boost/test/unit_test.hpp>

#include <string>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "test/unit/policy_fixture.hpp"

namespace hp = holdfast::policy;
namespace cib = holdfast::cib;

namespace {

std::string node(const std::string& name, const std::string& fake) {
    return "<node id=\"" + name + "\" uname=\"" + name + "\"><instance_attributes id=\"" + name + "-a\"><nvpair id=\"" +
           name + "-f\" name=\"fake\" value=\"" + fake + "\"/></instance_attributes></node>";
}

std::string up(const std::string& name) {
    return "<node_state id=\"" + name + "\" uname=\"" + name +
           "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>";
}

// Where each resource's start is scheduled, "rsc@node ..." in graph order
std::string starts(const std::string& resources, const std::string& constraints) {
    const std::string text =
        "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
        "<configuration><crm_config><cluster_property_set id=\"o\"><nvpair id=\"s\" name=\"stonith-enabled\" "
        "value=\"false\"/></cluster_property_set></crm_config><nodes>" +
        node("n1", "100") + node("n2", "200") + node("n3", "300") + "</nodes><resources>" + resources +
        "</resources><constraints>" + constraints + "</constraints></configuration><status>" + up("n1") + up("n2") +
        up("n3") + "</status></cib>";
    const holdfast::test::scheduled_cib scheduled(text);
    const hp::schedule_result& result = scheduled.result;
    std::string out;
    for (const auto& a : result.graph.actions)
        if (a.task == "start") out += (out.empty() ? "" : " ") + a.rsc_id + "@" + a.node_uname;
    return out;
}

std::string dummy(const std::string& id, const std::string& sets) {
    return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" + sets + "</primitive>";
}

std::string rule_location(const std::string& select, const std::string& op) {
    return "<rsc_location id=\"l\" " + select +
           "><rule id=\"r\" score=\"INFINITY\"><expression id=\"e\" attribute=\"fake\" operation=\"" + op +
           "\" value=\"fake\" value-source=\"param\"/></rule></rsc_location>";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_location)

BOOST_AUTO_TEST_CASE(inverted_pattern_selects_the_non_matching_resources) {
    const std::string params =
        "<instance_attributes id=\"i\"><nvpair id=\"f\" name=\"fake\" value=\"300\"/></instance_attributes>";
    // "!^rsc" applies to "other" only: it goes where fake equals its own parameter
    BOOST_TEST(starts(dummy("other", params), rule_location("rsc-pattern=\"!^rsc\"", "eq")) == "other@n3");
}

BOOST_AUTO_TEST_CASE(value_source_param_is_evaluated_per_node) {
    // the parameter is 200 by default (matching n2) but 100 on n3 (matching nowhere)
    const std::string params =
        "<instance_attributes id=\"i\" score=\"10\"><nvpair id=\"f\" name=\"fake\" value=\"200\"/>"
        "</instance_attributes><instance_attributes id=\"i3\" score=\"20\"><rule id=\"on3\" score=\"INFINITY\">"
        "<expression id=\"u\" attribute=\"#uname\" operation=\"eq\" value=\"n3\"/></rule>"
        "<nvpair id=\"f3\" name=\"fake\" value=\"100\"/></instance_attributes>";
    BOOST_TEST(starts(dummy("rsc1", params), rule_location("rsc=\"rsc1\"", "eq")) == "rsc1@n2");
    // 0 by default (matching nowhere) but 300 on n3, matching n3's own value
    const std::string only_n3 =
        "<instance_attributes id=\"i\" score=\"10\"><nvpair id=\"f\" name=\"fake\" value=\"0\"/>"
        "</instance_attributes><instance_attributes id=\"i3\" score=\"20\"><rule id=\"on3\" score=\"INFINITY\">"
        "<expression id=\"u\" attribute=\"#uname\" operation=\"eq\" value=\"n3\"/></rule>"
        "<nvpair id=\"f3\" name=\"fake\" value=\"300\"/></instance_attributes>";
    BOOST_TEST(starts(dummy("rsc1", only_n3), rule_location("rsc=\"rsc1\"", "eq")) == "rsc1@n3");
}

BOOST_AUTO_TEST_CASE(negative_colocation_set_separates_every_pair) {
    const std::string rscs = dummy("a", "") + dummy("b", "") + dummy("c", "");
    auto set = [](const std::string& score) {
        return "<rsc_colocation id=\"c\" score=\"" + score +
               "\"><resource_set id=\"s\"><resource_ref id=\"a\"/><resource_ref id=\"b\"/>"
               "<resource_ref id=\"c\"/></resource_set></rsc_colocation>";
    };
    // each member avoids all members before it, not just the previous one
    std::string apart = starts(rscs, set("-INFINITY"));
    BOOST_TEST(apart.find("@n1") != std::string::npos);
    BOOST_TEST(apart.find("@n2") != std::string::npos);
    BOOST_TEST(apart.find("@n3") != std::string::npos);
    // a positive set keeps them together
    std::string together = starts(rscs, set("INFINITY"));
    BOOST_TEST(together == "a@n1 b@n1 c@n1");
}

BOOST_AUTO_TEST_CASE(anti_colocation_orders_stop_before_start_on_the_same_node) {
    // a leaves n1 (banned), b (kept away from a) starts there: b waits for a's stop
    const std::string text =
        "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
        "<configuration><crm_config><cluster_property_set id=\"o\"><nvpair id=\"s\" name=\"stonith-enabled\" "
        "value=\"false\"/></cluster_property_set></crm_config><nodes>" +
        node("n1", "1") + node("n2", "2") + "</nodes><resources>" + dummy("a", "") + dummy("b", "") +
        "</resources><constraints><rsc_location id=\"ban\" rsc=\"a\" node=\"n1\" score=\"-INFINITY\"/>"
        "<rsc_location id=\"pref\" rsc=\"b\" node=\"n1\" score=\"100\"/>"
        "<rsc_colocation id=\"apart\" rsc=\"b\" with-rsc=\"a\" score=\"-INFINITY\"/></constraints>"
        "</configuration><status><node_state id=\"n1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" "
        "join=\"member\" expected=\"member\"><lrm id=\"n1\"><lrm_resources><lrm_resource id=\"a\" "
        "class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><lrm_rsc_op id=\"a_start_0\" operation=\"start\" "
        "call-id=\"2\" rc-code=\"0\" op-status=\"0\" interval=\"0\" transition-key=\"1:1:0:x\"/>"
        "</lrm_resource></lrm_resources></lrm></node_state>" +
        up("n2") + "</status></cib>";
    const holdfast::test::scheduled_cib scheduled(text);
    const hp::schedule_result& result = scheduled.result;
    const auto& g = result.graph;
    bool ordered = false;
    for (const auto& syn : g.synapses) {
        const auto& act = g.actions[syn.action];
        if (act.operation_key != "b_start_0" || act.node_uname != "n1") continue;
        for (int in : syn.inputs)
            ordered = ordered || (g.actions[in].operation_key == "a_stop_0" && g.actions[in].node_uname == "n1");
    }
    BOOST_TEST(ordered);
}

BOOST_AUTO_TEST_SUITE_END()
