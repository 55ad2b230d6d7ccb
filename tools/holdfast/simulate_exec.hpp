#pragma once
// The simulated run of a transition (crm_simulate -S): fires the graph's
// actions in Pacemaker's order as if each succeeded, writing their results
// into the CIB's status: its model, and its XML when the document keeps it.
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "cib/cib.hpp"
#include "policy/graph.hpp"

namespace holdfast::tools {

// One executed action, what its "Executing Cluster Transition:" line says.
struct exec_step {
    std::string kind;  // pseudo, fence, cluster, resource
    std::string task;  // operation (start, monitor, ...), fence action, or cluster task
    std::string resource;
    std::string node;
    long long interval_ms = 0;
};

struct exec_result {
    std::vector<std::string> lines;  // "Executing Cluster Transition:" lines, in firing order
    std::vector<exec_step> steps;    // the same actions, one per line
    size_t unfired = 0;              // synapses whose inputs never completed
};

exec_result simulate_transition(cib::document& doc, const policy::transition_graph& g);

// The time a saved CIB was scheduled at (its execution-date, epoch seconds),
// which crm_simulate takes as "now" for it; nullopt when absent or not a number.
std::optional<std::time_t> execution_date(const cib::cib_model& m);

}  // namespace holdfast::tools
