// Groups: members placed together and started in order, with pseudo actions
// for the group as a whole (Pacemaker 2.1.5's pcmk_sched_group.c).
#include <algorithm>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

bool meta_true(const sched& s, rsc_ix r, const char* name, bool fallback) {
    const auto& meta = s.ws.resources[r].meta;
    auto it = meta.find(name);
    return it == meta.end() ? fallback : text_is_true(it->second);
}

bool colocated(const sched& s, rsc_ix g) { return meta_true(s, g, "collocated", true); }
bool ordered(const sched& s, rsc_ix g) { return meta_true(s, g, "ordered", true); }

// "group with R" becomes "first member with R"; "R with group" becomes "R with last member".
void expand_group_colocations(sched& s, rsc_ix g) {
    const auto& members = s.ws.resources[g].children;
    if (members.empty()) return;
    rsc_state& gs = s.rs[g];
    for (int ci : gs.this_with) add_this_with(s, members.front(), ci);
    bool any_unmanaged = !(s.rs[members.front()].flags & rf_managed);
    for (size_t i = 1; i < members.size(); ++i) {
        if (any_unmanaged) {
            for (int ci : gs.this_with)
                if (s.colocations[ci].score == score_infinity) add_this_with(s, members[i], ci);
        } else if (!(s.rs[members[i]].flags & rf_managed)) {
            any_unmanaged = true;
        }
    }
    gs.this_with.clear();
    for (int ci : gs.with_this) add_with_this(s, members.back(), ci);
    gs.with_this.clear();
}

}  // namespace

std::string member_task(const std::string& task) {
    if (task == "running") return "start";
    if (task == "stopped") return "stop";
    if (task == "promoted") return "promote";
    if (task == "demoted") return "demote";
    return task;
}

action_ix newest_action(const sched& s, rsc_ix r, const std::string& task, node_ix node) {
    const auto& list = s.rs[r].actions;
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
        const action& a = s.actions[*it];
        if (a.task == task && (node == none || a.node == node)) return *it;
    }
    return -1;
}

node_ix group_assign(sched& s, rsc_ix g, node_ix prefer) {
    rsc_state& gs = s.rs[g];
    if (!(gs.flags & rf_provisional)) return gs.allocated_to;
    if (gs.flags & rf_allocating) return none;
    const auto members = s.ws.resources[g].children;
    if (members.empty()) {
        gs.flags &= ~rf_provisional;
        return none;
    }
    gs.flags |= rf_allocating;
    gs.role_now = s.rs[members.front()].role_now;
    expand_group_colocations(s, g);
    node_ix first = none;
    bool have_first = false;
    for (rsc_ix m : members) {
        node_ix n = assign(s, m, prefer);
        if (!have_first) {
            first = n;
            have_first = n != none;
        }
    }
    s.rs[g].next_role = s.rs[members.front()].next_role;
    s.rs[g].flags &= ~(rf_allocating | rf_provisional);
    return colocated(s, g) ? first : none;
}

void group_create_actions(sched& s, rsc_ix g) {
    for (rsc_ix m : s.ws.resources[g].children) create_actions(s, m);
    for (const char* task : {"start", "running", "stop", "stopped"}) new_rsc_pseudo_action(s, g, task, true, true);
    if (meta_true(s, g, "promotable", false)) {
        for (const char* task : {"demote", "demoted", "promote", "promoted"})
            new_rsc_pseudo_action(s, g, task, true, true);
    }
}

