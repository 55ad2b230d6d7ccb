// Utilization-based placement: node capacities, capacity bans, node and
// resource ordering for the placement strategies, and the load_stopped
// pseudo actions that make starts wait for stops freeing capacity
// (Pacemaker 2.1.5's pcmk_sched_utilization.c, compare_nodes() in
// pcmk_sched_nodes.c, cmp_resources() in pcmk_sched_resource.c and the
// colocated_resources / add_utilization resource methods).
#include <algorithm>
#include <cstdint>
#include <functional>

#include "policy/glib_sort.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

using utilization = std::map<std::string, int>;

int value_or_zero(const utilization& u, const std::string& key) {
    auto it = u.find(key);
    return it == u.end() ? 0 : it->second;
}

int saturate(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX)); }

const utilization& node_capacity(const sched& s, node_ix n) {
    static const utilization empty;
    if (n < 0) return empty;
    if (static_cast<size_t>(n) < s.capacity.size()) return s.capacity[n];
    return s.ws.nodes[n].utilization;
}

bool have_enough_capacity(const sched& s, node_ix n, const utilization& required) {
    const utilization& cap = node_capacity(s, n);
    for (const auto& [key, amount] : required)
        if (amount > value_or_zero(cap, key)) return false;
    return true;
}

bool is_clone(const sched& s, rsc_ix r) { return r != none && s.ws.resources[r].variant == rsc_variant::clone; }

bool group_colocated(const sched& s, rsc_ix g) {
    auto it = s.ws.resources[g].meta.find("collocated");
    return it == s.ws.resources[g].meta.end() || text_is_true(it->second);
}

bool contains(const std::vector<rsc_ix>& list, rsc_ix r) {
    return std::find(list.begin(), list.end(), r) != list.end();
}

// pcmk__colocation_affects(..., preview=true) == pcmk__coloc_affects_location
bool affects_location_preview(const sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c) {
    const rsc_state& d = s.rs[dependent];
    const rsc_state& p = s.rs[primary];
    const rsc_ix parent = s.ws.resources[dependent].parent;
    if (c.dependent_role >= role::unpromoted && parent != none && (s.rs[parent].flags & rf_promotable) &&
        !(d.flags & rf_provisional))
        return false;  // affects the role instead
    if (c.score > 0 && c.dependent_role != role::unknown && c.dependent_role != d.next_role) return false;
    if (c.score > 0 && c.primary_role != role::unknown && c.primary_role != p.next_role) return false;
    if (c.score < 0 && c.dependent_role != role::unknown && c.dependent_role == d.next_role) return false;
    if (c.score < 0 && c.primary_role != role::unknown && c.primary_role == p.next_role) return false;
    return true;
}

void colocated_resources(const sched& s, rsc_ix r, rsc_ix orig, std::vector<rsc_ix>& list);

// pcmk__colocated_resources: r and everything mandatorily colocated with it
void shared_colocated_resources(const sched& s, rsc_ix r, rsc_ix orig, std::vector<rsc_ix>& list) {
    if (contains(list, r)) return;
    list.push_back(r);
    for (int ci : s.rs[r].this_with) {
        const colocation& c = s.colocations[ci];
        if (c.primary == orig) continue;  // a loop
        if (c.score >= score_infinity && affects_location_preview(s, r, c.primary, c))
            colocated_resources(s, c.primary, orig, list);
    }
    for (int ci : s.rs[r].with_this) {
        const colocation& c = s.colocations[ci];
        if (c.dependent == orig) continue;
        // whether a non-clone dependent of a clone lands with any instance is unknown
        if (is_clone(s, r) && !is_clone(s, c.dependent)) continue;
        if (c.score >= score_infinity && affects_location_preview(s, c.dependent, r, c))
            colocated_resources(s, c.dependent, orig, list);
    }
}

// rsc->cmds->colocated_resources
void colocated_resources(const sched& s, rsc_ix r, rsc_ix orig, std::vector<rsc_ix>& list) {
    if (orig == none) orig = r;
    const resource& res = s.ws.resources[r];
    if (res.variant == rsc_variant::group) {
        // a colocated (or cloned) group brings every member's chain, else the first's
        if (group_colocated(s, r) || is_clone(s, res.parent)) {
            for (rsc_ix m : res.children) colocated_resources(s, m, orig, list);
        } else if (!res.children.empty()) {
            colocated_resources(s, res.children.front(), orig, list);
        }
    }
    shared_colocated_resources(s, r, orig, list);
}

