// Recurring monitors configured for the Stopped role (role="Stopped"): they
// check that a resource is NOT running, so they run on every node except the
// one the resource is assigned to, once the resource has been probed and
// stopped there (recurring_op_for_inactive in pcmk_sched_recurring.c).
#include "policy/rules.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

// find_actions_exact: an action with this key already scheduled on exactly this node
bool has_exact_action(const sched& s, rsc_ix r, const std::string& key, node_ix n) {
    for (action_ix a : s.rs[r].actions) {
        const action& act = s.actions[a];
        if (act.id >= 0 && act.node == n && iequals(act.uuid, key)) return true;
    }
    return false;
}

// cancel_if_running: where r will be active, a Stopped-role monitor already
// running there is cancelled (before r starts)
void cancel_if_running(sched& s, rsc_ix r, node_ix n, const cib::op_def& op, const std::string& key, int64_t ms) {
    if (!has_exact_action(s, r, key, n)) return;
    action_ix cancel = new_cancel_action(s, r, op.name, ms, n);
    const role next = s.rs[r].next_role;
    if (next == role::started || next == role::unpromoted)
        s.new_ordering(r, "", cancel, r, op_key(s.ws.resources[r].id, "start", 0), -1, of_runnable_left);
}

// The monitor waits for r's probe and for any stop of r on that node
void order_after_probes_and_stops(sched& s, rsc_ix r, node_ix n, action_ix mon) {
    const bool managed = s.rs[r].flags & rf_managed;
    if (managed) {
        for (action_ix probe : resource_actions(s, r, n, "monitor", false))
            s.order_actions(probe, mon, of_runnable_left);
    }
    for (action_ix stop : resource_actions(s, r, n, "stop", true)) {
        if (!(s.actions[stop].flags & af_optional) && !(s.actions[mon].flags & af_optional) && !managed)
            s.actions[mon].flags |= af_optional;
        if (!(s.actions[stop].flags & af_runnable)) s.actions[mon].flags &= ~af_runnable;
        if (managed)
            s.new_ordering(r, op_key(s.ws.resources[r].id, "stop", 0), stop, none, "", mon,
                           of_implies_then | of_runnable_left);
    }
}

}  // namespace

void recurring_op_for_inactive(sched& s, rsc_ix r, const cib::op_def& op, const std::string& key, int64_t ms) {
    if (op.role.empty() || text_to_role(op.role) != role::stopped) return;
    // Pacemaker does not support these for anonymous clone instances
    if (!(s.rs[r].flags & rf_unique)) return;
    const node_ix target = s.rs[r].allocated_to;
    for (node_ix n : s.nodes) {
        if (target != none && iequals(s.ws.nodes[n].uname, s.ws.nodes[target].uname)) {
            cancel_if_running(s, r, target, op, key, ms);
            continue;
        }
        const bool optional = has_exact_action(s, r, key, n);
        action_ix mon = s.custom_action(r, key, op.name, n, optional, true);
        s.actions[mon].meta.insert_or_assign("op_target_rc", std::string(1, '7'));
        order_after_probes_and_stops(s, r, n, mon);
        if (!s.ws.nodes[n].online || s.ws.nodes[n].unclean) s.actions[mon].flags &= ~af_runnable;
    }
}

}  // namespace holdfast::policy::sched
