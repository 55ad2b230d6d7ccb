#pragma once
// The scheduler's view of the cluster: nodes and resources as unpacked from a
// CIB at a given time. Built by policy::unpack(), then annotated by
// policy::schedule() (allocation, next role). Flat storage: nodes and
// resources live in vectors and refer to each other by index.
#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cib/model.hpp"

namespace holdfast::policy {

using node_ix = int32_t;
using rsc_ix = int32_t;
constexpr int32_t none = -1;

constexpr int score_infinity = 1000000;

enum class role { unknown, stopped, started, unpromoted, promoted };
const char* to_string(role r);  // "Unknown" "Stopped" "Started" "Unpromoted" "Promoted"

enum class node_kind { member, remote, guest };

struct node {
    std::string id;
    std::string uname;
    node_kind kind = node_kind::member;
    bool online = false;
    bool unclean = false;  // must be fenced
    bool pending = false;  // joining
    bool standby = false;
    bool standby_onfail = false;  // standby because a resource failed with on-fail=standby
    bool maintenance = false;
    bool shutdown = false;  // shutdown requested
    bool expected_up = false;
    bool is_dc = false;
    bool unseen = false;  // no node_state at all
    bool remote_requires_reset = false;
    bool remote_was_fenced = false;  // remote/guest: node_fenced in its node_state
    bool late = false;               // created while reading history (an orphaned connection's node), after
                                     // resources were unpacked: no resource's default allowed nodes include it
    bool rsc_discovery_enabled = true;
    bool fenced_in_transition = false;         // set by schedule(): a fencing op targets it
    std::map<std::string, std::string> attrs;  // configured + transient, incl. #uname #id #kind
    std::map<std::string, int> utilization;
    std::vector<rsc_ix> running;  // primitives active here
    rsc_ix remote_rsc = none;     // the resource that provides this remote/guest node
};

enum class rsc_variant { primitive, group, clone, bundle };

struct resource {
    std::string id;       // for clone instances "base:N"; orphans keep their history id
    std::string base_id;  // id without the ":N" suffix
    rsc_variant variant = rsc_variant::primitive;
    const cib::resource* def = nullptr;  // null for implicit ones (bundle parts)
    rsc_ix parent = none;
    std::vector<rsc_ix> children;

    // primitive only
    std::string rclass;
    std::string provider;
    std::string type;

    std::map<std::string, std::string> meta;    // evaluated meta attributes (incl. rsc_defaults)
    std::map<std::string, std::string> params;  // evaluated instance attributes
    std::map<std::string, int> utilization;     // evaluated <utilization> (placement-strategy)

    // configuration-derived
    bool managed = true;
    bool unique = false;      // clone: globally-unique
    bool promotable = false;  // clone: promotable
    bool orphan = false;      // in status, not in configuration
    bool is_remote_connection = false;
    int64_t remote_reconnect_ms = 0;  // remote connections: reconnect_interval parameter
    bool critical = true;
    int priority = 0;
    int stickiness = 0;
    int migration_threshold = score_infinity;
    int64_t failure_timeout = 0;  // seconds
    bool allow_migrate = false;
    role target_role = role::unknown;  // unknown = not set

    // status-derived
    role current_role = role::stopped;
    std::vector<node_ix> running_on;
    bool failed = false;
    bool blocked = false;  // cannot be recovered (on-fail=block, failed stop without fencing)
    bool start_pending = false;
    std::string pending_task;  // an op recorded as pending: "start" "stop" "migrate_to" ...
    node_ix pending_node = none;
    node_ix partial_migration_source = none;
    node_ix partial_migration_target = none;
    node_ix dangling_migration = none;
    node_ix lock_node = none;       // shutdown-lock: kept on this node while it is down
    int64_t lock_time = 0;          // when that lock began
    rsc_ix container = none;        // guest connections / bundle parts: the resource they run inside
    std::string clone_name;         // clone instances: the id its history uses when that differs (pe rsc->clone_name)
    bool failure_ignored = false;   // a failure was ignored (on-fail=ignore): shown in status
    bool stop_required = false;     // pe_rsc_stop: unpack found it failed and it must be stopped
    std::vector<node_ix> known_on;  // nodes whose history tells its state (Pacemaker's known_on:
                                    // set on the resource and its parents up to a unique one)
    std::map<node_ix, int> fail_count;
    std::map<node_ix, int64_t> last_failure;

