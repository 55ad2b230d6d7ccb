// daemon/: the history entries a node writes for executed operations must
// read back, through the scheduler, as Pacemaker's would: a cluster whose
// every planned action was recorded as done has nothing left to do, and a
// recorded failure is recovered.
#include <boost/test/unit_test.hpp>

#include <string>

#include "cib/build_model.hpp"
#include "daemon/op_update.hpp"
#include "daemon/transition.hpp"
#include "test/unit/policy_fixture.hpp"

using namespace holdfast;

namespace {

const std::string two_nodes_one_dummy =
    R"(<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="o">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="d1-i"><nvpair id="d1-s" name="fake" value="x"/></instance_attributes>
        <meta_attributes id="d1-m"><nvpair id="d1-t" name="migration-threshold" value="1"/></meta_attributes>
        <operations><op id="d1-mon" name="monitor" interval="10s"/></operations>
      </primitive>
    </resources>
    <constraints><rsc_location id="pref" rsc="d1" node="node1" score="100"/></constraints>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>)";

void record(cib::cib_model& m, const daemon::op_update& u, const std::string& node) {
    for (auto& ns : m.node_states) {
        if (ns.uname != node) continue;
        ns.has_lrm = true;
        auto it = std::find_if(ns.resources.begin(), ns.resources.end(),
                               [&](const cib::lrm_resource& x) { return x.id == u.rsc_id; });
        if (it == ns.resources.end()) {
            ns.resources.push_back({u.rsc_id, u.rclass, u.provider, u.type, {}, {}, {}});
            it = std::prev(ns.resources.end());
        }
        for (const auto& entry : u.entries) {
            cib::op_record rec;
            for (const auto& [k, v] : entry) cib::set_op_field(rec, k, std::string(v));
            auto old =
                std::find_if(it->ops.begin(), it->ops.end(), [&](const cib::op_record& o) { return o.id == rec.id; });
            if (old == it->ops.end())
                it->ops.push_back(rec);
            else
                *old = rec;
        }
    }
}

void set_attributes(cib::cib_model& m, const std::string& node, const std::vector<daemon::attribute_update>& attrs) {
    for (auto& ns : m.node_states) {
        if (ns.uname != node || attrs.empty()) continue;
        if (ns.transient_attributes.empty()) ns.transient_attributes.push_back({"status-" + ns.id, "", {}, {}});
        auto& pairs = ns.transient_attributes[0].pairs;
        for (const auto& u : attrs) {
            auto it = std::find_if(pairs.begin(), pairs.end(), [&](const cib::nvpair& p) { return p.name == u.name; });
            if (it == pairs.end()) it = pairs.insert(pairs.end(), {"status-" + ns.id + "-" + u.name, u.name, "0"});
            it->value = u.increment ? std::to_string(std::atoi(it->value.c_str()) + 1) : u.value;
        }
    }
}

// Runs the graph as the controller would, every node recording each result
// as it comes; the action with operation key `failing` gets `failure`.
void run_graph(cib::cib_model& m, const policy::transition_graph& g, const std::string& failing = "",
               ra::op_result failure = {}) {
    int call = 1;
    daemon::transition_runner* self = nullptr;
    daemon::transition_runner runner(g, [&](size_t i, const policy::graph_action& a) {
        ra::op_result r;
        r.rc = daemon::target_rc(a);
        if (a.operation_key == failing) r = failure;
        if (a.kind == policy::action_kind::rsc_op) {
            daemon::op_context c{1, "8b8b2e6c-7c55-4a43-8f55-0123456789ab", call++, 5000, 12, 0, "3.16.2"};
            record(m, daemon::make_op_update(a, r, c), a.node_uname);
            set_attributes(m, a.node_uname, daemon::failure_attributes(a, r, g, 5000));
        }
        self->complete(i, daemon::succeeded(a, r));
    });
    self = &runner;
    runner.start();
    BOOST_TEST(runner.finished());
}

