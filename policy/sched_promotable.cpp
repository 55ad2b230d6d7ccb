// Promotable clones: which instances are promoted, and the clone-wide
// promote/demote pseudo actions and orderings (Pacemaker 2.1.5's
// pcmk_sched_promotable.c). Instances are first placed like any clone's;
// afterwards every placed instance gets a promotion priority (its promotion
// score from the "master-<rsc>" node attribute, plus Promoted-role locations
// and colocations), the instances are sorted by it, and the first
// promoted-max of them that may be promoted on their node are.
#include <algorithm>

#include "policy/rules.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {

namespace {

bool is_promotable(const sched& s, rsc_ix r) { return r != none && (s.rs[r].flags & rf_promotable); }

}  // namespace

role rsc_role(const sched& s, rsc_ix r, bool current) {
    const auto& children = s.ws.resources[r].children;
    if (children.empty()) return current ? s.rs[r].role_now : s.rs[r].next_role;
    role best = role::unknown;
    for (rsc_ix c : children) best = std::max(best, rsc_role(s, c, current));
    return best;
}

namespace {

// ---- promotion scores (pcmk__add_promotion_scores) ----

// The active instance of an anonymous clone on node n, by base name
rsc_ix active_anon_instance(const sched& s, rsc_ix clone, const std::string& base, node_ix n) {
    auto find = [&](auto&& self, rsc_ix r) -> rsc_ix {
        for (rsc_ix c : s.ws.resources[r].children)
            if (rsc_ix f = self(self, c); f != none) return f;
        if (!s.ws.resources[r].children.empty()) return none;
        if (s.ws.resources[r].base_id != base) return none;
        const auto& on = s.ws.resources[r].running_on;
        return std::find(on.begin(), on.end(), n) != on.end() ? r : none;
    };
    for (rsc_ix inst : s.ws.resources[clone].children)
        if (rsc_ix f = find(find, inst); f != none) return f;
    return none;
}

bool anon_known_on(const sched& s, rsc_ix clone, const std::string& base, node_ix n) {
    auto find = [&](auto&& self, rsc_ix r) -> bool {
        for (rsc_ix c : s.ws.resources[r].children)
            if (self(self, c)) return true;
        return s.ws.resources[r].children.empty() && s.ws.resources[r].base_id == base && s.rs[r].known_on[n];
    };
    for (rsc_ix inst : s.ws.resources[clone].children)
        if (find(find, inst)) return true;
    return false;
}

bool promotion_score_applies(const sched& s, rsc_ix r, node_ix n) {
    const std::string base = s.ws.resources[r].base_id;
    const rsc_ix clone = uber_parent(s, r);
    bool counts = false;
    if (!(s.rs[r].flags & rf_unique)) {
        rsc_ix active = active_anon_instance(s, clone, base, n);
        if (active == r || (active == none && anon_known_on(s, clone, base, n))) counts = true;
    }
    const auto& res = s.ws.resources[r];
    if (!counts && res.running_on.empty() &&
        std::find(s.rs[r].known_on.begin(), s.rs[r].known_on.end(), true) == s.rs[r].known_on.end())
        counts = true;  // nothing probed anywhere yet (cluster start): use permanent scores
    if (!counts) {
        counts =
            s.rs[r].known_on[n] || std::find(res.running_on.begin(), res.running_on.end(), n) != res.running_on.end();
        if (!counts) return false;
    }
    return s.rs[r].allowed[n] != not_allowed && s.rs[r].allowed[n] >= 0;
}

const std::string* promotion_attr(const sched& s, node_ix n, const std::string& name) {
    const auto& attrs = s.ws.nodes[n].attrs;
    auto it = attrs.find("master-" + name);
    return it == attrs.end() ? nullptr : &it->second;
}

// promotion_score: a cloned group's is the sum of its members'
int promotion_score(const sched& s, rsc_ix r, node_ix n, bool* is_default) {
    if (is_default) *is_default = true;
    const auto& res = s.ws.resources[r];
    if (!res.children.empty()) {
        int total = 0;
        for (rsc_ix c : res.children) {
            bool child_default = false;
            total += promotion_score(s, c, n, &child_default);
            if (!child_default && is_default) *is_default = false;
        }
        return total;
    }
    if (!promotion_score_applies(s, r, n)) return 0;
    // The name crm_attribute --promotion would have used: the history's name
    const std::string& name = res.clone_name.empty() ? res.id : res.clone_name;
    const std::string* value = promotion_attr(s, n, name);
    if (!value && !(s.rs[r].flags & rf_unique)) {
        const std::string base = res.base_id;
        if (base != res.id) value = promotion_attr(s, n, base);
    }
    if (!value) return 0;
    if (is_default) *is_default = false;
    return char2score(*value);
}

}  // namespace

