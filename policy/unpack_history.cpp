// Operation history: each node's lrm_resource entries into the resource's
// role, placement and failures there (unpack_lrm_resource, unpack_rsc_op and
// process_rsc_state in Pacemaker's lib/pengine/unpack.c).
#include <algorithm>
#include <cstdlib>

#include "policy/glib_sort.hpp"
#include "policy/iso8601.hpp"
#include "policy/text.hpp"
#include "policy/unpack_internal.hpp"

namespace holdfast::policy {
namespace {

using namespace unpack_detail;

enum class fail_response {
    ignore,
    demote,
    recover,
    reset_remote,
    restart_container,
    block,
    stop,
    standby,
    fence,
    migrate
};

constexpr int exec_pending = -1;
constexpr int exec_done = 0;
constexpr int exec_cancelled = 1;

int role_rank(role r) {
    switch (r) {
        case role::unknown: return 0;
        case role::stopped: return 1;
        case role::started: return 2;
        case role::unpromoted: return 3;
        case role::promoted: return 4;
    }
    return 0;
}

// Expected rc from the transition key "action:transition:target_rc:uuid".
int target_rc(const cib::op_record& op) {
    const std::string& key = op.transition_key;
    auto first = key.find(':');
    if (first == std::string::npos) return 0;
    auto second = key.find(':', first + 1);
    if (second == std::string::npos) return 0;
    return std::atoi(key.c_str() + second + 1);
}

int64_t interval_ms(const cib::op_record& op) { return std::atoll(op.interval.c_str()); }

bool is_probe(const cib::op_record& op) { return op.operation == "monitor" && interval_ms(op) == 0; }

fail_response parse_on_fail(std::string_view v, fail_response fallback) {
    if (v == "ignore") return fail_response::ignore;
    if (v == "demote") return fail_response::demote;
    if (v == "restart") return fail_response::recover;
    if (v == "block") return fail_response::block;
    if (v == "stop") return fail_response::stop;
    if (v == "standby") return fail_response::standby;
    if (v == "fence") return fail_response::fence;
    return fallback;
}

// on-fail for an operation: configured on the matching <op>, else Pacemaker's default.
// A connection to a remote node proper (not a guest's): pe__resource_is_remote_conn
bool is_remote_conn(const working_set& ws, const resource& r) {
    if (!r.is_remote_connection) return false;
    auto it = ws.node_by_id.find(r.id);
    return it != ws.node_by_id.end() && ws.nodes[it->second].kind == node_kind::remote;
}

// The defaults unpack_operation() applies when no (valid) on-fail is configured.
fail_response default_on_fail(const working_set& ws, const resource& r, const cib::op_record& op, bool configured) {
    if (!configured && r.container != none) return fail_response::restart_container;
    if ((!configured || !r.managed) && is_remote_conn(ws, r) && !is_probe(op) && op.operation != "start")
        return r.managed ? fail_response::reset_remote : fail_response::stop;
    if (!configured && op.operation == "stop")
        return ws.options.stonith_enabled ? fail_response::fence : fail_response::block;
    return fail_response::recover;
}

fail_response on_fail_for(const working_set& ws, const resource& r, const cib::op_record& op) {
    if (r.def) {
        for (const auto& d : r.def->ops) {
            if (d.name != op.operation || d.on_fail.empty()) continue;
            auto ms = iso8601::parse_interval_ms(d.interval);
            if (!ms || static_cast<int64_t>(*ms) != interval_ms(op)) continue;
            if (d.on_fail == "restart-container" && r.container != none) return fail_response::restart_container;
            constexpr auto unknown = static_cast<fail_response>(-1);
            fail_response f = parse_on_fail(d.on_fail, unknown);
            if (f == unknown) break;
            if (f == fail_response::fence && !ws.options.stonith_enabled) f = fail_response::block;
            if (!r.managed && is_remote_conn(ws, r)) return default_on_fail(ws, r, op, true);
            return f;
        }
    }
    return default_on_fail(ws, r, op, false);
}

bool worse(fail_response a, fail_response b) { return static_cast<int>(a) > static_cast<int>(b); }

struct node_history {
    role now = role::unknown;
    fail_response on_fail = fail_response::ignore;
    bool failed = false;
    bool failure_ignored = false;
    std::string last_failure_key;  // operation + interval of the latest failure
};

std::string op_key(const cib::op_record& op) { return op.operation + "_" + std::to_string(interval_ms(op)); }

// A completed operation that proves the resource's state forgets earlier
// recoverable failures (but not ones that stop, fence or move it, nor a
// connection reset that waits for a reconnect interval).
void clear_past_failure(const resource& r, node_history& h) {
    switch (h.on_fail) {
        case fail_response::reset_remote:
            if (r.remote_reconnect_ms != 0) break;
            [[fallthrough]];
        case fail_response::block:
        case fail_response::ignore:
        case fail_response::demote:
        case fail_response::recover:
        case fail_response::restart_container:
            h.on_fail = fail_response::ignore;
            h.failed = false;
            break;
        default: break;
    }
}

// set_active(): a promotable clone's instance runs unpromoted until told otherwise.
void set_active(const working_set& ws, const resource& r, node_history& h) {
    rsc_ix p = r.parent;
    while (p != none && ws.resources[p].variant == rsc_variant::group) p = ws.resources[p].parent;
    const bool promotable = p != none && ws.resources[p].promotable;
    h.now = promotable ? role::unpromoted : role::started;
}

bool mask_probe_failure(const cib::op_record& op) {
    return is_probe(op) &&
           (op.rc_code == 5 /* not installed */ || op.rc_code == 2 /* invalid param */ || op.op_status == 7);
}

// update_resource_state(): what a successful (or "pretend successful") result means.
void apply_success(const working_set& ws, const resource& r, node_history& h, const cib::op_record& op, int rc) {
    const std::string& task = op.operation;
    bool clear = false;
    if (rc == 5 || mask_probe_failure(op)) {
        h.now = role::stopped;
    } else if (rc == 7) {
        clear = true;
    } else if (task == "monitor") {
        clear = !h.last_failure_key.empty() && h.last_failure_key == op_key(op);
        if (role_rank(h.now) < role_rank(role::started)) set_active(ws, r, h);
    } else if (task == "start" || task == "migrate_from") {
        h.now = role::started;
        clear = true;
    } else if (task == "stop") {
        h.now = role::stopped;
        clear = true;
    } else if (task == "promote") {
        h.now = role::promoted;
        clear = true;
    } else if (task == "demote") {
        clear = h.on_fail == fail_response::demote;
        h.now = role::unpromoted;
    } else if (task == "migrate_to") {
        // unpack_migrate_to_success() decides (see replay_one)
    } else if (role_rank(h.now) < role_rank(role::started)) {
        set_active(ws, r, h);
    }
    if (clear) clear_past_failure(r, h);
}

// unpack_rsc_op_failure(): the role a failed operation leaves behind.
void apply_failure(const working_set& ws, const resource& r, node_history& h, const cib::op_record& op, fail_response f,
                   int rc) {
    h.failed = true;
    h.last_failure_key = op_key(op);
    if (worse(f, h.on_fail)) h.on_fail = f;
    const std::string& task = op.operation;
    if (task == "promote") {
        h.now = role::promoted;
    } else if (task == "demote") {
        h.now = f == fail_response::block ? role::promoted : rc == 7 ? role::stopped : role::unpromoted;
    }
    if (is_probe(op) && rc == 5)
        h.now = role::stopped;
    else if (role_rank(h.now) < role_rank(role::started))
        set_active(ws, r, h);
}

void apply_pending(const working_set& ws, resource& r, node_ix n, node_history& h, const cib::op_record& op) {
    const std::string& task = op.operation;
    if (task == "start") {
        r.start_pending = true;
        set_active(ws, r, h);
    } else if (task == "promote") {
        h.now = role::promoted;
    }
    if (r.pending_task.empty() && (task != "monitor" || interval_ms(op) != 0)) {
        r.pending_task = task;
        r.pending_node = n;
    }
}

// The name a resource's fail counts use: its history id, without the
// instance number unless the clone is globally unique (rsc_fail_name).
std::string fail_name(const working_set& ws, const resource& r) {
    std::string name = r.clone_name.empty() ? r.id : r.clone_name;
    rsc_ix p = r.parent;
    while (p != none && ws.resources[p].variant == rsc_variant::group) p = ws.resources[p].parent;
    const bool unique = p != none && ws.resources[p].unique;
    if (!unique) {
        auto colon = name.rfind(':');
        if (colon != std::string::npos) name.resize(colon);
    }
    return name;
}

// Does `rest` (what follows "<prefix>-<name>") fit "(:N)?(#op_interval)?".
bool fail_suffix_matches(std::string_view rest, bool unique) {
    if (!unique && !rest.empty() && rest[0] == ':') {
        size_t i = 1;
        while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
        if (i == 1) return false;
        rest.remove_prefix(i);
    }
    if (rest.empty()) return true;
    if (rest[0] != '#') return false;
    auto us = rest.rfind('_');
    if (us == std::string_view::npos || us < 2 || us + 1 == rest.size()) return false;
    for (size_t i = us + 1; i < rest.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(rest[i]))) return false;
    return true;
}

struct fail_info {
    int count = 0;
    int64_t last = 0;
};

// pe_get_failcount(): fail-count-* and last-failure-* node attributes for r.
fail_info failcount_on(const working_set& ws, const resource& r, node_ix n, bool effective) {
    fail_info fi;
    const std::string name = fail_name(ws, r);
    rsc_ix p = r.parent;
    while (p != none && ws.resources[p].variant == rsc_variant::group) p = ws.resources[p].parent;
    const bool unique = p == none || ws.resources[p].unique;
    const auto& attrs = ws.nodes[n].attrs;
    for (const char* prefix : {"fail-count-", "last-failure-"}) {
        const std::string key = prefix + name;
        for (auto it = attrs.lower_bound(key); it != attrs.end() && it->first.compare(0, key.size(), key) == 0; ++it) {
            if (!fail_suffix_matches(std::string_view(it->first).substr(key.size()), unique)) continue;
            if (prefix[0] == 'f')
                fi.count = std::min(score_infinity, fi.count + char2score(it->second));
            else
                fi.last = std::max<int64_t>(fi.last, std::atoll(it->second.c_str()));
        }
    }
    if (effective && fi.count > 0 && fi.last > 0 && r.failure_timeout > 0) {
        if (ws.now > fi.last + r.failure_timeout)
            fi.count = 0;
        else
            note_recheck(ws, fi.last + r.failure_timeout + 1);  // expired once now is past it
    }
    return fi;
}

bool is_last_failure(const cib::op_record& op) {
    const std::string suffix = "_last_failure_0";
    return op.id.size() >= suffix.size() && op.id.compare(op.id.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// check_operation_expiry(): an old failure the failure-timeout lets go.
std::string strip_instance(const std::string& id);

// block_failure + is_matched_failure: the history entry is a failure of an
// operation configured with on-fail=block
bool blocking_failure(const resource& r, const cib::op_record& op) {
    if (!r.def) return false;
    const std::string name = strip_instance(r.id);
    for (const auto& d : r.def->ops) {
        if (d.on_fail != "block" || !policy::iequals(d.name, op.operation)) continue;
        auto ms = iso8601::parse_interval_ms(d.interval);
        if (!ms || static_cast<int64_t>(*ms) != interval_ms(op)) continue;
        if (policy::iequals(op.id, name + "_last_failure_0")) return true;
        if (policy::iequals(op.id, name + "_" + d.name + "_" + std::to_string(*ms)) && op.rc_code != target_rc(op))
            return true;
    }
    return false;
}

bool op_expired(working_set& ws, rsc_ix ix, node_ix n, const cib::op_record& op) {
    resource& r = ws.resources[ix];
    if (r.failure_timeout <= 0 || op.last_rc_change <= 0) return false;
    // pe_get_failcount: a fail count from an on-fail=block failure disregards
    // the failure-timeout from then on
    if (failcount_on(ws, r, n, false).count > 0 && blocking_failure(r, op)) {
        r.failure_timeout = 0;
        return false;
    }
    if (ws.now < op.last_rc_change + r.failure_timeout) {
        note_recheck(ws, op.last_rc_change + r.failure_timeout);
        return false;
    }
    // should_ignore_failure_timeout: a remote connection's monitor failure
    // stays until its node has been fenced
    if (r.remote_reconnect_ms > 0 && ws.options.stonith_enabled && op.operation == "monitor" && interval_ms(op) != 0) {
        auto it = ws.node_by_id.find(r.id);
        if (it != ws.node_by_id.end() && !ws.nodes[it->second].remote_was_fenced) return false;
    }
    const bool last_failure = is_last_failure(op);
    std::string reason = "it expired";
    if (failcount_on(ws, r, n, false).count == 0) {
        if (!last_failure || r.remote_reconnect_ms == 0) return true;
        reason = "reconnect interval is set";  // cleared even without a fail count
    } else if (failcount_on(ws, r, n, true).count != 0) {
        return false;
    }
    // A connection's failure is cleared only after its node's fencing
    const bool after_fencing = ws.options.stonith_enabled && r.remote_reconnect_ms > 0;
    ws.unpack_actions.push_back({unpack_action::kind::clear_failcount, n, ix, reason, false, {}, 0, after_fencing});
    return true;
}

rsc_ix top_parent(const working_set& ws, rsc_ix r);

// The resource a history-based ban applies to: an anonymous clone's whole
// clone, otherwise the resource itself (unpack_rsc_op's "parent")
rsc_ix ban_target(const working_set& ws, rsc_ix ix) {
    rsc_ix top = top_parent(ws, ix);
    const resource& t = ws.resources[top];
    return t.variant == rsc_variant::clone && !t.unique ? top : ix;
}

// resource_location(rsc, node, -INFINITY, tag) while unpacking (node none: everywhere)
void ban(working_set& ws, rsc_ix r, node_ix n, const char* tag) {
    ws.unpack_actions.push_back({unpack_action::kind::ban, n, r, tag, false, {}, 0, false});
}

// remap_operation(): a result that means the agent can never succeed on this
// node (PCMK_EXEC_ERROR_HARD) or anywhere (PCMK_EXEC_ERROR_FATAL)
enum class hard_failure { none, node, everywhere };
hard_failure hardness(const cib::op_record& op) {
    if (op.op_status == 5 || op.op_status == 10 || op.op_status == 11) return hard_failure::node;
    if (op.op_status == 6) return hard_failure::everywhere;
    if (op.op_status != exec_done && op.op_status != 4) return hard_failure::none;
    const int rc = op.rc_code;
    if (rc == 2 || rc == 4 || rc == 5 || (rc == 3 && interval_ms(op) == 0)) return hard_failure::node;
    if (rc == 6) return hard_failure::everywhere;
    return hard_failure::none;
}

// pe_can_fence while unpacking (cluster nodes): fencing is configured and
// either quorum (or no-quorum-policy=ignore) or the node itself is up
bool can_fence_node(const working_set& ws, node_ix n) {
    if (ws.nodes[n].kind == node_kind::guest) return true;
    if (!ws.options.stonith_enabled || !has_fence_device(ws)) return false;
    if (ws.options.have_quorum || ws.options.no_quorum_policy == "ignore") return true;
    return ws.nodes[n].online;
}

// check_recoverable: a stop that failed for good (hard error) where fencing
// cannot clean up leaves the resource blocked
void check_recoverable(working_set& ws, rsc_ix ix, node_ix n, const cib::op_record& op) {
    if (op.operation != "stop" || (op.op_status != exec_done && op.op_status != 4)) return;
    const int rc = op.rc_code;
    if (!(rc == 2 || rc == 4 || rc == 5 || (rc == 3 && interval_ms(op) == 0))) return;
    if (can_fence_node(ws, n)) return;
    ws.resources[ix].managed = false;
    ws.resources[ix].blocked = true;
}

// record_failed_op: only from online nodes, once per node and operation (rsc, task, interval).
void record_failed_op(working_set& ws, const resource& r, node_ix n, const cib::op_record& op, bool masked_probe) {
    if (!ws.nodes[n].online) return;
    const std::string& hid = r.clone_name.empty() ? r.id : r.clone_name;
    for (const auto& f : ws.failed_ops)
        if (f.node == n && f.rsc_id == hid && f.op->operation == op.operation && f.op->interval == op.interval) return;
    ws.failed_ops.push_back({&op, hid, n, masked_probe});
}

// remap_operation() + unpack_rsc_op(): one history entry.
void replay_one(working_set& ws, rsc_ix ix, node_ix n, node_history& h, const cib::op_record& op) {
    resource& r = ws.resources[ix];
    if (op.operation == "notify" || op.operation == "meta-data" || op.op_status == exec_cancelled) return;
    const bool expired = op.op_status != 7 && op_expired(ws, ix, n, op);
    if (op.op_status != 7 && !expired && (op.operation == "start" || op.operation == "monitor") && op.id.size() >= 15 &&
        op.id.compare(op.id.size() - 15, 15, "_last_failure_0") == 0) {
        unpack_action check{unpack_action::kind::param_check, n, ix, {}, false, {}, 0, false};
        check.op = &op;
        ws.unpack_actions.push_back(check);
    }
    if (expired && mask_probe_failure(op) && op.rc_code != target_rc(op)) {
        if (role_rank(h.now) <= role_rank(role::stopped)) h.now = role::unknown;
        return;
    }
    if (mask_probe_failure(op)) {
        apply_success(ws, r, h, op, 7);
        ban(ws, ban_target(ws, ix), n, "masked-probe-failure");
        record_failed_op(ws, r, n, op, true);
        return;
    }
    if (op.op_status == exec_pending) {
        apply_pending(ws, r, n, h, op);
        // A migration still pending on a node to be fenced: the target must stop it
        if (op.operation == "migrate_to" && ws.nodes[n].unclean) {
            auto target = ws.node_by_uname.find(op.migrate_target);
            if (target != ws.node_by_uname.end())
                ws.unpack_actions.push_back({unpack_action::kind::stop, target->second, ix, {}, false, {}, 0, false});
        }
        return;
    }
    check_recoverable(ws, ix, n, op);
    const int expected = target_rc(op);
    int rc = op.rc_code;
    if (op.operation == "monitor" && rc == 190) rc = 0;  // degraded: still running
    if (op.operation == "monitor" && rc == 191) rc = 8;
    bool done = op.op_status == exec_done || op.op_status == 4 /* error */;
    if (!done) {
        // timeouts, hard errors and the like are failures whatever the rc says
    } else if (rc != expected) {
        done = false;
        if (rc == 0 && is_probe(op) && expected == 7) done = true;
        if (rc == 8 && is_probe(op)) done = true;
    }
    if (rc == 7 && (is_probe(op) || expected == 7 || !r.managed)) {
        done = true;
        h.now = role::stopped;
        h.on_fail = fail_response::ignore;
        h.failed = false;
    } else if (rc == 8 || rc == 9) {
        h.now = role::promoted;
        if (rc == 9) done = false;
    }
    // Only a result still counted as a failure expires (a probe that found the
    // resource running is not one, whatever the transition expected).
    if (expired && !done && rc != expected && (interval_ms(op) == 0 || (ws.nodes[n].online && !ws.nodes[n].unclean))) {
        // An expired recurring failure reschedules its monitor: Pacemaker forces
        // the entry's restart digest to differ ("calculated-failure-timeout")
        if (interval_ms(op) != 0) ws.failure_expired_monitors.push_back(&op);
        return;
    }
    if (done) {
        apply_success(ws, r, h, op, rc);
        if (op.operation == "migrate_to") migrate_to_success(ws, ix, n, op, h.now);
        return;
    }
    fail_response f = on_fail_for(ws, r, op);
    // A failed stop inside a container is pretended done: the container restarts
    const bool pretend =
        f == fail_response::ignore || (f == fail_response::restart_container && op.operation == "stop");
    record_failed_op(ws, r, n, op, false);
    if (pretend && op.op_status != 7) {  // a missing agent is never ignored
        apply_success(ws, r, h, op, expected);
        if (op.operation == "migrate_to") migrate_to_success(ws, ix, n, op, h.now);
        h.failure_ignored = true;
        const bool mild = h.on_fail == fail_response::ignore || h.on_fail == fail_response::demote ||
                          h.on_fail == fail_response::recover;
        if (f == fail_response::restart_container && mild) {
            h.on_fail = f;
            h.failed = true;
        }
        return;
    }
    // A missing agent cannot be ignored: the resource is failed and must move
    if (op.op_status == 7 && f == fail_response::ignore) f = fail_response::migrate;
    if (op.op_status == 7) ban(ws, ban_target(ws, ix), n, "hard-error");
    if (op.operation == "stop") ban(ws, ix, n, "__stop_fail__");
    if (op.operation == "migrate_to") migrate_to_failure(ws, ix, n, op, h.now);
    if (op.operation == "migrate_from") migrate_from_failure(ws, ix, n, op, h.now);
    apply_failure(ws, r, h, op, f, rc);
    if (op.op_status == 7) return;
    switch (hardness(op)) {
        case hard_failure::node: ban(ws, ban_target(ws, ix), n, "hard-error"); break;
        case hard_failure::everywhere: ban(ws, ban_target(ws, ix), none, "fatal-error"); break;
        case hard_failure::none: break;
    }
}

// calculate_active_ops: the history index of the last stop (completed) and of
// the last start, or failing that of the last promote/demote, or of the last
// monitor that found it running after the last stop
void active_op_range(const std::vector<const cib::op_record*>& ops, int& start, int& stop) {
    start = stop = -1;
    int implied_monitor = -1, implied_clone = -1;
    for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
        const cib::op_record& op = *ops[i];
        if (op.operation == "stop" && op.op_status == exec_done)
            stop = i;
        else if (op.operation == "start" || op.operation == "migrate_from")
            start = i;
        else if (implied_monitor <= stop && op.operation == "monitor") {
            if (op.rc_code == 0 || op.rc_code == 8) implied_monitor = i;
        } else if (op.operation == "promote" || op.operation == "demote")
            implied_clone = i;
    }
    if (start == -1) start = implied_clone != -1 ? implied_clone : implied_monitor;
}

// Recurring monitors recorded since the resource last became active (or all of
// them, when the history shows neither start nor stop) are known to run: the
// scheduler keeps them instead of scheduling them anew (process_recurring).
void record_active_monitors(working_set& ws, rsc_ix ix, node_ix n, const std::vector<const cib::op_record*>& ops) {
    if (!ws.nodes[n].online) return;
    int start = -1, stop = -1;
    active_op_range(ops, start, stop);
    for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
        if ((start < stop && i <= stop) || i < start) continue;
        const cib::op_record& op = *ops[i];
        const int64_t ms = interval_ms(op);
        if (ms == 0 || op.op_status == exec_pending) continue;
        ws.unpack_actions.push_back({unpack_action::kind::recurring, n, ix, {}, false, op.operation, ms, false});
    }
}

void replay_ops(working_set& ws, rsc_ix ix, node_ix n, const cib::lrm_resource& lrm, node_history& h) {
    // Pacemaker prepends each entry to its list, then sorts
    std::vector<const cib::op_record*> ops;
    for (auto it = lrm.ops.rbegin(); it != lrm.ops.rend(); ++it) ops.push_back(&*it);
    // sort_op_by_callid (pe__is_newer_op) is not a strict weak ordering: only
    // GLib's own merge sort gives Pacemaker's order
    glib_merge_sort(ops, [](const cib::op_record* a, const cib::op_record* b) { return is_newer_op(*a, *b, true); });
    for (const cib::op_record* op : ops) replay_one(ws, ix, n, h, *op);
    // process_recurring runs once every entry is unpacked (action ids follow)
    record_active_monitors(ws, ix, n, ops);
}

std::string strip_instance(const std::string& id) {
    auto colon = id.rfind(':');
    if (colon == std::string::npos) return id;
    for (size_t i = colon + 1; i < id.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(id[i]))) return id;
    return id.substr(0, colon);
}