std::vector<std::string> summary_of(const policy::schedule_result& r) {
    std::vector<std::string> out;
    for (const auto& l : r.summary) out.push_back(l.text);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(recorded_results_leave_nothing_to_do) {
    test::scheduled_cib first(two_nodes_one_dummy);
    BOOST_TEST(summary_of(first.result).size() == 1u);  // Start d1 on node1
    cib::cib_model m = first.doc.model();
    run_graph(m, first.result.graph);
    const auto& ops = m.node_states[0].resources.at(0).ops;
    BOOST_TEST(std::any_of(ops.begin(), ops.end(), [](const auto& o) { return o.id == "d1_monitor_10000"; }));
    BOOST_TEST(std::any_of(ops.begin(), ops.end(), [](const auto& o) { return o.id == "d1_last_0"; }));
    auto ws = policy::unpack(m, 5000);
    const auto second = policy::schedule(ws);
    BOOST_TEST(summary_of(second).empty());
    size_t resource_actions = 0;
    for (const auto& a : second.graph.actions) resource_actions += a.kind == policy::action_kind::rsc_op;
    BOOST_TEST(resource_actions == 0u);  // same digests: no restart, no re-probe, monitor kept
}

BOOST_AUTO_TEST_CASE(a_recorded_failure_is_recovered_elsewhere) {
    test::scheduled_cib first(two_nodes_one_dummy);
    cib::cib_model m = first.doc.model();
    ra::op_result failed{1, ra::exec_status::done, "it broke", {}};
    run_graph(m, first.result.graph, "d1_start_0", failed);
    const auto& ops = m.node_states[0].resources.at(0).ops;
    auto failure = std::find_if(ops.begin(), ops.end(), [](const auto& o) { return o.id == "d1_last_failure_0"; });
    BOOST_REQUIRE(failure != ops.end());
    BOOST_TEST(failure->exit_reason == "it broke");
    BOOST_TEST(failure->rc_code == 1);
    auto ws = policy::unpack(m, 5000);
    const auto second = policy::schedule(ws);
    // migration-threshold 1: d1 leaves node1 for node2
    BOOST_TEST(summary_of(second) == std::vector<std::string>({"Recover    d1      ( node1 -> node2 )"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keys_and_timeouts) {
    BOOST_TEST(daemon::transition_key(3, 7, 0, "u") == "3:7:0:u");
    policy::graph_action a;
    a.id = 4;
    a.task = "start";
    a.rsc_id = "d1";
    a.node_uname = "node1";
    a.attributes = {{"CRM_meta_timeout", "20000"}, {"CRM_meta_op_target_rc", "7"}};
    BOOST_TEST(daemon::target_rc(a) == 7);
    BOOST_TEST(daemon::succeeded(a, {7, ra::exec_status::done, {}, {}}));
    a.attributes["CRM_meta_op_target_rc"] = "0";
    BOOST_TEST(daemon::succeeded(a, {190, ra::exec_status::done, {}, {}}));  // degraded counts as running
    a.attributes["CRM_meta_op_target_rc"] = "7";
    ra::op_result timed_out{1, ra::exec_status::timed_out, "start timed out", {}};
    BOOST_TEST(!daemon::succeeded(a, timed_out));
    const auto u = daemon::make_op_update(a, timed_out, {2, "u", 9, 100, 20000, 0, "3.16.2"});
    BOOST_REQUIRE(u.entries.size() == 2u);
    BOOST_TEST(u.entries[0].at("id") == "d1_last_failure_0");
    BOOST_TEST(u.entries[1].at("id") == "d1_last_0");
    BOOST_TEST(u.entries[0].at("transition-magic") == "2:1;4:2:7:u");
    BOOST_TEST(u.entries[0].at("op-status") == "2");
}

BOOST_AUTO_TEST_CASE(failure_attributes_follow_the_action) {
    policy::transition_graph g;
    policy::graph_action a;
    a.rsc_id = "d1";
    a.task = "monitor";
    a.interval_ms = 10000;
    const ra::op_result failed{1, ra::exec_status::done, {}, {}};
    auto attrs = daemon::failure_attributes(a, failed, g, 77);
    BOOST_REQUIRE(attrs.size() == 2u);
    BOOST_TEST(attrs[0].name == "fail-count-d1#monitor_10000");
    BOOST_TEST(attrs[0].increment);
    BOOST_TEST(attrs[1].name == "last-failure-d1#monitor_10000");
    BOOST_TEST(attrs[1].value == "77");
    a.interval_ms = 0;  // a probe that found the wrong state is no failure to count
    BOOST_TEST(daemon::failure_attributes(a, failed, g, 77).empty());
    a.task = "start";
    g.failed_start_offset = "1";  // start-failure-is-fatal=false
    attrs = daemon::failure_attributes(a, failed, g, 77);
    BOOST_TEST(attrs.at(0).increment);
    a.attributes["CRM_meta_on_fail"] = "ignore";
    attrs = daemon::failure_attributes(a, failed, g, 77);
    BOOST_REQUIRE(attrs.size() == 1u);
    BOOST_TEST(attrs[0].name == "last-failure-d1#start_0");
    BOOST_TEST(daemon::failure_attributes(a, {0, ra::exec_status::done, {}, {}}, g, 77).empty());
}

// A systemd unit (and service:) as a resource: the history keeps the class as
// configured and no provider, as Pacemaker's does, and reads back as done.
BOOST_AUTO_TEST_CASE(systemd_and_service_resources_are_recorded_by_class) {
    for (const std::string rclass : {"systemd", "service"}) {
        std::string xml = two_nodes_one_dummy;
        const std::string ocf = R"(class="ocf" provider="heartbeat" type="Dummy")";
        xml.replace(xml.find(ocf), ocf.size(), "class=\"" + rclass + "\" type=\"httpd\"");
        test::scheduled_cib first(xml);
        BOOST_TEST(summary_of(first.result).size() == 1u);
        cib::cib_model m = first.doc.model();
        run_graph(m, first.result.graph);
        const auto& r = m.node_states[0].resources.at(0);
        BOOST_TEST(r.rclass == rclass);
        BOOST_TEST(r.provider.empty());
        BOOST_TEST(r.type == "httpd");
        auto ws = policy::unpack(m, 5000);
        BOOST_TEST(summary_of(policy::schedule(ws)).empty());
    }
    daemon::op_update u{"web", "systemd", "", "httpd", {}};
    BOOST_TEST(
        daemon::lrm_resource_xml(u, {{"id", "web_last_0"}, {"rc-code", "0"}}) ==
        R"(<lrm_resource id="web" class="systemd" type="httpd"><lrm_rsc_op id="web_last_0" rc-code="0"/></lrm_resource>)");
}