void promotable_add_scores(sched& s, rsc_ix clone) {
    if (s.rs[clone].promotion_added) return;
    s.rs[clone].promotion_added = true;
    for (rsc_ix inst : s.ws.resources[clone].children) {
        for (node_ix n = 0; n < static_cast<node_ix>(s.ws.nodes.size()); ++n) {
            int& w = s.rs[inst].allowed[n];
            if (w == not_allowed || !node_available(s, n)) continue;  // never promoted there: no shuffling
            const int score = promotion_score(s, inst, n, nullptr);
            if (score > 0) w = add_scores(w, score);
            if (score > s.rs[inst].priority) s.rs[inst].priority = score;
        }
    }
}

namespace {

// ---- choosing roles (pcmk__set_instance_roles) ----

void set_current_role_unpromoted(sched& s, rsc_ix r) {
    if (s.rs[r].role_now == role::started) s.rs[r].role_now = role::unpromoted;
    for (rsc_ix c : s.ws.resources[r].children) set_current_role_unpromoted(s, c);
}

void set_next_role_unpromoted(sched& s, rsc_ix r) {
    std::vector<node_ix> assigned;
    rsc_location(s, r, false, &assigned);
    s.rs[r].next_role = assigned.empty() ? role::stopped : role::unpromoted;
    for (rsc_ix c : s.ws.resources[r].children) set_next_role_unpromoted(s, c);
}

void set_next_role_promoted(sched& s, rsc_ix r) {
    if (s.rs[r].next_role == role::unknown) s.rs[r].next_role = role::promoted;
    for (rsc_ix c : s.ws.resources[r].children) set_next_role_promoted(s, c);
}

void apply_promoted_locations(sched& s, rsc_ix inst, rsc_ix owner, node_ix chosen) {
    for (int li : s.rs[owner].locations) {
        const location_rule& loc = s.locations[li];
        if (loc.role_filter != role::promoted) continue;
        for (const auto& [n, score] : loc.nodes) {
            if (n == chosen) s.rs[inst].priority = add_scores(s.rs[inst].priority, score);
        }
    }
}

void set_instance_priority(sched& s, rsc_ix inst, rsc_ix clone) {
    if (rsc_role(s, inst, true) == role::started) set_current_role_unpromoted(s, inst);
    std::vector<node_ix> where;
    const node_ix chosen = rsc_location(s, inst, false, &where);
    if (chosen == none) return;  // only an instance that will be active can be promoted
    const role next = rsc_role(s, inst, false);
    switch (next) {
        case role::started:
        case role::unknown: {
            bool is_default = false;
            s.rs[inst].priority = promotion_score(s, inst, chosen, &is_default);
            // Without a score only a Promoted-role location can make it eligible
            if (is_default) s.rs[inst].priority = -1;
            break;
        }
        case role::unpromoted:
        case role::stopped: s.rs[inst].priority = -score_infinity; break;
        case role::promoted: break;
    }
    apply_promoted_locations(s, inst, inst, chosen);
    apply_promoted_locations(s, inst, clone, chosen);
    for (int ci : std::vector<int>(s.rs[inst].this_with)) {
        const colocation c = s.colocations[ci];
        apply_coloc_score(s, inst, c.primary, c);
    }
    s.rs[inst].sort_index = next == role::promoted ? score_infinity : s.rs[inst].priority;
}

void add_sort_index_to_clone(sched& s, rsc_ix clone, rsc_ix inst) {
    if (s.rs[inst].sort_index < 0) return;
    const node_ix chosen = rsc_location(s, inst, false);
    if (chosen == none || s.rs[clone].allowed[chosen] == not_allowed) return;
    s.rs[clone].allowed[chosen] = add_scores(s.rs[inst].sort_index, s.rs[clone].allowed[chosen]);
}

void require_promotion_tickets(sched& s, rsc_ix clone) {
    for (int ti : s.rs[clone].tickets) {
        const ticket_rule& t = s.tickets[ti];
        if (t.rsc_role == role::promoted && (!ticket_granted(s, t.ticket) || ticket_standby(s, t.ticket)))
            resource_location(s, clone, none, -score_infinity, "__stateful_without_ticket__");
    }
}

void set_sort_index_from_clone(sched& s, rsc_ix clone, rsc_ix inst) {
    const node_ix chosen = rsc_location(s, inst, false);
    if (!(s.rs[inst].flags & rf_managed) && s.rs[inst].next_role == role::promoted) {
        s.rs[inst].sort_index = score_infinity;
    } else if (chosen != none && s.rs[inst].sort_index >= 0 && s.rs[clone].allowed[chosen] != not_allowed) {
        s.rs[inst].sort_index = s.rs[clone].allowed[chosen];
    }
}

int cmp_promotable_instance(const sched& s, rsc_ix a, rsc_ix b) {
    if (s.rs[a].sort_index != s.rs[b].sort_index) return s.rs[a].sort_index > s.rs[b].sort_index ? -1 : 1;
    const role ra = rsc_role(s, a, true), rb = rsc_role(s, b, true);
    if (ra != rb) return ra > rb ? -1 : 1;
    return clone_cmp_instance(s, a, b);
}

// sort_promotable_instances: fold instance preferences and Promoted-role
// colocations into the clone's node scores, then order the instances by them
void sort_promotable_instances(sched& s, rsc_ix clone) {
    if (s.rs[clone].promotion_constrained) return;
    s.rs[clone].promotion_constrained = true;
    s.rs[clone].flags |= rf_merging;
    auto& kids = s.ws.resources[clone].children;
    for (rsc_ix inst : kids) add_sort_index_to_clone(s, clone, inst);
    for (int ci : std::vector<int>(s.rs[clone].this_with)) {
        const colocation c = s.colocations[ci];
        if (c.dependent_role != role::promoted) continue;
        add_colocated_node_scores(s, c.primary, s.rs[clone].allowed, c.node_attribute,
                                  static_cast<float>(c.score) / score_infinity, false, false, c.score < score_infinity);
    }
    for (int ci : std::vector<int>(s.rs[clone].with_this)) {
        const colocation c = s.colocations[ci];
        if (c.primary_role != role::promoted || !c.influence) continue;
        add_colocated_node_scores(s, c.dependent, s.rs[clone].allowed, c.node_attribute,
                                  static_cast<float>(c.score) / score_infinity, false, true, true);
    }
    require_promotion_tickets(s, clone);
    for (rsc_ix inst : kids) set_sort_index_from_clone(s, clone, inst);
    std::stable_sort(kids.begin(), kids.end(),
                     [&](rsc_ix a, rsc_ix b) { return cmp_promotable_instance(s, a, b) < 0; });
    s.rs[clone].flags &= ~rf_merging;
}

// node_to_be_promoted_on: where inst would be promoted, or none
node_ix node_to_be_promoted_on(sched& s, rsc_ix inst, const std::vector<int>& promoted_count) {
    for (rsc_ix c : s.ws.resources[inst].children)
        if (node_to_be_promoted_on(s, c, promoted_count) == none) return none;
    const node_ix n = rsc_location(s, inst, false);
    if (n == none) return none;
    const bool managed = s.rs[inst].flags & rf_managed;
    if (!managed) {
        if (rsc_role(s, inst, true) != role::promoted) return none;  // an unmanaged promoted one stays
    } else if (s.rs[inst].priority < 0 || !node_available(s, n)) {
        return none;
    }
    const rsc_ix clone = uber_parent(s, inst);
    if (s.rs[clone].allowed[n] == not_allowed) return none;
    if (managed && promoted_count[n] >= promoted_node_max(s, clone)) return none;
    return n;
}

void set_instance_role(sched& s, rsc_ix inst, std::vector<int>& per_node, int& promoted) {
    const rsc_ix clone = uber_parent(s, inst);
    const node_ix where = rsc_location(s, inst, false);
    s.score_lines.push_back(s.ws.resources[inst].id + " promotion score on " +
                            (where == none ? std::string("none") : s.ws.nodes[where].uname) + ": " +
                            score_text(s.rs[inst].sort_index));
    node_ix chosen = none;
    if (s.rs[inst].sort_index >= 0 && (promoted < promoted_max(s, inst) || !(s.rs[clone].flags & rf_managed)))
        chosen = node_to_be_promoted_on(s, inst, per_node);
    if (chosen == none) {
        set_next_role_unpromoted(s, inst);
        return;
    }
    if (s.rs[inst].role_now < role::promoted && !s.ws.options.have_quorum &&
        s.ws.options.no_quorum_policy == "freeze") {
        set_next_role_unpromoted(s, inst);  // cannot be promoted without quorum
        return;
    }
    ++per_node[chosen];
    set_next_role_promoted(s, inst);
    ++promoted;
}

}  // namespace