// rsc->cmds->add_utilization: what r (still to be assigned) adds to a colocated sum
void add_utilization(const sched& s, rsc_ix r, const std::vector<rsc_ix>& all, utilization& sum) {
    if (!(s.rs[r].flags & rf_provisional)) return;
    const resource& res = s.ws.resources[r];
    auto add_member = [&](rsc_ix m) {
        if ((s.rs[m].flags & rf_provisional) && !contains(all, m)) add_utilization(s, m, all, sum);
    };
    switch (res.variant) {
        case rsc_variant::primitive:
            for (const auto& [key, amount] : res.utilization)
                sum[key] = saturate(int64_t{value_or_zero(sum, key)} + amount);
            return;
        case rsc_variant::group:
            // members of a colocated group share a node, so they all count
            if (group_colocated(s, r) || is_clone(s, res.parent)) {
                for (rsc_ix m : res.children) add_member(m);
            } else if (!res.children.empty()) {
                add_member(res.children.front());
            }
            return;
        case rsc_variant::clone: {
            bool existing = false;
            for (rsc_ix child : res.children) {
                if (contains(all, child)) {
                    existing = true;
                    continue;
                }
                for (rsc_ix m : s.ws.resources[child].children) {
                    if (contains(all, m)) {
                        // a cloned group: the instance's sum, not the member's
                        add_utilization(s, child, all, sum);
                        existing = true;
                        break;
                    }
                }
            }
            if (!existing && !res.children.empty()) add_utilization(s, res.children.front(), all, sum);
            return;
        }
        case rsc_variant::bundle: return;
    }
}

bool usable(const sched& s, rsc_ix r, node_ix n) {
    const int w = s.rs[r].allowed[n];
    return w != not_allowed && w >= 0 && node_available(s, n);
}

void ban_where_insufficient(sched& s, rsc_ix r, const utilization& required) {
    for (node_ix n : s.nodes) {
        if (usable(s, r, n) && !have_enough_capacity(s, n, required))
            resource_location(s, r, n, -score_infinity, "__limit_utilization__");
    }
}

node_ix current_node(const sched& s, rsc_ix r) {
    std::vector<node_ix> all;
    rsc_location(s, r, true, &all);
    return all.empty() ? none : all.front();
}

// pcmk__add_colocated_node_scores(r, NULL table, factor 1, this_with): r's own
// allowed scores (a group's last member's) plus what r depends on
bool own_colocated_scores(sched& s, rsc_ix r, std::vector<int>& out) {
    rsc_state& st = s.rs[r];
    if (st.flags & rf_merging) return false;
    st.flags |= rf_merging;
    const resource& res = s.ws.resources[r];
    std::vector<int> work;
    bool have = true;
    if (res.variant == rsc_variant::group) {
        have = !res.children.empty() && own_colocated_scores(s, res.children.back(), work);
    } else {
        work = st.allowed;
    }
    if (have) {
        bool any = false;
        for (node_ix n = 0; n < static_cast<node_ix>(work.size()); ++n)
            any = any || (work[n] != not_allowed && work[n] >= 0 && node_available(s, n));
        if (any) {
            for (int ci : std::vector<int>(st.this_with)) {
                const colocation c = s.colocations[ci];
                add_colocated_node_scores(s, c.primary, work, c.node_attribute,
                                          static_cast<float>(c.score) / score_infinity, true);
            }
        }
        out = std::move(work);
    }
    st.flags &= ~rf_merging;
    return have;
}

int weight_on(const std::vector<int>& scores, node_ix n) {
    if (n == none || static_cast<size_t>(n) >= scores.size() || scores[n] == not_allowed) return -score_infinity;
    return scores[n];
}

// cmp_resources(): < 0 if a should be assigned before b
int compare_resources(sched& s, rsc_ix a, rsc_ix b, const std::vector<node_ix>& nodes) {
    const int pa = s.ws.resources[a].priority, pb = s.ws.resources[b].priority;
    if (pa != pb) return pa > pb ? -1 : 1;
    std::vector<int> sa, sb;
    own_colocated_scores(s, a, sa);
    own_colocated_scores(s, b, sb);
    const int wa = weight_on(sa, current_node(s, a)), wb = weight_on(sb, current_node(s, b));
    if (wa != wb) return wa > wb ? -1 : 1;
    for (node_ix n : nodes) {
        const int x = weight_on(sa, n), y = weight_on(sb, n);
        if (x != y) return x > y ? -1 : 1;
    }
    return 0;
}

}  // namespace

bool uses_utilization(const sched& s) { return !iequals(s.ws.options.placement_strategy, "default"); }

int compare_node_capacities(const sched& s, node_ix a, node_ix b) {
    const utilization& ua = node_capacity(s, a);
    const utilization& ub = node_capacity(s, b);
    int result = 0;
    auto tally = [&](int x, int y) { result += x > y ? -1 : (x < y ? 1 : 0); };
    for (const auto& [key, amount] : ua) tally(amount, value_or_zero(ub, key));
    for (const auto& [key, amount] : ub)
        if (!ua.count(key)) tally(0, amount);
    return result;
}

