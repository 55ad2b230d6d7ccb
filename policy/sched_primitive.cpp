// Actions of a primitive resource: the role transition matrix, restarts and
// recovery, implicit orderings and recurring monitors (Pacemaker 2.1.5's
// pcmk_sched_primitive.c and pcmk_sched_recurring.c).
#include <algorithm>

#include "policy/iso8601.hpp"
#include "policy/rules.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

int rank(role r) { return static_cast<int>(r); }

// The next role on the way from `from` to `to` (rsc_state_matrix).
role next_step(role from, role to) {
    using R = role;
    static const R m[5][5] = {
        {R::unknown, R::stopped, R::stopped, R::stopped, R::stopped},
        {R::stopped, R::stopped, R::started, R::unpromoted, R::unpromoted},
        {R::stopped, R::stopped, R::started, R::unpromoted, R::promoted},
        {R::stopped, R::stopped, R::stopped, R::unpromoted, R::promoted},
        {R::stopped, R::unpromoted, R::unpromoted, R::unpromoted, R::promoted},
    };
    return m[rank(from)][rank(to)];
}

enum class step { none, stop, start, promote, demote, error };

// The action that takes a resource from one role to the next (rsc_action_matrix).
step step_fn(role from, role to) {
    using S = step;
    static const S m[5][5] = {
        {S::error, S::stop, S::error, S::error, S::error},    {S::error, S::none, S::start, S::start, S::error},
        {S::error, S::stop, S::none, S::none, S::promote},    {S::error, S::stop, S::stop, S::none, S::promote},
        {S::error, S::demote, S::demote, S::demote, S::none},
    };
    return m[rank(from)][rank(to)];
}

action_ix rsc_action(sched& s, rsc_ix r, const char* task, node_ix n, bool optional) {
    return s.custom_action(r, op_key(s.ws.resources[r].id, task, 0), task, n, optional, true);
}

bool is_expected_node(const sched& s, rsc_ix r, node_ix n) {
    const rsc_state& st = s.rs[r];
    return (st.flags & rf_restarting) && (st.flags & rf_stop_unexpected) && st.next_role > role::stopped &&
           st.allocated_to == n;
}

void stop_resource(sched& s, rsc_ix r, node_ix, bool optional) {
    const resource& res = s.ws.resources[r];
    for (node_ix current : res.running_on) {
        if (is_expected_node(s, r, current)) continue;
        bool opt = optional;
        if (res.partial_migration_target != none) {
            if (current == res.partial_migration_target && current == s.rs[r].allocated_to) continue;
            opt = false;
        }
        action_ix stop = rsc_action(s, r, "stop", current, opt);
        if (s.rs[r].allocated_to == none) {
            set_action_reason(s.actions[stop], "node availability", true);
        } else if ((s.rs[r].flags & rf_restarting) && (s.rs[r].flags & rf_stop_unexpected)) {
            set_action_reason(s.actions[stop], "being multiply active", true);
        }
        if (!(s.rs[r].flags & rf_managed)) s.actions[stop].flags &= ~af_runnable;
        if (s.ws.options.remove_after_stop) schedule_cleanup(s, r, current, opt);
        if (s.rs[r].flags & rf_needs_unfencing) {
            action_ix unfence = fence_op(s, current, "on", true, "", false);
            s.order_actions(stop, unfence, of_implies_first);
        }
    }
}

void start_resource(sched& s, rsc_ix r, node_ix n, bool optional) {
    if (n == none) return;
    action_ix start = rsc_action(s, r, "start", n, true);
    order_vs_unfence(s, r, n, start, of_implies_then);
    if ((s.actions[start].flags & af_runnable) && !optional) s.actions[start].flags &= ~af_optional;
    if (is_expected_node(s, r, n)) s.actions[start].flags |= af_pseudo;
}

void promote_resource(sched& s, rsc_ix r, node_ix n, bool optional) {
    if (n == none) return;
    bool runnable = true;
    for (action_ix a : resource_actions(s, r, n, "start", true))
        if (!(s.actions[a].flags & af_runnable)) runnable = false;
    if (runnable) {
        action_ix promote = rsc_action(s, r, "promote", n, optional);
        if (is_expected_node(s, r, n)) s.actions[promote].flags |= af_pseudo;
        return;
    }
    for (action_ix a : resource_actions(s, r, n, "promote", true)) s.actions[a].flags &= ~af_runnable;
}

