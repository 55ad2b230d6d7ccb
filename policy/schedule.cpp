// schedule(): the scheduler's phases in Pacemaker 2.1.5's order
// (pcmk__schedule_actions in pcmk_sched_allocate.c), over one sched kernel.
#include <cctype>
#include <string>

#include "policy/policy.hpp"
#include "policy/rules.hpp"
#include "policy/sched.hpp"

// ---- ticket constraints (pcmk_sched_tickets.c) ----

namespace holdfast::policy::sched {

namespace {

bool ticket_role_matches(const sched& s, rsc_ix r, const ticket_rule& t) {
    return t.rsc_role == role::unknown || t.rsc_role == s.rs[r].role_now;
}

void constraints_for_ticket(sched& s, rsc_ix r, const ticket_rule& t) {
    const bool granted = ticket_granted(s, t.ticket);
    const bool standby = ticket_standby(s, t.ticket);
    if (granted && !standby) return;
    const resource& res = s.ws.resources[r];
    if (!res.children.empty()) {
        for (rsc_ix c : res.children) constraints_for_ticket(s, c, t);
        return;
    }
    if (!granted && !res.running_on.empty()) {
        if (t.loss_policy == "stop") {
            resource_location(s, r, none, -score_infinity, "__loss_of_ticket__");
        } else if (t.loss_policy == "demote") {
            if (t.rsc_role != role::promoted) resource_location(s, r, none, -score_infinity, "__loss_of_ticket__");
        } else if (t.loss_policy == "fence") {
            if (!ticket_role_matches(s, r, t)) return;
            resource_location(s, r, none, -score_infinity, "__loss_of_ticket__");
            for (node_ix n : res.running_on) fence_node(s, n, "deadman ticket was lost", false);
        } else if (t.loss_policy == "freeze") {
            if (!ticket_role_matches(s, r, t)) return;
            s.rs[r].flags &= ~rf_managed;
            s.rs[r].flags |= rf_block;
        }
    } else if (!granted || standby) {
        if (t.rsc_role != role::promoted || t.loss_policy == "stop")
            resource_location(s, r, none, -score_infinity, granted ? "__ticket_standby__" : "__no_ticket__");
    }
}

void rsc_ticket_new(sched& s, const std::string& id, rsc_ix r, const std::string& ticket, const std::string& state,
                    const std::string& loss_policy) {
    ticket_rule t;
    t.id = id;
    t.ticket = ticket;
    t.rsc = r;
    t.rsc_role = (state.empty() || iequals(state, "Started")) ? role::unknown : text_to_role(state);
    std::string lp = loss_policy;
    if (iequals(lp, "fence") && !s.ws.options.stonith_enabled) lp = "stop";
    if (iequals(lp, "fence"))
        t.loss_policy = "fence";
    else if (iequals(lp, "freeze"))
        t.loss_policy = "freeze";
    else if (iequals(lp, "demote"))
        t.loss_policy = "demote";
    else if (iequals(lp, "stop"))
        t.loss_policy = "stop";
    else
        t.loss_policy = (t.rsc_role == role::promoted) ? "demote" : "stop";
    s.tickets.push_back(t);
    s.rs[r].tickets.push_back(static_cast<int>(s.tickets.size()) - 1);
    if (!ticket_granted(s, ticket) || ticket_standby(s, ticket)) constraints_for_ticket(s, r, s.tickets.back());
}

void unpack_one_ticket(sched& s, const cib::ticket_constraint& c) {
    if (c.ticket.empty()) return;
    std::vector<cib::resource_set> sets = c.sets;
    if (sets.empty() && !c.rsc.empty() && find_constraint_resource(s, c.rsc) == none) {
        // a tag or template reference becomes a set carrying rsc-role as role
        auto members = expand_tag_reference(s, c.rsc);
        if (members.empty()) return;
        cib::resource_set set;
        set.id = c.id;
        set.role = c.rsc_role;
        set.resources = members;
        sets.push_back(set);
    }
    if (!sets.empty()) {
        for (const auto& set : sets) {
            std::vector<rsc_ix> members;
            for (const auto& ref : set.resources) {
                const auto ids = expand_tag_reference(s, ref);  // templates and tags stand for their members
                if (ids.empty()) return;
                for (const auto& id : ids) {
                    rsc_ix r = find_constraint_resource(s, id);
                    if (r == none) return;
                    members.push_back(r);
                }
            }
            for (rsc_ix r : members) rsc_ticket_new(s, set.id, r, c.ticket, set.role, c.loss_policy);
        }
        return;
    }
    rsc_ix r = find_constraint_resource(s, c.rsc);
    if (r == none) return;
    rsc_ticket_new(s, c.id, r, c.ticket, c.rsc_role, c.loss_policy);
}

}  // namespace

void unpack_tickets(sched& s) {
    if (!s.ws.cib) return;
    for (const auto& c : s.ws.cib->tickets) unpack_one_ticket(s, c);
}

}  // namespace holdfast::policy::sched

