// Utilization-based placement (placement-strategy): capacity checks that keep
// resources off nodes without room, the balanced strategy's preference for the
// node with most free capacity, assignment order, colocated sums, and the
// load_stopped pseudo actions. Small inline CIBs; the expected placements are
// what Pacemaker 2.1.5's crm_simulate decides for them.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/sched.hpp"
#include "policy/unpack.hpp"
#include "test/unit/policy_fixture.hpp"

namespace hp = holdfast::policy;
namespace hs = holdfast::policy::sched;
namespace cib = holdfast::cib;

namespace {

// A node with a cpu/memory capacity (empty: no utilization)
std::string node(const std::string& name, const std::string& util) {
    std::string out = "<node id=\"" + name + "\" uname=\"" + name + "\">";
    if (!util.empty()) out += "<utilization id=\"" + name + "-u\">" + util + "</utilization>";
    return out + "</node>";
}

std::string pair(const std::string& owner, const std::string& name, int value) {
    return "<nvpair id=\"" + owner + "-" + name + "\" name=\"" + name + "\" value=\"" + std::to_string(value) + "\"/>";
}

std::string primitive(const std::string& id, const std::string& util, const std::string& meta = "") {
    std::string out = "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">";
    if (!meta.empty()) out += "<meta_attributes id=\"" + id + "-m\">" + meta + "</meta_attributes>";
    if (!util.empty()) out += "<utilization id=\"" + id + "-u\">" + util + "</utilization>";
    return out + "</primitive>";
}

std::string up(const std::string& name) {
    return "<node_state id=\"" + name + "\" uname=\"" + name +
           "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>";
}

std::string cib_text(const std::string& strategy, const std::string& nodes, const std::string& resources,
                     const std::string& status, const std::string& constraints = "") {
    return "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
           "<configuration><crm_config><cluster_property_set id=\"o\">"
           "<nvpair id=\"o-st\" name=\"stonith-enabled\" value=\"false\"/>"
           "<nvpair id=\"o-ps\" name=\"placement-strategy\" value=\"" +
           strategy + "\"/></cluster_property_set></crm_config><nodes>" + nodes + "</nodes><resources>" + resources +
           "</resources><constraints>" + constraints + "</constraints></configuration><status>" + status +
           "</status></cib>";
}

struct fixture : holdfast::test::scheduled_cib {
    explicit fixture(const std::string& text) : scheduled_cib(text) {}

    // Where a resource was assigned ("" when it stays stopped)
    std::string where(const std::string& rsc) const {
        const hp::resource& r = ws.resources.at(ws.rsc_by_id.at(rsc));
        return r.allocated_to == hp::none ? std::string() : ws.nodes[r.allocated_to].uname;
    }

    bool has_graph_action(const std::string& key) const {
        return std::any_of(result.graph.actions.begin(), result.graph.actions.end(),
                           [&](const hp::graph_action& a) { return a.operation_key == key; });
    }
};

const std::string two_nodes_cpu2 = node("host1", pair("host1", "cpu", 2)) + node("host2", pair("host2", "cpu", 2));
const std::string both_up = up("host1") + up("host2");

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_utilization)

BOOST_AUTO_TEST_CASE(unpack_reads_resource_and_node_utilization) {
    fixture f(cib_text("utilization", node("host1", pair("host1", "cpu", 4) + pair("host1", "mem", 1024)),
                       primitive("rsc1", pair("rsc1", "cpu", 3)), up("host1")));
    const hp::node& n = f.ws.nodes.at(f.ws.node_by_uname.at("host1"));
    BOOST_TEST(n.utilization.at("cpu") == 4);
    BOOST_TEST(n.utilization.at("mem") == 1024);
    BOOST_TEST(f.ws.resources.at(f.ws.rsc_by_id.at("rsc1")).utilization.at("cpu") == 3);
}

BOOST_AUTO_TEST_CASE(insufficient_capacity_keeps_resource_stopped) {
    // Each node has 2 cpus: the 3-cpu resource fits nowhere, the 2-cpu one does
    fixture f(cib_text("utilization", two_nodes_cpu2,
                       primitive("big", pair("big", "cpu", 3)) + primitive("small", pair("small", "cpu", 2)), both_up));
    BOOST_TEST(f.where("big") == "");
    BOOST_TEST(f.where("small") != "");
}

BOOST_AUTO_TEST_CASE(default_strategy_ignores_utilization) {
    fixture f(cib_text("default", two_nodes_cpu2, primitive("big", pair("big", "cpu", 3)), both_up));
    BOOST_TEST(f.where("big") == "host1");
    BOOST_TEST(!f.has_graph_action("load_stopped_host1"));
}

