#pragma once
// The status entries a node writes for one executed operation, as
// Pacemaker's controller writes them: <lrm_rsc_op> attribute sets for the
// resource's history (pure: the caller supplies call id and times).
//
// A result replaces the resource's "<rsc>_last_0" entry (recurring monitors
// keep "<rsc>_<task>_<interval>" entries of their own); a failure (an
// execution problem, or an rc other than the one the graph expected) goes to
// "<rsc>_last_failure_0" (and "<rsc>_last_0" for one-off ops), which is what
// the scheduler's failure handling and status displays read. No restart or
// secure digests yet: they need the agent's meta-data (issue 4).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "policy/graph.hpp"
#include "ra/executor.hpp"

namespace holdfast::daemon {

struct op_context {
    int transition_id = 0;
    std::string dc_uuid;      // the coordinating controller's instance id (transition keys)
    int call_id = 0;          // this node's executor call counter
    int64_t started = 0;      // epoch seconds when the agent was started (last-rc-change)
    int64_t exec_ms = 0;      // how long the agent ran
    int64_t queue_ms = 0;     // how long the request waited to run
    std::string feature_set;  // the crm_feature_set this node writes
};

struct op_update {
    std::string rsc_id;  // the history name (clone instances keep theirs)
    std::string rclass;
    std::string provider;
    std::string type;
    std::vector<std::map<std::string, std::string>> entries;  // <lrm_rsc_op> attributes, 1 or 2
};

// "action:transition:target-rc:uuid", the key results are matched by.
std::string transition_key(int action_id, int transition_id, int target_rc, const std::string& uuid);
// The graph's expected rc for the action (CRM_meta_op_target_rc, 0 when absent).
int target_rc(const policy::graph_action& a);
// Whether the result met the graph's expectation (a degraded result counts
// as its healthy twin: 190 as 0, 191 as 8). An execution problem reports
// rc 1, so it never matches.
bool succeeded(const policy::graph_action& a, const ra::op_result& r);

// A transient node attribute the coordinator sets after a failed action.
struct attribute_update {
    std::string name;        // fail-count-<rsc>#<task>_<interval>, last-failure-<rsc>#<task>_<interval>
    std::string value;       // "INFINITY", a number, or epoch seconds
    bool increment = false;  // add one to the current value instead
};

// What a failed action does to the node's failure attributes, as Pacemaker's
// controller decides: a failed start or stop sets the fail count to the
// graph's failed-start/stop offset (INFINITY unless start-failure-is-fatal is
// off), a failed recurring op, promote or demote adds one; other failures
// (probes, one-off monitors) leave it. With on-fail=ignore only the last
// failure time is kept. Nothing for a success.
std::vector<attribute_update> failure_attributes(const policy::graph_action& a, const ra::op_result& r,
                                                 const policy::transition_graph& g, int64_t now);

op_update make_op_update(const policy::graph_action& a, const ra::op_result& r, const op_context& c);

// The <lrm_resource> holding one <lrm_rsc_op> (`entry`) that a
// record_operation change carries: class as configured (ocf, lsb, systemd,
// service, stonith), provider only when there is one (ocf), as Pacemaker
// writes them.
std::string lrm_resource_xml(const op_update& u, const std::map<std::string, std::string>& entry);

}  // namespace holdfast::daemon
