#pragma once
// transition_runner: carries out one transition graph, as Pacemaker's
// controller does with the scheduler's graph.
//
// Owns the graph and the firing state of its synapses; knows nothing of how an
// action reaches its node. Lifecycle: construct -> start() -> complete() for
// each dispatched action (in any order, as results arrive) -> finished().
// abort() stops firing new actions; the transition is finished once the
// actions already in flight have reported. Runs on the daemon's event loop;
// not thread-safe.
//
// Firing order: a synapse fires once every input action is confirmed; ready
// synapses go out in graph order. Pseudo actions confirm at once. A failed
// action confirms nothing that depends on it and aborts the transition (the
// controller then plans a new one from the updated CIB), as Pacemaker does.
#include <cstddef>
#include <functional>
#include <map>
#include <vector>

#include "policy/graph.hpp"

namespace holdfast::daemon {

class transition_runner {
public:
    // incomplete: nothing in flight, yet some synapses could never fire (an
    // input never confirmed); the controller waits for the next event
    // rather than re-planning in a loop.
    enum class outcome { running, complete, aborted, incomplete };

    // Called for every non-pseudo action when it fires; the action's result
    // must come back through complete(action index, ok).
    using dispatch_fn = std::function<void(size_t action, const policy::graph_action&)>;

    transition_runner(policy::transition_graph graph, dispatch_fn dispatch);

    // node-action-limit: at most n actions in flight on any one node (0: no
    // limit); an action whose node is full waits while others go. Before start().
    void set_node_action_limit(size_t n) { node_limit_ = n; }
    void start();
    // The result of a dispatched action: ok when it met its target rc.
    // Unknown or repeated results are ignored (false returned).
    bool complete(size_t action, bool ok);
    // Fire nothing more (a newer CIB or a failure makes this graph stale).
    void abort();

    outcome state() const;
    bool finished() const { return state() != outcome::running; }
    size_t in_flight() const { return in_flight_; }
    size_t confirmed() const { return confirmed_; }
    const policy::transition_graph& graph() const { return graph_; }

private:
    void fire_ready();
    void confirm(size_t action);

    policy::transition_graph graph_;
    dispatch_fn dispatch_;
    std::vector<std::vector<size_t>> waiting_;  // action -> synapses with it as input
    std::vector<size_t> pending_inputs_;        // synapse -> inputs not yet confirmed
    std::vector<size_t> synapse_of_;            // action -> its synapse (npos when none)
    std::vector<char> fired_;                   // synapse fired
    std::vector<char> done_;                    // action confirmed or failed
    std::vector<size_t> ready_;                 // min-heap of synapses ready, not yet fired
    size_t in_flight_ = 0;
    size_t node_limit_ = 0;
    std::map<std::string, size_t> on_node_;  // actions in flight per node
    size_t confirmed_ = 0;
    size_t fired_count_ = 0;
    bool aborted_ = false;
    bool firing_ = false;  // re-entrancy guard: dispatch may complete synchronously
};

const char* to_string(transition_runner::outcome o);

}  // namespace holdfast::daemon
