// Fencing and shutdown: fencing actions for unclean nodes and their effect on
// resource actions (stops and demotes on a fenced node are implied by the
// fencing), unfencing, guest "fencing", and node shutdowns
// (Pacemaker's pcmk_sched_fencing.c, pe_fence_op, schedule_fencing_and_shutdowns).
#include <algorithm>
#include <string>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {

namespace {

rsc_ix guest_container(const sched& s, node_ix n) {
    const node& nd = s.ws.nodes[n];
    if (nd.kind != node_kind::guest || nd.remote_rsc == none) return none;
    return s.ws.resources[nd.remote_rsc].container;
}

// native_priority_to_node summed over what runs on each node
int node_priority(const sched& s, node_ix n) {
    int total = 0;
    for (const auto& res : s.ws.resources) {
        if (res.variant != rsc_variant::primitive || res.priority == 0 || res.failed) continue;
        if (std::find(res.running_on.begin(), res.running_on.end(), n) == res.running_on.end()) continue;
        total += res.priority + (res.current_role == role::promoted ? 1 : 0);
    }
    return total;
}

int priority_fencing_delay(const sched& s, node_ix n) {
    const auto& ws = s.ws;
    if (ws.options.priority_fencing_delay <= 0) return 0;
    if (ws.nodes[n].kind != node_kind::member || ws.nodes[n].online) return 0;
    int members = 0, online = 0, top = 0, lowest = 0;
    for (node_ix i = 0; i < static_cast<node_ix>(ws.nodes.size()); ++i) {
        if (ws.nodes[i].kind != node_kind::member) continue;
        ++members;
        if (ws.nodes[i].online) ++online;
        int p = node_priority(s, i);
        if (members == 1 || p > top) top = p;
        if (members == 1 || p < lowest) lowest = p;
    }
    if (online > members / 2) return 0;
    if (lowest == top) return 0;
    if (node_priority(s, n) < top) return 0;
    return ws.options.priority_fencing_delay;
}

bool is_bundled(const sched& s, rsc_ix r) {
    for (rsc_ix p = s.ws.resources[r].parent; p != none; p = s.ws.resources[p].parent) {
        if (s.ws.resources[p].variant == rsc_variant::bundle) return true;
    }
    return false;
}

rsc_ix top_parent(const sched& s, rsc_ix r) {
    while (s.ws.resources[r].parent != none && s.ws.resources[s.ws.resources[r].parent].variant != rsc_variant::bundle)
        r = s.ws.resources[r].parent;
    return r;
}

bool known_on(const sched& s, rsc_ix r, node_ix n) {
    if (s.rs[r].known_on[n]) return true;
    rsc_ix p = s.ws.resources[r].parent;
    return s.ws.resources[r].variant == rsc_variant::primitive && p != none &&
           s.ws.resources[p].variant == rsc_variant::clone && !s.ws.resources[p].unique && s.rs[p].known_on[n];
}

action_ix first_action_with_task(const sched& s, rsc_ix r, std::string_view task) {
    // find_first_action walks the prepended list: newest first
    for (auto it = s.rs[r].actions.rbegin(); it != s.rs[r].actions.rend(); ++it) {
        if (s.actions[*it].task == task) return *it;
    }
    return -1;
}

void order_start_vs_fencing(sched& s, rsc_ix r, action_ix stonith) {
    const node_ix target = s.actions[stonith].node;
    const auto acts = s.rs[r].actions;
    for (auto it = acts.rbegin(); it != acts.rend(); ++it) {
        const action& a = s.actions[*it];
        if (a.needs == start_requirement::fencing) {
            s.order_actions(stonith, *it, of_optional);
        } else if (a.needs == start_requirement::quorum && a.task == "start" &&
                   s.rs[r].allowed[target] != not_allowed && !known_on(s, r, target)) {
            s.order_actions(stonith, *it, of_optional | of_runnable_left);
        }
    }
}

void order_stop_vs_fencing(sched& s, rsc_ix r, action_ix stonith) {
    const node_ix target = s.actions[stonith].node;
    const bool implicit = (s.rs[r].flags & rf_needs_fencing) || s.ws.nodes[target].kind == node_kind::guest;
    auto stops = resource_actions(s, r, target, "stop", false);
    action_ix parent_stop = -1;
    if (!stops.empty() && implicit) parent_stop = first_action_with_task(s, top_parent(s, r), "stop");
    for (action_ix a : stops) {
        s.actions[a].flags |= af_pseudo | af_runnable;
        if (implicit) {
            s.actions[a].flags |= af_implied_by_stonith;
            if (!is_bundled(s, r)) s.order_actions(stonith, a, of_preserve);
            if (parent_stop >= 0) s.order_actions(stonith, parent_stop, of_preserve);
        }
        if (s.rs[r].flags & rf_notify) order_notifs_after_fencing(s, a, r, stonith);
    }
    for (action_ix a : resource_actions(s, r, target, "demote", false)) {
        const node& n = s.ws.nodes[s.actions[a].node];
        if (n.online && !n.unclean && !(s.rs[r].flags & rf_failed)) continue;
        s.actions[a].flags |= af_pseudo | af_runnable;
        if (!is_bundled(s, r) && implicit) s.order_actions(stonith, a, of_preserve | of_optional);
    }
}

void rsc_stonith_ordering(sched& s, rsc_ix r, action_ix stonith) {
    const resource& res = s.ws.resources[r];
    if (!res.children.empty()) {
        for (rsc_ix c : res.children) rsc_stonith_ordering(s, c, stonith);
    } else if (s.rs[r].flags & rf_managed) {
        order_start_vs_fencing(s, r, stonith);
        order_stop_vs_fencing(s, r, stonith);
    }
}

}  // namespace

