// Recurring operations (monitors) of a primitive for the role it will have
// (Pacemaker 2.1.5's pcmk_sched_recurring.c): monitors for active roles on
// the assigned node, monitors for the Stopped role everywhere else, and
// cancellation of monitors whose role no longer fits.
#include "policy/iso8601.hpp"
#include "policy/rules.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

struct op_history {
    const cib::op_def* op = nullptr;
    std::string key;
    int64_t interval_ms = 0;
    role op_role = role::unknown;
};

bool op_cannot_recur(const std::string& name) {
    for (const char* task : {"stop", "start", "demote", "promote", "reload-agent", "migrate_to", "migrate_from"})
        if (name == task) return true;
    return false;
}

// is_op_dup: more than one op with this name and interval is a configuration
// error, and Pacemaker then ignores every copy
bool is_op_dup(const resource& res, const std::string& name, int64_t interval_ms) {
    int matches = 0;
    for (const auto& op : res.def->ops) {
        if (op.name != name) continue;
        auto ms = iso8601::parse_interval_ms(op.interval);
        if ((ms ? *ms : 0) == interval_ms && ++matches > 1) return true;
    }
    return false;
}

bool is_recurring(const resource& res, const cib::op_def& op, op_history& out) {
    auto ms = iso8601::parse_interval_ms(op.interval);
    if (!ms || *ms == 0 || op_cannot_recur(op.name) || is_op_dup(res, op.name, *ms)) return false;
    if (!op.enabled.empty() && !text_is_true(op.enabled)) return false;  // disabled: not monitored
    out.op = &op;
    out.interval_ms = *ms;
    out.op_role = op.role.empty() ? role::unknown : text_to_role(op.role);
    out.key = op_key(res.id, op.name, *ms);
    return true;
}

// find_actions_exact: actions of r with this key on exactly this node
bool has_exact(const sched& s, rsc_ix r, const std::string& key, node_ix n) {
    for (action_ix a : s.rs[r].actions)
        if (s.actions[a].node == n && n != none && s.actions[a].uuid == key) return true;
    return false;
}

bool active_should_be_optional(const sched& s, rsc_ix r, node_ix n, const std::string& key, action_ix start) {
    if (n == none || !(s.actions[start].flags & af_optional)) return false;
    bool found = false;
    for (action_ix a : s.rs[r].actions) {
        const action& act = s.actions[a];
        if (act.node != n || act.uuid != key) continue;
        if (act.flags & af_reschedule) return false;
        found = true;
    }
    return found;
}

void cancel_wrong_role(sched& s, rsc_ix r, node_ix n, const op_history& op) {
    const rsc_state& st = s.rs[r];
    const std::string& id = s.ws.resources[r].id;
    action_ix cancel = new_cancel_action(s, r, op.op->name, op.interval_ms, n);
    std::string after;
    if (st.role_now == role::unpromoted || st.role_now == role::started) {
        if (st.next_role == role::promoted)
            after = op_key(id, "promote", 0);
        else if (st.next_role == role::stopped)
            after = op_key(id, "stop", 0);
    } else if (st.role_now == role::promoted) {
        after = op_key(id, "demote", 0);
    }
    if (!after.empty()) s.new_ordering(r, "", cancel, r, after, -1, of_runnable_left);
}