rsc_ix top_parent(const working_set& ws, rsc_ix r) {
    while (ws.resources[r].parent != none) r = ws.resources[r].parent;
    return r;
}

// The member of instance `inst` whose configured id is `base` (the instance itself for a primitive).
rsc_ix member_of(const working_set& ws, rsc_ix inst, const std::string& base) {
    const resource& x = ws.resources[inst];
    if (x.variant == rsc_variant::primitive) return x.base_id == base ? inst : none;
    for (rsc_ix c : x.children)
        if (rsc_ix m = member_of(ws, c, base); m != none) return m;
    return none;
}

void current_nodes(const working_set& ws, rsc_ix r, std::vector<node_ix>& out) {
    for (node_ix n : ws.resources[r].running_on)
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    for (rsc_ix c : ws.resources[r].children) current_nodes(ws, c, out);
}

bool needs_fencing(const working_set& ws, const resource& r) {
    const std::string* req = find(r.meta, "requires");
    if (req) return *req == "fencing" || *req == "unfencing";
    return ws.options.stonith_enabled;
}

// find_anonymous_clone(): the instance of an anonymous clone that history of
// `base` on node n belongs to: the one already active there, else a free
// one, else a new orphan instance.
rsc_ix anonymous_instance(working_set& ws, rsc_ix clone, const std::string& base, node_ix n) {
    rsc_ix found = none, inactive = none;
    bool skip_inactive = false;
    std::vector<node_ix> where;
    for (size_t k = 0; found == none && k < ws.resources[clone].children.size(); ++k) {
        rsc_ix child = ws.resources[clone].children[k];
        where.clear();
        current_nodes(ws, child, where);
        if (!where.empty()) {
            if (where.front() != n) continue;
            found = member_of(ws, child, base);
            if (found != none && !ws.resources[found].running_on.empty()) {
                // a second history of the same anonymous instance on one node
                skip_inactive = true;
                found = none;
            }
        } else if (!skip_inactive && inactive == none && !ws.resources[child].blocked) {
            inactive = member_of(ws, child, base);
            if (inactive != none && ws.resources[inactive].pending_node != none &&
                ws.resources[inactive].pending_node != n)
                inactive = none;
        }
    }
    if (found == none && !skip_inactive) found = inactive;
    const node& nd = ws.nodes[n];
    const bool universal = ws.resources[clone].children.size() >= ws.nodes.size();
    if (found != none && !needs_fencing(ws, ws.resources[found]) && (!nd.online || nd.unclean) &&
        nd.kind != node_kind::guest && !universal)
        found = none;
    if (found == none) {
        rsc_ix inst = add_clone_instance(ws, clone);
        if (inst == none) return none;
        mark_orphan(ws, inst);
        found = member_of(ws, inst, base);
    }
    return found;
}