void trigger_unfencing(sched& s, rsc_ix r, node_ix n, const std::string& reason, action_ix dependency) {
    if (!s.enable_unfencing) return;
    if (r != none && !(s.rs[r].flags & rf_fence_device)) return;
    if (n != none) {
        const node& nd = s.ws.nodes[n];
        if (nd.online && !nd.unclean && !nd.shutdown) {
            action_ix unfence = fence_op(s, n, "on", false, reason, false);
            if (dependency >= 0) s.order_actions(unfence, dependency, of_optional);
            return;
        }
    }
    if (r == none) return;
    for (node_ix i = 0; i < static_cast<node_ix>(s.ws.nodes.size()); ++i) {
        if (s.rs[r].allowed[i] == not_allowed) continue;
        const node& nd = s.ws.nodes[i];
        if (nd.online && !nd.unclean && !nd.shutdown) trigger_unfencing(s, r, i, reason, dependency);
    }
}

bool record_unfencing_digests(sched& s, action_ix a, node_ix n);

namespace {

// find_unfencing_devices: fence devices that require or provide unfencing,
// newest-found first as Pacemaker's prepended list has them
void unfencing_devices(const sched& s, rsc_ix r, std::vector<rsc_ix>& out) {
    const resource& res = s.ws.resources[r];
    if (!res.children.empty()) {
        for (rsc_ix c : res.children) unfencing_devices(s, c, out);
        return;
    }
    if (!(s.rs[r].flags & rf_fence_device)) return;
    auto provides = res.meta.find("provides");
    if ((s.rs[r].flags & rf_needs_unfencing) || (provides != res.meta.end() && provides->second == "unfencing"))
        out.insert(out.begin(), r);
}

// Whether the node's recorded "#digests-all"/"#digests-secure" summary still
// lists this device with these parameters
bool summary_lists(const node& n, const char* attr, const std::string& entry) {
    auto it = n.attrs.find(attr);
    return it != n.attrs.end() && it->second.find(entry) != std::string::npos;
}

}  // namespace

