#pragma once
// The scheduler's internal kernel (not a public header of policy/).
//
// Mirrors the shape of Pacemaker's scheduler so that its decisions come out
// the same: per-resource scheduling state (allowed node scores, constraint
// lists, flags), actions with optional/runnable flags, ordering edges between
// actions with Pacemaker's ordering-type bits, and a fixed-point propagation
// of flags along the edges. One `sched` lives for one schedule() call and is
// driven single-threaded by schedule.cpp in Pacemaker's phase order.
//
// Files: sched_actions.cpp (actions, edges, propagation), sched_order.cpp
// (order constraints), sched_location.cpp, sched_colocation.cpp,
// sched_assign.cpp (node sorting, allocation order), sched_primitive.cpp,
// sched_group.cpp, sched_clone.cpp, sched_promotable.cpp, sched_notify.cpp
// (clone notifications), sched_fencing.cpp,
// sched_recurring.cpp, sched_probes.cpp, sched_migration.cpp,
// sched_summary.cpp (Transition Summary), sched_graph.cpp (graph creation).
#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policy/graph.hpp"
#include "policy/score_trace.hpp"
#include "policy/text.hpp"
#include "policy/working_set.hpp"

namespace holdfast::policy::sched {

using action_ix = int32_t;

// Score arithmetic saturates at +/-INFINITY like Pacemaker's pcmk__add_scores.
int add_scores(int a, int b);

// "Not in the allowed-node table" (Pacemaker: absent from rsc->allowed_nodes).
constexpr int not_allowed = INT_MIN;

// pe_action_flags
enum action_flag : uint32_t {
    af_pseudo = 0x00001,
    af_runnable = 0x00002,
    af_optional = 0x00004,
    af_print_always = 0x00008,
    af_have_node_attrs = 0x00010,
    af_implied_by_stonith = 0x00040,
    af_migrate_runnable = 0x00080,
    af_dumped = 0x00100,
    af_processed = 0x00200,
    af_dangle = 0x00800,
    af_requires_any = 0x01000,
    af_reschedule = 0x02000,
    af_tracking = 0x04000,
    af_dedup = 0x08000,
    af_dc = 0x10000,
};

// pe_ordering bits (same values as Pacemaker for easy cross-reading)
enum order_flag : uint32_t {
    of_none = 0x0,
    of_optional = 0x1,
    of_apply_first_non_migratable = 0x2,
    of_implies_first = 0x10,
    of_implies_then = 0x20,
    of_promoted_implies_first = 0x40,
    of_implies_first_migratable = 0x80,
    of_runnable_left = 0x100,
    of_pseudo_left = 0x200,
    of_implies_then_on_node = 0x400,
    of_probe = 0x800,
    of_restart = 0x1000,
    of_serialize_only = 0x4000,
    of_same_node = 0x8000,
    of_implies_first_printed = 0x10000,
    of_implies_then_printed = 0x20000,
    of_asymmetrical = 0x100000,
    of_load = 0x200000,
    of_one_or_more = 0x400000,
    of_anti_colocation = 0x800000,
    of_preserve = 0x1000000,
    of_then_cancels_first = 0x2000000,
};

// Resource scheduling flags (pe_rsc_*), kept by the scheduler
enum rsc_flag : uint64_t {
    rf_orphan = 0x1,
    rf_managed = 0x2,
    rf_block = 0x4,
    rf_notify = 0x10,
    rf_unique = 0x20,
    rf_fence_device = 0x40,
    rf_promotable = 0x80,
    rf_provisional = 0x100,
    rf_allocating = 0x200,
    rf_merging = 0x400,
    rf_restarting = 0x800,
    rf_stop = 0x1000,
    rf_reload = 0x2000,
    rf_allow_remote_remotes = 0x4000,
    rf_critical = 0x8000,
    rf_failed = 0x10000,
    rf_runnable = 0x40000,
    rf_start_pending = 0x80000,
    rf_starting = 0x100000,
    rf_stopping = 0x200000,
    rf_stop_unexpected = 0x400000,
    rf_allow_migrate = 0x800000,
    rf_failure_ignored = 0x1000000,
    rf_maintenance = 0x4000000,
    rf_is_container = 0x8000000,
    rf_needs_quorum = 0x10000000,
    rf_needs_fencing = 0x20000000,
    rf_needs_unfencing = 0x40000000,
};

enum class start_requirement { nothing, quorum, fencing, unfencing };
enum class on_fail { ignore, demote, recover, migrate, block, stop, standby, fence, restart_container, reset_remote };
enum class recovery { stop_start, stop_only, block, stop_unexpected };

// An edge: this action relates to `other` with ordering bits `type`.
struct action_link {
    action_ix other = -1;
    uint32_t type = of_none;
    bool dumped = false;  // pe_link_dumped: already written as a graph input
};

struct action {
    action_ix id = 0;
    int priority = 0;
    rsc_ix rsc = none;
    node_ix node = none;
    std::string task;  // "start", "stop", "monitor", "running", "stonith", ...
    std::string uuid;  // Pacemaker key: "<rsc>_<task>_<interval>" or task for cluster actions
    std::string cancel_task;
    std::string reason;
    uint32_t flags = 0;
    start_requirement needs = start_requirement::nothing;
    on_fail fail_response = on_fail::recover;
    role fail_role = role::started;
    int64_t interval_ms = 0;
    std::map<std::string, std::string> meta;  // CRM_meta_* (without prefix)
    std::map<std::string, std::string> extra;
    int runnable_before = 0;
    int required_runnable_before = 0;
    bool has_op_entry = false;              // an <op> in the configuration matched (op_entry != NULL)
    const cib::op_def* op_entry = nullptr;  // that <op>
    std::vector<action_link> before;        // actions this one waits for (actions_before)
    std::vector<action_link> after;         // actions waiting for this one (actions_after)
};

struct location_rule {  // pe__location_t
    std::string id;
    rsc_ix rsc = none;
    role role_filter = role::unknown;
    enum class discover { always, never, exclusive } discover_mode = discover::always;
    std::vector<std::pair<node_ix, int>> nodes;
};

struct colocation {  // pcmk__colocation_t
    std::string id;
    rsc_ix dependent = none;
    rsc_ix primary = none;
    role dependent_role = role::unknown;
    role primary_role = role::unknown;
    int score = 0;
    std::string node_attribute = "#uname";
    bool influence = true;
};

struct ordering {  // pe__ordering_t
    int id = 0;
    uint32_t flags = 0;
    rsc_ix first_rsc = none;
    action_ix first_action = -1;
    std::string first_task;  // full key, e.g. "rsc_start_0"
    rsc_ix then_rsc = none;
    action_ix then_action = -1;
    std::string then_task;
};

struct ticket_rule {  // rsc_ticket
    std::string id;
    std::string ticket;
    rsc_ix rsc = none;
    role rsc_role = role::unknown;
    std::string loss_policy;  // stop demote fence freeze
};

// What a clone notification tells about the clone (notify_data_t, sched_notify.cpp):
// instances (with a node) by what they do and what they are, the name/value pairs
// that become notify_* meta, and the pseudo actions around the notified task.
struct notify_entry {
    rsc_ix rsc = none;
    node_ix node = none;
};
struct notify_data {
    std::string task;  // start stop promote demote
    action_ix pre = -1, pre_done = -1, post = -1, post_done = -1;
    std::vector<notify_entry> start, stop, promote, demote, active, inactive, promoted, unpromoted;
    std::vector<std::pair<std::string, std::string>> keys;  // in insertion order; the last of a name wins
    rsc_ix allowed_from = none;                             // whose allowed nodes are "available"
};

// Per-resource scheduling state, parallel to working_set::resources.
struct rsc_state {
    uint64_t flags = 0;
    recovery recovery_type = recovery::stop_start;
    std::vector<int> allowed;    // score per node_ix; not_allowed = absent
    std::vector<bool> known_on;  // probed/known on node
    std::vector<int> this_with;  // colocation ids where this is dependent (rsc_cons)
    std::vector<int> with_this;  // colocation ids where this is primary (rsc_cons_lhs)
    std::vector<int> locations;  // location_rule ids
    std::vector<int> tickets;
    std::vector<action_ix> actions;  // creation order (Pacemaker's rsc->actions is newest first)
    int sort_index = 0;
    int priority = 0;                    // rsc->priority: the configured one; promotable instances use it for promotion
    bool promotion_added = false;        // promotable clone: promotion scores added (pe__clone_promotion_added)
    bool promotion_constrained = false;  // promotable clone: instances sorted (pe__clone_promotion_constrained)
    role role_now = role::stopped;       // rsc->role
    role next_role = role::unknown;
    node_ix allocated_to = none;
    std::vector<node_ix> dangling_migrations;
    // resource-discovery: exclusive somewhere (rsc->exclusive_discover), and per node
    // the strongest mode of the location constraints applied there (rsc_discover_mode)
    bool exclusive_discover = false;
    std::vector<uint8_t> discover_mode;  // location_rule::discover values, per node_ix
    // clones/bundles: per-variant data lives in the variant files, keyed by rsc
};

struct sched {
    working_set& ws;
    std::vector<rsc_state> rs;
    // Pacemaker's data_set->resources: top-level resources in configuration order,
    // stably sorted by priority (highest first), then orphans. Phases walk this.
    std::vector<rsc_ix> resources;
    // Pacemaker's data_set->nodes: every node sorted by name (numeric_strcasecmp).
    std::vector<node_ix> nodes;
    // Every action, in creation order (Pacemaker's data_set->actions is the reverse:
    // walk from the back to visit them as Pacemaker does). Actions with id < 0 are
    // scratch ones (custom_action with save=false): skip them when iterating.
    std::vector<action> actions;
    std::vector<location_rule> locations;
    std::vector<colocation> colocations;
    std::vector<ordering> orderings;
    std::vector<ticket_rule> tickets;
    std::map<std::string, action_ix> action_by_key;  // not maintained: find_actions() scans like Pacemaker
    bool have_stonith_resource = false;
    int next_action_id = 1;  // data_set->action_id
    // node->weight as scheduling sees it: the <node score> (0 if unset), -INFINITY for
    // cluster nodes that are offline or shutting down. resource_location() starts a
    // node's allowed score from this when the node was not allowed yet.
    std::vector<int> node_weight;
    bool enable_unfencing = false;      // pe_flag_enable_unfencing: some meta says provides/requires=unfencing
    std::vector<action_ix> singletons;  // actions without a resource, in creation order
    int next_ordering_id = 1;
    // Allocation score lines for `simulate -s` ("pcmk__primitive_assign: rsc allocation
    // score on node1: 100"), appended by whoever computes them, printed in order.
    std::vector<std::string> score_lines;
    // Every change to a resource's score on a node, with its cause, in order
    // (score_trace.hpp); appended by whoever changes rs[].allowed
    std::vector<score_change> score_changes;
    void note_score(rsc_ix r, node_ix n, int before, int after, int amount, score_source source, std::string_view id,
                    rsc_ix other = none) {
        score_changes.push_back({r, n, before, after, amount, source, std::string(id), other});
    }
    // Per node: how many primitives assignment has put there (num_resources), a
    // tie-break when nodes score the same.
    std::vector<int> num_resources;
    // Per node: remaining utilization capacity (node->details->utilization as
    // assignment consumes and releases it); set up by allocate_resources().
    std::vector<std::map<std::string, int>> capacity;
    // Filled by create_graph() (sched_graph.cpp); per-action graph index, -1 = not in graph.
    transition_graph graph;
    std::vector<int> graph_index;
    // Clone notification data (notify_data_t), see clone_notifications(); entries of
    // clone_notify are (clone, task) -> index in notifications
    std::vector<notify_data> notifications;
    std::map<std::pair<rsc_ix, std::string>, int> clone_notify;