void demote_resource(sched& s, rsc_ix r, node_ix, bool optional) {
    for (node_ix current : s.ws.resources[r].running_on) {
        if (!is_expected_node(s, r, current)) rsc_action(s, r, "demote", current, optional);
    }
}

bool run_step(sched& s, rsc_ix r, role from, role to, node_ix n, bool optional) {
    switch (step_fn(from, to)) {
        case step::none:
        case step::error: return false;
        case step::stop: stop_resource(s, r, n, optional); return true;
        case step::start: start_resource(s, r, n, optional); return true;
        case step::promote: promote_resource(s, r, n, optional); return true;
        case step::demote: demote_resource(s, r, n, optional); return true;
    }
    return false;
}

void schedule_restart_actions(sched& s, rsc_ix r, node_ix current, bool need_stop, bool need_promote) {
    rsc_state& st = s.rs[r];
    st.flags |= rf_restarting;
    role now = st.role_now;
    while (now != role::stopped) {
        role next = next_step(now, role::stopped);
        if (!run_step(s, r, now, next, current, !need_stop)) break;
        now = next;
    }
    while (rank(st.role_now) <= rank(st.next_role) && now != st.role_now && !(st.flags & rf_block)) {
        role next = next_step(now, st.role_now);
        bool required = need_stop || (next == role::promoted && need_promote);
        if (!run_step(s, r, now, next, st.allocated_to, !required)) break;
        now = next;
    }
    st.flags &= ~rf_restarting;
}

void schedule_role_transition_actions(sched& s, rsc_ix r) {
    rsc_state& st = s.rs[r];
    role now = st.role_now;
    while (now != st.next_role) {
        role next = next_step(now, st.next_role);
        if (!run_step(s, r, now, next, st.allocated_to, false)) break;
        now = next;
    }
}

// pcmk__rsc_can_migrate
bool can_migrate(const sched& s, rsc_ix r, node_ix current) {
    const rsc_state& st = s.rs[r];
    if (!(st.flags & rf_allow_migrate) || !(st.flags & rf_managed) || (st.flags & rf_failed) ||
        (st.flags & rf_start_pending))
        return false;
    if (current == none || s.ws.nodes[current].unclean) return false;
    if (st.allocated_to == none || s.ws.nodes[st.allocated_to].unclean) return false;
    return true;
}

void add_migration_meta(action& a, const sched& s, node_ix source, node_ix target) {
    a.meta.insert_or_assign("migrate_source", s.ws.nodes[source].uname);
    a.meta.insert_or_assign("migrate_target", s.ws.nodes[target].uname);
}

// pcmk__create_migration_actions: migrate_to on the old node, migrate_from on
// the new one, standing in for stop and start.
void create_migration_actions(sched& s, rsc_ix r, node_ix current) {
    const std::string& id = s.ws.resources[r].id;
    const node_ix target = s.rs[r].allocated_to;
    const bool partial = s.ws.resources[r].partial_migration_target != none;
    action_ix start = rsc_action(s, r, "start", target, true);
    action_ix stop = rsc_action(s, r, "stop", current, true);
    action_ix migrate_to =
        partial ? -1 : s.custom_action(r, op_key(id, "migrate_to", 0), "migrate_to", current, true, true);
    action_ix migrate_from = s.custom_action(r, op_key(id, "migrate_from", 0), "migrate_from", target, true, true);
    s.actions[start].flags |= af_migrate_runnable | af_pseudo;
    s.actions[stop].flags |= af_migrate_runnable;
    s.actions[migrate_from].flags |= af_migrate_runnable;
    if (!partial) {
        s.actions[migrate_to].flags |= af_migrate_runnable;
        s.actions[migrate_to].needs = s.actions[start].needs;
        s.new_ordering(r, op_key(id, "monitor", 0), -1, r, op_key(id, "migrate_to", 0), -1, of_optional);
        s.new_ordering(r, op_key(id, "migrate_to", 0), -1, r, op_key(id, "migrate_from", 0), -1,
                       of_optional | of_implies_first_migratable);
    } else {
        s.actions[migrate_from].needs = s.actions[start].needs;
        s.new_ordering(r, op_key(id, "monitor", 0), -1, r, op_key(id, "migrate_from", 0), -1, of_optional);
    }
    s.new_ordering(r, op_key(id, "migrate_from", 0), -1, r, op_key(id, "stop", 0), -1,
                   of_optional | of_implies_first_migratable);
    s.new_ordering(r, op_key(id, "migrate_from", 0), -1, r, op_key(id, "start", 0), -1,
                   of_optional | of_implies_first_migratable | of_pseudo_left);
    if (migrate_to >= 0) {
        add_migration_meta(s.actions[migrate_to], s, current, target);
        if (!s.ws.resources[r].is_remote_connection)
            s.actions[migrate_to].meta.emplace("record-pending", "true");  // add_hash_param: op_defaults win
    }
    add_migration_meta(s.actions[migrate_from], s, current, target);
}

