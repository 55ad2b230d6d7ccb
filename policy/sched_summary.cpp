// The Transition Summary: one line per node action (fencing, shutdown) and
// per resource change, worded and laid out as crm_simulate does
// (pcmk__output_actions, rsc_action_default and rsc_action_item in
// Pacemaker 2.1.5's pcmk_sched_actions.c and pcmk_output.c).
#include <cstdio>
#include <utility>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

// rsc_action_item keeps its column widths across calls, growing as needed.
struct item_writer {
    sched& s;
    std::vector<summary_line>& out;
    size_t rsc_width = 5;
    size_t detail_width = 5;

    const std::string& name(node_ix n) const { return s.ws.nodes[n].uname; }

    std::string details(rsc_ix r, node_ix origin, node_ix destination) const {
        const rsc_state& st = s.rs[r];
        const bool need_role = st.role_now > role::started || st.next_role > role::unpromoted;
        const bool same_host = origin != none && destination != none && origin == destination;
        const bool same_role = st.role_now == st.next_role;
        const std::string now = to_string(st.role_now), next = to_string(st.next_role);
        if (need_role && origin == none) return now + " -> " + next + " " + name(destination);
        if (origin == none) return name(destination);
        if (need_role && destination == none) return now + " " + name(origin);
        if (destination == none) return name(origin);
        if (need_role && same_role && same_host) return now + " " + name(origin);
        if (same_role && same_host) return name(origin);
        if (need_role && same_role) return name(origin) + " -> " + name(destination) + " " + now;
        if (same_role) return name(origin) + " -> " + name(destination);
        if (same_host) return now + " -> " + next + " " + name(origin);
        return now + " " + name(origin) + " -> " + next + " " + name(destination);
    }

    void item(const char* change, rsc_ix r, node_ix origin, node_ix destination, action_ix a, action_ix source) {
        if (source < 0) source = a;
        const std::string& id = s.ws.resources[r].id;
        if (id.size() > rsc_width) rsc_width = id.size() + 2;
        std::string d = details(r, origin, destination);
        if (d.size() > detail_width) detail_width = d.size();
        std::string reason;
        const bool runnable = a >= 0 && (s.actions[a].flags & af_runnable);
        const std::string* why = source >= 0 && !s.actions[source].reason.empty() ? &s.actions[source].reason : nullptr;
        summary_line l;
        l.change = change;
        l.resource = id;
        l.from = origin == none ? "" : name(origin);
        l.to = destination == none ? "" : name(destination);
        l.role_from = to_string(s.rs[r].role_now);
        l.role_to = to_string(s.rs[r].next_role);
        l.reason = why ? *why : "";
        l.blocked = !runnable;
        if (why && !runnable)
            reason = "due to " + *why + " (blocked)";
        else if (why)
            reason = "due to " + *why;
        else if (!runnable)
            reason = "blocked";
        char buf[64];
        std::snprintf(buf, sizeof buf, "%-8s   ", change);
        std::string line = buf + id + std::string(rsc_width > id.size() ? rsc_width - id.size() : 0, ' ') + "   ( " +
                           std::string(detail_width > d.size() ? detail_width - d.size() : 0, ' ') + d + " )";
        if (!reason.empty()) line += "  " + reason;
        l.text = std::move(line);
        out.push_back(std::move(l));
    }
};

action_ix first_of(const std::vector<action_ix>& v) { return v.empty() ? -1 : v.front(); }

void stop_lines(item_writer& w, rsc_ix r, action_ix start) {
    sched& s = w.s;
    const std::string key = op_key(s.ws.resources[r].id, "stop", 0);
    for (node_ix n : s.ws.resources[r].running_on) {
        action_ix stop = first_of(s.find_actions(r, key, n));
        action_ix source = (stop >= 0 && !s.actions[stop].reason.empty()) ? stop : start;
        w.item("Stop", r, n, none, stop, source);
    }
}