rsc_ix add_orphan(working_set& ws, const cib::lrm_resource& lrm) {
    resource r;
    r.id = lrm.id;
    r.base_id = lrm.id;
    r.rclass = lrm.rclass;
    r.provider = lrm.provider;
    r.type = lrm.type;
    r.orphan = true;
    r.managed = ws.options.stop_orphan_resources && !ws.options.maintenance_mode;
    r.is_remote_connection = r.rclass == "ocf" && r.provider == "pacemaker" && r.type == "remote";
    rsc_ix ix = static_cast<rsc_ix>(ws.resources.size());
    ws.resources.push_back(std::move(r));
    ws.rsc_by_id[lrm.id] = ix;
    ws.top_level.push_back(ix);
    // process_orphan_resource: an orphan being stopped may not run anywhere
    if (ws.options.stop_orphan_resources) ban(ws, ix, none, "__orphan_do_not_run__");
    if (ws.resources[ix].is_remote_connection) {
        // An orphaned connection still provides its node, which shuts down
        // (its container, if any, is mapped once this node's history is read)
        auto it = ws.node_by_id.find(lrm.id);
        node_ix n = it != ws.node_by_id.end() ? it->second : ensure_node(ws, lrm.id, node_kind::remote);
        node& nd = ws.nodes[n];
        if (it == ws.node_by_id.end()) nd.late = true;
        nd.remote_rsc = ix;
        if (ws.options.startup_fencing && ws.options.stonith_enabled) nd.unclean = true;
        nd.unseen = true;
        nd.shutdown = true;
    }
    return ix;
}