void promotable_set_roles(sched& s, rsc_ix clone) {
    std::vector<int> per_node(s.ws.nodes.size(), 0);
    for (rsc_ix inst : std::vector<rsc_ix>(s.ws.resources[clone].children)) set_instance_priority(s, inst, clone);
    sort_promotable_instances(s, clone);
    int promoted = 0;
    for (rsc_ix inst : std::vector<rsc_ix>(s.ws.resources[clone].children))
        set_instance_role(s, inst, per_node, promoted);
}

namespace {

void check_for_role_change(const sched& s, rsc_ix r, bool& demoting, bool& promoting) {
    const auto& children = s.ws.resources[r].children;
    if (!children.empty()) {
        for (rsc_ix c : children) check_for_role_change(s, c, demoting, promoting);
        return;
    }
    for (action_ix a : s.rs[r].actions) {
        if (promoting && demoting) return;
        const action& act = s.actions[a];
        if (act.flags & af_optional) continue;
        if (act.task == "demote") demoting = true;
        if (act.task == "promote") promoting = true;
    }
}

}  // namespace

void promotable_create_actions(sched& s, rsc_ix clone) {
    bool promoting = false, demoting = false;
    for (rsc_ix inst : std::vector<rsc_ix>(s.ws.resources[clone].children)) {
        create_actions(s, inst);
        check_for_role_change(s, inst, demoting, promoting);
    }
    action_ix action = new_rsc_pseudo_action(s, clone, "promote", !promoting, true);
    action_ix done = new_rsc_pseudo_action(s, clone, "promoted", !promoting, true);
    s.actions[done].priority = score_infinity;
    clone_notifications(s, clone, "promote", action, done);
    action = new_rsc_pseudo_action(s, clone, "demote", !demoting, true);
    done = new_rsc_pseudo_action(s, clone, "demoted", !demoting, true);
    s.actions[done].priority = score_infinity;
    clone_notifications(s, clone, "demote", action, done);
    order_promotable_notifications(s, clone);
    // Instance priorities served as promotion scores; give back the clone's
    for (rsc_ix inst : s.ws.resources[clone].children) s.rs[inst].priority = s.rs[clone].priority;
}