void consume_capacity(sched& s, node_ix n, rsc_ix r) {
    if (n < 0 || static_cast<size_t>(n) >= s.capacity.size()) return;
    utilization& cap = s.capacity[n];
    for (const auto& [key, amount] : s.ws.resources[r].utilization) {
        auto it = cap.find(key);
        cap[key] = it == cap.end() ? 0 : saturate(int64_t{it->second} - amount);
    }
}

void release_capacity(sched& s, node_ix n, rsc_ix r) {
    if (n < 0 || static_cast<size_t>(n) >= s.capacity.size()) return;
    utilization& cap = s.capacity[n];
    for (const auto& [key, amount] : s.ws.resources[r].utilization)
        cap[key] = saturate(int64_t{value_or_zero(cap, key)} + amount);
}

node_ix ban_insufficient_capacity(sched& s, rsc_ix r) {
    if (!uses_utilization(s)) return none;
    std::vector<rsc_ix> colocated;
    colocated_resources(s, r, none, colocated);
    if (!contains(colocated, r)) colocated.push_back(r);
    utilization unassigned;
    for (rsc_ix c : colocated) add_utilization(s, c, colocated, unassigned);

    bool any_capable = false;
    node_ix most_capable = none;
    for (node_ix n : s.nodes) {
        if (!usable(s, r, n)) continue;
        if (have_enough_capacity(s, n, unassigned)) any_capable = true;
        if (most_capable == none || compare_node_capacities(s, n, most_capable) < 0) most_capable = n;
    }
    if (any_capable) {
        ban_where_insufficient(s, r, unassigned);
        return none;
    }
    ban_where_insufficient(s, r, s.ws.resources[r].utilization);
    return most_capable;
}

void create_utilization_constraints(sched& s, rsc_ix r) {
    const resource& res = s.ws.resources[r];
    if (res.utilization.empty() || !uses_utilization(s)) return;
    auto load_stopped = [&](node_ix n) {
        action_ix a = get_pseudo_op(s, "load_stopped_" + s.ws.nodes[n].uname);
        if (s.actions[a].node == none) {
            s.actions[a].node = n;
            s.actions[a].flags &= ~af_optional;
        }
        return a;
    };
    for (node_ix n : std::vector<node_ix>(res.running_on))
        s.new_ordering(r, op_key(res.id, "stop", 0), -1, none, "", load_stopped(n), of_load);
    for (node_ix n : s.nodes) {
        if (s.rs[r].allowed[n] == not_allowed) continue;
        const action_ix a = load_stopped(n);
        s.new_ordering(none, "", a, r, op_key(res.id, "start", 0), -1, of_load);
        s.new_ordering(none, "", a, r, op_key(res.id, "migrate_to", 0), -1, of_load);
    }
}

int compare_nodes(const sched& s, node_ix a, node_ix b, int weight_a, int weight_b, node_ix active) {
    const int wa = node_available(s, a) ? weight_a : -score_infinity;
    const int wb = node_available(s, b) ? weight_b : -score_infinity;
    if (wa != wb) return wa > wb ? -1 : 1;
    const std::string& strategy = s.ws.options.placement_strategy;
    if (!iequals(strategy, "minimal")) {
        if (iequals(strategy, "balanced")) {
            const int by_capacity = compare_node_capacities(s, a, b);
            if (by_capacity != 0) return by_capacity < 0 ? -1 : 1;
        }
        const int ra = s.num_resources.empty() ? 0 : s.num_resources[a];
        const int rb = s.num_resources.empty() ? 0 : s.num_resources[b];
        if (ra != rb) return ra < rb ? -1 : 1;
        if (active != none && (a == active || b == active)) return a == active ? -1 : 1;
    }
    const int by_name = s.ws.nodes[a].uname.compare(s.ws.nodes[b].uname);
    return by_name < 0 ? -1 : (by_name > 0 ? 1 : 0);
}

void sort_nodes(const sched& s, std::vector<node_ix>& nodes, const std::vector<int>& weights, node_ix active) {
    glib_merge_sort(nodes,
                    [&](node_ix a, node_ix b) { return compare_nodes(s, a, b, weights[a], weights[b], active); });
}

void sort_resources_for_placement(sched& s) {
    std::vector<node_ix> nodes = s.nodes;
    std::vector<int> weights = s.node_weight;
    sort_nodes(s, nodes, weights, none);
    glib_merge_sort(s.resources, [&](rsc_ix a, rsc_ix b) { return compare_resources(s, a, b, nodes); });
}

}  // namespace holdfast::policy::sched