// unpack_shutdown_lock: a history entry's lock holds the resource to its node
// until the shutdown-lock-limit passes, when its history is cleared instead
void unpack_shutdown_lock(working_set& ws, rsc_ix ix, node_ix n, const cib::lrm_resource& lrm) {
    if (ix == none) return;
    const int64_t since = std::atoll(lrm.shutdown_lock.c_str());
    if (since == 0) return;
    if (ws.options.shutdown_lock > 0 && ws.now > since + ws.options.shutdown_lock) {
        ws.unpack_actions.push_back({unpack_action::kind::lrm_delete, n, ix, {}, false, {}, 0, false});
        return;
    }
    ws.resources[ix].lock_node = n;
    ws.resources[ix].lock_time = since;
}

// handle_orphaned_container_fillers: an orphan whose history names its
// container runs inside it (and a connection so contained provides a guest node)
void map_orphan_containers(working_set& ws, const cib::node_state& st) {
    for (const auto& lrm : st.resources) {
        if (lrm.container.empty()) continue;
        auto c = ws.rsc_by_id.find(lrm.container);
        auto r = ws.rsc_by_id.find(lrm.id);
        if (c == ws.rsc_by_id.end() || r == ws.rsc_by_id.end()) continue;
        resource& res = ws.resources[r->second];
        if (!res.orphan || res.parent != none || res.container != none) continue;
        res.container = c->second;
        if (!res.is_remote_connection) continue;
        auto n = ws.node_by_id.find(res.id);
        if (n != ws.node_by_id.end() && ws.nodes[n->second].remote_rsc == r->second)
            ws.nodes[n->second].kind = node_kind::guest;
    }
}