// rsc_avoids_remote_nodes: -INFINITY on every allowed remote or guest node
void avoid_remote_nodes(sched& s, rsc_ix r) {
    auto& allowed = s.rs[r].allowed;
    for (node_ix n = 0; n < static_cast<node_ix>(allowed.size()); ++n)
        if (allowed[n] != not_allowed && s.ws.nodes[n].remote_rsc != none) allowed[n] = -score_infinity;
}

// pe__resource_contains_guest_node: the guest connection running inside r
rsc_ix contained_guest_connection(const sched& s, rsc_ix r) {
    for (size_t i = 0; i < s.ws.resources.size(); ++i) {
        const resource& res = s.ws.resources[i];
        if (res.container == r && res.is_remote_connection) return static_cast<rsc_ix>(i);
    }
    return none;
}

// The container part of pcmk__primitive_internal_constraints: a guest
// connection keeps its container off remote nodes and runs with it; a
// resource in a container that is (or holds) a remote node must run on that
// node; any other filler is ordered and colocated with its container.
void container_constraints(sched& s, rsc_ix r) {
    const resource& res = s.ws.resources[r];
    const rsc_ix container = res.container;
    rsc_ix remote = none;
    if (res.is_remote_connection) {
        if (!(s.rs[r].flags & rf_allow_remote_remotes)) avoid_remote_nodes(s, container);
        order_resource_actions(s, container, "monitor", r, "stop", of_optional);
    } else if (s.ws.resources[container].is_remote_connection) {
        remote = container;
    } else {
        remote = contained_guest_connection(s, container);
    }
    if (remote != none) {
        auto& allowed = s.rs[r].allowed;
        for (node_ix n = 0; n < static_cast<node_ix>(allowed.size()); ++n)
            if (allowed[n] != not_allowed && s.ws.nodes[n].remote_rsc != remote) allowed[n] = -score_infinity;
        return;
    }
    const std::string& cid = s.ws.resources[container].id;
    s.new_ordering(container, op_key(cid, "start", 0), -1, r, op_key(res.id, "start", 0), -1,
                   of_implies_then | of_runnable_left);
    s.new_ordering(r, op_key(res.id, "stop", 0), -1, container, op_key(cid, "stop", 0), -1, of_implies_first);
    const int score = (s.rs[r].flags & rf_allow_remote_remotes) ? 10000 : score_infinity;
    new_colocation(s, "resource-with-container", r, container, score, role::unknown, role::unknown, "#uname", true);
}

}  // namespace

