// Colocation constraints: unpacking, and their effect on node scores
// (Pacemaker 2.1.5's pcmk_sched_colocation.c).
#include <algorithm>
#include <cmath>

#include "policy/rules.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

constexpr int infinity_hack = score_infinity * -100;  // "unusable" marker while merging

role role_of(const std::string& text) {
    if (text.empty()) return role::unknown;
    role r = text_to_role(text);
    return r == role::started ? role::unknown : r;
}

const std::string* node_attr(const sched& s, node_ix n, const std::string& attr) {
    const auto& attrs = s.ws.nodes[n].attrs;
    auto it = attrs.find(attr);
    return it == attrs.end() ? nullptr : &it->second;
}

bool same_attr(const sched& s, node_ix a, node_ix b, const std::string& attr) {
    const std::string* x = node_attr(s, a, attr);
    const std::string* y = node_attr(s, b, attr);
    if (!x || !y) return x == y && a == b;
    if (x->size() != y->size()) return false;
    for (size_t i = 0; i < x->size(); ++i)
        if (std::tolower(static_cast<unsigned char>((*x)[i])) != std::tolower(static_cast<unsigned char>((*y)[i])))
            return false;
    return true;
}

}  // namespace

bool colocation_same_attr(const sched& s, node_ix a, node_ix b, const std::string& attr) {
    return same_attr(s, a, b, attr);
}

namespace {

bool available(const sched& s, node_ix n) {
    const node& nd = s.ws.nodes[n];
    return nd.online && !nd.shutdown && !nd.unclean && !nd.standby && !nd.maintenance;
}

bool critical(const sched& s, rsc_ix r) {
    auto it = s.ws.resources[r].meta.find("critical");
    return it == s.ws.resources[r].meta.end() || text_is_true(it->second);
}

void add_colocation(sched& s, const std::string& id, rsc_ix dependent, rsc_ix primary, int score,
                    const std::string& dep_role, const std::string& pri_role, const std::string& attr,
                    const std::string& influence) {
    if (score == 0 || dependent == none || primary == none) return;
    const bool infl = influence.empty() ? critical(s, dependent) : text_is_true(influence);
    new_colocation(s, id, dependent, primary, score, role_of(dep_role), role_of(pri_role), attr, infl);
}

std::vector<rsc_ix> set_members(sched& s, const cib::resource_set& set) {
    std::vector<rsc_ix> out;
    for (const auto& ref : set.resources) {
        for (const auto& id : expand_tag_reference(s, ref)) {
            rsc_ix r = find_constraint_resource(s, id);
            if (r != none) out.push_back(r);
        }
    }
    return out;
}

// Only an explicit false makes a set unordered (anything unparsable counts as true)
bool explicitly_false(const std::string& v) { return parse_boolean(v) == std::optional<bool>(false); }

// unpack_colocation_set: the members of one set among themselves
void colocate_within_set(sched& s, const cib::colocation_constraint& c, const cib::resource_set& set,
                         const std::vector<rsc_ix>& members) {
    const int score = set.score.empty() ? char2score(c.score) : char2score(set.score);
    if (score == 0 || explicitly_false(set.sequential)) return;
    const bool group_order = set.ordering.empty() || iequals(set.ordering, "group");
    for (size_t j = 0; j < members.size(); ++j) {
        if (score > 0) {
            if (j == 0) continue;
            // ordering=group: each member with the one before; listed: the reverse
            const rsc_ix dep = group_order ? members[j] : members[j - 1];
            const rsc_ix pri = group_order ? members[j - 1] : members[j];
            add_colocation(s, set.id, dep, pri, score, set.role, set.role, c.node_attribute, c.influence);
        } else {
            // Against every earlier member, so no two members share a node
            for (size_t k = 0; k < j && members[k] != members[j]; ++k)
                add_colocation(s, set.id, members[j], members[k], score, set.role, set.role, c.node_attribute,
                               c.influence);
        }
    }
}

// colocate_rsc_sets: set1 depends on set2 -- through its first member when
// sequential, and on set2's last member when that one is sequential
void colocate_sets(sched& s, const cib::colocation_constraint& c, size_t i, const std::vector<rsc_ix>& first,
                   const std::vector<rsc_ix>& second) {
    const int score = char2score(c.score);
    if (score == 0) return;
    const auto& set1 = c.sets[i];
    const auto& set2 = c.sets[i + 1];
    const rsc_ix one = !explicitly_false(set1.sequential) && !first.empty() ? first.front() : none;
    const rsc_ix two = !explicitly_false(set2.sequential) && !second.empty() ? second.back() : none;
    auto add = [&](rsc_ix d, rsc_ix p) {
        add_colocation(s, c.id, d, p, score, set1.role, set2.role, c.node_attribute, c.influence);
    };
    if (one != none && two != none) {
        add(one, two);
    } else if (one != none) {
        for (rsc_ix p : second) add(one, p);
    } else if (two != none) {
        for (rsc_ix d : first) add(d, two);
    } else {
        for (rsc_ix d : first)
            for (rsc_ix p : second) add(d, p);
    }
}

void unpack_sets(sched& s, const cib::colocation_constraint& c) {
    std::vector<std::vector<rsc_ix>> members;
    for (const auto& set : c.sets) members.push_back(set_members(s, set));
    for (size_t i = 0; i < c.sets.size(); ++i) {
        colocate_within_set(s, c, c.sets[i], members[i]);
        if (i > 0) colocate_sets(s, c, i - 1, members[i - 1], members[i]);
    }
}

}  // namespace

