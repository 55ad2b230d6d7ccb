// daemon/: the transition runner's firing order, failure handling and limits,
// on hand-built graphs.
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <vector>

#include "daemon/transition.hpp"

namespace holdfast::daemon {
std::ostream& operator<<(std::ostream& o, transition_runner::outcome x) { return o << to_string(x); }
}  // namespace holdfast::daemon

using holdfast::daemon::transition_runner;
using holdfast::policy::action_kind;
using holdfast::policy::transition_graph;

namespace {

// Actions 0..n-1, one synapse each in the given order; inputs[i] are the
// inputs of action i's synapse.
transition_graph graph_of(const std::vector<action_kind>& kinds, const std::vector<std::vector<int>>& inputs) {
    transition_graph g;
    for (size_t i = 0; i < kinds.size(); ++i) {
        holdfast::policy::graph_action a;
        a.id = static_cast<int>(i);
        a.kind = kinds[i];
        a.task = kinds[i] == action_kind::pseudo ? "running" : "start";
        g.actions.push_back(a);
        g.synapses.push_back({static_cast<int>(i), 0, static_cast<int>(i), inputs[i]});
    }
    return g;
}

constexpr auto op = action_kind::rsc_op;
constexpr auto pseudo = action_kind::pseudo;

}  // namespace

BOOST_AUTO_TEST_CASE(chain_fires_one_after_another) {
    std::vector<size_t> sent;
    transition_runner r(graph_of({op, op, op}, {{}, {0}, {1}}), [&](size_t a, const auto&) { sent.push_back(a); });
    r.start();
    BOOST_TEST(sent == std::vector<size_t>({0}));
    BOOST_TEST(r.state() == transition_runner::outcome::running);
    BOOST_TEST(r.complete(0, true));
    BOOST_TEST(sent == std::vector<size_t>({0, 1}));
    BOOST_TEST(r.complete(1, true));
    BOOST_TEST(r.complete(2, true));
    BOOST_TEST(sent == std::vector<size_t>({0, 1, 2}));
    BOOST_TEST(r.state() == transition_runner::outcome::complete);
    BOOST_TEST(r.confirmed() == 3u);
}

BOOST_AUTO_TEST_CASE(independent_actions_go_out_together_in_graph_order_and_pseudos_confirm_at_once) {
    std::vector<size_t> sent;
    // 0 and 1 independent; pseudo 2 waits for both; 3 waits for the pseudo
    transition_runner r(graph_of({op, op, pseudo, op}, {{}, {}, {0, 1}, {2}}),
                        [&](size_t a, const auto&) { sent.push_back(a); });
    r.start();
    BOOST_TEST(sent == std::vector<size_t>({0, 1}));
    BOOST_TEST(r.in_flight() == 2u);
    BOOST_TEST(r.complete(1, true));
    BOOST_TEST(sent.size() == 2u);
    BOOST_TEST(r.complete(0, true));
    BOOST_TEST(sent == std::vector<size_t>({0, 1, 3}));
    BOOST_TEST(!r.complete(2, true));  // pseudo actions are never reported
    BOOST_TEST(r.complete(3, true));
    BOOST_TEST(r.state() == transition_runner::outcome::complete);
}

BOOST_AUTO_TEST_CASE(a_failure_aborts_after_what_is_in_flight) {
    std::vector<size_t> sent;
    transition_runner r(graph_of({op, op, op, op}, {{}, {}, {0}, {1}}),
                        [&](size_t a, const auto&) { sent.push_back(a); });
    r.start();
    BOOST_TEST(r.complete(0, false));
    BOOST_TEST(r.state() == transition_runner::outcome::running);  // 1 still out
    BOOST_TEST(r.complete(1, true));
    BOOST_TEST(sent == std::vector<size_t>({0, 1}));  // nothing new fired after the failure
    BOOST_TEST(r.state() == transition_runner::outcome::aborted);
}

