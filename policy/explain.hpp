#pragma once
// Why a resource runs where it runs, or why it is stopped: the facts that
// decided its placement, read from what schedule() computed (its allocation
// scores and their trace, policy/score_trace.hpp; the plan), never decided a
// second time. Pure like the rest of policy/: `holdfast explain` prints the
// result as text, JSON or XML (man/holdfast.8, EXPLAIN).
#include <string>
#include <string_view>
#include <vector>

#include "cib/expected.hpp"
#include "policy/policy.hpp"
#include "policy/working_set.hpp"

namespace holdfast::policy {

// One contribution to a resource's score on a node.
struct score_part {
    // location ban prefer colocation attracted stickiness fail-limit target-role utilization ticket
    // shutdown-lock failure orphan clone-limit exclusive-discovery initial other
    std::string kind;
    std::string id;     // the constraint's id, or the scheduler's tag
    std::string other;  // colocations: the resource on the other side
    int score = 0;      // what it added (+/-score_infinity for INFINITY)
    std::string text;   // plain words: "location vm1-prefers-node2 100"
};

struct node_facts {
    std::string node;
    bool allowed = false;                 // among the resource's allowed nodes at all
    int score = 0;                        // the final allocation score there (when allowed)
    std::vector<std::string> conditions;  // offline unclean standby maintenance shutting-down pending
    int fail_count = 0;
    std::vector<score_part> parts;  // in the order the scheduler applied them
};

struct explanation {
    std::string rsc;
    std::string variant;                  // primitive group clone
    std::string parent;                   // the group or clone it belongs to, "" when top-level
    std::vector<std::string> active_on;   // where it is active now
    std::vector<std::string> planned_on;  // where it is active after the transition
    std::string verdict;                  // "vm1 runs on node2", "vm1 will move from node1 to node2", ...
    std::vector<std::string> reasons;     // plain words, what decided it
    std::vector<node_facts> nodes;        // primitives: every node, best score first
    std::vector<explanation> members;     // groups and clones: each member or instance
};

// rsc_id names a configured resource (primitive, group or clone), a clone
// instance ("id:N") or the primitive inside a clone (the clone is explained).
// ws: annotated by schedule(), whose result r is. Error: "unknown resource 'x'".
expected<explanation, std::string> explain(const working_set& ws, const schedule_result& r, std::string_view rsc_id);

// The plain-words text: the verdict and its reasons in one sentence, then
// each node's score and what made it up; members indented below.
std::string format_explanation(const explanation& e);

}  // namespace holdfast::policy