BOOST_AUTO_TEST_CASE(consumed_capacity_pushes_next_resource_elsewhere) {
    // Both fit on host1 by score, but after the first takes both cpus the
    // second must go to host2
    const std::string prefer1 =
        "<rsc_location id=\"l1\" rsc=\"rsc1\" node=\"host1\" score=\"100\"/>"
        "<rsc_location id=\"l2\" rsc=\"rsc2\" node=\"host1\" score=\"50\"/>";
    fixture f(cib_text("utilization", two_nodes_cpu2,
                       primitive("rsc1", pair("rsc1", "cpu", 2)) + primitive("rsc2", pair("rsc2", "cpu", 1)), both_up,
                       prefer1));
    BOOST_TEST(f.where("rsc1") == "host1");
    BOOST_TEST(f.where("rsc2") == "host2");
}

BOOST_AUTO_TEST_CASE(balanced_prefers_node_with_most_free_capacity) {
    // host2 has more cpu and memory: balanced puts the first resource there,
    // where "utilization" would go by name (host1)
    const std::string nodes = node("host1", pair("host1", "cpu", 2) + pair("host1", "mem", 2)) +
                              node("host2", pair("host2", "cpu", 4) + pair("host2", "mem", 4));
    const std::string rscs = primitive("rsc1", pair("rsc1", "cpu", 1) + pair("rsc1", "mem", 1));
    fixture balanced(cib_text("balanced", nodes, rscs, both_up));
    BOOST_TEST(balanced.where("rsc1") == "host2");
    fixture utilization(cib_text("utilization", nodes, rscs, both_up));
    BOOST_TEST(utilization.where("rsc1") == "host1");
}

BOOST_AUTO_TEST_CASE(balanced_spreads_by_remaining_capacity) {
    // Equal nodes: the first resource takes host1 (by name), which then has
    // less left, so the next two go to the roomier host2
    const std::string nodes = node("host1", pair("host1", "cpu", 10)) + node("host2", pair("host2", "cpu", 10));
    const std::string rscs =
        primitive("a", pair("a", "cpu", 5)) + primitive("b", pair("b", "cpu", 1)) + primitive("c", pair("c", "cpu", 1));
    fixture f(cib_text("balanced", nodes, rscs, both_up));
    BOOST_TEST(f.where("a") == "host1");
    BOOST_TEST(f.where("b") == "host2");
    BOOST_TEST(f.where("c") == "host2");
}

BOOST_AUTO_TEST_CASE(higher_priority_is_assigned_first) {
    // Only room for one: the higher priority resource wins it although it is
    // defined later
    const std::string nodes = node("host1", pair("host1", "cpu", 2));
    const std::string rscs = primitive("low", pair("low", "cpu", 2)) +
                             primitive("high", pair("high", "cpu", 2), pair("high", "priority", 10));
    fixture f(cib_text("utilization", nodes, rscs, up("host1")));
    BOOST_TEST(f.where("high") == "host1");
    BOOST_TEST(f.where("low") == "");
}

BOOST_AUTO_TEST_CASE(colocated_resources_need_room_together) {
    // dep must be with base; together they need 3 cpus, which only host2 has
    const std::string nodes = node("host1", pair("host1", "cpu", 2)) + node("host2", pair("host2", "cpu", 3));
    const std::string rscs = primitive("base", pair("base", "cpu", 1)) + primitive("dep", pair("dep", "cpu", 2));
    const std::string coloc = "<rsc_colocation id=\"c\" rsc=\"dep\" with-rsc=\"base\" score=\"INFINITY\"/>";
    fixture f(cib_text("utilization", nodes, rscs, both_up, coloc));
    BOOST_TEST(f.where("base") == "host2");
    BOOST_TEST(f.where("dep") == "host2");
}

BOOST_AUTO_TEST_CASE(group_members_sum_their_utilization) {
    // A 1+1 cpu group fits only on the 2-cpu node
    const std::string nodes = node("host1", pair("host1", "cpu", 1)) + node("host2", pair("host2", "cpu", 2));
    const std::string group =
        "<group id=\"g\">" + primitive("m1", pair("m1", "cpu", 1)) + primitive("m2", pair("m2", "cpu", 1)) + "</group>";
    fixture f(cib_text("utilization", nodes, group, both_up));
    BOOST_TEST(f.where("m1") == "host2");
    BOOST_TEST(f.where("m2") == "host2");
}