// The device parameter digests a fencing op carries when unfencing is in use;
// false if some device's parameters changed since the node was unfenced
bool record_unfencing_digests(sched& s, action_ix a, node_ix n) {
    std::vector<rsc_ix> devices;
    for (rsc_ix r : s.resources) unfencing_devices(s, r, devices);
    std::string all, secure;
    bool unchanged = true;
    for (rsc_ix d : devices) {
        const std::string& id = s.ws.resources[d].id;
        const std::string& agent = s.ws.resources[d].type;
        device_digests dg = fencing_device_digests(s, d, n);
        const node& nd = s.ws.nodes[n];
        bool known = nd.attrs.count("#digests-all") > 0;
        if (known && !summary_lists(nd, "#digests-all", id + ":" + agent + ":" + dg.all) &&
            !summary_lists(nd, "#digests-secure", id + ":" + agent + ":" + dg.secure))
            unchanged = false;
        all += id + ":" + agent + ":" + dg.all + ",";
        secure += id + ":" + agent + ":" + dg.secure + ",";
    }
    s.actions[a].meta["digests-all"] = all;
    s.actions[a].meta["digests-secure"] = secure;
    return unchanged;
}

bool can_fence(const sched& s, node_ix n) {
    const auto& ws = s.ws;
    if (n != none && ws.nodes[n].kind == node_kind::guest) {
        rsc_ix container = guest_container(s, n);
        if (container == none) return true;
        for (node_ix host : ws.resources[container].running_on) {
            if (!ws.nodes[host].online && !can_fence(s, host)) return false;
        }
        return true;
    }
    if (!ws.options.stonith_enabled || !s.have_stonith_resource) return false;
    if (ws.options.have_quorum || ws.options.no_quorum_policy == "ignore") return true;
    if (n == none) return false;
    return ws.nodes[n].online;
}

action_ix fence_op(sched& s, node_ix n, std::string_view op, bool optional, const std::string& reason,
                   bool priority_delay) {
    std::string what = op.empty() ? s.ws.options.stonith_action : std::string(op);
    const std::string key = "stonith-" + s.ws.nodes[n].uname + "-" + what;
    action_ix a = -1;
    for (action_ix x : s.singletons) {
        if (s.actions[x].uuid == key) {
            a = x;
            break;
        }
    }
    if (a < 0) {
        a = s.custom_action(none, key, "stonith", n, true, true);
        auto& meta = s.actions[a].meta;
        meta.emplace("on_node", s.ws.nodes[n].uname);
        meta.emplace("on_node_uuid", s.ws.nodes[n].id);
        meta.emplace("stonith_action", what);
        if (s.enable_unfencing && !record_unfencing_digests(s, a, n)) optional = false;
    }
    action& act = s.actions[a];
    if (s.ws.options.priority_fencing_delay > 0 && (priority_delay || act.meta.count("priority-fencing-delay") > 0)) {
        act.meta["priority-fencing-delay"] = std::to_string(priority_fencing_delay(s, n));
    }
    if (!optional && can_fence(s, n)) {
        act.flags &= ~af_optional;
        set_action_reason(act, reason, false);
    } else if (!reason.empty() && act.reason.empty()) {
        act.reason = reason;
    }
    return a;
}

void fence_node(sched& s, node_ix n, const std::string& reason, bool priority_delay) {
    node& nd = s.ws.nodes[n];
    if (nd.kind == node_kind::guest) {
        rsc_ix container = guest_container(s, n);
        if (container != none && !(s.rs[container].flags & rf_failed) && (s.rs[container].flags & rf_managed)) {
            nd.remote_requires_reset = true;
            s.rs[container].flags |= rf_failed | rf_stop;
        }
        return;
    }
    if (nd.kind == node_kind::remote) {
        rsc_ix conn = nd.remote_rsc;
        if (conn == none || (s.rs[conn].flags & rf_managed)) nd.remote_requires_reset = true;
        nd.unclean = true;
        fence_op(s, n, "", true, reason, false);
        return;
    }
    if (nd.unclean) return;
    nd.unclean = true;
    fence_op(s, n, "", true, reason, priority_delay);
}