namespace {
// Keep a colocation list ordered by the other side's priority, highest first (stable)
void insert_by_priority(sched& s, std::vector<int>& list, int ci, bool by_primary) {
    auto prio = [&](int x) {
        const colocation& cc = s.colocations[x];
        return s.rs[by_primary ? cc.primary : cc.dependent].priority;
    };
    if (std::find(list.begin(), list.end(), ci) != list.end()) return;
    auto pos = std::find_if(list.begin(), list.end(), [&](int x) { return prio(x) < prio(ci); });
    list.insert(pos, ci);
}
}  // namespace

void add_this_with(sched& s, rsc_ix r, int ci) { insert_by_priority(s, s.rs[r].this_with, ci, true); }
void add_with_this(sched& s, rsc_ix r, int ci) { insert_by_priority(s, s.rs[r].with_this, ci, false); }

namespace {

// anti_colocation_order: whatever makes `first` lose its role comes before
// whatever makes `then` gain its role
void anti_colocation_order(sched& s, rsc_ix first, role first_role, rsc_ix then, role then_role) {
    std::vector<const char*> first_tasks, then_tasks;
    if (first_role == role::promoted) {
        first_tasks = {"demote"};
    } else {
        first_tasks = {"stop"};
        if (first_role == role::unpromoted) first_tasks.push_back("promote");
    }
    if (then_role == role::promoted) {
        then_tasks = {"promote"};
    } else {
        then_tasks = {"start"};
        if (then_role == role::unpromoted) then_tasks.push_back("demote");
    }
    for (const char* ft : first_tasks)
        for (const char* tt : then_tasks) order_resource_actions(s, first, ft, then, tt, of_anti_colocation);
}

}  // namespace

void new_colocation(sched& s, const std::string& id, rsc_ix dependent, rsc_ix primary, int score, role dependent_role,
                    role primary_role, const std::string& node_attribute, bool influence) {
    if (score == 0 || dependent == none || primary == none) return;
    colocation c;
    c.id = id;
    c.dependent = dependent;
    c.primary = primary;
    c.score = score;
    c.dependent_role = dependent_role;
    c.primary_role = primary_role;
    c.node_attribute = node_attribute.empty() ? "#uname" : node_attribute;
    c.influence = influence;
    s.colocations.push_back(std::move(c));
    int ci = static_cast<int>(s.colocations.size()) - 1;
    add_this_with(s, dependent, ci);
    add_with_this(s, primary, ci);
    if (score <= -score_infinity) {
        anti_colocation_order(s, dependent, dependent_role, primary, primary_role);
        anti_colocation_order(s, primary, primary_role, dependent, dependent_role);
    }
}