namespace holdfast::policy {

namespace {

using namespace sched;

// Actions Pacemaker's status unpacking created, replayed so ids and fencing
// reasons match.
void replay_unpack_actions(policy::sched::sched& s) {
    for (const auto& ua : s.ws.unpack_actions) {
        switch (ua.what) {
            case unpack_action::kind::fence:
                if (ua.node != none && s.ws.nodes[ua.node].kind != node_kind::guest)
                    fence_op(s, ua.node, "", true, ua.reason, ua.priority_delay);
                break;
            case unpack_action::kind::stop:
                if (ua.rsc != none)
                    s.custom_action(ua.rsc, op_key(s.ws.resources[ua.rsc].id, "stop", 0), "stop", ua.node, false, true);
                break;
            case unpack_action::kind::lrm_delete:
                if (ua.rsc != none && ua.node != none)
                    s.custom_action(ua.rsc, op_key(s.ws.resources[ua.rsc].id, "lrm_delete", 0), "lrm_delete", ua.node,
                                    false, true);
                break;
            case unpack_action::kind::demote:
                if (ua.rsc != none)
                    s.custom_action(ua.rsc, op_key(s.ws.resources[ua.rsc].id, "demote", 0), "demote", ua.node, false,
                                    true);
                break;
            case unpack_action::kind::recurring:
                if (ua.rsc != none && ua.node != none)
                    s.custom_action(ua.rsc, op_key(s.ws.resources[ua.rsc].id, ua.task, ua.interval_ms), ua.task,
                                    ua.node, true, true);
                break;
            case unpack_action::kind::param_check:
                if (ua.rsc != none && ua.node != none && ua.op && history_params_changed(s, ua.rsc, ua.node, *ua.op))
                    clear_failcount_action(s, ua.rsc, ua.node, "resource parameters have changed");
                break;
            case unpack_action::kind::ban:
                if (ua.rsc != none) resource_location(s, ua.rsc, ua.node, -score_infinity, ua.reason);
                break;
            case unpack_action::kind::clear_failcount:
                if (ua.rsc != none && ua.node != none) {
                    action_ix clear = clear_failcount_action(s, ua.rsc, ua.node, ua.reason);
                    auto remote = s.ws.node_by_uname.find(s.ws.resources[ua.rsc].id);
                    if (ua.after_remote_fencing && remote != s.ws.node_by_uname.end()) {
                        action_ix fence = fence_op(s, remote->second, "", true, "", false);
                        s.order_actions(fence, clear, of_implies_then);
                    }
                }
                break;
        }
    }
}

bool option_true(const working_set& ws, const char* name, bool fallback) {
    auto it = ws.options.raw.find(name);
    if (it == ws.options.raw.end()) return fallback;
    const std::string& v = it->second;
    if (v == "true" || v == "yes" || v == "on" || v == "1" || v == "y" || v == "TRUE" || v == "True") return true;
    if (v == "false" || v == "no" || v == "off" || v == "0" || v == "n" || v == "FALSE" || v == "False") return false;
    return fallback;
}

// clear_failcounts_if_orphaned: an orphan's failures are cleared on every
// online node, before it is stopped
void clear_orphan_failcounts(policy::sched::sched& s) {
    for (rsc_ix r : s.resources) {
        const resource& res = s.ws.resources[r];
        if (!res.orphan) continue;
        for (node_ix n : s.nodes) {
            if (!s.ws.nodes[n].online) continue;
            auto fc = res.fail_count.find(n);
            if (fc == res.fail_count.end() || fc->second == 0) continue;
            action_ix clear = clear_failcount_action(s, r, n, "it is orphaned");
            s.new_ordering(s.actions[clear].rsc, "", clear, r, op_key(res.id, "stop", 0), -1, of_optional);
        }
    }
}

void schedule_resource_actions(policy::sched::sched& s) {
    if (option_true(s.ws, "enable-startup-probes", true)) schedule_probes(s);
    if (s.ws.options.stop_orphan_resources) clear_orphan_failcounts(s);
    for (rsc_ix r : s.resources) create_actions(s, r);
}

void annotate(policy::sched::sched& s) {
    for (size_t r = 0; r < s.rs.size(); ++r) {
        s.ws.resources[r].next_role = s.rs[r].next_role;
        s.ws.resources[r].allocated_to = s.rs[r].allocated_to;
    }
}

std::string config_value(const working_set& ws, const char* name, const char* fallback) {
    auto it = ws.options.raw.find(name);
    return it == ws.options.raw.end() ? fallback : it->second;
}

// A "#health*" attribute's score under the strategy: colours map to the
// strategy's scores, anything else is a plain score
int health_value(const working_set& ws, const std::string& strategy, const std::string& value) {
    auto colour_score = [&](const char* colour) {
        if (strategy == "migrate-on-red") return std::string(colour) == "red" ? -score_infinity : 0;
        if (strategy == "only-green") return std::string(colour) == "green" ? 0 : -score_infinity;
        std::string opt = std::string("node-health-") + colour;
        return char2score(config_value(ws, opt.c_str(), std::string(colour) == "red" ? "-INFINITY" : "0"));
    };
    std::string lower;
    for (char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "red" || lower == "yellow" || lower == "green") return colour_score(lower.c_str());
    return char2score(value);
}

// pcmk__apply_node_health: each node's summed health becomes a location
// score for every resource (negative ones spare allow-unhealthy-nodes)
void apply_node_health(policy::sched::sched& s) {
    std::string strategy = config_value(s.ws, "node-health-strategy", "none");
    for (auto& c : strategy) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (strategy != "migrate-on-red" && strategy != "only-green" && strategy != "progressive" && strategy != "custom")
        return;
    int base = strategy == "progressive" ? char2score(config_value(s.ws, "node-health-base", "0")) : 0;
    for (node_ix n : s.nodes) {
        int health = base;
        for (const auto& [name, value] : s.ws.nodes[n].attrs) {
            if (name.rfind("#health", 0) == 0) health = add_scores(health_value(s.ws, strategy, value), health);
        }
        if (health == 0) continue;
        for (rsc_ix r : s.resources) {
            bool constrain = true;
            if (health < 0) {
                auto it = s.ws.resources[r].meta.find("allow-unhealthy-nodes");
                constrain = !(it != s.ws.resources[r].meta.end() &&
                              (it->second == "true" || it->second == "yes" || it->second == "on" || it->second == "1"));
            }
            if (constrain) new_location(s, config_value(s.ws, "node-health-strategy", "none"), r, health, "", n);
        }
    }
}

}  // namespace

schedule_result schedule(working_set& ws) {
    policy::sched::sched s(ws);
    replay_unpack_actions(s);
    apply_node_health(s);
    unpack_orderings(s);
    unpack_colocations(s);
    unpack_locations(s);
    unpack_tickets(s);
    apply_node_criteria(s);
    for (rsc_ix r : s.resources) internal_constraints(s, r);
    handle_rsc_config_changes(s);
    allocate_resources(s);
    schedule_resource_actions(s);
    // Remote orderings can mark nodes for fencing, so they come first
    order_remote_connection_actions(s);
    schedule_fencing_and_shutdowns(s);
    apply_orderings(s);

    schedule_result result;
    output_actions(s, result.summary);
    create_graph(s);
    result.graph = std::move(s.graph);
    result.scores = std::move(s.score_lines);
    result.trace = take_trace(s);
    annotate(s);
    result.recheck_by = ws.recheck_by;
    return result;
}

std::string format_scores(const schedule_result& r) {
    std::string out = "Allocation scores:\n";
    for (const auto& line : r.scores) out += line + "\n";
    return out;
}

}  // namespace holdfast::policy