// rsc_action_default for one primitive
void primitive_summary(item_writer& w, rsc_ix r, node_ix current, node_ix next) {
    sched& s = w.s;
    rsc_state& st = s.rs[r];
    if (!(st.flags & rf_managed) || (current == none && next == none)) return;
    const bool moving = current != none && next != none && current != next;
    action_ix start = first_of(resource_actions(s, r, next, "start", false));
    node_ix start_node = (start < 0 || !(s.actions[start].flags & af_runnable)) ? none : current;
    action_ix stop = first_of(resource_actions(s, r, start_node, "stop", false));
    if (stop < 0 && (st.flags & rf_stop_unexpected)) stop = first_of(resource_actions(s, r, none, "stop", false));
    action_ix promote = first_of(resource_actions(s, r, next, "promote", false));
    action_ix demote = first_of(resource_actions(s, r, next, "demote", false));
    auto optional = [&](action_ix a) { return a < 0 || (s.actions[a].flags & af_optional); };
    auto runnable = [&](action_ix a) { return a >= 0 && (s.actions[a].flags & af_runnable); };

    if (st.role_now == st.next_role) {
        if (next == none) return;
        action_ix migrate = first_of(resource_actions(s, r, next, "migrate_from", false));
        if (migrate >= 0 && current != none && runnable(migrate)) {
            w.item("Migrate", r, current, next, start, -1);
        } else if (st.flags & rf_reload) {
            w.item("Reload", r, current, next, start, -1);
        } else if (start < 0 || optional(start)) {
            if (demote >= 0 && promote >= 0 && !optional(demote) && !optional(promote))
                w.item("Re-promote", r, current, next, promote, demote);
        } else if (!runnable(start)) {
            w.item("Stop", r, current, none, stop, (stop >= 0 && !s.actions[stop].reason.empty()) ? stop : start);
        } else if (moving && current != none) {
            w.item((st.flags & rf_failed) ? "Recover" : "Move", r, current, next, stop, -1);
        } else if (st.flags & rf_failed) {
            w.item("Recover", r, current, none, stop, -1);
        } else {
            w.item("Restart", r, current, next, start, -1);
        }
        return;
    }
    if (stop >= 0 && (st.next_role == role::stopped || (start >= 0 && !runnable(start)))) {
        stop_lines(w, r, start);
    } else if (stop >= 0 && (st.flags & rf_failed) && (st.flags & rf_stop)) {
        w.item("Recover", r, current, next, stop, start);
    } else if (moving) {
        w.item("Move", r, current, next, stop, -1);
    } else if (st.flags & rf_reload) {
        w.item("Reload", r, current, next, start, -1);
    } else if (stop >= 0 && !optional(stop)) {
        w.item("Restart", r, current, next, start, -1);
    } else if (st.role_now == role::promoted) {
        w.item("Demote", r, current, next, demote, -1);
    } else if (st.next_role == role::promoted) {
        w.item("Promote", r, current, next, promote, -1);
    } else if (st.role_now == role::stopped && st.next_role > role::stopped) {
        w.item("Start", r, current, next, start, -1);
    }
}

void resource_summary(item_writer& w, rsc_ix r) {
    sched& s = w.s;
    const resource& res = s.ws.resources[r];
    if (!res.children.empty()) {
        for (rsc_ix c : res.children) resource_summary(w, c);
        return;
    }
    node_ix next = s.rs[r].allocated_to;
    node_ix current = none;
    if (!res.running_on.empty()) {
        unsigned all = 0, clean = 0;
        current = find_active_on(s, r, all, clean);
        if (s.rs[r].role_now == role::stopped) s.rs[r].role_now = role::started;
    }
    if (current == none && res.orphan) return;
    primitive_summary(w, r, current, next);
}

}  // namespace

void output_actions(sched& s, std::vector<summary_line>& out) {
    for (size_t i = s.actions.size(); i-- > 0;) {
        const action& a = s.actions[i];
        if (a.id < 0 || a.rsc != none || (a.flags & af_optional)) continue;
        std::string task;
        summary_line l;
        if (a.task == "do_shutdown") {
            task = l.change = "Shutdown";
        } else if (a.task == "stonith") {
            auto op = a.meta.find("stonith_action");
            l.change = "Fence";
            l.fence_op = op == a.meta.end() ? std::string("reboot") : op->second;
            task = "Fence (" + l.fence_op + ")";
        } else {
            continue;
        }
        if (a.reason.empty() || a.node == none) continue;
        std::string node_name = s.ws.nodes[a.node].uname;
        l.node = node_name;
        l.reason = a.reason;
        const node& nd = s.ws.nodes[a.node];
        if (nd.kind == node_kind::guest && nd.remote_rsc != none) {
            rsc_ix container = s.ws.resources[nd.remote_rsc].container;
            if (container != none) node_name += " (resource: " + s.ws.resources[container].id + ")";
        }
        l.text = task + " " + node_name + " '" + a.reason + "'";
        out.push_back(std::move(l));
    }
    // crm_simulate lists the actions twice (to its log, then to the screen) and
    // rsc_action_item's column widths carry over, so the printed pass is
    // aligned to every line of the first.
    std::vector<summary_line> first_pass;
    item_writer sizing{s, first_pass};
    for (rsc_ix r : s.resources) resource_summary(sizing, r);
    item_writer w{s, out, sizing.rsc_width, sizing.detail_width};
    for (rsc_ix r : s.resources) resource_summary(w, r);
}

}  // namespace holdfast::policy::sched