void group_internal_constraints(sched& s, rsc_ix g) {
    order_resource_actions(s, g, "stop", g, "stopped", of_runnable_left);
    order_resource_actions(s, g, "stopped", g, "start", of_optional);
    order_resource_actions(s, g, "start", g, "running", of_runnable_left);
    const bool is_ordered = ordered(s, g), is_colocated = colocated(s, g);
    rsc_ix top = uber_parent(s, g);
    const bool promotable = s.rs[top].flags & rf_promotable;
    rsc_ix previous = none, last_active = none;
    for (rsc_ix m : s.ws.resources[g].children) {
        uint32_t down = of_implies_first_printed, post_down = of_implies_then_printed;
        internal_constraints(s, m);
        if (previous == none) {
            if (is_ordered) {
                down |= of_optional;
                post_down = of_implies_then;
            }
        } else if (is_colocated) {
            new_colocation(s, "group:internal_colocation", m, previous, score_infinity, role::unknown, role::unknown,
                           "", (s.rs[m].flags & rf_critical) != 0);
        }
        if (promotable) {
            order_resource_actions(s, g, "demote", m, "demote", down);
            order_resource_actions(s, m, "demote", g, "demoted", post_down);
            order_resource_actions(s, m, "promote", g, "promoted",
                                   of_runnable_left | of_implies_then | of_implies_then_printed);
            order_resource_actions(s, g, "promote", m, "promote", of_implies_first_printed);
        }
        order_stops(s, g, m, down);
        order_resource_actions(s, m, "stop", g, "stopped", post_down);
        order_starts(s, g, m, of_implies_first_printed);
        order_resource_actions(s, m, "start", g, "running",
                               of_runnable_left | of_implies_then | of_implies_then_printed);
        if (!is_ordered) {
            order_starts(s, g, m, of_implies_then | of_runnable_left | of_implies_first_printed);
            if (promotable)
                order_resource_actions(s, g, "promote", m, "promote",
                                       of_implies_then | of_runnable_left | of_implies_first_printed);
        } else if (previous == none) {
            order_starts(s, g, m, of_none);
            if (promotable) order_resource_actions(s, g, "promote", m, "promote", of_none);
        } else {
            order_starts(s, previous, m, of_implies_then | of_runnable_left);
            order_stops(s, m, previous, of_optional | of_restart);
            if (promotable) {
                order_resource_actions(s, previous, "promote", m, "promote", of_implies_then | of_runnable_left);
                order_resource_actions(s, m, "demote", previous, "demote", of_optional);
            }
        }
        // Partially active groups stop in sequence
        if (!s.ws.resources[m].running_on.empty()) {
            if (is_ordered && previous != none && s.ws.resources[previous].running_on.empty() && last_active != none &&
                !s.ws.resources[last_active].running_on.empty())
                order_stops(s, m, last_active, of_optional);
            last_active = m;
        }
        previous = m;
    }
}

void group_apply_coloc_score(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c) {
    const auto& members = s.ws.resources[dependent].children;
    if (members.empty()) return;
    if (colocated(s, dependent)) {
        apply_coloc_score(s, members.front(), primary, c);
        return;
    }
    if (c.score >= score_infinity) return;  // a configuration error Pacemaker also ignores
    for (rsc_ix m : members) apply_coloc_score(s, m, primary, c);
}

uint32_t group_action_flags(sched& s, action_ix a, node_ix node) {
    uint32_t flags = af_optional | af_runnable | af_pseudo;
    const std::string task = s.actions[a].task;
    const rsc_ix g = s.actions[a].rsc;
    for (rsc_ix m : s.ws.resources[g].children) {
        const std::string mtask = member_task(task);
        action_ix ma = newest_action(s, m, mtask, node);
        if (ma >= 0) {
            uint32_t mflags = action_flags(s, ma, node);
            if ((flags & af_optional) && !(mflags & af_optional)) {
                flags &= ~af_optional;
                s.actions[a].flags &= ~af_optional;
            }
            if (mtask != task && (flags & af_runnable) && !(mflags & af_runnable)) {
                flags &= ~af_runnable;
                s.actions[a].flags &= ~af_runnable;
            }
        } else if (mtask != "stop" && mtask != "demote") {
            flags &= ~af_runnable;
        }
    }
    return flags;
}

uint32_t group_update_ordered_actions(sched& s, action_ix first, action_ix then, node_ix node, uint32_t flags,
                                      uint32_t filter, uint32_t type) {
    uint32_t changed = primitive_update_ordered_actions(s, first, then, node, flags, filter, type);
    const rsc_ix g = s.actions[then].rsc;
    const std::string task = s.actions[then].task;
    for (rsc_ix m : std::vector<rsc_ix>(s.ws.resources[g].children)) {
        action_ix ma = newest_action(s, m, task, node);
        if (ma >= 0) changed |= update_ordered_actions(s, m, first, ma, node, flags, filter, type);
    }
    return changed;
}

}  // namespace holdfast::policy::sched