void unpack_colocations(sched& s) {
    if (!s.ws.cib) return;
    for (const auto& c : s.ws.cib->colocations) {
        if (!c.sets.empty()) {
            unpack_sets(s, c);
            continue;
        }
        // Two templates or tags cannot be colocated: Pacemaker ignores the constraint
        if (find_constraint_resource(s, c.rsc) == none && find_constraint_resource(s, c.with_rsc) == none) continue;
        auto deps = expand_tag_reference(s, c.rsc);
        auto pris = expand_tag_reference(s, c.with_rsc);
        for (const auto& d : deps) {
            for (const auto& p : pris) {
                add_colocation(s, c.id, find_constraint_resource(s, d), find_constraint_resource(s, p),
                               char2score(c.score), c.rsc_role, c.with_rsc_role, c.node_attribute, c.influence);
            }
        }
    }
}

bool colocation_affects_location(const sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c) {
    const rsc_state& d = s.rs[dependent];
    const rsc_state& p = s.rs[primary];
    if (p.flags & rf_provisional) return false;
    if (!(d.flags & rf_provisional)) return false;
    if (c.score > 0 && c.dependent_role != role::unknown && c.dependent_role != d.next_role) return false;
    if (c.score > 0 && c.primary_role != role::unknown && c.primary_role != p.next_role) return false;
    if (c.score < 0 && c.dependent_role != role::unknown && c.dependent_role == d.next_role) return false;
    if (c.score < 0 && c.primary_role != role::unknown && c.primary_role == p.next_role) return false;
    return true;
}

void apply_coloc_to_scores(sched& s, rsc_ix dependent, rsc_ix primary, const colocation& c) {
    const node_ix where = s.rs[primary].allocated_to;
    if (where == none && c.score < 0) return;
    std::vector<int> work = s.rs[dependent].allowed;
    for (node_ix n = 0; n < static_cast<node_ix>(work.size()); ++n) {
        if (work[n] == not_allowed) continue;
        if (where == none) {
            work[n] = add_scores(-c.score, work[n]);
        } else if (same_attr(s, n, where, c.node_attribute)) {
            if (c.score < score_infinity) work[n] = add_scores(c.score, work[n]);
        } else if (c.score >= score_infinity) {
            work[n] = add_scores(-c.score, work[n]);
        }
    }
    bool any = false;
    for (node_ix n = 0; n < static_cast<node_ix>(work.size()); ++n)
        any = any || (work[n] != not_allowed && work[n] >= 0 && available(s, n));
    if (c.score <= -score_infinity || c.score >= score_infinity || any) s.rs[dependent].allowed = std::move(work);
}

namespace {

int best_score_matching(const sched& s, rsc_ix r, node_ix like, const std::string& attr) {
    int best = -score_infinity;
    const auto& allowed = s.rs[r].allowed;
    for (node_ix n = 0; n < static_cast<node_ix>(allowed.size()); ++n) {
        if (allowed[n] == not_allowed || allowed[n] <= best || !available(s, n)) continue;
        if (same_attr(s, n, like, attr)) best = allowed[n];
    }
    return best;
}

void add_scores_matching_attr(sched& s, std::vector<int>& work, rsc_ix r, const std::string& attr, float factor,
                              bool only_positive) {
    for (node_ix n = 0; n < static_cast<node_ix>(work.size()); ++n) {
        if (work[n] == not_allowed) continue;
        int score = best_score_matching(s, r, n, attr);
        if (factor < 0 && score < 0) continue;
        if (work[n] == infinity_hack) continue;
        float wf = factor * static_cast<float>(score);
        int weight = static_cast<int>(wf < 0 ? wf - 0.5f : wf + 0.5f);
        if (weight == 0 && score != 0) weight = factor > 0 ? 1 : (factor < 0 ? -1 : 0);
        int updated = add_scores(weight, work[n]);
        if (only_positive && updated < 0 && work[n] > 0) {
            work[n] = infinity_hack;
            continue;
        }
        if (only_positive && updated < 0 && work[n] == 0) continue;
        work[n] = updated;
    }
}

}  // namespace