    explicit sched(working_set& w);

    // ---- actions (sched_actions.cpp) ----
    // Find or create an action (Pacemaker's custom_action): sets runnable and
    // optional from node state, resource state and op configuration.
    action_ix custom_action(rsc_ix rsc, const std::string& key, const std::string& task, node_ix node, bool optional,
                            bool save);
    action_ix find_action(const std::string& key, node_ix node) const;
    std::vector<action_ix> find_actions(rsc_ix rsc, const std::string& key, node_ix node) const;
    // Add an ordering edge first -> then (order_actions). Returns false if it existed.
    bool order_actions(action_ix first, action_ix then, uint32_t type);
    // Record an ordering constraint between resource actions (pcmk__new_ordering).
    void new_ordering(rsc_ix first_rsc, const std::string& first_key, action_ix first_action, rsc_ix then_rsc,
                      const std::string& then_key, action_ix then_action, uint32_t type);
    // Propagate flags along edges to a fixed point (pcmk__update_action_for_orderings).
    void update_action_for_orderings(action_ix then);
};

// Helpers shared by all files
// uber_parent: the top-level resource r belongs to (r itself when it has no parent)
inline rsc_ix uber_parent(const sched& s, rsc_ix r) {
    while (s.ws.resources[r].parent != none) r = s.ws.resources[r].parent;
    return r;
}
// pcmk__numeric_strcasecmp: case-insensitive, digit runs compared as numbers
int numeric_strcasecmp(std::string_view a, std::string_view b);
std::string op_key(const std::string& rsc_id, std::string_view task, int64_t interval_ms);
inline bool is_set(uint32_t flags, uint32_t f) { return (flags & f) == f; }

// ---- phase entry points ----
// Called by schedule.cpp in pcmk__schedule_actions order; the owning file is named
// after each declaration. Variant dispatchers switch on ws.resources[r].variant.

// sched_location.cpp (placement): all rsc_location constraints -> sched.locations + rs[].locations
void unpack_locations(sched& s);
// sched_colocation.cpp (placement): all rsc_colocation constraints -> sched.colocations, rs[].this_with/with_this
void unpack_colocations(sched& s);
// sched_order.cpp (core): all rsc_order constraints -> sched.orderings
void unpack_orderings(sched& s);
// schedule.cpp (core): rsc_ticket constraints -> sched.tickets (pcmk_sched_tickets.c)
void unpack_tickets(sched& s);
// sched_location.cpp (placement): pcmk__new_location -- a location_rule for r (with
// `node` at `score` unless node is none); returns its index in s.locations, or -1
int new_location(sched& s, const std::string& id, rsc_ix r, int score, std::string_view discover_mode, node_ix node);
// sched_location.cpp (placement): r's rsc_discover_mode on node n (a location_rule::discover value)
uint8_t discover_mode_on(const sched& s, rsc_ix r, node_ix n);
// sched_location.cpp (placement): shutdown locks, locations, stickiness, failure
// thresholds, exclusive discovery (apply_node_criteria in pcmk_sched_allocate.c)
void apply_node_criteria(sched& s);
// sched_assign.cpp (placement): allocate_resources() in pcmk_sched_allocate.c
void allocate_resources(sched& s);
// sched_probes.cpp (placement): pcmk__schedule_probes
void schedule_probes(sched& s);
// sched_summary.cpp (placement): pcmk__output_actions (Transition Summary lines, incl.
// the node-level Fence/Shutdown lines)
void output_actions(sched& s, std::vector<summary_line>& out);
// sched_migration.cpp (placement): pcmk__order_migration_equivalents, called by
// new_ordering for each new entry of s.orderings (index given)
void order_migration_equivalents(sched& s, int ordering_ix);
// sched_probes.cpp (placement): pcmk__order_probes (called from apply_orderings)
void order_probes(sched& s);
// sched_colocation.cpp (placement): pcmk__block_colocation_dependents (called when a
// start becomes unrunnable during update_action_for_orderings)
void block_colocation_dependents(sched& s, action_ix a);

// Variant dispatchers (rsc->cmds->X). create_actions / internal_constraints:
// sched_primitive.cpp (placement), calling group_X / clone_X / bundle_X (collective).
void create_actions(sched& s, rsc_ix r);
void internal_constraints(sched& s, rsc_ix r);
// action_flags / update_ordered_actions: sched_actions.cpp (core).
// action_flags returns the action's flags as seen for ordering purposes on `node`
// (none = any node); primitives just return action.flags.
uint32_t action_flags(sched& s, action_ix a, node_ix node);
// Returns a mask of updated_first / updated_then. `via` is the resource whose method
// Pacemaker calls (then->rsc, or first->rsc for implies-first).
enum updated : uint32_t { updated_none = 0, updated_first = 1, updated_then = 2 };
uint32_t update_ordered_actions(sched& s, rsc_ix via, action_ix first, action_ix then, node_ix node, uint32_t flags,
                                uint32_t filter, uint32_t type);
// sched_actions.cpp (core): pcmk__update_ordered_actions, the primitive version; the
// group and clone versions call it too.
uint32_t primitive_update_ordered_actions(sched& s, action_ix first, action_ix then, node_ix node, uint32_t flags,
                                          uint32_t filter, uint32_t type);
// collective helper: the non-primitive methods (sched_group.cpp, sched_clone.cpp, sched_bundle.cpp)
uint32_t group_action_flags(sched& s, action_ix a, node_ix node);
uint32_t group_update_ordered_actions(sched& s, action_ix first, action_ix then, node_ix node, uint32_t flags,
                                      uint32_t filter, uint32_t type);
uint32_t clone_action_flags(sched& s, action_ix a, node_ix node);   // clone_action_flags
uint32_t bundle_action_flags(sched& s, action_ix a, node_ix node);  // pcmk__bundle_action_flags
// pcmk__multi_update_actions (clones and bundles)
uint32_t multi_update_ordered_actions(sched& s, action_ix first, action_ix then, node_ix node, uint32_t flags,
                                      uint32_t filter, uint32_t type);

// sched_notify.cpp (collective): pe__order_notifs_after_fencing -- a stop of notifying
// resource r on a fenced node became implied by `stonith`
void order_notifs_after_fencing(sched& s, action_ix stop, rsc_ix r, action_ix stonith);
// Clone notifications (sched_notify.cpp, collective; Pacemaker's pe_notif.c). A clone
// with notify=true wraps each of its start/stop/promote/demote phases in pseudo actions
// "<clone>_pre_notify_<task>_0" -> "<clone>_confirmed-pre_notify_<task>_0" -> <task> ...
// <task>ed -> "<clone>_post_notify_<task>ed_0" -> "<clone>_confirmed-post_notify_<task>ed_0",
// and at graph time every instance gets "notify" actions carrying the notify_* meta.
// clone_notifications: pe__clone_notif_pseudo_ops, once per clone and task (later calls
// return the first one); `action` (the clone's <task> pseudo action) gets the "pre"
// pair, `complete` (<task>ed) the "post" pair; -1 for either to leave it out. Returns
// the index in sched::notifications, or -1 when the clone does not notify.
int clone_notifications(sched& s, rsc_ix clone, const std::string& task, action_ix action, action_ix complete);
// The index of the clone's notification data for task ("start", ...), or -1
int clone_notify_index(const sched& s, rsc_ix clone, const std::string& task);
// The end of pe__create_promotable_pseudo_ops, once the promote and demote
// notifications exist: demotions are notified before anything else, promotions
// after everything else
void order_promotable_notifications(sched& s, rsc_ix clone);
// clone_expand's part: pe__create_notifications for start, stop, promote, demote (in
// that order) with the clone's data, which is then dropped
void create_clone_notifications(sched& s, rsc_ix clone);
// clone_child_action: the task a clone's action stands for among its instances; for
// notify/notified pseudo actions, the one in its key ("_post_notify_running_0" -> running)
std::string notified_task(const action& a);

// Graph (sched_graph.cpp, core): pcmk__create_graph into s.graph, and the
// add_actions_to_graph dispatcher. add_rsc_actions_to_graph adds r's own actions
// then its children's (pcmk__add_rsc_actions_to_graph, primitives and groups).
void create_graph(sched& s);
void add_actions_to_graph(sched& s, rsc_ix r);
void add_rsc_actions_to_graph(sched& s, rsc_ix r);
// pcmk__graph_has_loop: would adding `input` of `a` close a loop back to `init`?
bool graph_has_loop(sched& s, action_ix init, action_ix a, action_link& input);
// collective helper: clone_expand (flags of its actions, create notifications, then
// children via add_actions_to_graph, then add_rsc_actions_to_graph(clone)) and
// pcmk__bundle_expand.
void clone_add_actions_to_graph(sched& s, rsc_ix clone);
void bundle_add_actions_to_graph(sched& s, rsc_ix bundle);
// collective helper (sched_clone.cpp): clone_append_meta -- CRM_meta_* names without the
// "CRM_meta_" prefix (clone_max, clone_node_max, promoted_max, ...), added for actions of
// the clone and its instances.
void clone_add_graph_meta(sched& s, rsc_ix clone, std::map<std::string, std::string>& meta);

// Orderings (sched_order.cpp, core)
// pcmk__find_constraint_resource: a resource named by a constraint (none if absent)
rsc_ix find_constraint_resource(const sched& s, const std::string& id);
// A tag or template id as the resource ids it stands for (pcmk__tag_to_set);
// a resource id as itself; empty when the id names nothing.
std::vector<std::string> expand_tag_reference(const sched& s, const std::string& id);
void apply_orderings(sched& s);  // pcmk__apply_orderings
// pcmk__order_resource_actions: "<first>_<first_task>_0" before "<then>_<then_task>_0"
void order_resource_actions(sched& s, rsc_ix first, std::string_view first_task, rsc_ix then,
                            std::string_view then_task, uint32_t flags);
inline void order_starts(sched& s, rsc_ix a, rsc_ix b, uint32_t flags) {
    order_resource_actions(s, a, "start", b, "start", flags);
}
inline void order_stops(sched& s, rsc_ix a, rsc_ix b, uint32_t flags) {
    order_resource_actions(s, a, "stop", b, "stop", flags);
}
void order_after_each(sched& s, action_ix after, const std::vector<action_ix>& list);
void order_stops_before_shutdown(sched& s, node_ix node, action_ix shutdown);

// Actions of general use (sched_actions.cpp, core)
action_ix new_cancel_action(sched& s, rsc_ix r, const std::string& name, int64_t interval_ms,
                            node_ix node);              // pcmk__new_cancel_action
action_ix new_shutdown_action(sched& s, node_ix node);  // pcmk__new_shutdown_action
action_ix clear_failcount_action(sched& s, rsc_ix r, node_ix node,
                                 const std::string& reason);  // pe__clear_failcount
// pe__new_rsc_pseudo_action: "<rsc>_<task>_0" with no node, pseudo (+runnable if asked)
action_ix new_rsc_pseudo_action(sched& s, rsc_ix r, std::string_view task, bool optional, bool runnable);
action_ix get_pseudo_op(sched& s, const std::string& name);  // get_pseudo_op (singleton, no rsc)
// resource_location: add score to r's allowed score on node (none = every node),
// recursing into children; -INFINITY everywhere also drops any assignment.
void resource_location(sched& s, rsc_ix r, node_ix node, int score, std::string_view tag);
// pe_rsc_params: r's and its parents' instance attributes as evaluated for node n (rules may
// test the node's attributes); the node-less evaluation when n is none
std::map<std::string, std::string> rsc_params(const sched& s, rsc_ix r, node_ix n);
// Ticket state from the status section (a ticket never granted is not granted).
bool ticket_granted(const sched& s, const std::string& ticket);
bool ticket_standby(const sched& s, const std::string& ticket);
// pe_action_set_reason
void set_action_reason(action& a, const std::string& reason, bool overwrite);
// fns->location: the single node r is on (current) or assigned to (!current), else none;
// `all` (optional) receives every such node without duplicates.
node_ix rsc_location(const sched& s, rsc_ix r, bool current, std::vector<node_ix>* all = nullptr);
// pe__find_active_on: the node r counts as active on (a partial migration's
// source; else, unless r needs fencing, the first cleanly active node; else the
// first), counting all and cleanly-active nodes
node_ix find_active_on(const sched& s, rsc_ix r, unsigned& all, unsigned& clean);
// Interval/timeout text ("10s", "1m", "500ms", "PT1M", plain ms for intervals) to ms; -1 if invalid.
int64_t parse_interval_ms(std::string_view text);
// Resource actions of r with this task ("stop", "start", ... interval 0) on node
// (none = any node): pe__resource_actions / find_actions.
std::vector<action_ix> resource_actions(const sched& s, rsc_ix r, node_ix node, std::string_view task,
                                        bool require_node);
// Stop actions of resources on a node that is being fenced become pseudo and
// implied by the fencing (pe_fence_op side effects live in sched_fencing.cpp).

// Resource history checks (sched_digest.cpp, core)
// pcmk__handle_rsc_config_changes: restarts/reloads/reschedules for changed
// definitions (operation digests), cancels orphaned or maintenance-mode monitors
void handle_rsc_config_changes(sched& s);
// should_clear_for_param_change: the parameters a history entry of r on node ran
// with differ from the current ones (a digest mismatch; no digest is no change)
bool history_params_changed(sched& s, rsc_ix r, node_ix node, const cib::op_record& op);
// pcmk__schedule_cancel: cancel a recurring op (ordered after any stop of r)
void schedule_cancel(sched& s, rsc_ix r, const std::string& call_id, const std::string& task, int64_t interval_ms,
                     node_ix node, const std::string& reason);
// pcmk__reschedule_recurring: a recurring op re-run with new parameters
void reschedule_recurring(sched& s, rsc_ix r, const std::string& task, int64_t interval_ms, node_ix node);
// pcmk__schedule_cleanup: "delete" (history clean-up) of r on node, stop -> delete -> start
void schedule_cleanup(sched& s, rsc_ix r, node_ix node, bool optional);
// The lowercase hex MD5 of text (operation digests)
std::string md5_hex(std::string_view text);
// A fence device's parameter digests for unfencing ("stonith-on"): all parameters,
// and without the secure ones (passwd password user)
struct device_digests {
    std::string all;
    std::string secure;
};
device_digests fencing_device_digests(sched& s, rsc_ix device, node_ix node);

// Fencing (sched_fencing.cpp, core)
// pe_fence_op: find or create the fencing action for a node ("off"/"reboot"/"on")
action_ix fence_op(sched& s, node_ix node, std::string_view op, bool optional, const std::string& reason,
                   bool priority_delay);
// pe_fence_node: mark a node unclean (to be fenced) for a reason found while scheduling
void fence_node(sched& s, node_ix node, const std::string& reason, bool priority_delay);
void order_vs_fence(sched& s, action_ix stonith_op);  // pcmk__order_vs_fence
void order_vs_unfence(sched& s, rsc_ix r, node_ix node, action_ix a, uint32_t order);
bool node_unfenced(const sched& s, node_ix node);  // pcmk__node_unfenced
void fence_guest(sched& s, node_ix node);          // pcmk__fence_guest
void schedule_fencing_and_shutdowns(sched& s);
// pcmk__order_remote_connection_actions: actions on remote/guest nodes ordered
// against their connection (and container) resources
void order_remote_connection_actions(sched& s);
// pcmk__is_failed_remote_node: a remote node whose connection cannot recover
bool is_failed_remote_node(const sched& s, node_ix node);
// trigger_unfencing: unfence node (or every allowed node of fence device r) if
// unfencing is in use; dependency (if any) is ordered after the unfencing
void trigger_unfencing(sched& s, rsc_ix r, node_ix node, const std::string& reason, action_ix dependency);
// pe_can_fence
bool can_fence(const sched& s, node_ix node);

// ---- placement (sched_colocation.cpp, sched_assign.cpp, sched_primitive.cpp) ----
using policy::iequals;       // policy/text.hpp
using policy::text_is_true;  // policy/text.hpp
// The task a member of a collective uses for the collective's action
// ("running" -> "start", "stopped" -> "stop", ...)
std::string member_task(const std::string& task);
// The newest action of r with this task (on node, unless none): find_first_action
// over Pacemaker's newest-first action list
action_ix newest_action(const sched& s, rsc_ix r, const std::string& task, node_ix node);
// pcmk__colocation_affects(..., preview=false) == affects location
bool colocation_affects_location(const sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c);
// pcmk__apply_coloc_to_weights
void apply_coloc_to_scores(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c);
// pcmk__add_colocated_node_scores: add r's (attenuated) scores into `nodes`, then
// follow r's colocations (this_with: the ones r depends on; else the ones on r)
// (only_positive: pcmk__coloc_select_nonnegative, negative results are not applied)
// (only_active: pcmk__coloc_select_active, roll back when no node is left usable)
void add_colocated_node_scores(sched& s, rsc_ix r, std::vector<int>& nodes, const std::string& attr, float factor,
                               bool this_with, bool only_positive = false, bool only_active = true);
// pcmk__new_colocation; and adding an existing colocation to another resource's lists
void new_colocation(sched& s, const std::string& id, rsc_ix dependent, rsc_ix primary, int score, role dependent_role,
                    role primary_role, const std::string& node_attribute, bool influence);
void add_this_with(sched& s, rsc_ix r, int colocation_ix);
void add_with_this(sched& s, rsc_ix r, int colocation_ix);
// rsc->cmds->apply_coloc_score(dependent, primary, c, for_dependent=false): the primary's side
void apply_coloc_with_primary(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c);
// rsc->cmds->assign: assign r (and what it depends on) to a node; returns the node or none
node_ix assign(sched& s, rsc_ix r, node_ix prefer);
node_ix primitive_assign(sched& s, rsc_ix r, node_ix prefer);
// pcmk__finalize_assignment
bool finalize_assignment(sched& s, rsc_ix r, node_ix chosen, bool force);
// pcmk__node_available(node, consider_score=false, consider_guest=false)
bool node_available(const sched& s, node_ix n);
// rsc->cmds->apply_coloc_score for the dependent side
void apply_coloc_score(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c);
// Collective variants (sched_group.cpp / sched_clone.cpp)
node_ix group_assign(sched& s, rsc_ix r, node_ix prefer);
void group_create_actions(sched& s, rsc_ix r);
void group_internal_constraints(sched& s, rsc_ix r);
void group_apply_coloc_score(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c);
// Clone variants (sched_clone.cpp)
node_ix clone_assign(sched& s, rsc_ix r, node_ix prefer);
void clone_create_actions(sched& s, rsc_ix r);
void clone_internal_constraints(sched& s, rsc_ix r);
void clone_apply_coloc_as_primary(sched& s, rsc_ix dependent, rsc_ix clone, const colocation& c);
// Anonymous clones probe one instance per node: true (and the instance) for
// them, false for unique clones, which probe every instance
bool clone_probe_instance(sched& s, rsc_ix clone, node_ix n, rsc_ix& chosen);
// primitive_create_actions / primitive_internal_constraints (sched_primitive.cpp)
void primitive_create_actions(sched& s, rsc_ix r);
void primitive_internal_constraints(sched& s, rsc_ix r);
// Put a clone's instances in instance-number order (pcmk__cmp_instance_number)
void clone_sort_by_number(sched& s, rsc_ix clone);
// pcmk__cmp_instance: which instance to place first (negative: a before b)
int clone_cmp_instance(const sched& s, rsc_ix a, rsc_ix b);
// find_compatible_child: the instance of `clone` (with role `filter` unless unknown)
// to pair with `local`, on local's node or else its best allowed node
rsc_ix clone_compatible_instance(const sched& s, rsc_ix local, rsc_ix clone, role filter, bool current);

// Promotable clones (sched_promotable.cpp)
int promoted_max(const sched& s, rsc_ix clone);       // promoted-max (master-max), default 1
int promoted_node_max(const sched& s, rsc_ix clone);  // promoted-node-max (master-node-max), default 1
// fns->state: a primitive's current or next role; a collective's highest of its members'
role rsc_role(const sched& s, rsc_ix r, bool current);
void promotable_add_scores(sched& s, rsc_ix clone);                     // pcmk__add_promotion_scores (before placing)
void promotable_set_roles(sched& s, rsc_ix clone);                      // pcmk__set_instance_roles (after placing)
void promotable_create_actions(sched& s, rsc_ix clone);                 // pcmk__create_promotable_actions
void promotable_restart_ordering(sched& s, rsc_ix r);                   // pcmk__promotable_restart_ordering
void promotable_order_instances(sched& s, rsc_ix clone, bool ordered);  // pcmk__order_promotable_instances
// Colocations with a promotable primary: while placing the dependent, and while
// choosing the dependent's role
void update_dependent_with_promotable(sched& s, rsc_ix primary, rsc_ix dependent, const colocation& c);
void update_promotable_dependent_priority(sched& s, rsc_ix primary, rsc_ix dependent, const colocation& c);
// pcmk__colocation_affects == affects role, and pcmk__apply_coloc_to_priority
bool colocation_affects_role(const sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c);
void apply_coloc_to_priority(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c);
// Nodes a and b have the same value of a colocation's node attribute
bool colocation_same_attr(const sched& s, node_ix a, node_ix b, const std::string& attr);
// A score as Pacemaker prints it (INFINITY, -INFINITY, or the number)
inline std::string score_text(int w) {
    return w >= score_infinity ? "INFINITY" : w <= -score_infinity ? "-INFINITY" : std::to_string(w);
}
// ---- utilization / placement-strategy (sched_utilization.cpp, placement) ----
// placement-strategy is not "default" (case-insensitive)
bool uses_utilization(const sched& s);
// pcmk__compare_node_capacities: < 0 if a has more free capacity, > 0 if b has
int compare_node_capacities(const sched& s, node_ix a, node_ix b);
// pcmk__consume_node_capacity / pcmk__release_node_capacity for r's utilization on n
void consume_capacity(sched& s, node_ix n, rsc_ix r);
void release_capacity(sched& s, node_ix n, rsc_ix r);
// pcmk__ban_insufficient_capacity: -INFINITY on allowed nodes lacking capacity for r
// (and what is colocated with it); returns the most capable node when none has enough
node_ix ban_insufficient_capacity(sched& s, rsc_ix r);
// pcmk__create_utilization_constraints: load_stopped_<node> pseudo actions and their
// orderings (called from primitive_internal_constraints)
void create_utilization_constraints(sched& s, rsc_ix r);
// pcmk__sort_resources: s.resources in assignment order for non-default strategies
void sort_resources_for_placement(sched& s);
// compare_nodes() in pcmk_sched_nodes.c: < 0 if a is preferred. weight(n) is the
// node's score for this purpose; active (or none) is the resource's current node.
int compare_nodes(const sched& s, node_ix a, node_ix b, int weight_a, int weight_b, node_ix active);
// pcmk__sort_nodes: GLib's stable merge sort with compare_nodes over weights[n]
void sort_nodes(const sched& s, std::vector<node_ix>& nodes, const std::vector<int>& weights, node_ix active);

// ---- the score trace (sched_trace.cpp) ----
// What took a score from `before` to `after` (INFINITY when it saturated; not_allowed counts as 0)
int score_delta(int before, int after);
// Notes each node where r's scores now differ from `before` (a copy taken before a step)
void note_score_diff(sched& s, rsc_ix r, const std::vector<int>& before, score_source source, std::string_view id,
                     rsc_ix other);
// What schedule() returns as its score_trace: the notes, final scores and planned starts
score_trace take_trace(sched& s);

// Clones and bundles are not scheduled by this build; schedule() callers check
// policy::unsupported_feature() first, so reaching this is a bug (sched_clone.cpp).
[[noreturn]] void unsupported_collective(const sched& s, rsc_ix r);
// Recurring monitors of r for its next role, and for the Stopped role elsewhere (sched_recurring.cpp)
void create_recurring_actions(sched& s, rsc_ix r);

}  // namespace holdfast::policy::sched