BOOST_AUTO_TEST_CASE(results_that_do_not_belong_are_ignored) {
    transition_runner r(graph_of({op, op}, {{}, {0}}), [](size_t, const auto&) {});
    r.start();
    BOOST_TEST(!r.complete(1, true));  // not fired yet
    BOOST_TEST(!r.complete(7, true));  // no such action
    BOOST_TEST(r.complete(0, true));
    BOOST_TEST(!r.complete(0, true));  // twice
    BOOST_TEST(r.in_flight() == 1u);
}

BOOST_AUTO_TEST_CASE(synchronous_results_keep_graph_order) {
    std::vector<size_t> sent;
    transition_runner* self = nullptr;
    transition_runner r(graph_of({op, op, op}, {{}, {}, {0}}), [&](size_t a, const auto&) {
        sent.push_back(a);
        self->complete(a, true);  // reported before dispatch returns
    });
    self = &r;
    r.start();
    // 2 became ready behind 1, which was already waiting: 1 goes first
    BOOST_TEST(sent == std::vector<size_t>({0, 1, 2}));
    BOOST_TEST(r.state() == transition_runner::outcome::complete);
}

BOOST_AUTO_TEST_CASE(batch_limit_caps_actions_in_flight) {
    auto g = graph_of({op, op, op, op}, {{}, {}, {}, {}});
    g.batch_limit = 2;
    std::vector<size_t> sent;
    transition_runner r(std::move(g), [&](size_t a, const auto&) { sent.push_back(a); });
    r.start();
    BOOST_TEST(sent == std::vector<size_t>({0, 1}));
    BOOST_TEST(r.complete(1, true));
    BOOST_TEST(sent == std::vector<size_t>({0, 1, 2}));
    BOOST_TEST(r.complete(0, true));
    BOOST_TEST(r.complete(2, true));
    BOOST_TEST(r.complete(3, true));
    BOOST_TEST(r.state() == transition_runner::outcome::complete);
}

BOOST_AUTO_TEST_CASE(node_action_limit_holds_a_full_nodes_actions_and_lets_others_go) {
    auto g = graph_of({op, op, op, op}, {{}, {}, {}, {}});
    for (int i : {0, 1, 3}) g.actions[static_cast<size_t>(i)].node_uname = "node1";
    g.actions[2].node_uname = "node2";
    std::vector<size_t> sent;
    transition_runner r(std::move(g), [&](size_t a, const auto&) { sent.push_back(a); });
    r.set_node_action_limit(1);
    r.start();
    BOOST_TEST(sent == std::vector<size_t>({0, 2}));  // 1 waits for node1, 2 goes to node2
    BOOST_TEST(r.complete(2, true));
    BOOST_TEST(sent == std::vector<size_t>({0, 2}));
    BOOST_TEST(r.complete(0, true));
    BOOST_TEST(sent == std::vector<size_t>({0, 2, 1}));
    BOOST_TEST(r.complete(1, true));
    BOOST_TEST(sent == std::vector<size_t>({0, 2, 1, 3}));
    BOOST_TEST(r.complete(3, true));
    BOOST_TEST(r.state() == transition_runner::outcome::complete);
}

BOOST_AUTO_TEST_CASE(abort_stops_firing_and_an_unreachable_input_leaves_it_incomplete) {
    std::vector<size_t> sent;
    transition_runner r(graph_of({op, op}, {{}, {0}}), [&](size_t a, const auto&) { sent.push_back(a); });
    r.start();
    r.abort();
    BOOST_TEST(r.complete(0, true));
    BOOST_TEST(sent == std::vector<size_t>({0}));
    BOOST_TEST(r.state() == transition_runner::outcome::aborted);

    // action 1's synapse waits for action 2, whose synapse waits for action 1
    transition_runner stuck(graph_of({op, op, op}, {{}, {2}, {1}}), [](size_t, const auto&) {});
    stuck.start();
    BOOST_TEST(stuck.complete(0, true));
    BOOST_TEST(stuck.state() == transition_runner::outcome::incomplete);
}