// unpack_find_resource(): the resource a history entry belongs to, or a new orphan.
rsc_ix resolve(working_set& ws, const cib::lrm_resource& lrm, node_ix n) {
    const std::string base = strip_instance(lrm.id);
    rsc_ix r = none;
    if (auto it = ws.rsc_by_id.find(lrm.id); it != ws.rsc_by_id.end()) {
        if (ws.resources[it->second].variant == rsc_variant::primitive) r = it->second;
    } else if (auto zero = ws.rsc_by_id.find(base + ":0"); zero != ws.rsc_by_id.end()) {
        rsc_ix top = top_parent(ws, zero->second);
        // only anonymous clone instances go by another number; anything
        // else (an orphan "x:0" included) is unique (common_unpack)
        const bool anonymous = ws.resources[top].variant == rsc_variant::clone && !ws.resources[top].unique;
        if (anonymous && ws.resources[zero->second].variant == rsc_variant::primitive) r = zero->second;
    }
    if (r == none) return add_orphan(ws, lrm);
    rsc_ix top = top_parent(ws, r);
    if (ws.resources[top].variant == rsc_variant::clone && !ws.resources[top].unique) {
        r = anonymous_instance(ws, top, base, n);
        if (r == none) return add_orphan(ws, lrm);
    }
    if (ws.resources[r].id != lrm.id) ws.resources[r].clone_name = lrm.id;
    return r;
}