BOOST_AUTO_TEST_CASE(load_stopped_pseudo_actions_order_starts) {
    fixture f(cib_text("utilization", two_nodes_cpu2, primitive("rsc1", pair("rsc1", "cpu", 1)), both_up));
    BOOST_TEST(f.has_graph_action("load_stopped_host1"));
    BOOST_TEST(f.has_graph_action("load_stopped_host2"));
    // the start waits for the load_stopped of its own node only (load
    // orderings between different nodes are dropped from the graph)
    BOOST_TEST(f.where("rsc1") == "host1");
    const auto& g = f.result.graph;
    auto index_of = [&](const std::string& key) {
        for (size_t i = 0; i < g.actions.size(); ++i)
            if (g.actions[i].operation_key == key) return static_cast<int>(i);
        return -1;
    };
    const int start = index_of("rsc1_start_0");
    BOOST_REQUIRE(start >= 0);
    bool found = false;
    for (const auto& syn : g.synapses) {
        if (syn.action != start) continue;
        found = true;
        auto has = [&](const char* key) {
            return std::find(syn.inputs.begin(), syn.inputs.end(), index_of(key)) != syn.inputs.end();
        };
        BOOST_TEST(has("load_stopped_host1"));
        BOOST_TEST(!has("load_stopped_host2"));
    }
    BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(node_capacity_comparison_counts_attributes) {
    fixture f(cib_text("balanced",
                       node("host1", pair("host1", "cpu", 4) + pair("host1", "mem", 1)) +
                           node("host2", pair("host2", "cpu", 2) + pair("host2", "mem", 2) + pair("host2", "io", 1)),
                       "", both_up));
    hs::sched s(f.ws);
    s.capacity.clear();
    for (const auto& n : f.ws.nodes) s.capacity.push_back(n.utilization);
    // host1 wins cpu, host2 wins mem and io: host2 has more free capacity
    BOOST_TEST(hs::compare_node_capacities(s, 0, 1) > 0);
    BOOST_TEST(hs::compare_node_capacities(s, 1, 0) < 0);
    BOOST_TEST(hs::compare_node_capacities(s, 0, 0) == 0);
}

BOOST_AUTO_TEST_CASE(template_sets_yield_to_the_primitive_own) {
    // The template says Stopped and 2 cpus; rsc2 overrides both, rsc1 inherits
    const std::string tmpl =
        "<template id=\"t\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
        "<meta_attributes id=\"t-m\"><nvpair id=\"t-tr\" name=\"target-role\" value=\"Stopped\"/>"
        "</meta_attributes><utilization id=\"t-u\">" +
        pair("t", "cpu", 2) +
        "</utilization><operations><op id=\"t-mon\" name=\"monitor\" interval=\"10\"/></operations></template>";
    const std::string rsc1 = "<primitive id=\"rsc1\" template=\"t\"/>";
    const std::string rsc2 =
        "<primitive id=\"rsc2\" template=\"t\"><meta_attributes id=\"r2-m\">"
        "<nvpair id=\"r2-tr\" name=\"target-role\" value=\"Started\"/></meta_attributes>"
        "<utilization id=\"r2-u\">" +
        pair("r2", "cpu", 1) +
        "</utilization><operations><op id=\"r2-mon\" name=\"monitor\" interval=\"20\"/>"
        "<op id=\"r2-stopped\" name=\"monitor\" interval=\"30\" role=\"Stopped\"/>"
        "</operations></primitive>";
    fixture f(cib_text("utilization", two_nodes_cpu2, tmpl + rsc1 + rsc2, both_up));
    const hp::resource& r1 = f.ws.resources.at(f.ws.rsc_by_id.at("rsc1"));
    const hp::resource& r2 = f.ws.resources.at(f.ws.rsc_by_id.at("rsc2"));
    BOOST_TEST(r1.meta.at("target-role") == "Stopped");
    BOOST_TEST(r1.utilization.at("cpu") == 2);
    BOOST_TEST(r2.meta.at("target-role") == "Started");
    BOOST_TEST(r2.utilization.at("cpu") == 1);
    BOOST_TEST(f.where("rsc1") == "");
    BOOST_TEST(f.where("rsc2") != "");
    // rsc2's monitor replaces the template's (same name and role, other
    // interval); its role=Stopped monitor does not
    std::vector<std::string> intervals;
    for (const auto& op : r2.def->ops) intervals.push_back(op.interval + "/" + op.role);
    BOOST_TEST(intervals.size() == 2u);
    BOOST_TEST((std::count(intervals.begin(), intervals.end(), "10/") == 0));
    BOOST_TEST((std::count(intervals.begin(), intervals.end(), "20/") == 1));
    BOOST_TEST((std::count(intervals.begin(), intervals.end(), "30/Stopped") == 1));
}

BOOST_AUTO_TEST_SUITE_END()