void promotable_restart_ordering(sched& s, rsc_ix r) {
    order_resource_actions(s, r, "stopped", r, "start", of_optional);
    order_resource_actions(s, r, "stopped", r, "promote", of_optional);
    order_resource_actions(s, r, "demoted", r, "stop", of_optional);
    order_resource_actions(s, r, "demoted", r, "start", of_optional);
    order_resource_actions(s, r, "demoted", r, "promote", of_optional);
    order_resource_actions(s, r, "running", r, "promote", of_optional);
    order_resource_actions(s, r, "demote", r, "demoted", of_optional);
}

void promotable_order_instances(sched& s, rsc_ix clone, bool ordered) {
    promotable_restart_ordering(s, clone);
    rsc_ix previous = none;
    for (rsc_ix inst : s.ws.resources[clone].children) {
        order_resource_actions(s, inst, "demote", inst, "promote", of_optional);
        order_resource_actions(s, clone, "promote", inst, "promote", of_optional);
        order_resource_actions(s, inst, "promote", clone, "promoted", of_optional);
        if (ordered && previous != none) order_resource_actions(s, previous, "promote", inst, "promote", of_optional);
        order_resource_actions(s, clone, "demote", inst, "demote", of_implies_first_printed);
        order_resource_actions(s, inst, "demote", clone, "demoted", of_implies_then_printed);
        if (ordered && previous != none) order_resource_actions(s, inst, "demote", previous, "demote", of_optional);
        previous = inst;
    }
}