// native_add_running(): a resource active in several places with
// multiple-active=block is left alone (with its whole group, if that blocks
// too); with multiple-active=stop_only it may run nowhere.
void block_if_multiply_active(working_set& ws, rsc_ix ix) {
    auto blocks = [&](rsc_ix r) {
        const std::string* v = find(ws.resources[r].meta, "multiple-active");
        return v && *v == "block";
    };
    if (const std::string* v = find(ws.resources[ix].meta, "multiple-active"); v && *v == "stop_only") {
        ban(ws, ix, none, "multiple-active=stop_only");  // make sure it does not come up again
        return;
    }
    if (!blocks(ix)) return;
    ws.resources[ix].managed = false;
    ws.resources[ix].blocked = true;
    rsc_ix p = ws.resources[ix].parent;
    if (p == none || ws.resources[p].variant != rsc_variant::group || !blocks(p)) return;
    for (rsc_ix c : ws.resources[p].children) {
        ws.resources[c].managed = false;
        ws.resources[c].blocked = true;
    }
}

void unpack_fence(working_set& ws, node_ix n, const std::string& reason);

// on-fail=reset-remote (the default for a remote connection's failures):
// fence the remote node unless it was fenced already, stop the connection
void reset_remote(working_set& ws, rsc_ix ix, node_ix n, bool active) {
    resource& r = ws.resources[ix];
    r.failed = r.stop_required = true;
    if (ws.options.stonith_enabled) {
        auto it = ws.node_by_id.find(r.id);
        if (it != ws.node_by_id.end() && ws.nodes[it->second].kind == node_kind::remote &&
            !ws.nodes[it->second].remote_was_fenced)
            unpack_fence(ws, it->second, "remote connection is unrecoverable");
    }
    if (active) ws.unpack_actions.push_back({unpack_action::kind::stop, n, ix, {}, false, {}, 0, false});
    if (r.remote_reconnect_ms > 0) r.next_role = role::stopped;
}

