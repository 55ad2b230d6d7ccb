// Assigning resources to nodes: node ordering, the primitive assignment
// algorithm and its bookkeeping (Pacemaker 2.1.5's pcmk_sched_nodes.c,
// pcmk__primitive_assign, pcmk__finalize_assignment, allocate_resources()).
#include <algorithm>
#include <cctype>
#include <cstring>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {

bool node_available(const sched& s, node_ix n) {
    if (n == none) return false;
    const node& nd = s.ws.nodes[n];
    return nd.online && !nd.shutdown && !nd.unclean && !nd.standby && !nd.maintenance;
}

namespace {

bool node_usable(const sched& s, rsc_ix r, node_ix n) {
    int w = s.rs[r].allowed[n];
    return node_available(s, n) && w != not_allowed && w >= 0;
}

// sorted_allowed_nodes(): r's allowed nodes, best first (pcmk__sort_nodes)
std::vector<node_ix> sorted_allowed_nodes(const sched& s, rsc_ix r) {
    const auto& allowed = s.rs[r].allowed;
    const auto& running = s.ws.resources[r].running_on;
    const node_ix active = running.empty() ? none : running.front();
    std::vector<node_ix> nodes;
    for (node_ix n = 0; n < static_cast<node_ix>(allowed.size()); ++n)
        if (allowed[n] != not_allowed) nodes.push_back(n);
    sort_nodes(s, nodes, allowed, active);
    return nodes;
}

bool assign_best_node(sched& s, rsc_ix r, node_ix prefer) {
    const node_ix most_free = ban_insufficient_capacity(s, r);
    if (prefer == none) prefer = most_free;
    rsc_state& st = s.rs[r];
    if (!(st.flags & rf_provisional)) return st.allocated_to != none;
    std::vector<node_ix> nodes = sorted_allowed_nodes(s, r);
    node_ix best = nodes.empty() ? none : nodes.front();
    node_ix chosen = none;
    if (prefer != none && best != none && st.allowed[prefer] != not_allowed) {
        if (st.allowed[prefer] >= st.allowed[best] && node_usable(s, r, prefer)) chosen = prefer;
    }
    if (chosen == none && best != none) {
        chosen = best;
        rsc_ix parent = s.ws.resources[r].parent;
        const bool unique_instance =
            parent != none && s.ws.resources[parent].variant == rsc_variant::clone && (s.rs[parent].flags & rf_unique);
        const auto& running = s.ws.resources[r].running_on;
        if (!unique_instance && st.allowed[chosen] > 0 && node_available(s, chosen) && !running.empty()) {
            node_ix current = running.front();
            if (node_usable(s, r, current)) {
                for (size_t i = 1; i < nodes.size() && st.allowed[nodes[i]] == st.allowed[chosen]; ++i)
                    if (nodes[i] == current) chosen = current;
            }
        }
    }
    return finalize_assignment(s, r, chosen, false);
}

void log_scores(sched& s, rsc_ix r, const char* where) {
    if (s.rs[r].flags & rf_orphan) return;  // pe__show_node_weights skips orphans
    for (node_ix n : s.nodes) {
        int w = s.rs[r].allowed[n];
        if (w == not_allowed) continue;
        std::string score = w >= score_infinity ? "INFINITY" : w <= -score_infinity ? "-INFINITY" : std::to_string(w);
        s.score_lines.push_back(std::string(where) + ": " + s.ws.resources[r].id + " allocation score on " +
                                s.ws.nodes[n].uname + ": " + score);
    }
}

bool any_available(const sched& s, const std::vector<int>& allowed) {
    for (node_ix n = 0; n < static_cast<node_ix>(allowed.size()); ++n)
        if (allowed[n] != not_allowed && allowed[n] >= 0 && node_available(s, n)) return true;
    return false;
}

// Apply the colocations r depends on, assigning each primary first.
void apply_this_with(sched& s, rsc_ix r) {
    for (int ci : std::vector<int>(s.rs[r].this_with)) {
        const colocation c = s.colocations[ci];
        std::vector<int> archive;
        const bool may_revert = c.dependent_role >= role::promoted || (c.score < 0 && c.score > -score_infinity);
        if (may_revert) archive = s.rs[r].allowed;
        assign(s, c.primary, none);
        const std::vector<int> before = s.rs[r].allowed;  // the primary's assignment may change r's scores
        apply_coloc_score(s, r, c.primary, c);
        if (may_revert && !any_available(s, s.rs[r].allowed)) s.rs[r].allowed = std::move(archive);
        note_score_diff(s, r, before, score_source::colocation, c.id, c.primary);
    }
}

void apply_with_this(sched& s, rsc_ix r) {
    for (int ci : std::vector<int>(s.rs[r].with_this)) {
        const colocation c = s.colocations[ci];
        if (!c.influence) continue;
        const std::vector<int> before = s.rs[r].allowed;
        add_colocated_node_scores(s, c.dependent, s.rs[r].allowed, c.node_attribute,
                                  static_cast<float>(c.score) / score_infinity, false);
        note_score_diff(s, r, before, score_source::attracted, c.id, c.dependent);
    }
}

// A remote node is online for placement once its connection is assigned
// somewhere (and will not be stopped); otherwise it is shutting down.
void remote_connection_assigned(sched& s, rsc_ix conn) {
    auto it = s.ws.node_by_id.find(s.ws.resources[conn].id);
    if (it == s.ws.node_by_id.end()) return;
    node& nd = s.ws.nodes[it->second];
    const rsc_state& st = s.rs[conn];
    if (st.allocated_to != none && st.next_role != role::stopped) {
        nd.online = true;
        if (nd.unseen) nd.unclean = false;  // no need to fence: a connection will be attempted
    } else {
        nd.shutdown = true;
    }
}

}  // namespace