void primitive_create_actions(sched& s, rsc_ix r) {
    rsc_state& st = s.rs[r];
    resource& res = s.ws.resources[r];
    if (st.next_role == role::unknown) st.next_role = st.allocated_to == none ? role::stopped : role::started;
    unsigned all = 0, clean = 0;
    node_ix current = find_active_on(s, r, all, clean);
    bool need_stop = false, need_promote = false, is_moving = false, allow_migrate = false;
    for (node_ix dangling : st.dangling_migrations) {
        action_ix stop = rsc_action(s, r, "stop", dangling, false);
        s.actions[stop].flags |= af_dangle;
        if (s.ws.options.remove_after_stop) schedule_cleanup(s, r, dangling, false);
    }
    if (current != none && st.allocated_to != none && current != st.allocated_to && st.next_role >= role::started) {
        is_moving = true;
        allow_migrate = can_migrate(s, r, current);
        need_stop = true;
    }
    bool multiply_active = false;
    if (res.partial_migration_source != none && res.partial_migration_target != none && allow_migrate && all == 2 &&
        current == res.partial_migration_source && st.allocated_to == res.partial_migration_target) {
        // A partial migration whose target is still right continues
    } else if (res.partial_migration_source != none || res.partial_migration_target != none) {
        need_stop = true;
        res.partial_migration_source = res.partial_migration_target = none;
        allow_migrate = false;
    } else {
        multiply_active = (st.flags & rf_needs_fencing) ? all > 1 : clean > 1;
    }
    if (multiply_active) {
        if (st.recovery_type == recovery::stop_start)
            need_stop = true;
        else if (st.recovery_type == recovery::stop_unexpected) {
            need_stop = true;
            st.flags |= rf_stop_unexpected;
        }
    } else {
        st.flags &= ~rf_stop_unexpected;
    }
    if (st.flags & rf_start_pending) {
        action_ix start = rsc_action(s, r, "start", st.allocated_to, true);
        s.actions[start].flags |= af_print_always;
    }
    if (is_moving) {
    } else if (st.flags & rf_failed) {
        if (st.flags & rf_stop)
            need_stop = true;
        else if (st.next_role == role::promoted)
            need_promote = true;
    } else if (st.flags & rf_block) {
        need_stop = true;
    } else if (st.role_now > role::started && current != none && st.allocated_to != none) {
        action_ix start = rsc_action(s, r, "start", st.allocated_to, true);
        if (!(s.actions[start].flags & af_optional)) need_stop = true;
    }
    schedule_restart_actions(s, r, current, need_stop, need_promote);
    schedule_role_transition_actions(s, r);
    create_recurring_actions(s, r);
    if (allow_migrate) create_migration_actions(s, r, current);
}

void primitive_internal_constraints(sched& s, rsc_ix r) {
    if (!(s.rs[r].flags & rf_managed)) return;
    const std::string& id = s.ws.resources[r].id;
    rsc_ix top = uber_parent(s, r);
    s.new_ordering(r, op_key(id, "stop", 0), -1, r, op_key(id, "start", 0), -1,
                   of_optional | of_implies_then | of_restart);
    if ((s.rs[top].flags & rf_promotable) || s.rs[r].role_now > role::unpromoted) {
        s.new_ordering(r, op_key(id, "demote", 0), -1, r, op_key(id, "stop", 0), -1, of_promoted_implies_first);
        s.new_ordering(r, op_key(id, "start", 0), -1, r, op_key(id, "promote", 0), -1, of_runnable_left);
    }
    s.new_ordering(r, op_key(id, "lrm_delete", 0), -1, r, op_key(id, "monitor", 0), -1,
                   of_same_node | of_then_cancels_first);
    create_utilization_constraints(s, r);
    if (s.ws.resources[r].container != none) container_constraints(s, r);
    // Remote connections and fence devices never run on Pacemaker Remote nodes
    if (s.ws.resources[r].is_remote_connection || (s.rs[r].flags & rf_fence_device)) avoid_remote_nodes(s, r);
}

void create_actions(sched& s, rsc_ix r) {
    switch (s.ws.resources[r].variant) {
        case rsc_variant::primitive: primitive_create_actions(s, r); return;
        case rsc_variant::group: group_create_actions(s, r); return;
        case rsc_variant::clone: clone_create_actions(s, r); return;
        default: unsupported_collective(s, r);
    }
}

void internal_constraints(sched& s, rsc_ix r) {
    switch (s.ws.resources[r].variant) {
        case rsc_variant::primitive: primitive_internal_constraints(s, r); return;
        case rsc_variant::group: group_internal_constraints(s, r); return;
        case rsc_variant::clone: clone_internal_constraints(s, r); return;
        default: unsupported_collective(s, r);
    }
}

}  // namespace holdfast::policy::sched
