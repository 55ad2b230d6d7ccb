// Probes: finding out whether a resource already runs on a node whose
// history says nothing about it (Pacemaker 2.1.5's pcmk_sched_probes.c).
#include <algorithm>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

bool probe_rsc_on_node(sched& s, rsc_ix r, node_ix n);

// guest_resource_will_stop: the guest's container is to be stopped or moved
bool guest_will_stop(const sched& s, node_ix n) {
    const rsc_ix guest = s.ws.resources[s.ws.nodes[n].remote_rsc].container;
    const rsc_state& st = s.rs[guest];
    const auto& on = s.ws.resources[guest].running_on;
    return s.ws.nodes[n].remote_requires_reset || (st.flags & rf_failed) || st.next_role == role::stopped ||
           (st.role_now > role::stopped && st.allocated_to != none &&
            std::find(on.begin(), on.end(), st.allocated_to) == on.end());
}

// On a guest node whose container is stopped (or stopping), nothing can be
// active: no probe, but r's start waits for the container's
bool guest_allows_probe(sched& s, rsc_ix r, node_ix n) {
    const node& nd = s.ws.nodes[n];
    if (nd.kind != node_kind::guest || nd.remote_rsc == none) return true;
    const rsc_ix guest = s.ws.resources[nd.remote_rsc].container;
    if (guest == none) return true;
    rsc_ix top = uber_parent(s, r);
    const std::string& gid = s.ws.resources[guest].id;
    const std::string& tid = s.ws.resources[top].id;
    if (s.rs[guest].role_now == role::stopped) {
        // probe_then_start
        const node_ix to = s.rs[guest].allocated_to;
        if (to != none && !s.rs[guest].known_on[to])
            s.new_ordering(guest, op_key(gid, "monitor", 0), -1, top, op_key(tid, "start", 0), -1, of_optional);
        return false;
    }
    if (guest_will_stop(s, n)) {
        s.new_ordering(guest, op_key(gid, "stop", 0), -1, top, op_key(tid, "start", 0), -1, of_optional);
        return false;
    }
    return true;
}

// A resource containing a guest node's container cannot run on a guest node
bool contains_guest(const sched& s, rsc_ix r) {
    for (const auto& res : s.ws.resources)
        if (res.is_remote_connection && res.container == r) return true;
    return false;
}

bool probe_list(sched& s, const std::vector<rsc_ix>& list, node_ix n) {
    bool any = false;
    for (rsc_ix r : list) any = probe_rsc_on_node(s, r, n) || any;
    return any;
}