// ---- colocations with a promotable primary ----

void update_dependent_with_promotable(sched& s, rsc_ix primary, rsc_ix dependent, const colocation& c) {
    std::vector<bool> affected(s.ws.nodes.size(), false);
    auto& allowed = s.rs[dependent].allowed;
    for (rsc_ix inst : s.ws.resources[primary].children) {
        const node_ix where = rsc_location(s, inst, false);
        if (where == none || rsc_role(s, inst, false) != c.primary_role) continue;
        affected[where] = true;
        if (c.score >= score_infinity) continue;  // mandatory: scores do not matter
        for (node_ix n = 0; n < static_cast<node_ix>(allowed.size()); ++n) {
            if (allowed[n] != not_allowed && colocation_same_attr(s, n, where, c.node_attribute))
                allowed[n] = add_scores(allowed[n], c.score);
        }
    }
    // Promoted-with-promoted stays optional here, or unpromoted dependents could not start
    if (c.score >= score_infinity && (c.dependent_role != role::promoted || c.primary_role != role::promoted)) {
        for (node_ix n = 0; n < static_cast<node_ix>(allowed.size()); ++n)
            if (allowed[n] != not_allowed && !affected[n]) allowed[n] = -score_infinity;
    }
}

void update_promotable_dependent_priority(sched& s, rsc_ix primary, rsc_ix dependent, const colocation& c) {
    const rsc_ix pair = clone_compatible_instance(s, dependent, primary, c.primary_role, false);
    if (pair != none)
        s.rs[dependent].priority = add_scores(s.rs[dependent].priority, c.score);
    else if (c.score >= score_infinity)
        s.rs[dependent].priority = -score_infinity;
}

// pcmk__apply_coloc_to_priority: a placed dependent's promotion priority
void apply_coloc_to_priority(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c) {
    const node_ix pn = s.rs[primary].allocated_to, dn = s.rs[dependent].allocated_to;
    if (pn == none || dn == none) return;
    const std::string& attr = c.node_attribute == "#uname" ? std::string("#id") : c.node_attribute;
    auto value = [&](node_ix n) {
        auto it = s.ws.nodes[n].attrs.find(attr);
        return it == s.ws.nodes[n].attrs.end() ? std::string() : it->second;
    };
    if (!iequals(value(dn), value(pn))) {
        if (c.score == score_infinity && c.dependent_role == role::promoted) s.rs[dependent].priority = -score_infinity;
        return;
    }
    if (c.primary_role != role::unknown && c.primary_role != s.rs[primary].next_role) return;
    const int multiplier = c.dependent_role == role::unpromoted ? -1 : 1;
    s.rs[dependent].priority = add_scores(multiplier * c.score, s.rs[dependent].priority);
}

bool colocation_affects_role(const sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c) {
    if (s.rs[primary].flags & rf_provisional) return false;
    const rsc_ix parent = s.ws.resources[dependent].parent;
    return c.dependent_role >= role::unpromoted && is_promotable(s, parent) &&
           s.ws.resources[parent].variant == rsc_variant::clone && !(s.rs[dependent].flags & rf_provisional);
}

}  // namespace holdfast::policy::sched
