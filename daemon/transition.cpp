// The transition runner: see transition.hpp.
#include "daemon/transition.hpp"

#include <algorithm>

namespace holdfast::daemon {

namespace {
constexpr size_t none = static_cast<size_t>(-1);
}

transition_runner::transition_runner(policy::transition_graph graph, dispatch_fn dispatch)
    : graph_(std::move(graph)),
      dispatch_(std::move(dispatch)),
      waiting_(graph_.actions.size()),
      pending_inputs_(graph_.synapses.size(), 0),
      synapse_of_(graph_.actions.size(), none),
      fired_(graph_.synapses.size(), 0),
      done_(graph_.actions.size(), 0) {
    for (size_t s = 0; s < graph_.synapses.size(); ++s) {
        const auto& syn = graph_.synapses[s];
        synapse_of_.at(static_cast<size_t>(syn.action)) = s;
        for (int in : syn.inputs) {
            waiting_.at(static_cast<size_t>(in)).push_back(s);
            ++pending_inputs_[s];
        }
    }
}

void transition_runner::start() {
    for (size_t s = 0; s < graph_.synapses.size(); ++s) {
        if (pending_inputs_[s] == 0) ready_.push_back(s);
    }
    std::make_heap(ready_.begin(), ready_.end(), std::greater<>());
    fire_ready();
}

// Ready synapses fire lowest graph position first, batch-limit permitting;
// one whose node is at node-action-limit waits and the next goes (as
// Pacemaker's controller skips a peer over its job limit). A dispatch may
// report its result before returning; the guard makes that result's newly
// ready synapses join this same loop instead of recursing.
void transition_runner::fire_ready() {
    if (firing_) return;
    firing_ = true;
    const auto limit = static_cast<size_t>(std::max(graph_.batch_limit, 0));
    std::vector<size_t> held;
    while (!aborted_ && !ready_.empty() && (limit == 0 || in_flight_ < limit)) {
        std::pop_heap(ready_.begin(), ready_.end(), std::greater<>());
        const size_t s = ready_.back();
        ready_.pop_back();
        const auto action = static_cast<size_t>(graph_.synapses[s].action);
        const auto& a = graph_.actions[action];
        const bool pseudo = a.kind == policy::action_kind::pseudo;
        if (!pseudo && node_limit_ > 0 && !a.node_uname.empty() && on_node_[a.node_uname] >= node_limit_) {
            held.push_back(s);
            continue;
        }
        fired_[s] = 1;
        ++fired_count_;
        if (pseudo) {
            confirm(action);
        } else {
            ++in_flight_;
            if (!a.node_uname.empty()) ++on_node_[a.node_uname];
            dispatch_(action, a);
        }
    }
    for (size_t s : held) {
        ready_.push_back(s);
        std::push_heap(ready_.begin(), ready_.end(), std::greater<>());
    }
    firing_ = false;
}

void transition_runner::confirm(size_t action) {
    done_[action] = 1;
    ++confirmed_;
    for (size_t w : waiting_[action]) {
        if (--pending_inputs_[w] == 0) {
            ready_.push_back(w);
            std::push_heap(ready_.begin(), ready_.end(), std::greater<>());
        }
    }
}

bool transition_runner::complete(size_t action, bool ok) {
    if (action >= done_.size() || done_[action] || synapse_of_[action] == none || !fired_[synapse_of_[action]] ||
        graph_.actions[action].kind == policy::action_kind::pseudo)
        return false;
    --in_flight_;
    if (const auto& node = graph_.actions[action].node_uname; !node.empty() && on_node_[node] > 0) --on_node_[node];
    if (ok) {
        confirm(action);
    } else {
        done_[action] = 1;
        aborted_ = true;
    }
    fire_ready();
    return true;
}

void transition_runner::abort() { aborted_ = true; }

transition_runner::outcome transition_runner::state() const {
    if (in_flight_ > 0) return outcome::running;
    if (aborted_) return outcome::aborted;
    if (!ready_.empty()) return outcome::running;  // held back by batch-limit only while something runs
    return fired_count_ == graph_.synapses.size() ? outcome::complete : outcome::incomplete;
}

const char* to_string(transition_runner::outcome o) {
    switch (o) {
        case transition_runner::outcome::running: return "running";
        case transition_runner::outcome::complete: return "complete";
        case transition_runner::outcome::aborted: return "aborted";
        case transition_runner::outcome::incomplete: return "incomplete";
    }
    return "unknown";
}

}  // namespace holdfast::daemon