bool probe_rsc_on_node(sched& s, rsc_ix r, node_ix n) {
    const resource& res = s.ws.resources[r];
    const node& nd = s.ws.nodes[n];
    if (nd.kind != node_kind::member && (res.rclass == "stonith" || res.is_remote_connection)) return false;
    if (nd.kind == node_kind::guest && contains_guest(s, r)) return false;
    if (res.variant == rsc_variant::clone) {
        // Probing puts a clone's instances back in instance-number order
        // (placement and promotion sorted them), which later phases see
        clone_sort_by_number(s, r);
        // Exclusive discovery elsewhere: the clone may never run here
        if (s.rs[r].exclusive_discover && s.rs[r].allowed[n] != not_allowed &&
            discover_mode_on(s, r, n) != static_cast<uint8_t>(location_rule::discover::exclusive)) {
            s.rs[r].allowed[n] = not_allowed;
            return false;
        }
        rsc_ix chosen = none;
        if (clone_probe_instance(s, r, n, chosen)) return chosen != none && probe_rsc_on_node(s, chosen, n);
    }
    if (!res.children.empty()) return probe_list(s, res.children, n);
    if (res.container != none && !res.is_remote_connection) return false;
    if (res.orphan || s.rs[r].known_on[n]) return false;
    rsc_ix top_rsc = uber_parent(s, r);
    if (s.rs[r].exclusive_discover || s.rs[top_rsc].exclusive_discover) {
        if (s.rs[r].allowed[n] == not_allowed) return false;
        if (discover_mode_on(s, r, n) != static_cast<uint8_t>(location_rule::discover::exclusive)) return false;
    }
    if (discover_mode_on(s, r, n) == static_cast<uint8_t>(location_rule::discover::never)) return false;
    if (!guest_allows_probe(s, r, n)) return false;
    const std::string key = op_key(res.id, "monitor", 0);
    action_ix probe = s.custom_action(r, key, "monitor", n, false, true);
    s.actions[probe].flags &= ~af_optional;
    order_vs_unfence(s, r, n, probe, of_optional);
    if (std::find(res.running_on.begin(), res.running_on.end(), n) == res.running_on.end())
        s.actions[probe].meta.insert_or_assign("op_target_rc", std::string(1, '7'));
    rsc_ix top = uber_parent(s, r);
    const bool clone_top = s.ws.resources[top].variant == rsc_variant::clone;
    if (((s.rs[r].flags & rf_fence_device) && s.enable_unfencing) || !clone_top) top = r;
    uint32_t flags = of_optional;
    if (!(s.actions[probe].flags & af_runnable) && res.running_on.empty()) flags |= of_runnable_left;
    s.new_ordering(r, "", probe, top, op_key(s.ws.resources[top].id, "start", 0), -1, flags);
    s.new_ordering(r, "", probe, top, op_key(s.ws.resources[top].id, "reload-agent", 0), -1, of_optional);
    return true;
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool probe_needed_before(const sched& s, const action& probe, const action& then) {
    if (then.task == "stonith" && probe.node != none && probe.node == then.node) {
        auto op = then.meta.find("stonith_action");
        if (op != then.meta.end() && op->second == "on") return false;
    }
    if (then.task == "do_shutdown" && probe.node != none && then.node != none && probe.node != then.node) return false;
    (void)s;
    return true;
}

// add_probe_orderings_for_stops: "first stop then X" also orders first's probes before X
void add_probe_orderings_for_stops(sched& s) {
    for (size_t oi = 0; oi < s.orderings.size(); ++oi) {
        const ordering o = s.orderings[oi];
        if (o.flags == of_none || o.first_rsc == none || o.first_rsc == o.then_rsc) continue;
        if (o.first_action < 0 && o.first_task.empty()) continue;
        if (o.then_action < 0 && o.then_task.empty()) continue;
        if (o.first_action >= 0 ? s.actions[o.first_action].task != "stop" : !ends_with(o.first_task, "_stop_0"))
            continue;
        if (o.then_rsc != none && s.ws.resources[o.first_rsc].container == o.then_rsc) {
            if (o.then_action >= 0 ? s.actions[o.then_action].task == "stop" : ends_with(o.then_task, "_stop_0"))
                continue;
        }
        uint32_t flags = of_optional;
        if (o.flags & of_apply_first_non_migratable) flags |= of_apply_first_non_migratable;
        if (o.flags & of_same_node) flags |= of_same_node;
        if (o.flags == of_anti_colocation || o.flags == of_load) flags = o.flags;
        auto probes = resource_actions(s, o.first_rsc, none, "monitor", false);
        if (probes.empty()) continue;
        std::vector<action_ix> thens;
        if (o.then_action >= 0)
            thens.push_back(o.then_action);
        else if (o.then_rsc != none)
            thens = s.find_actions(o.then_rsc, o.then_task, none);
        for (action_ix p : probes)
            for (action_ix t : thens)
                if (probe_needed_before(s, s.actions[p], s.actions[t])) s.order_actions(p, t, flags);
    }
}

}  // namespace

void schedule_probes(sched& s) {
    for (node_ix n : s.nodes) {
        const node& nd = s.ws.nodes[n];
        if (!nd.online) {
            if (is_failed_remote_node(s, n)) fence_node(s, n, "the connection is unrecoverable", false);
            continue;
        }
        if (nd.unclean || !nd.rsc_discovery_enabled) continue;
        // Saved CIBs from before Pacemaker 1.1.14 ask for a re-probe this way
        if (auto it = nd.attrs.find("probe_complete"); it != nd.attrs.end() && !text_is_true(it->second)) {
            action_ix reprobe = s.custom_action(none, "probe_again-" + nd.uname, "probe_again", n, false, true);
            s.actions[reprobe].meta.emplace("op_no_wait", "true");
            continue;
        }
        probe_list(s, s.resources, n);
    }
}