void recurring_for_active(sched& s, rsc_ix r, action_ix start, node_ix n, const op_history& op) {
    if (op.op_role == role::stopped) return;
    const rsc_state& st = s.rs[r];
    const bool optional = active_should_be_optional(s, r, n, op.key, start);
    if ((op.op_role != role::unknown && st.next_role != op.op_role) ||
        (op.op_role == role::unknown && st.next_role == role::promoted)) {
        if (optional) cancel_wrong_role(s, r, n, op);  // it runs now: cancel it
        return;
    }
    action_ix mon = s.custom_action(r, op.key, op.op->name, n, optional, true);
    const node& nd = s.ws.nodes[n];
    if (!(s.actions[start].flags & af_runnable) || !nd.online || nd.unclean) s.actions[mon].flags &= ~af_runnable;
    if (st.next_role == role::promoted) s.actions[mon].meta.insert_or_assign("op_target_rc", std::string(1, '8'));
    if (!(st.flags & rf_managed)) return;
    const std::string& id = s.ws.resources[r].id;
    s.new_ordering(r, op_key(id, "start", 0), -1, none, op.key, mon, of_implies_then | of_runnable_left);
    s.new_ordering(r, op_key(id, "reload-agent", 0), -1, none, op.key, mon, of_implies_then | of_runnable_left);
    if (st.next_role == role::promoted)
        s.new_ordering(r, op_key(id, "promote", 0), -1, r, "", mon, of_optional | of_runnable_left);
    else if (st.role_now == role::promoted)
        s.new_ordering(r, op_key(id, "demote", 0), -1, r, "", mon, of_optional | of_runnable_left);
}

void cancel_if_running(sched& s, rsc_ix r, node_ix n, const op_history& op) {
    if (!has_exact(s, r, op.key, n)) return;
    action_ix cancel = new_cancel_action(s, r, op.op->name, op.interval_ms, n);
    const role next = s.rs[r].next_role;
    if (next == role::started || next == role::unpromoted)
        s.new_ordering(r, "", cancel, r, op_key(s.ws.resources[r].id, "start", 0), -1, of_runnable_left);
}

void order_after_stops(sched& s, rsc_ix r, node_ix n, action_ix mon) {
    const bool managed = s.rs[r].flags & rf_managed;
    for (action_ix stop : resource_actions(s, r, n, "stop", true)) {
        if (!(s.actions[stop].flags & af_optional) && !(s.actions[mon].flags & af_optional) && !managed)
            s.actions[mon].flags |= af_optional;
        if (!(s.actions[stop].flags & af_runnable)) s.actions[mon].flags &= ~af_runnable;
        if (managed)
            s.new_ordering(r, op_key(s.ws.resources[r].id, "stop", 0), stop, none, "", mon,
                           of_implies_then | of_runnable_left);
    }
}

// Monitors for the Stopped role: on every node but the one r goes to
void recurring_for_inactive(sched& s, rsc_ix r, node_ix target, const op_history& op) {
    if (op.op_role != role::stopped) return;
    if (!(s.rs[r].flags & rf_unique)) return;  // not supported for anonymous clones (as in Pacemaker)
    for (node_ix n : s.nodes) {
        if (n == target) {
            cancel_if_running(s, r, n, op);
            continue;
        }
        const bool optional = has_exact(s, r, op.key, n);
        action_ix mon = s.custom_action(r, op.key, op.op->name, n, optional, true);
        s.actions[mon].meta.insert_or_assign("op_target_rc", std::string(1, '7'));
        if (s.rs[r].flags & rf_managed) {
            for (action_ix probe : resource_actions(s, r, n, "monitor", false))
                s.order_actions(probe, mon, of_runnable_left);
        }
        order_after_stops(s, r, n, mon);
        const node& nd = s.ws.nodes[n];
        if (!nd.online || nd.unclean) s.actions[mon].flags &= ~af_runnable;
    }
}

}  // namespace

void create_recurring_actions(sched& s, rsc_ix r) {
    const resource& res = s.ws.resources[r];
    const rsc_state& st = s.rs[r];
    if (st.flags & (rf_block | rf_maintenance)) return;
    action_ix start = -1;
    const node_ix n = st.allocated_to;
    if (n == none) {
        // only monitors for the Stopped role
    } else if (s.ws.nodes[n].maintenance) {
        return;
    } else if (st.next_role != role::stopped || !(st.flags & rf_managed)) {
        start = s.custom_action(r, op_key(res.id, "start", 0), "start", n, true, true);
    }
    if (!res.def) return;
    for (const auto& op : res.def->ops) {
        op_history h;
        if (!is_recurring(res, op, h)) continue;
        if (start >= 0) recurring_for_active(s, r, start, n, h);
        recurring_for_inactive(s, r, n, h);
    }
}

}  // namespace holdfast::policy::sched