bool finalize_assignment(sched& s, rsc_ix r, node_ix chosen, bool force) {
    rsc_state& st = s.rs[r];
    if (!force && chosen != none) {
        if (st.allowed[chosen] < 0 || !node_usable(s, r, chosen)) {
            st.next_role = role::stopped;
            chosen = none;
        }
    }
    if (st.allocated_to != none) {
        --s.num_resources[st.allocated_to];
        release_capacity(s, st.allocated_to, r);
    }
    st.allocated_to = none;
    st.flags &= ~rf_provisional;
    if (chosen == none) {
        st.next_role = role::stopped;
        for (action_ix a : st.actions) {
            action& act = s.actions[a];
            if (act.task == "stop") {
                act.flags &= ~af_optional;
            } else if (act.task == "start") {
                act.flags &= ~af_runnable;
            } else if (act.interval_ms != 0) {
                auto rc = act.meta.find("op_target_rc");
                if (rc == act.meta.end() || rc->second != "7") act.flags &= ~af_runnable;
            }
        }
        return false;
    }
    st.allocated_to = chosen;
    ++s.num_resources[chosen];
    consume_capacity(s, chosen, r);
    return true;
}

node_ix primitive_assign(sched& s, rsc_ix r, node_ix prefer) {
    rsc_ix parent = s.ws.resources[r].parent;
    if (parent != none && !(s.rs[parent].flags & rf_allocating)) assign(s, parent, prefer);
    rsc_state& st = s.rs[r];
    if (!(st.flags & rf_provisional)) return st.allocated_to;
    if (st.flags & rf_allocating) return none;  // an assignment loop
    st.flags |= rf_allocating;
    apply_this_with(s, r);
    apply_with_this(s, r);
    log_scores(s, r, "pcmk__primitive_assign");
    if (st.next_role == role::stopped) {
        resource_location(s, r, none, -score_infinity, "target-role");
    } else if (st.next_role > st.role_now && !s.ws.options.have_quorum && s.ws.options.no_quorum_policy == "freeze") {
        st.next_role = st.role_now;
    }
    if (s.ws.options.stonith_enabled && !s.have_stonith_resource) st.flags &= ~rf_managed;
    const auto& running = s.ws.resources[r].running_on;
    if (!(st.flags & rf_managed)) {
        st.next_role = st.role_now;
        finalize_assignment(s, r, running.empty() ? none : running.front(), true);
    } else if (s.ws.options.stop_all_resources) {
        finalize_assignment(s, r, none, true);
    } else if (st.flags & rf_provisional) {
        assign_best_node(s, r, prefer);
    }
    st.flags &= ~rf_allocating;
    if (s.ws.resources[r].is_remote_connection) remote_connection_assigned(s, r);
    return st.allocated_to;
}

void apply_coloc_score(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c) {
    if (s.ws.resources[dependent].variant == rsc_variant::group) {
        group_apply_coloc_score(s, dependent, primary, c);
        return;
    }
    apply_coloc_with_primary(s, dependent, primary, c);
}

void apply_coloc_with_primary(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c) {
    switch (s.ws.resources[primary].variant) {
        case rsc_variant::primitive:
            if (colocation_affects_role(s, dependent, primary, c))
                apply_coloc_to_priority(s, dependent, primary, c);
            else if (colocation_affects_location(s, dependent, primary, c))
                apply_coloc_to_scores(s, dependent, primary, c);
            return;
        case rsc_variant::group: {
            // Colocating with a group means with its last member (mandatory) or first
            const auto& members = s.ws.resources[primary].children;
            if ((s.rs[primary].flags & rf_provisional) || members.empty()) return;
            apply_coloc_with_primary(s, dependent, c.score >= score_infinity ? members.back() : members.front(), c);
            return;
        }
        case rsc_variant::clone: clone_apply_coloc_as_primary(s, dependent, primary, c); return;
        default: unsupported_collective(s, primary);
    }
}

node_ix assign(sched& s, rsc_ix r, node_ix prefer) {
    switch (s.ws.resources[r].variant) {
        case rsc_variant::primitive: return primitive_assign(s, r, prefer);
        case rsc_variant::group: return group_assign(s, r, prefer);
        case rsc_variant::clone: return clone_assign(s, r, prefer);
        case rsc_variant::bundle: break;
    }
    unsupported_collective(s, r);
}

void allocate_resources(sched& s) {
    s.num_resources.assign(s.ws.nodes.size(), 0);
    s.capacity.clear();
    for (const node& n : s.ws.nodes) s.capacity.push_back(n.utilization);
    if (uses_utilization(s)) sort_resources_for_placement(s);
    for (rsc_ix r : s.resources)
        if (s.ws.resources[r].is_remote_connection) assign(s, r, s.ws.resources[r].partial_migration_target);
    for (rsc_ix r : s.resources)
        if (!s.ws.resources[r].is_remote_connection) assign(s, r, none);
}

}  // namespace holdfast::policy::sched
