#pragma once
// How schedule() arrived at each resource's allocation scores and placement,
// kept so `holdfast explain` can say why a resource runs where it runs: every
// change the scheduler made to a resource's score on a node, in order, with
// what made it, plus each primitive's final scores and whether its planned
// start can run. Recording never changes a decision. policy/explain.hpp turns
// this into a resource's explanation.
#include <climits>
#include <string>
#include <vector>

#include "policy/working_set.hpp"

namespace holdfast::policy {

// A node that is not among a resource's allowed nodes at all (no score)
constexpr int score_absent = INT_MIN;

enum class score_source {
    location,             // id: the rsc_location constraint (or its rule)
    colocation,           // id: a colocation in which this resource depends on `other`
    attracted,            // id: a colocation in which `other` depends on this resource
    internal,             // id: the scheduler's tag ("stickiness", "__fail_limit__", "target-role", ...)
    exclusive_discovery,  // resource-discovery=exclusive names other nodes only
};

struct score_change {
    rsc_ix rsc = none;
    node_ix node = none;
    int before = score_absent;  // score_absent: the node was not allowed before
    int after = score_absent;
    int amount = 0;  // the score the source applied (the difference when only before and after are known)
    score_source source = score_source::internal;
    std::string id;
    rsc_ix other = none;  // colocations: the resource on the other side
};

// Why a primitive the scheduler placed will not be started there.
struct start_block {
    std::string reason;                  // the start's own reason ("no quorum"), may be empty
    std::vector<std::string> waits_for;  // "rsc start" of actions it waits for that cannot run, nearest first
};

struct score_trace {
    std::vector<score_change> changes;           // in the order they were made
    std::vector<std::vector<int>> final_scores;  // [rsc][node] when scheduling ended; score_absent: not allowed
    std::vector<node_ix> planned;                // [rsc] primitives: where it is active after the transition
    std::vector<start_block> blocked;            // [rsc] primitives: why its start cannot run (if it cannot)
    std::vector<bool> start_blocked;             // [rsc] primitives: placed, but the start cannot run
};

}  // namespace holdfast::policy