void order_vs_fence(sched& s, action_ix stonith) {
    for (rsc_ix r : s.resources) rsc_stonith_ordering(s, r, stonith);
}

bool node_unfenced(const sched& s, node_ix n) {
    auto it = s.ws.nodes[n].attrs.find("#node-unfenced");
    return it != s.ws.nodes[n].attrs.end() && it->second != "0";
}

void order_vs_unfence(sched& s, rsc_ix r, node_ix n, action_ix a, uint32_t order) {
    const uint64_t f = s.rs[r].flags;
    if (!(((f & rf_fence_device) && s.enable_unfencing) || (f & rf_needs_unfencing))) return;
    action_ix unfence = fence_op(s, n, "on", true, "", false);
    s.order_actions(unfence, a, order);
    if (!node_unfenced(s, n)) {
        trigger_unfencing(s, none, n, "required by " + s.ws.resources[r].id + " " + s.actions[a].task, -1);
    }
}

void fence_guest(sched& s, node_ix n) {
    rsc_ix container = guest_container(s, n);
    action_ix stop = -1;
    std::string what = "off";
    if (container != none) {
        stop = first_action_with_task(s, container, "stop");
        if (first_action_with_task(s, container, "start") >= 0) what = "reboot";
    }
    action_ix stonith = fence_op(s, n, what, false, "guest is unclean", false);
    s.actions[stonith].flags |= af_pseudo | af_runnable;
    if (stop >= 0 && (s.actions[stop].flags & af_pseudo)) {
        action_ix parent = fence_op(s, s.actions[stop].node, "", false, "", false);
        s.order_actions(parent, stonith, of_runnable_left | of_implies_then);
    } else if (stop >= 0) {
        s.order_actions(stop, stonith, of_runnable_left | of_implies_then);
    } else if (rsc_ix conn = s.ws.nodes[n].remote_rsc; conn != none) {
        action_ix conn_stop = first_action_with_task(s, conn, "stop");
        if (conn_stop >= 0) s.order_actions(conn_stop, stonith, of_optional);
    }
    order_vs_fence(s, stonith);
}

namespace {

bool any_managed(const sched& s, rsc_ix r) {
    if (s.rs[r].flags & rf_managed) return true;
    for (rsc_ix c : s.ws.resources[r].children) {
        if (any_managed(s, c)) return true;
    }
    return false;
}

}  // namespace

void schedule_fencing_and_shutdowns(sched& s) {
    bool have_managed = false;
    for (rsc_ix r : s.resources) have_managed = have_managed || any_managed(s, r);
    action_ix dc_down = -1;
    std::vector<action_ix> fencing_ops;   // newest first, like Pacemaker's prepended list
    std::vector<action_ix> shutdown_ops;  // newest first
    const bool concurrent = s.ws.options.concurrent_fencing;
    for (node_ix n : s.nodes) {
        node& nd = s.ws.nodes[n];
        if (nd.kind == node_kind::guest) {
            if (nd.remote_requires_reset && have_managed && can_fence(s, n)) fence_guest(s, n);
            continue;
        }
        action_ix fencing = -1;
        if (have_managed && nd.unclean && can_fence(s, n)) {
            fencing = fence_op(s, n, "", false, "node is unclean", false);
            order_vs_fence(s, fencing);
            if (nd.is_dc) {
                dc_down = fencing;
            } else {
                if (!concurrent && !fencing_ops.empty()) s.order_actions(fencing_ops.front(), fencing, of_optional);
                fencing_ops.insert(fencing_ops.begin(), fencing);
            }
        } else if (nd.kind == node_kind::member && nd.online && nd.shutdown) {
            action_ix down = new_shutdown_action(s, n);
            if (nd.is_dc)
                dc_down = down;
            else
                shutdown_ops.insert(shutdown_ops.begin(), down);
        }
    }
    if (dc_down >= 0) {
        if (s.actions[dc_down].task == "do_shutdown") order_after_each(s, dc_down, shutdown_ops);
        if (concurrent)
            order_after_each(s, dc_down, fencing_ops);
        else if (!fencing_ops.empty())
            s.order_actions(fencing_ops.front(), dc_down, of_optional);
    }
    for (action_ix a : s.singletons) {
        const action& act = s.actions[a];
        if (act.task == "stonith" && act.node != none && !(act.flags & af_optional))
            s.ws.nodes[act.node].fenced_in_transition = true;
    }
}

}  // namespace holdfast::policy::sched