// pcmk__add_colocated_node_scores for "with this" influence (select_active),
// following the chain of colocations that depend on r.
void add_colocated_node_scores(sched& s, rsc_ix r, std::vector<int>& nodes, const std::string& attr, float factor,
                               bool this_with, bool only_positive, bool only_active) {
    rsc_state& st = s.rs[r];
    if (st.flags & rf_merging) return;
    st.flags |= rf_merging;
    std::vector<int> work = nodes;
    const auto& members = s.ws.resources[r].children;
    const bool group = s.ws.resources[r].variant == rsc_variant::group;
    if (group) {
        // A group counts as its first member (init_group_colocated_nodes)
        if (members.empty()) {
            st.flags &= ~rf_merging;
            return;
        }
        add_colocated_node_scores(s, members.front(), work, attr, factor, this_with, only_positive, only_active);
    } else {
        add_scores_matching_attr(s, work, r, attr, factor, only_positive);
    }
    bool any = false;
    for (node_ix n = 0; n < static_cast<node_ix>(work.size()); ++n)
        any = any || (work[n] != not_allowed && work[n] >= 0 && available(s, n));
    if (!any && only_active) {
        st.flags &= ~rf_merging;
        return;  // roll back optional scores
    }
    const float multiplier = factor < 0 ? -1.0f : 1.0f;
    const std::vector<int>& chain =
        this_with ? s.rs[r].this_with : (group ? s.rs[members.back()].with_this : s.rs[r].with_this);
    for (int ci : any ? std::vector<int>(chain) : std::vector<int>()) {
        const colocation& c = s.colocations[ci];
        if (!this_with && !c.influence) continue;
        rsc_ix other = this_with ? c.primary : c.dependent;
        add_colocated_node_scores(s, other, work, c.node_attribute,
                                  multiplier * static_cast<float>(c.score) / score_infinity, this_with, only_positive);
    }
    if (only_positive) {
        for (int& w : work)
            if (w == infinity_hack) w = 1;
    }
    nodes = std::move(work);
    st.flags &= ~rf_merging;
}

namespace {

// mark_action_blocked: r (and its children) cannot `task` because of `reason`
void mark_action_blocked(sched& s, rsc_ix r, const char* task, rsc_ix reason) {
    const std::string why = "colocation with " + s.ws.resources[reason].id;
    for (action_ix a : std::vector<action_ix>(s.rs[r].actions)) {
        action& act = s.actions[a];
        if (!(act.flags & af_runnable) || !iequals(act.task, task)) continue;
        act.flags &= ~af_runnable;
        set_action_reason(act, why, false);
        block_colocation_dependents(s, a);
        s.update_action_for_orderings(a);
    }
    for (rsc_ix c : std::vector<rsc_ix>(s.ws.resources[r].children)) mark_action_blocked(s, c, task, reason);
}

}  // namespace

void block_colocation_dependents(sched& s, action_ix a) {
    const action& act = s.actions[a];
    if (act.flags & af_runnable) return;
    const bool is_start = act.task == "start";
    if (!is_start && act.task != "promote") return;
    if (act.rsc == none) return;
    const rsc_ix top = uber_parent(s, act.rsc);
    if (s.rs[top].with_this.empty()) return;
    // The colocation fails only if the whole primary cannot reach the role
    for (rsc_ix c : s.ws.resources[top].children) {
        action_ix ca = newest_action(s, c, act.task, none);
        if (ca < 0 || (s.actions[ca].flags & af_runnable)) return;
    }
    const rsc_ix blocker = act.rsc;
    const std::string task = act.task;
    for (int ci : std::vector<int>(s.rs[top].with_this)) {
        const colocation c = s.colocations[ci];
        if (c.score < score_infinity) continue;
        if (task != "start" && c.primary_role != role::promoted) continue;
        mark_action_blocked(s, c.dependent, c.dependent_role == role::promoted ? "promote" : "start", blocker);
    }
}

}  // namespace holdfast::policy::sched