// pe_fence_node while unpacking: a guest node is "fenced" by recovering its
// container; a remote or cluster node gets a fencing action (replayed by
// schedule()).
void unpack_fence(working_set& ws, node_ix n, const std::string& reason) {
    node& nd = ws.nodes[n];
    if (nd.kind == node_kind::guest && nd.remote_rsc != none && ws.resources[nd.remote_rsc].container != none) {
        resource& container = ws.resources[ws.resources[nd.remote_rsc].container];
        if (!container.failed && container.managed) {
            nd.remote_requires_reset = true;
            container.failed = container.stop_required = true;
        }
        return;
    }
    if (nd.kind != node_kind::member) {
        if (nd.remote_rsc == none || ws.resources[nd.remote_rsc].managed) nd.remote_requires_reset = true;
    } else if (nd.unclean) {
        return;
    }
    nd.unclean = true;
    ws.unpack_actions.push_back({unpack_action::kind::fence, n, none, reason, false, {}, 0, false});
}

// process_rsc_state: a managed resource thought active on a node that is down
void fence_if_active_on_down_node(working_set& ws, resource& r, node& nd, node_ix n) {
    if (nd.online || nd.maintenance || !r.managed) return;
    std::string reason = r.id + " is thought to be active there";
    if (nd.kind == node_kind::guest) {
        r.failed = r.stop_required = true;
    } else if (!ws.options.stonith_enabled) {
        return;
    } else if (nd.kind == node_kind::remote && nd.remote_rsc != none && !ws.resources[nd.remote_rsc].failed) {
        // Fencing happens only if the connection cannot start elsewhere
        nd.unseen = true;
        reason =
            r.id + " is active there (fencing will be revoked if remote connection can be re-established elsewhere)";
    }
    unpack_fence(ws, n, reason);
}

void settle(working_set& ws, rsc_ix ix, node_ix n, const node_history& h) {
    resource& r = ws.resources[ix];
    node& nd = ws.nodes[n];
    if (h.now != role::unknown) {
        for (rsc_ix it = ix; it != none; it = ws.resources[it].parent) {
            auto& k = ws.resources[it].known_on;
            if (std::find(k.begin(), k.end(), n) == k.end()) k.push_back(n);
            if (ws.resources[it].unique && it != ix) break;
        }
    }
    const bool active = h.now != role::stopped && h.now != role::unknown;
    if (active) fence_if_active_on_down_node(ws, r, nd, n);
    fail_response f = nd.unclean ? fail_response::ignore : (h.failed ? h.on_fail : fail_response::ignore);
    switch (f) {
        case fail_response::ignore: break;
        case fail_response::migrate: ban(ws, ix, n, "__action_migration_auto__"); break;
        case fail_response::demote:
            r.failed = true;
            ws.unpack_actions.push_back({unpack_action::kind::demote, n, ix, {}, false, {}, 0, false});
            break;
        case fail_response::fence: unpack_fence(ws, n, r.id + " failed there"); break;
        case fail_response::restart_container:
            r.failed = r.stop_required = true;
            if (r.container != none)
                ws.unpack_actions.push_back({unpack_action::kind::stop, n, r.container, {}, false, {}, 0, false});
            else if (active)
                ws.unpack_actions.push_back({unpack_action::kind::stop, n, ix, {}, false, {}, 0, false});
            break;
        case fail_response::reset_remote: reset_remote(ws, ix, n, active); break;
        case fail_response::standby: nd.standby = nd.standby_onfail = true; break;
        case fail_response::block:
            r.managed = false;
            r.blocked = true;
            break;
        case fail_response::stop: r.next_role = role::stopped; break;
        case fail_response::recover:
            if (active) {
                r.failed = r.stop_required = true;
                ws.unpack_actions.push_back({unpack_action::kind::stop, n, ix, {}, false, {}, 0, false});
            }
            break;
    }
    if (h.failure_ignored) r.failure_ignored = true;
    // A stop on the source after migrate_to leaves a partial migration's
    // resource active on the target
    if (h.now == role::stopped && r.partial_migration_source == n && r.partial_migration_target != none &&
        !r.running_on.empty() && role_rank(r.current_role) < role_rank(role::started))
        r.current_role = role::started;
    // A failed connection leaves an unclean remote node to be fenced even if
    // the connection is to be re-established in this transition
    if (r.failed && r.is_remote_connection) {
        auto it = ws.node_by_id.find(r.id);
        if (it != ws.node_by_id.end() && ws.nodes[it->second].unclean) ws.nodes[it->second].unseen = false;
    }
    if (!active) {
        // A stopped instance forgets an instance-numbered history name, or
        // stopped instances would look like orphans
        if (r.clone_name.find(':') != std::string::npos) r.clone_name.clear();
        return;
    }
    add_running(ws, ix, n);
    if (role_rank(h.now) > role_rank(r.current_role)) r.current_role = h.now;
    if (f == fail_response::block || f == fail_response::demote)
        r.failed = true;
    else if (f != fail_response::ignore)
        r.failed = r.stop_required = true;
}

// Fail counts of every primitive on every node that has any.
void unpack_failcounts(working_set& ws) {
    for (size_t ni = 0; ni < ws.nodes.size(); ++ni) {
        const auto& attrs = ws.nodes[ni].attrs;
        auto first = attrs.lower_bound("fail-count-");
        if (first == attrs.end() || first->first.rfind("fail-count-", 0) != 0) continue;
        for (size_t ri = 0; ri < ws.resources.size(); ++ri) {
            resource& r = ws.resources[ri];
            if (r.variant != rsc_variant::primitive) continue;
            fail_info fi = failcount_on(ws, r, static_cast<node_ix>(ni), true);
            if (fi.count > 0) r.fail_count[static_cast<node_ix>(ni)] = fi.count;
            if (fi.last > 0) r.last_failure[static_cast<node_ix>(ni)] = fi.last;
        }
    }
}

}  // namespace

