// The scheduler kernel's core: action creation, ordering edges and flag
// propagation, order constraints, fencing effects and graph creation.
// Working sets are built by hand so each test states exactly the cluster it
// schedules.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include "cib/model.hpp"
#include "policy/policy.hpp"
#include "policy/sched.hpp"

namespace hp = holdfast::policy;
namespace hs = holdfast::policy::sched;
namespace cib = holdfast::cib;

namespace {

struct fixture {
    cib::cib_model model;
    hp::working_set ws;

    explicit fixture(int n_nodes = 2) {
        ws.cib = &model;
        ws.options.have_quorum = true;
        for (int i = 0; i < n_nodes; ++i) {
            hp::node n;
            n.id = std::to_string(i + 1);
            n.uname = "node" + std::to_string(i + 1);
            n.online = true;
            n.expected_up = true;
            n.attrs["#uname"] = n.uname;
            ws.node_by_uname[n.uname] = i;
            ws.node_by_id[n.id] = i;
            ws.nodes.push_back(n);
        }
    }

    // A primitive defined in `model` (so op lookup finds its <op>s)
    hp::rsc_ix add_primitive(const std::string& id, const std::string& rclass = "ocf",
                             std::vector<cib::op_def> ops = {}) {
        cib::resource def;
        def.id = id;
        def.rclass = rclass;
        def.provider = rclass == "ocf" ? "heartbeat" : "";
        def.type = rclass == "stonith" ? "fence_xvm" : "Dummy";
        def.ops = std::move(ops);
        model.resources.push_back(def);
        hp::resource r;
        r.id = id;
        r.base_id = id;
        r.rclass = def.rclass;
        r.provider = def.provider;
        r.type = def.type;
        hp::rsc_ix ix = static_cast<hp::rsc_ix>(ws.resources.size());
        ws.resources.push_back(r);
        ws.top_level.push_back(ix);
        ws.rsc_by_id[id] = ix;
        return ix;
    }

    // cib::resource pointers are only stable once every resource is added
    void bind_defs() {
        for (auto& r : ws.resources) {
            for (const auto& d : model.resources) {
                if (d.id == r.id) r.def = &d;
            }
        }
    }