    // scheduler output
    role next_role = role::unknown;
    node_ix allocated_to = none;
};

struct cluster_options {
    bool stonith_enabled = true;
    bool symmetric_cluster = true;
    bool startup_fencing = true;
    bool maintenance_mode = false;
    bool stop_all_resources = false;
    bool stop_orphan_resources = true;
    bool stop_orphan_actions = true;
    bool concurrent_fencing = false;
    bool start_failure_is_fatal = true;
    bool remove_after_stop = false;
    bool have_quorum = false;
    std::string no_quorum_policy = "stop";  // stop freeze ignore demote suicide
    std::string stonith_action = "reboot";
    std::string placement_strategy = "default";
    std::string node_health_strategy = "none";
    int64_t shutdown_lock = 0;
    bool shutdown_lock_enabled = false;
    int64_t stonith_timeout_ms = 60000;
    int64_t cluster_delay_ms = 60000;
    int priority_fencing_delay = 0;
    // crm_simulate's default "sanitized" mode: a definition change that only touches
    // secure (private) parameters is ignored, since a saved CIB hides their values
    bool sanitized = false;
    std::map<std::string, std::string> raw;  // every crm_config pair as evaluated
};

// An action Pacemaker's status unpacking creates as a side effect (pe_fence_node,
// stop_action/demote_action for on-fail handling, clear_failcount for expired
// failures). schedule() replays them first, in this order, so action ids and
// fencing reasons come out as Pacemaker's.
//   fence            pe_fence_node(node, reason, priority_delay) on a cluster or remote node
//   stop, demote     stop_action/demote_action(rsc, node, optional=false)
//   recurring        process_recurring: optional <rsc>_<task>_<interval_ms> on node
//   lrm_delete       pe__clear_resource_history(rsc, node) (an expired shutdown lock)
//   clear_failcount  pe__clear_failcount(rsc, node, reason); after_remote_fencing: also
//                    ordered after the fencing of the remote node rsc connects
//   ban              resource_location(rsc, node, -INFINITY, reason): node none = every node
//                    (failed stops, hard and fatal errors, masked probe failures)
//   param_check      should_clear_for_param_change: clear the fail count of rsc on node
//                    if the parameters `op` (a last-failure entry) ran with have changed
struct unpack_action {
    enum class kind {
        fence,
        stop,
        demote,
        recurring,
        clear_failcount,
        ban,
        param_check,
        lrm_delete
    } what = kind::fence;
    node_ix node = none;
    rsc_ix rsc = none;
    std::string reason;           // fence: why (shown in the summary); clear_failcount: why
    bool priority_delay = false;  // fence: pe_fence_node's priority_delay
    std::string task;             // recurring: the operation name
    int64_t interval_ms = 0;      // recurring
    bool after_remote_fencing = false;
    const cib::op_record* op = nullptr;  // param_check
};

// A failed operation as crm_mon lists it under "Failed Resource Actions"
// (Pacemaker's data_set->failed): from online nodes, once per node and
// operation key, unless its failure-timeout has expired. Among them the
// probes unpacking treated as "not running" (rc 5 not installed, rc 2 invalid
// parameter, or a missing agent), which status displays name beside the
// resource (pe__failed_probe_for_rsc).
struct failed_op {
    const cib::op_record* op = nullptr;  // points into the CIB model
    std::string rsc_id;                  // the id the history uses ("rsc" for anonymous clone instances)
    node_ix node = none;
    bool masked_probe = false;
};

struct working_set {
    const cib::cib_model* cib = nullptr;
    std::time_t now = 0;
    // The earliest time after `now` at which the same CIB would be scheduled
    // differently because time passed (a failure-timeout expiring), 0 when
    // none: the controller plans again then (Pacemaker's recheck-by).
    // Noted while unpacking and scheduling, hence mutable.
    mutable std::time_t recheck_by = 0;
    cluster_options options;
    std::string dc_uuid;
    std::vector<node> nodes;
    std::vector<resource> resources;
    std::vector<rsc_ix> top_level;  // by priority, highest first (stable: configuration order), orphans appended
    std::map<std::string, rsc_ix> rsc_by_id;
    std::map<std::string, node_ix> node_by_uname;
    std::map<std::string, node_ix> node_by_id;
    std::map<std::string, std::map<std::string, std::string>> tickets;  // ticket -> state attrs
    std::vector<unpack_action> unpack_actions;                          // see unpack_action
    std::vector<failed_op> failed_ops;                                  // in history order
    // Recurring-op history entries whose failure expired: their configuration
    // check sees a changed restart digest, so the monitor is rescheduled
    std::vector<const cib::op_record*> failure_expired_monitors;
    // Connection primitives implied by guest nodes (a primitive's remote-node meta),
    // as Pacemaker adds them to the configuration (pe_create_remote_xml); unpacked
    // after the configured resources. Shared so the resources' def pointers stay valid.
    std::vector<std::shared_ptr<const cib::resource>> implicit_defs;
};

// Some primitive is a fence device (class stonith): part of Pacemaker's
// pe_flag_have_stonith_resource
bool has_fence_device(const working_set& ws);

// Keeps the earliest future recheck time.
inline void note_recheck(const working_set& ws, std::time_t t) {
    if (t > ws.now && (ws.recheck_by == 0 || t < ws.recheck_by)) ws.recheck_by = t;
}

}  // namespace holdfast::policy