namespace {

// determine_remote_online_status(): a remote or guest node is up when its
// connection resource is, and neither it nor its container has failed.
void remote_online_status(working_set& ws, node& nd) {
    if (nd.remote_rsc == none) {
        nd.online = false;
        return;
    }
    const resource& conn = ws.resources[nd.remote_rsc];
    const resource* container = conn.container != none ? &ws.resources[conn.container] : nullptr;
    const node* host = container && conn.running_on.size() == 1 ? &ws.nodes[conn.running_on.front()] : nullptr;
    if (conn.current_role == role::started) nd.online = true;
    // A connection on its way from started to stopped shuts the node down
    if (conn.current_role == role::started && conn.next_role == role::stopped) nd.shutdown = true;
    if (container && container->failed) {
        nd.online = false;
        nd.remote_requires_reset = true;
    } else if (conn.failed) {
        nd.online = false;
    } else if (conn.current_role == role::stopped || (container && container->current_role == role::stopped)) {
        nd.online = false;
        nd.remote_requires_reset = false;
    } else if (host && !host->online && host->unclean) {
        nd.online = false;
        nd.remote_requires_reset = true;
    }
}

// unpack_handle_remote_attrs
void unpack_remote_attrs(working_set& ws, node& nd, const cib::node_state& st) {
    if (!nd.remote_requires_reset) nd.unclean = nd.unseen = false;
    rule_context ctx = base_context(ws);
    ctx.node_attrs = &nd.attrs;
    unpack_nvsets(st.transient_attributes, ctx, nd.attrs, true);
    if (const auto* s = find(nd.attrs, "shutdown"); s && !s->empty() && *s != "0") nd.shutdown = true;
    if (const auto* v = find(nd.attrs, "standby"); v && truthy(*v)) nd.standby = true;
    if (const auto* v = find(nd.attrs, "maintenance"); v && truthy(*v)) nd.maintenance = true;
    if (nd.remote_rsc != none && !ws.resources[nd.remote_rsc].managed) nd.maintenance = true;
    if (const auto* v = find(nd.attrs, "resource-discovery-enabled"); v && !truthy(*v)) {
        // remote nodes without fencing cannot be trusted to report what runs there
        if (nd.kind == node_kind::guest || ws.options.stonith_enabled) nd.rsc_discovery_enabled = false;
    }
}

}  // namespace

void unpack_history(working_set& ws, const cib::cib_model& cib) {
    // Histories are read in rounds, as unpack_node_history() does: a remote
    // or guest node's only once its connection (and container) is known to
    // be up, which other histories may reveal; with fencing enabled, every
    // remaining node's at the end, to learn what fencing must clean up.
    std::vector<char> unpacked(ws.nodes.size(), 0);
    auto eligible = [&](node_ix n) {
        const node& nd = ws.nodes[n];
        if (nd.kind == node_kind::member)
            return nd.online || ws.options.stonith_enabled || ws.options.shutdown_lock_enabled;
        if (nd.remote_rsc == none) return false;
        const resource& conn = ws.resources[nd.remote_rsc];
        if (conn.container == none) return ws.options.shutdown_lock_enabled || conn.current_role == role::started;
        return conn.current_role == role::started && ws.resources[conn.container].current_role == role::started;
    };
    auto read_node = [&](node_ix n, const cib::node_state& st) {
        unpacked[n] = 1;
        if (ws.nodes[n].kind != node_kind::member) {
            remote_online_status(ws, ws.nodes[n]);
            unpack_remote_attrs(ws, ws.nodes[n], st);
        }
        if (!st.has_lrm) return;
        for (const auto& lrm : st.resources) {
            rsc_ix ix = resolve(ws, lrm, n);
            if (ws.options.shutdown_lock_enabled) unpack_shutdown_lock(ws, ix, n, lrm);
            node_history h;
            replay_ops(ws, ix, n, lrm, h);
            settle(ws, ix, n, h);
        }
        map_orphan_containers(ws, st);
    };
    for (bool again = true; again;) {
        again = false;
        for (const auto& st : cib.node_states) {
            node_ix n = find_node(ws, st.id, st.uname);
            unpacked.resize(ws.nodes.size(), 0);  // orphaned connections may add nodes
            if (n == none || unpacked[n] || !eligible(n)) continue;
            read_node(n, st);
            again = true;
        }
    }
    if (ws.options.stonith_enabled) {
        for (const auto& st : cib.node_states) {
            node_ix n = find_node(ws, st.id, st.uname);
            unpacked.resize(ws.nodes.size(), 0);
            if (n != none && !unpacked[n]) read_node(n, st);
        }
    }
    unpacked.resize(ws.nodes.size(), 0);
    for (size_t n = 0; n < ws.nodes.size(); ++n) {
        node& nd = ws.nodes[n];
        if (nd.kind == node_kind::member) continue;
        if (nd.shutdown && nd.remote_rsc != none) ws.resources[nd.remote_rsc].next_role = role::stopped;
        if (!unpacked[n]) remote_online_status(ws, nd);
    }
    unpack_failcounts(ws);
}

namespace unpack_detail {

void add_running(working_set& ws, rsc_ix ix, node_ix n) {
    resource& r = ws.resources[ix];
    if (std::find(r.running_on.begin(), r.running_on.end(), n) != r.running_on.end()) return;
    if (ws.nodes[n].maintenance) r.managed = false;  // nothing is managed on a node in maintenance
    r.running_on.push_back(n);
    ws.nodes[n].running.push_back(ix);
    if (r.managed && r.running_on.size() > 1) block_if_multiply_active(ws, ix);
}

}  // namespace unpack_detail

}  // namespace holdfast::policy