    void run_on(hp::rsc_ix r, hp::node_ix n) {
        ws.resources[r].running_on.push_back(n);
        ws.resources[r].current_role = hp::role::started;
        ws.nodes[n].running.push_back(r);
    }
};

cib::op_def op(const std::string& name, const std::string& interval, const std::string& timeout = "",
               const std::string& on_fail = "") {
    cib::op_def o;
    o.id = name + "-" + interval;
    o.name = name;
    o.interval = interval;
    o.timeout = timeout;
    o.on_fail = on_fail;
    return o;
}

bool has_edge(const hs::sched& s, hs::action_ix first, hs::action_ix then) {
    const auto& before = s.actions[then].before;
    return std::any_of(before.begin(), before.end(), [&](const hs::action_link& l) { return l.other == first; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_sched_core)

BOOST_AUTO_TEST_CASE(interval_and_score_arithmetic) {
    BOOST_TEST(hs::parse_interval_ms("10s") == 10000);
    BOOST_TEST(hs::parse_interval_ms("10") == 10000);
    BOOST_TEST(hs::parse_interval_ms("500ms") == 500);
    BOOST_TEST(hs::parse_interval_ms("2m") == 120000);
    BOOST_TEST(hs::parse_interval_ms("PT1M30S") == 90000);
    BOOST_TEST(hs::parse_interval_ms("bogus") == -1);
    BOOST_TEST(hs::add_scores(hp::score_infinity, -hp::score_infinity) == -hp::score_infinity);
    BOOST_TEST(hs::add_scores(999999, 5) == hp::score_infinity);
    BOOST_TEST(hs::add_scores(-3, 5) == 2);
    BOOST_TEST(hs::op_key("rsc1", "monitor", 10000) == "rsc1_monitor_10000");
}

BOOST_AUTO_TEST_CASE(custom_action_runnable_follows_node_state) {
    fixture f;
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    f.ws.nodes[1].online = false;
    hs::sched s(f.ws);
    auto on_up = s.custom_action(r, "rsc1_start_0", "start", 0, false, true);
    auto on_down = s.custom_action(r, "rsc1_start_0", "start", 1, false, true);
    BOOST_TEST(on_up != on_down);
    BOOST_TEST(hs::is_set(s.actions[on_up].flags, hs::af_runnable));
    BOOST_TEST(!(s.actions[on_up].flags & hs::af_optional));
    BOOST_TEST(!(s.actions[on_down].flags & hs::af_runnable));
    // Asking again finds the same action, and "optional" never undoes "required"
    BOOST_TEST(s.custom_action(r, "rsc1_start_0", "start", 0, true, true) == on_up);
    BOOST_TEST(!(s.actions[on_up].flags & hs::af_optional));
    BOOST_TEST(s.actions[on_up].id == 1);
    BOOST_TEST(s.actions[on_down].id == 2);
}

BOOST_AUTO_TEST_CASE(no_quorum_stop_makes_starts_unrunnable) {
    fixture f;
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    f.ws.options.have_quorum = false;
    f.ws.options.stonith_enabled = false;
    hs::sched s(f.ws);
    BOOST_TEST((s.rs[r].flags & hs::rf_needs_quorum) != 0);
    auto start = s.custom_action(r, "rsc1_start_0", "start", 0, false, true);
    auto stop = s.custom_action(r, "rsc1_stop_0", "stop", 0, false, true);
    BOOST_TEST(!(s.actions[start].flags & hs::af_runnable));
    BOOST_TEST(s.actions[start].reason == "no quorum");
    BOOST_TEST((s.actions[stop].flags & hs::af_runnable) != 0);
}

BOOST_AUTO_TEST_CASE(operation_configuration_is_applied) {
    fixture f;
    auto r = f.add_primitive("rsc1", "ocf", {op("monitor", "10s", "30s", "stop"), op("start", "0", "90s")});
    f.bind_defs();
    hs::sched s(f.ws);
    auto mon = s.custom_action(r, "rsc1_monitor_10000", "monitor", 0, false, true);
    auto start = s.custom_action(r, "rsc1_start_0", "start", 0, false, true);
    auto stop = s.custom_action(r, "rsc1_stop_0", "stop", 0, false, true);
    auto probe = s.custom_action(r, "rsc1_monitor_0", "monitor", 0, false, true);
    BOOST_TEST(s.actions[mon].meta.at("timeout") == "30000");
    BOOST_TEST(s.actions[mon].meta.at("interval") == "10000");
    BOOST_TEST((s.actions[mon].fail_response == hs::on_fail::stop));
    BOOST_TEST((s.actions[mon].fail_role == hp::role::stopped));
    BOOST_TEST(s.actions[start].meta.at("timeout") == "90000");
    BOOST_TEST((s.actions[start].needs == hs::start_requirement::fencing));
    // stop defaults to fencing when stonith is enabled
    BOOST_TEST((s.actions[stop].fail_response == hs::on_fail::fence));
    BOOST_TEST(s.actions[stop].meta.at("timeout") == "20000");
    // probes default to the shortest recurring monitor's timeout
    BOOST_TEST(s.actions[probe].meta.at("timeout") == "30000");
}

BOOST_AUTO_TEST_CASE(order_actions_filters_duplicates) {
    fixture f;
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    hs::sched s(f.ws);
    auto a = s.custom_action(r, "rsc1_stop_0", "stop", 0, false, true);
    auto b = s.custom_action(r, "rsc1_start_0", "start", 1, false, true);
    BOOST_TEST(s.order_actions(a, b, hs::of_optional));
    BOOST_TEST(!s.order_actions(a, b, hs::of_optional));
    BOOST_TEST(s.order_actions(a, b, hs::of_implies_then));
    BOOST_TEST(s.actions[b].before.size() == 2u);
    BOOST_TEST(s.actions[a].after.size() == 2u);
    BOOST_TEST(!s.order_actions(a, a, hs::of_optional));
}

BOOST_AUTO_TEST_CASE(unpack_simple_order_is_symmetric_by_default) {
    fixture f;
    auto a = f.add_primitive("A");
    auto b = f.add_primitive("B");
    f.bind_defs();
    cib::order_constraint c;
    c.id = "o1";
    c.first = "A";
    c.then = "B";
    f.model.orders.push_back(c);
    hs::sched s(f.ws);
    hs::unpack_orderings(s);
    BOOST_TEST_REQUIRE(s.orderings.size() == 2u);
    const auto& fwd = s.orderings[0];
    BOOST_TEST(fwd.first_rsc == a);
    BOOST_TEST(fwd.then_rsc == b);
    BOOST_TEST(fwd.first_task == "A_start_0");
    BOOST_TEST(fwd.then_task == "B_start_0");
    BOOST_TEST(fwd.flags == (hs::of_optional | hs::of_implies_then | hs::of_runnable_left));
    const auto& inv = s.orderings[1];
    BOOST_TEST(inv.first_rsc == b);
    BOOST_TEST(inv.first_task == "B_stop_0");
    BOOST_TEST(inv.then_task == "A_stop_0");
    BOOST_TEST(inv.flags == (hs::of_optional | hs::of_implies_first));
}

BOOST_AUTO_TEST_CASE(unpack_order_kinds) {
    fixture f;
    f.add_primitive("A");
    f.add_primitive("B");
    f.bind_defs();
    cib::order_constraint opt;
    opt.id = "o-opt";
    opt.first = "A";
    opt.then = "B";
    opt.kind = "Optional";
    cib::order_constraint asym;
    asym.id = "o-asym";
    asym.first = "A";
    asym.then = "B";
    asym.first_action = "promote";
    asym.symmetrical = "false";
    cib::order_constraint ser;
    ser.id = "o-ser";
    ser.first = "A";
    ser.then = "B";
    ser.kind = "Serialize";
    f.model.orders = {opt, asym, ser};
    hs::sched s(f.ws);
    hs::unpack_orderings(s);
    // optional (with its inverse), asymmetric (no inverse), serialize (no inverse)
    BOOST_TEST_REQUIRE(s.orderings.size() == 4u);
    BOOST_TEST(s.orderings[0].flags == hs::of_optional);
    BOOST_TEST(s.orderings[1].then_task == "A_stop_0");
    BOOST_TEST(s.orderings[2].flags == (hs::of_optional | hs::of_asymmetrical));
    BOOST_TEST(s.orderings[2].then_task == "B_promote_0");
    BOOST_TEST(s.orderings[3].flags == (hs::of_optional | hs::of_serialize_only));
}

BOOST_AUTO_TEST_CASE(ordered_set_orders_consecutive_members) {
    fixture f;
    f.add_primitive("A");
    f.add_primitive("B");
    f.add_primitive("C");
    f.bind_defs();
    cib::order_constraint c;
    c.id = "o-set";
    cib::resource_set set;
    set.id = "set1";
    set.resources = {"A", "B", "C"};
    c.sets.push_back(set);
    f.model.orders.push_back(c);
    hs::sched s(f.ws);
    hs::unpack_orderings(s);
    // A->B, B->C starts, then the inverse stops C->B, B->A
    BOOST_TEST_REQUIRE(s.orderings.size() == 4u);
    BOOST_TEST(s.orderings[0].first_task == "A_start_0");
    BOOST_TEST(s.orderings[0].then_task == "B_start_0");
    BOOST_TEST(s.orderings[1].first_task == "B_start_0");
    BOOST_TEST(s.orderings[1].then_task == "C_start_0");
    BOOST_TEST(s.orderings[2].first_task == "B_stop_0");
    BOOST_TEST(s.orderings[2].then_task == "A_stop_0");
    BOOST_TEST(s.orderings[3].first_task == "C_stop_0");
    BOOST_TEST(s.orderings[3].then_task == "B_stop_0");
}

namespace {

// A (require-all=false set {A, B}) then C; returns C's start after propagation
bool c_runnable_with(bool a_up, bool b_up) {
    fixture f(3);
    auto a = f.add_primitive("A");
    auto b = f.add_primitive("B");
    auto c = f.add_primitive("C");
    f.bind_defs();
    f.ws.nodes[2].online = false;
    cib::order_constraint o;
    o.id = "o-any";
    cib::resource_set s1;
    s1.id = "any-of";
    s1.require_all = "false";
    s1.sequential = "false";
    s1.resources = {"A", "B"};
    cib::resource_set s2;
    s2.id = "then";
    s2.resources = {"C"};
    o.sets = {s1, s2};
    f.model.orders.push_back(o);
    hs::sched s(f.ws);
    s.custom_action(a, "A_start_0", "start", a_up ? 0 : 2, false, true);
    s.custom_action(b, "B_start_0", "start", b_up ? 1 : 2, false, true);
    auto c_start = s.custom_action(c, "C_start_0", "start", 0, false, true);
    hs::unpack_orderings(s);
    hs::apply_orderings(s);
    return (s.actions[c_start].flags & hs::af_runnable) != 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(require_all_false_needs_one_runnable_member) {
    BOOST_TEST(c_runnable_with(true, true));
    BOOST_TEST(c_runnable_with(false, true));
    BOOST_TEST(c_runnable_with(true, false));
    BOOST_TEST(!c_runnable_with(false, false));
}

BOOST_AUTO_TEST_CASE(unrunnable_first_blocks_then_through_runnable_left) {
    fixture f;
    auto a = f.add_primitive("A");
    auto b = f.add_primitive("B");
    f.bind_defs();
    f.ws.nodes[1].online = false;
    hs::sched s(f.ws);
    auto a_start = s.custom_action(a, "A_start_0", "start", 1, false, true);  // offline node
    auto b_start = s.custom_action(b, "B_start_0", "start", 0, false, true);
    hs::order_starts(s, a, b, hs::of_optional | hs::of_implies_then | hs::of_runnable_left);
    hs::apply_orderings(s);
    BOOST_TEST(has_edge(s, a_start, b_start));
    BOOST_TEST(!(s.actions[b_start].flags & hs::af_runnable));
    BOOST_TEST(s.actions[b_start].reason == "unrunnable A start");
}

BOOST_AUTO_TEST_CASE(required_first_makes_then_required) {
    fixture f;
    auto a = f.add_primitive("A");
    auto b = f.add_primitive("B");
    f.bind_defs();
    hs::sched s(f.ws);
    auto a_stop = s.custom_action(a, "A_stop_0", "stop", 0, false, true);
    auto b_stop = s.custom_action(b, "B_stop_0", "stop", 0, true, true);
    BOOST_TEST((s.actions[b_stop].flags & hs::af_optional) != 0);
    s.order_actions(a_stop, b_stop, hs::of_implies_then);
    s.update_action_for_orderings(b_stop);
    BOOST_TEST(!(s.actions[b_stop].flags & hs::af_optional));
}

BOOST_AUTO_TEST_CASE(first_action_created_when_missing) {
    fixture f;
    auto a = f.add_primitive("A");
    auto b = f.add_primitive("B");
    f.bind_defs();
    f.run_on(a, 0);
    hs::sched s(f.ws);
    auto b_start = s.custom_action(b, "B_start_0", "start", 0, false, true);
    hs::order_resource_actions(s, a, "stop", b, "start", hs::of_optional);
    hs::apply_orderings(s);
    // A is active, so Pacemaker creates an optional, node-less A_stop_0 to order against
    auto found = s.find_actions(a, "A_stop_0", hp::none);
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST((s.actions[found[0]].flags & hs::af_optional) != 0);
    BOOST_TEST(has_edge(s, found[0], b_start));
}

BOOST_AUTO_TEST_CASE(unclean_node_fencing_implies_stops) {
    fixture f;
    auto dev = f.add_primitive("fence1", "stonith");
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    f.run_on(dev, 0);
    f.run_on(r, 1);
    f.ws.nodes[1].unclean = true;
    f.ws.nodes[1].online = false;
    hs::sched s(f.ws);
    BOOST_TEST(s.have_stonith_resource);
    auto stop = s.custom_action(r, "rsc1_stop_0", "stop", 1, false, true);
    auto start = s.custom_action(r, "rsc1_start_0", "start", 0, false, true);
    hs::schedule_fencing_and_shutdowns(s);
    auto fence = s.find_action("stonith-node2-reboot", 1);
    BOOST_TEST_REQUIRE(fence >= 0);
    BOOST_TEST(!(s.actions[fence].flags & hs::af_optional));
    BOOST_TEST(s.actions[fence].reason == "node is unclean");
    BOOST_TEST(hs::is_set(s.actions[stop].flags, hs::af_pseudo | hs::af_runnable | hs::af_implied_by_stonith));
    BOOST_TEST(has_edge(s, fence, stop));
    BOOST_TEST(has_edge(s, fence, start));  // start requires fencing
    BOOST_TEST(f.ws.nodes[1].fenced_in_transition);
}

BOOST_AUTO_TEST_CASE(node_names_sort_numerically) {
    BOOST_TEST(hs::numeric_strcasecmp("node2", "node10") < 0);
    BOOST_TEST(hs::numeric_strcasecmp("Node1", "node1") == 0);
    BOOST_TEST(hs::numeric_strcasecmp("node7", "node007") < 0);
    BOOST_TEST(hs::numeric_strcasecmp("alpha", "beta") < 0);
    BOOST_TEST(hs::numeric_strcasecmp("node", "node1") < 0);
}

BOOST_AUTO_TEST_CASE(serial_fencing_chains_by_name_and_dc_goes_last) {
    fixture f(3);
    f.ws.nodes[0].uname = "node10";
    f.ws.nodes[1].uname = "node2";
    f.ws.nodes[2].uname = "node1";
    auto dev = f.add_primitive("fence1", "stonith");
    f.bind_defs();
    for (auto& n : f.ws.nodes) n.unclean = true;
    f.ws.nodes[2].is_dc = true;
    f.ws.nodes[2].online = true;
    f.run_on(dev, 2);
    hs::sched s(f.ws);
    hs::schedule_fencing_and_shutdowns(s);
    auto f10 = s.find_action("stonith-node10-reboot", 0);
    auto f2 = s.find_action("stonith-node2-reboot", 1);
    auto f1 = s.find_action("stonith-node1-reboot", 2);
    BOOST_TEST_REQUIRE((f10 >= 0 && f2 >= 0 && f1 >= 0));
    // node1 (the DC) is looked at first but fenced last; node2 before node10
    BOOST_TEST(s.actions[f1].id < s.actions[f2].id);
    BOOST_TEST(s.actions[f2].id < s.actions[f10].id);
    BOOST_TEST(has_edge(s, f2, f10));
    BOOST_TEST(has_edge(s, f10, f1));
    BOOST_TEST(!has_edge(s, f2, f1));
}

BOOST_AUTO_TEST_CASE(no_fencing_without_devices) {
    fixture f;
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    f.run_on(r, 1);
    f.ws.nodes[1].unclean = true;
    hs::sched s(f.ws);
    hs::schedule_fencing_and_shutdowns(s);
    BOOST_TEST(s.find_action("stonith-node2-reboot", 1) < 0);
    BOOST_TEST(!hs::can_fence(s, 1));
}

BOOST_AUTO_TEST_CASE(shutdown_waits_for_stops) {
    fixture f;
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    f.run_on(r, 0);
    f.ws.nodes[0].shutdown = true;
    hs::sched s(f.ws);
    auto stop = s.custom_action(r, "rsc1_stop_0", "stop", 0, true, true);
    hs::schedule_fencing_and_shutdowns(s);
    auto down = s.find_action("do_shutdown-node1", 0);
    BOOST_TEST_REQUIRE(down >= 0);
    BOOST_TEST(!(s.actions[stop].flags & hs::af_optional));
    hs::apply_orderings(s);
    BOOST_TEST(has_edge(s, stop, down));
}

BOOST_AUTO_TEST_CASE(md5_matches_reference_digests) {
    BOOST_TEST(hs::md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    BOOST_TEST(hs::md5_hex("The quick brown fox jumps over the lazy dog") == "9e107d9d372bb6826bd81d3542a419d6");
    // Pacemaker's digest of an operation without parameters
    BOOST_TEST(hs::md5_hex(" <parameters/>\n") == "f2317cad3d54cec5d7d7aa7d0bf35cf8");
}

namespace {

// A node_state with one resource history entry for rsc1 on node1
cib::node_state history(const std::string& uname, std::vector<cib::op_record> ops) {
    cib::node_state ns;
    ns.id = "1";
    ns.uname = uname;
    ns.has_lrm = true;
    cib::lrm_resource lr;
    lr.id = "rsc1";
    lr.rclass = "ocf";
    lr.provider = "heartbeat";
    lr.type = "Dummy";
    lr.ops = std::move(ops);
    ns.resources.push_back(lr);
    return ns;
}

cib::op_record record(const std::string& task, const std::string& interval, int call_id, const std::string& digest) {
    cib::op_record o;
    o.id = "rsc1_" + task + "_" + interval;
    o.operation = task;
    o.interval = interval;
    o.call_id = call_id;
    o.op_digest = digest;
    return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(matching_digests_schedule_nothing) {
    fixture f;
    auto r = f.add_primitive("rsc1", "ocf", {op("monitor", "10s")});
    f.bind_defs();
    f.run_on(r, 0);
    f.model.node_states.push_back(
        history("node1", {record("start", "0", 3, "f2317cad3d54cec5d7d7aa7d0bf35cf8"),
                          record("monitor", "10000", 4, "4811cef7f7f94e3a35a70be7916cb2fd")}));
    hs::sched s(f.ws);
    hs::handle_rsc_config_changes(s);
    BOOST_TEST(s.rs[r].actions.empty());
}

BOOST_AUTO_TEST_CASE(changed_parameters_force_restart) {
    fixture f;
    auto r = f.add_primitive("rsc1", "ocf", {op("monitor", "10s")});
    f.bind_defs();
    f.run_on(r, 0);
    f.ws.resources[r].params["state"] = "/tmp/new";
    f.model.node_states.push_back(history("node1", {record("start", "0", 3, "f2317cad3d54cec5d7d7aa7d0bf35cf8")}));
    hs::sched s(f.ws);
    hs::handle_rsc_config_changes(s);
    auto starts = s.find_actions(r, "rsc1_start_0", hp::none);
    BOOST_TEST_REQUIRE(starts.size() == 1u);
    BOOST_TEST(!(s.actions[starts[0]].flags & hs::af_optional));
    BOOST_TEST(s.actions[starts[0]].reason == "resource definition change");
}

BOOST_AUTO_TEST_CASE(orphaned_monitor_is_cancelled) {
    fixture f;
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    f.run_on(r, 0);
    f.model.node_states.push_back(
        history("node1", {record("start", "0", 3, "f2317cad3d54cec5d7d7aa7d0bf35cf8"),
                          record("monitor", "10000", 4, "4811cef7f7f94e3a35a70be7916cb2fd")}));
    hs::sched s(f.ws);
    hs::handle_rsc_config_changes(s);
    auto cancels = s.find_actions(r, "rsc1_monitor_10000", 0);
    BOOST_TEST_REQUIRE(cancels.size() == 1u);
    BOOST_TEST(s.actions[cancels[0]].task == "cancel");
    BOOST_TEST(s.actions[cancels[0]].cancel_task == "monitor");
}

BOOST_AUTO_TEST_CASE(graph_has_required_actions_with_their_inputs) {
    fixture f;
    auto a = f.add_primitive("A");
    auto b = f.add_primitive("B");
    f.bind_defs();
    f.run_on(a, 0);
    hs::sched s(f.ws);
    auto a_stop = s.custom_action(a, "A_stop_0", "stop", 0, false, true);
    auto a_start = s.custom_action(a, "A_start_0", "start", 1, true, true);  // optional: not in the graph
    auto b_start = s.custom_action(b, "B_start_0", "start", 1, false, true);
    s.order_actions(a_stop, b_start, hs::of_optional);
    s.order_actions(a_start, b_start, hs::of_optional);
    hs::create_graph(s);
    const auto& g = s.graph;
    BOOST_TEST_REQUIRE(g.synapses.size() == 2u);
    const auto& first = g.actions[g.synapses[0].action];
    BOOST_TEST(first.operation_key == "A_stop_0");
    BOOST_TEST(first.id == s.actions[a_stop].id);
    BOOST_TEST((first.kind == hp::action_kind::rsc_op));
    BOOST_TEST(first.node_uname == "node1");
    BOOST_TEST(first.rsc_id == "A");
    BOOST_TEST(first.attributes.at("CRM_meta_timeout") == "20000");
    BOOST_TEST(first.attributes.at("CRM_meta_on_node") == "node1");
    const auto& second = g.synapses[1];
    BOOST_TEST(g.actions[second.action].operation_key == "B_start_0");
    // the optional A start is not an input: it will not run
    BOOST_TEST_REQUIRE(second.inputs.size() == 1u);
    BOOST_TEST(g.actions[second.inputs[0]].operation_key == "A_stop_0");
    BOOST_TEST(g.synapses[0].id == 0);
    BOOST_TEST(second.id == 1);
}

BOOST_AUTO_TEST_CASE(lost_ticket_bans_resource) {
    fixture f;
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    f.run_on(r, 0);
    cib::ticket_constraint t;
    t.id = "t1";
    t.ticket = "ticketA";
    t.rsc = "rsc1";
    t.loss_policy = "stop";
    f.model.tickets.push_back(t);
    f.ws.tickets["ticketA"]["granted"] = "false";
    hs::sched s(f.ws);
    hs::unpack_tickets(s);
    BOOST_TEST_REQUIRE(s.tickets.size() == 1u);
    BOOST_TEST(s.tickets[0].loss_policy == "stop");
    BOOST_TEST(s.rs[r].allowed[0] == -hp::score_infinity);
    BOOST_TEST(s.rs[r].allowed[1] == -hp::score_infinity);
}

BOOST_AUTO_TEST_CASE(granted_ticket_changes_nothing) {
    fixture f;
    auto r = f.add_primitive("rsc1");
    f.bind_defs();
    cib::ticket_constraint t;
    t.id = "t1";
    t.ticket = "ticketA";
    t.rsc = "rsc1";
    f.model.tickets.push_back(t);
    f.ws.tickets["ticketA"]["granted"] = "true";
    hs::sched s(f.ws);
    hs::unpack_tickets(s);
    BOOST_TEST(s.rs[r].allowed[0] == 0);
}

BOOST_AUTO_TEST_CASE(schedule_fences_an_unclean_node) {
    fixture f;
    auto dev = f.add_primitive("fence1", "stonith");
    f.bind_defs();
    f.run_on(dev, 0);
    f.ws.nodes[1].online = false;
    f.ws.nodes[1].unclean = true;
    hp::unpack_action ua;
    ua.what = hp::unpack_action::kind::fence;
    ua.node = 1;
    ua.reason = "peer is no longer part of the cluster";
    f.ws.unpack_actions.push_back(ua);
    hp::schedule_result r = hp::schedule(f.ws);
    BOOST_TEST(f.ws.nodes[1].fenced_in_transition);
    const hp::graph_action* fence = nullptr;
    for (const auto& syn : r.graph.synapses) {
        const auto& ga = r.graph.actions[syn.action];
        if (ga.operation_key == "stonith-node2-reboot") fence = &ga;
    }
    BOOST_TEST_REQUIRE(fence != nullptr);
    // created while unpacking, so it is the first action of all
    BOOST_TEST(fence->id == 1);
    BOOST_TEST((fence->kind == hp::action_kind::crm_event));
    BOOST_TEST(fence->attributes.at("CRM_meta_stonith_action") == "reboot");
    BOOST_TEST_REQUIRE(fence->downed.size() == 1u);
    BOOST_TEST(fence->downed[0] == "2");
}

BOOST_AUTO_TEST_SUITE_END()