// ---- remote connection orderings (pcmk_sched_remote.c) ----

namespace holdfast::policy::sched {

namespace {

enum class remote_state { unknown, alive, resting, failed, stopped };

remote_state remote_node_state(const sched& s, node_ix n) {
    const rsc_ix conn = s.ws.nodes[n].remote_rsc;
    const resource& res = s.ws.resources[conn];
    const node_ix host = res.running_on.empty() ? none : res.running_on.front();
    const rsc_state& st = s.rs[conn];
    if (st.next_role == role::stopped || st.allocated_to == none) {
        if (host != none && s.ws.nodes[host].unclean) return remote_state::failed;
        if (!(st.flags & rf_failed)) return remote_state::stopped;
        // A failed connection with a reconnect interval to a node already
        // fenced (and not shutting down) may recover once the interval expires
        const node& nd = s.ws.nodes[n];
        auto sd = nd.attrs.find("shutdown");
        const bool shutdown_requested = sd != nd.attrs.end() && !sd->second.empty() && sd->second != "0";
        if (res.remote_reconnect_ms > 0 && nd.remote_was_fenced && !shutdown_requested) return remote_state::unknown;
        return remote_state::failed;
    }
    if (host == none) return remote_state::unknown;
    if (s.ws.nodes[host].unclean || !s.ws.nodes[host].online) return remote_state::resting;
    if (res.running_on.size() > 1 && res.partial_migration_source != none && res.partial_migration_target != none)
        return remote_state::resting;
    return remote_state::alive;
}

// Both helpers use of_preserve so these cluster-made orderings survive the
// check against user orderings involving guest containers.
void start_then_action(sched& s, rsc_ix first, action_ix then, uint32_t extra) {
    if (first == none || then < 0) return;
    s.new_ordering(first, op_key(s.ws.resources[first].id, "start", 0), -1, s.actions[then].rsc, "", then,
                   of_preserve | of_runnable_left | extra);
}

void action_then_stop(sched& s, action_ix first, rsc_ix then, uint32_t extra) {
    if (first < 0 || then == none) return;
    s.new_ordering(s.actions[first].rsc, "", first, then, op_key(s.ws.resources[then].id, "stop", 0), -1,
                   of_preserve | extra);
}

bool is_recurring(const action& a) { return a.interval_ms > 0; }

std::string ordering_task(const action& a) {
    if (a.task == "migrate_to" || a.task == "migrate_from") return "stop";
    return a.task;
}

void apply_remote_ordering(sched& s, action_ix ai) {
    const node_ix n = s.actions[ai].node;
    const rsc_ix conn = s.ws.nodes[n].remote_rsc;
    const remote_state state = remote_node_state(s, n);
    const std::string task = ordering_task(s.actions[ai]);
    if (task == "start" || task == "promote") {
        start_then_action(s, conn, ai, state == remote_state::failed ? of_implies_then : of_none);
    } else if (task == "stop") {
        if (state == remote_state::alive) {
            action_then_stop(s, ai, conn, of_implies_first);
        } else if (state == remote_state::failed) {
            fence_node(s, n, "resources are active but connection is unrecoverable", false);
        } else if (s.rs[conn].next_role == role::stopped) {
            action_then_stop(s, ai, conn, of_implies_first);
        } else {
            start_then_action(s, conn, ai, of_none);
        }
    } else if (task == "demote") {
        if (state == remote_state::resting || state == remote_state::unknown) start_then_action(s, conn, ai, of_none);
    } else if (is_recurring(s.actions[ai])) {
        start_then_action(s, conn, ai, of_implies_then);
    } else {
        const auto& on = s.ws.resources[conn].running_on;
        if (task == "monitor" && state == remote_state::failed)
            fence_node(s, n, "resources are in unknown state and connection is unrecoverable", false);
        if (!on.empty() && state == remote_state::stopped)
            action_then_stop(s, ai, conn, of_runnable_left);
        else
            start_then_action(s, conn, ai, of_none);
    }
}

void apply_container_ordering(sched& s, action_ix ai) {
    const node_ix n = s.actions[ai].node;
    const rsc_ix conn = s.ws.nodes[n].remote_rsc;
    const rsc_ix container = s.ws.resources[conn].container;
    if (s.rs[container].flags & rf_failed) fence_node(s, n, "container failed", false);
    const std::string task = ordering_task(s.actions[ai]);
    if (task == "start" || task == "promote") {
        start_then_action(s, container, ai, of_implies_then);
        start_then_action(s, conn, ai, of_none);
    } else if (task == "stop" || task == "demote") {
        if (!(s.rs[container].flags & rf_failed)) action_then_stop(s, ai, conn, of_none);
    } else if (is_recurring(s.actions[ai])) {
        static const char* known[] = {"monitor",  "notify",  "notified",    "running", "stopped",
                                      "promoted", "demoted", "do_shutdown", "stonith", "cancel"};
        bool mapped = std::any_of(std::begin(known), std::end(known), [&](const char* k) { return task == k; });
        if (mapped) start_then_action(s, conn, ai, of_implies_then);
    } else {
        start_then_action(s, conn, ai, of_none);
    }
}

}  // namespace

bool is_failed_remote_node(const sched& s, node_ix n) {
    const node& nd = s.ws.nodes[n];
    return nd.kind == node_kind::remote && nd.remote_rsc != none && remote_node_state(s, n) == remote_state::failed;
}

void order_remote_connection_actions(sched& s) {
    bool have_remote =
        std::any_of(s.ws.nodes.begin(), s.ws.nodes.end(), [](const node& n) { return n.kind != node_kind::member; });
    if (!have_remote) return;
    for (action_ix ai = static_cast<action_ix>(s.actions.size()); ai-- > 0;) {
        const action& a = s.actions[ai];
        if (a.id < 0 || a.rsc == none) continue;
        if (s.ws.resources[a.rsc].is_remote_connection && a.task == "clear_failcount") {
            s.new_ordering(a.rsc, "", ai, a.rsc, op_key(s.ws.resources[a.rsc].id, "start", 0), -1, of_optional);
            continue;
        }
        if (a.node == none || s.ws.nodes[a.node].kind == node_kind::member || (a.flags & af_pseudo)) continue;
        const rsc_ix conn = s.ws.nodes[a.node].remote_rsc;
        if (conn == none) continue;
        if (a.task == "start") {
            const auto acts = s.rs[a.rsc].actions;
            for (auto it = acts.rbegin(); it != acts.rend(); ++it) {
                const action& other = s.actions[*it];
                if (other.node != none && other.node != s.actions[ai].node && other.task == "stop")
                    s.new_ordering(conn, op_key(s.ws.resources[conn].id, "start", 0), -1, other.rsc, "", *it,
                                   of_optional);
            }
        }
        if (s.ws.resources[conn].container != none)
            apply_container_ordering(s, ai);
        else
            apply_remote_ordering(s, ai);
    }
}

}  // namespace holdfast::policy::sched
