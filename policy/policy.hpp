#pragma once
// The policy engine's entry point: from an unpacked cluster (working_set) to
// the transition graph and the "Transition Summary" that describe what the
// cluster should do next. Pure: no I/O, no clock (time comes in working_set).
//
// Lifecycle: ws = policy::unpack(cib, now); r = policy::schedule(ws); the
// caller writes r.graph (graph_xml.hpp) and prints r.summary. schedule()
// also annotates ws: each resource's next_role and allocated_to, and each
// node's fenced_in_transition.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/graph.hpp"
#include "policy/score_trace.hpp"
#include "policy/working_set.hpp"

namespace holdfast::policy {

struct schedule_result {
    transition_graph graph;
    std::vector<summary_line> summary;
    // Allocation score lines as crm_simulate -s prints them (without the
    // trailing newline), in the order they were computed.
    std::vector<std::string> scores;
    // Plan again at this time (epoch seconds; 0: nothing time-based pending),
    // see working_set::recheck_by.
    std::time_t recheck_by = 0;
    // How the scores and placements came about (`holdfast explain`)
    score_trace trace;
};

// What in this working set the scheduler cannot handle yet (promotable clones,
// bundles, remote/guest nodes), as one line; nullopt when it can.
// Callers must not schedule() a working set this rejects.
std::optional<std::string> unsupported_feature(const working_set& ws);

schedule_result schedule(working_set& ws);

// The op-digest a controller records for an operation run with `params`
// (a graph action's attributes: instance parameters and CRM_meta_* values),
// the one the scheduler later compares to detect a changed definition.
std::string operation_digest(std::map<std::string, std::string> params);

// The "-s" block of crm_simulate: "Allocation scores:" and one line per score.
std::string format_scores(const schedule_result& r);

}  // namespace holdfast::policy