namespace {

// add_restart_orderings_for_probe: for "probe then X", where X (or something
// after it) starts or promotes another primitive, the probe also comes before
// that primitive's stop or demote, so a restart waits for the probe
void add_restart_orderings_for_probe(sched& s, action_ix probe, action_ix after) {
    const rsc_ix pr = s.actions[probe].rsc;
    if (pr == none || s.ws.resources[pr].variant != rsc_variant::primitive) return;
    if (s.actions[after].flags & af_tracking) return;
    s.actions[after].flags |= af_tracking;
    const rsc_ix ar = s.actions[after].rsc;
    if (ar != none && s.ws.resources[ar].variant == rsc_variant::primitive && ar != pr) {
        const std::string& task = s.actions[after].task;
        std::vector<action_ix> thens;
        if (iequals(task, "start"))
            thens = resource_actions(s, ar, none, "stop", false);
        else if (iequals(task, "promote"))
            thens = resource_actions(s, ar, none, "demote", false);
        for (action_ix then : thens)
            if (!(s.actions[then].flags & af_pseudo)) s.order_actions(probe, then, of_optional);
    }
    // an interleaved clone: only the instance paired with the probed one
    bool interleave = false;
    rsc_ix compatible = none;
    if (ar != none && s.ws.resources[ar].variant != rsc_variant::primitive &&
        s.ws.resources[ar].variant != rsc_variant::group) {
        auto it = s.ws.resources[ar].meta.find("interleave");
        interleave = it != s.ws.resources[ar].meta.end() && text_is_true(it->second);
        if (interleave) compatible = clone_compatible_instance(s, pr, ar, role::unknown, false);
    }
    // Pacemaker's actions_after is newest first
    const std::vector<action_link> afters = s.actions[after].after;
    for (auto it = afters.rbegin(); it != afters.rend(); ++it) {
        const rsc_ix next_rsc = s.actions[it->other].rsc;
        if (!(it->type & of_implies_then)) {
            // only down from a collective action to its own members
            if (ar == none || s.ws.resources[ar].variant == rsc_variant::primitive || s.ws.resources[pr].parent == ar ||
                next_rsc == none ||
                (s.ws.resources[next_rsc].variant != rsc_variant::primitive &&
                 s.ws.resources[next_rsc].variant != rsc_variant::group) ||
                s.ws.resources[next_rsc].parent != ar)
                continue;
            if (s.ws.resources[ar].variant != rsc_variant::group && interleave &&
                (compatible == none || compatible != next_rsc))
                continue;
        }
        add_restart_orderings_for_probe(s, probe, it->other);
    }
}

void clear_tracking(sched& s) {
    for (auto& a : s.actions) a.flags &= ~af_tracking;
}

// add_restart_orderings_for_rsc
void add_restart_orderings_for_rsc(sched& s, rsc_ix r) {
    if (s.ws.resources[r].variant != rsc_variant::primitive) {
        for (rsc_ix c : s.ws.resources[r].children) add_restart_orderings_for_rsc(s, c);
        return;
    }
    for (action_ix probe : resource_actions(s, r, none, "monitor", false)) {
        const std::vector<action_link> afters = s.actions[probe].after;
        for (auto it = afters.rbegin(); it != afters.rend(); ++it) {
            add_restart_orderings_for_probe(s, probe, it->other);
            clear_tracking(s);
        }
    }
}

}  // namespace

void order_probes(sched& s) {
    for (rsc_ix r : s.resources) add_restart_orderings_for_rsc(s, r);
    add_probe_orderings_for_stops(s);
}

}  // namespace holdfast::policy::sched
