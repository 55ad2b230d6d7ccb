// Clones: instances spread over nodes, with pseudo actions for the clone as
// a whole (Pacemaker 2.1.5's pcmk_sched_clone.c). Anonymous and unique
// clones are scheduled, interleaved or not, promotable ones
// (sched_promotable.cpp) and with notifications (sched_notify.cpp); bundles
// are not yet, and policy::unsupported_feature() refuses them.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "policy/policy.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy {

std::optional<std::string> unsupported_feature(const working_set& ws) {
    for (const auto& res : ws.resources) {
        if (res.variant == rsc_variant::bundle)
            return "bundle '" + res.id + "': scheduling bundles is not implemented yet";
    }
    return std::nullopt;
}

namespace sched {

void unsupported_collective(const sched& s, rsc_ix r) {
    // A broken invariant, not a user error: schedule() was called on a
    // working set that unsupported_feature() rejects.
    std::fprintf(stderr, "holdfast: internal error: '%s' reached a part of the scheduler that cannot handle it\n",
                 s.ws.resources[r].id.c_str());
    std::abort();
}

namespace {

// The first of these meta attributes that is set, as a number (the newer
// name first, then the legacy one)
int meta_int(const sched& s, rsc_ix r, std::initializer_list<const char*> names, int fallback) {
    const auto& meta = s.ws.resources[r].meta;
    for (const char* name : names)
        if (auto it = meta.find(name); it != meta.end()) return std::atoi(it->second.c_str());
    return fallback;
}

int clone_max(const sched& s, rsc_ix c) { return meta_int(s, c, {"clone-max"}, static_cast<int>(s.ws.nodes.size())); }
int clone_node_max(const sched& s, rsc_ix c) { return meta_int(s, c, {"clone-node-max"}, 1); }

// Set a score everywhere below r (common_update_score).
void update_score(sched& s, rsc_ix r, node_ix n, int score) {
    if (s.rs[r].allowed[n] != not_allowed) s.rs[r].allowed[n] = score;
    for (rsc_ix c : s.ws.resources[r].children) update_score(s, c, n, score);
}

bool instance_can_run(sched& s, rsc_ix clone, rsc_ix inst, node_ix n, const std::vector<int>& count, int limit) {
    if (node_available(s, n) && !s.ws.resources[inst].orphan) {
        int clone_score = s.rs[clone].allowed[n];
        if (clone_score == not_allowed) {
        } else if (clone_score < 0) {
            update_score(s, inst, n, clone_score);
            return false;
        } else if (count[n] < limit) {
            return true;
        }
    }
    update_score(s, inst, n, -score_infinity);
    return false;
}

// append_parent_colocation: an instance inherits the clone's colocations
void inherit_colocations(sched& s, rsc_ix clone, rsc_ix inst, bool all) {
    for (int ci : s.rs[clone].this_with) {
        if (all || s.colocations[ci].score < 0 || s.colocations[ci].score == score_infinity) add_this_with(s, inst, ci);
    }
    for (int ci : s.rs[clone].with_this) {
        if (!s.colocations[ci].influence) continue;
        if (all || s.colocations[ci].score < 0) add_with_this(s, inst, ci);
    }
}

void unassign(sched& s, rsc_ix r) {
    for (rsc_ix c : s.ws.resources[r].children) unassign(s, c);
    rsc_state& st = s.rs[r];
    if (st.allocated_to != none) {
        --s.num_resources[st.allocated_to];
        release_capacity(s, st.allocated_to, r);
    }
    st.allocated_to = none;
    st.flags |= rf_provisional;
}

void save_allowed(const sched& s, rsc_ix r, std::vector<std::pair<rsc_ix, std::vector<int>>>& out) {
    out.push_back({r, s.rs[r].allowed});
    for (rsc_ix c : s.ws.resources[r].children) save_allowed(s, c, out);
}

node_ix allocate_instance(sched& s, rsc_ix clone, rsc_ix inst, node_ix prefer, bool all_coloc, int limit,
                          std::vector<int>& count) {
    if (!(s.rs[inst].flags & rf_provisional)) return rsc_location(s, inst, false);
    if (s.rs[inst].flags & rf_allocating) return none;
    inherit_colocations(s, clone, inst, all_coloc);
    if (prefer != none) {
        int w = s.rs[inst].allowed[prefer];
        if (w == not_allowed || w < 0) return none;
    }
    for (node_ix n = 0; n < static_cast<node_ix>(s.ws.nodes.size()); ++n)
        if (s.rs[inst].allowed[n] != not_allowed) instance_can_run(s, clone, inst, n, count, limit);
    std::vector<std::pair<rsc_ix, std::vector<int>>> backup;
    save_allowed(s, inst, backup);
    node_ix chosen = assign(s, inst, prefer);
    if (s.ws.resources[inst].variant == rsc_variant::group) chosen = rsc_location(s, inst, false);
    if (chosen != none && prefer != none && chosen != prefer) {
        for (auto& [r, allowed] : backup) s.rs[r].allowed = std::move(allowed);
        unassign(s, inst);
        chosen = none;
    }
    if (chosen != none) ++count[chosen];
    return chosen;
}

bool failed_recursive(const sched& s, rsc_ix r) {
    if (s.rs[r].flags & rf_failed) return true;
    for (rsc_ix c : s.ws.resources[r].children)
        if (failed_recursive(s, c)) return true;
    return false;
}

int instance_number(const std::string& id) {
    auto colon = id.rfind(':');
    return colon == std::string::npos ? 0 : std::atoi(id.c_str() + colon + 1);
}

}  // namespace

int promoted_max(const sched& s, rsc_ix clone) {
    return meta_int(s, uber_parent(s, clone), {"promoted-max", "master-max"}, 1);
}

int promoted_node_max(const sched& s, rsc_ix clone) {
    return meta_int(s, uber_parent(s, clone), {"promoted-node-max", "master-node-max"}, 1);
}

void clone_sort_by_number(sched& s, rsc_ix clone) {
    auto& kids = s.ws.resources[clone].children;
    std::stable_sort(kids.begin(), kids.end(), [&](rsc_ix a, rsc_ix b) {
        return instance_number(s.ws.resources[a].id) < instance_number(s.ws.resources[b].id);
    });
}

int clone_cmp_instance(const sched& s, rsc_ix a, rsc_ix b) {
    std::vector<node_ix> on_a, on_b;
    node_ix na = rsc_location(s, a, true, &on_a), nb = rsc_location(s, b, true, &on_b);
    if (na == none && !on_a.empty()) na = on_a.front();
    if (nb == none && !on_b.empty()) nb = on_b.front();
    if (!on_a.empty() && !on_b.empty() && on_a.size() != on_b.size()) return on_a.size() < on_b.size() ? -1 : 1;
    auto allowed_on = [&](rsc_ix r, node_ix& n) {
        if (n == none) return true;
        int w = s.rs[r].allowed[n];
        if (w == not_allowed || w < 0) {
            n = none;
            return false;
        }
        return true;
    };
    bool ca = allowed_on(a, na), cb = allowed_on(b, nb);
    if (ca != cb) return ca ? -1 : 1;
    const int pa = s.rs[a].priority, pb = s.rs[b].priority;
    if (pa != pb) return pa > pb ? -1 : 1;
    if (na == none && nb == none) return 0;
    if (na == none) return 1;
    if (nb == none) return -1;
    ca = node_available(s, na);
    cb = node_available(s, nb);
    if (ca != cb) return ca ? -1 : 1;
    const rsc_ix clone = s.ws.resources[a].parent;
    const bool ta = s.rs[clone].allowed[na] != not_allowed, tb = s.rs[clone].allowed[nb] != not_allowed;
    if (!ta && !tb) return 0;
    if (ta != tb) return ta ? -1 : 1;
    const bool fa = failed_recursive(s, a), fb = failed_recursive(s, b);
    if (fa != fb) return fa ? 1 : -1;
    const int ia = instance_number(s.ws.resources[a].id), ib = instance_number(s.ws.resources[b].id);
    return ia < ib ? -1 : (ia > ib ? 1 : 0);
}

namespace {

std::vector<rsc_ix> instance_order(const sched& s, rsc_ix clone) {
    std::vector<rsc_ix> out = s.ws.resources[clone].children;
    std::stable_sort(out.begin(), out.end(), [&](rsc_ix a, rsc_ix b) { return clone_cmp_instance(s, a, b) < 0; });
    return out;
}

void distribute_children(sched& s, rsc_ix clone) {
    const int max = clone_max(s, clone), per_host = clone_node_max(s, clone);
    std::vector<int> count(s.ws.nodes.size(), 0);
    int available = 0;
    for (node_ix n = 0; n < static_cast<node_ix>(s.ws.nodes.size()); ++n)
        if (s.rs[clone].allowed[n] != not_allowed && node_available(s, n)) ++available;
    const bool all_coloc = max < available;
    const int loop_max = std::max(1, available ? max / available : 1);
    int allocated = 0;
    // Pacemaker keeps the clone's children in this order afterwards
    s.ws.resources[clone].children = instance_order(s, clone);
    const auto order = s.ws.resources[clone].children;
    for (rsc_ix inst : order) {
        if (allocated >= max) break;
        node_ix current = rsc_location(s, inst, true);
        if (current == none || !(s.rs[inst].flags & rf_provisional) || failed_recursive(s, inst)) continue;
        const int w = s.rs[inst].allowed[current];
        if (!node_available(s, current) || w == not_allowed || w < 0) continue;
        if (count[current] >= loop_max) continue;
        if (allocate_instance(s, clone, inst, current, all_coloc, per_host, count) != none) ++allocated;
    }
    for (rsc_ix inst : order) {
        if (!(s.rs[inst].flags & rf_provisional)) continue;
        if (allocated >= max) {
            resource_location(s, inst, none, -score_infinity, "clone:limit_reached");
            assign(s, inst, none);
        } else if (allocate_instance(s, clone, inst, none, all_coloc, per_host, count) != none) {
            ++allocated;
        }
    }
}

// What an instance's actions say about the clone as a whole.
void pseudo_status(const sched& s, rsc_ix r, bool& stopping, bool& starting, bool& active) {
    const auto& children = s.ws.resources[r].children;
    if (!children.empty()) {
        for (rsc_ix c : children) pseudo_status(s, c, stopping, starting, active);
        return;
    }
    if (!s.ws.resources[r].running_on.empty()) active = true;
    for (action_ix a : s.rs[r].actions) {
        const action& act = s.actions[a];
        if (starting && stopping) return;
        if ((act.flags & af_optional) || !(act.flags & (af_pseudo | af_runnable))) continue;
        if (act.task == "stop")
            stopping = true;
        else if (act.task == "start" && (act.flags & af_runnable))
            starting = true;
    }
}

action_ix only_required(const sched& s, rsc_ix r, const char* task) {
    action_ix match = -1;
    for (action_ix a : resource_actions(s, r, none, task, false)) {
        if (s.actions[a].flags & af_optional) continue;
        if (match >= 0) return -1;
        match = a;
    }
    return match;
}

bool ordered(const sched& s, rsc_ix clone) {
    auto it = s.ws.resources[clone].meta.find("ordered");
    return it != s.ws.resources[clone].meta.end() && text_is_true(it->second);
}

bool meta_true(const sched& s, rsc_ix r, const char* name) {
    auto it = s.ws.resources[r].meta.find(name);
    return it != s.ws.resources[r].meta.end() && text_is_true(it->second);
}

// is_child_compatible / find_compatible_child_by_node: the instance of
// `clone` on node n (now or as assigned), in instance-number order.
rsc_ix instance_on(const sched& s, rsc_ix clone, node_ix n, bool current, role filter = role::unknown) {
    std::vector<rsc_ix> kids = s.ws.resources[clone].children;
    std::stable_sort(kids.begin(), kids.end(), [&](rsc_ix a, rsc_ix b) {
        return instance_number(s.ws.resources[a].id) < instance_number(s.ws.resources[b].id);
    });
    for (rsc_ix k : kids) {
        if (s.rs[k].flags & rf_block) continue;
        if (filter != role::unknown && rsc_role(s, k, current) != filter) continue;
        if (rsc_location(s, k, current) == n) return k;
    }
    return none;
}

}  // namespace

rsc_ix clone_compatible_instance(const sched& s, rsc_ix local, rsc_ix clone, role filter, bool current) {
    node_ix where = rsc_location(s, local, current);
    if (where != none) return instance_on(s, clone, where, current, filter);
    std::vector<node_ix> nodes;
    for (node_ix n = 0; n < static_cast<node_ix>(s.ws.nodes.size()); ++n)
        if (s.rs[local].allowed[n] != not_allowed) nodes.push_back(n);
    sort_nodes(s, nodes, s.rs[local].allowed, none);
    for (node_ix n : nodes)
        if (rsc_ix k = instance_on(s, clone, n, current, filter); k != none) return k;
    return none;
}

namespace {

rsc_ix compatible_instance(const sched& s, rsc_ix local, rsc_ix clone, bool current) {
    return clone_compatible_instance(s, local, clone, role::unknown, current);
}

bool ends_with(const std::string& text, const char* tail) {
    const size_t n = std::char_traits<char>::length(tail);
    return text.size() >= n && text.compare(text.size() - n, n, tail) == 0;
}

bool can_interleave(const sched& s, action_ix first, action_ix then) {
    const rsc_ix fr = s.actions[first].rsc, tr = s.actions[then].rsc;
    if (fr == none || tr == none || fr == tr) return false;
    if (s.ws.resources[fr].variant != rsc_variant::clone || s.ws.resources[tr].variant != rsc_variant::clone)
        return false;
    const std::string& key = s.actions[then].uuid;
    const rsc_ix decides = (ends_with(key, "_stop_0") || ends_with(key, "_demote_0")) ? fr : tr;
    return meta_true(s, decides, "interleave");
}

// clone_child_action: the task a clone action stands for among its instances,
// folded to the atomic one ("running" -> "start") for primitive instances only
// (get_complex_task): instances that are groups have "running" actions of their own
std::string clone_child_task(const sched& s, action_ix a) {
    const std::string task = notified_task(s.actions[a]);
    const auto& kids = s.ws.resources[s.actions[a].rsc].children;
    if (kids.empty() || s.ws.resources[kids.front()].variant == rsc_variant::primitive) return member_task(task);
    return task;
}

uint32_t interleave_update(sched& s, action_ix first, action_ix then, node_ix node, uint32_t filter, uint32_t type) {
    uint32_t changed = 0;
    const bool current =
        ends_with(s.actions[first].uuid, "_stopped_0") || ends_with(s.actions[first].uuid, "_demoted_0");
    const rsc_ix first_clone = s.actions[first].rsc, then_clone = s.actions[then].rsc;
    const std::string first_task = clone_child_task(s, first);
    const std::string then_task = s.actions[then].task;
    for (rsc_ix then_child : std::vector<rsc_ix>(s.ws.resources[then_clone].children)) {
        rsc_ix first_child = compatible_instance(s, then_child, first_clone, current);
        if (first_child == none) {
            if (!current && (type & (of_runnable_left | of_implies_then))) {
                if (s.rs[then_child].allocated_to != none) changed |= updated_then;
                finalize_assignment(s, then_child, none, true);
            }
            continue;
        }
        action_ix fa = newest_action(s, first_child, first_task, node);
        action_ix ta = newest_action(s, then_child, then_task, node);
        if (fa < 0 || ta < 0) continue;
        if (s.order_actions(fa, ta, type)) changed |= updated_first | updated_then;
        changed |= update_ordered_actions(s, then_child, fa, ta, node, action_flags(s, fa, node), filter, type);
    }
    return changed;
}

}  // namespace

node_ix clone_assign(sched& s, rsc_ix c, node_ix prefer) {
    rsc_state& st = s.rs[c];
    if (!(st.flags & rf_provisional) || (st.flags & rf_allocating)) return none;
    if (st.flags & rf_promotable) promotable_add_scores(s, c);
    st.flags |= rf_allocating;
    for (int ci : std::vector<int>(st.this_with)) assign(s, s.colocations[ci].primary, prefer);
    for (int ci : std::vector<int>(s.rs[c].with_this)) {
        const colocation col = s.colocations[ci];
        if (!col.influence) continue;
        add_colocated_node_scores(s, col.dependent, s.rs[c].allowed, col.node_attribute,
                                  static_cast<float>(col.score) / score_infinity, false, true);
    }
    distribute_children(s, c);
    if (s.rs[c].flags & rf_promotable) promotable_set_roles(s, c);
    s.rs[c].flags &= ~(rf_provisional | rf_allocating);
    return none;
}

void clone_create_actions(sched& s, rsc_ix c) {
    bool active = false, starting = false, stopping = false;
    for (rsc_ix inst : std::vector<rsc_ix>(s.ws.resources[c].children)) {
        bool inst_starting = false, inst_stopping = false;
        create_actions(s, inst);
        pseudo_status(s, inst, inst_stopping, inst_starting, active);
        starting = starting || inst_starting;
        stopping = stopping || inst_stopping;
    }
    action_ix start = new_rsc_pseudo_action(s, c, "start", !starting, true);
    action_ix started = new_rsc_pseudo_action(s, c, "running", !starting, false);
    s.actions[started].priority = score_infinity;
    if (active || starting) s.actions[started].flags |= af_runnable;
    const int start_notify = clone_notifications(s, c, "start", start, started);
    action_ix stop = new_rsc_pseudo_action(s, c, "stop", !stopping, true);
    action_ix stopped = new_rsc_pseudo_action(s, c, "stopped", !stopping, true);
    s.actions[stopped].priority = score_infinity;
    s.actions[stop].flags |= af_migrate_runnable;
    const int stop_notify = clone_notifications(s, c, "stop", stop, stopped);
    if (start_notify >= 0 && stop_notify >= 0)
        s.order_actions(s.notifications[stop_notify].post_done, s.notifications[start_notify].pre, of_optional);
    if (ordered(s, c)) {
        action_ix last_stop = -1, last_start = -1;
        for (rsc_ix inst : s.ws.resources[c].children) {
            if (action_ix st = only_required(s, inst, "stop"); st >= 0) {
                if (last_stop >= 0) s.order_actions(st, last_stop, of_optional);
                last_stop = st;
            }
            if (action_ix sa = only_required(s, inst, "start"); sa >= 0) {
                if (last_start >= 0) s.order_actions(last_start, sa, of_optional);
                last_start = sa;
            }
        }
    }
    if (s.rs[c].flags & rf_promotable) promotable_create_actions(s, c);
}

void clone_internal_constraints(sched& s, rsc_ix c) {
    order_resource_actions(s, c, "stopped", c, "start", of_optional);
    order_resource_actions(s, c, "start", c, "running", of_runnable_left);
    order_resource_actions(s, c, "stop", c, "stopped", of_runnable_left);
    const bool promotable = s.rs[c].flags & rf_promotable;
    if (promotable) {
        order_resource_actions(s, c, "demoted", c, "stop", of_optional);
        order_resource_actions(s, c, "running", c, "promote", of_runnable_left);
    }
    const bool is_ordered = ordered(s, c);
    rsc_ix last = none;
    for (rsc_ix inst : s.ws.resources[c].children) {
        internal_constraints(s, inst);
        order_starts(s, c, inst, of_runnable_left | of_implies_first_printed);
        order_resource_actions(s, inst, "start", c, "running", of_implies_then_printed);
        if (is_ordered && last != none) order_starts(s, last, inst, of_optional);
        order_stops(s, c, inst, of_implies_first_printed);
        order_resource_actions(s, inst, "stop", c, "stopped", of_implies_then_printed);
        if (is_ordered && last != none) order_stops(s, inst, last, of_optional);
        last = inst;
    }
    if (promotable) promotable_order_instances(s, c, is_ordered);
}

// pcmk__clone_apply_coloc_score for a primitive dependent and a clone primary
void clone_apply_coloc_as_primary(sched& s, rsc_ix dependent, rsc_ix clone, const colocation& c) {
    const rsc_ix dep_top = c.dependent;
    const bool interleave = s.ws.resources[dep_top].variant == rsc_variant::clone &&
                            meta_true(s, dep_top, "interleave") &&
                            clone_node_max(s, dep_top) == clone_node_max(s, clone);
    if (s.rs[clone].flags & rf_provisional) return;
    if ((s.rs[clone].flags & rf_promotable) && c.primary_role != role::unknown) {
        if (s.rs[dependent].flags & rf_provisional) {
            update_dependent_with_promotable(s, clone, dependent, c);
            return;
        }
        if (c.dependent_role == role::promoted) {
            update_promotable_dependent_priority(s, clone, dependent, c);
            return;
        }
    }
    if (interleave) {
        rsc_ix pair = compatible_instance(s, dependent, clone, false);
        if (pair != none)
            apply_coloc_score(s, dependent, pair, c);
        else if (c.score >= score_infinity)
            finalize_assignment(s, dependent, none, true);
        return;
    }
    if (c.score >= score_infinity) {
        std::vector<bool> keep(s.ws.nodes.size(), false);
        for (rsc_ix inst : s.ws.resources[clone].children) {
            node_ix n = rsc_location(s, inst, false);
            if (n != none && !(s.rs[inst].flags & rf_block)) keep[n] = true;
        }
        auto& allowed = s.rs[dependent].allowed;
        for (node_ix n = 0; n < static_cast<node_ix>(allowed.size()); ++n)
            if (allowed[n] != not_allowed && !keep[n]) allowed[n] = -score_infinity;
        return;
    }
    for (rsc_ix inst : s.ws.resources[clone].children) apply_coloc_with_primary(s, dependent, inst, c);
}

uint32_t clone_action_flags(sched& s, action_ix a, node_ix node) {
    uint32_t flags = af_optional | af_runnable | af_pseudo;
    const std::string task = clone_child_task(s, a);
    bool any_runnable = false;
    for (rsc_ix inst : s.ws.resources[s.actions[a].rsc].children) {
        const bool collective = !s.ws.resources[inst].children.empty();
        action_ix ia = newest_action(s, inst, task, collective ? none : node);
        if (ia < 0) continue;
        uint32_t iflags = action_flags(s, ia, node);
        if ((flags & af_optional) && !(iflags & af_optional)) {
            flags &= ~af_optional;
            s.actions[a].flags &= ~af_optional;
        }
        if (iflags & af_runnable) any_runnable = true;
    }
    if (!any_runnable) {
        flags &= ~af_runnable;
        if (node == none) s.actions[a].flags &= ~af_runnable;
    }
    return flags;
}

uint32_t bundle_action_flags(sched& s, action_ix a, node_ix) { unsupported_collective(s, s.actions[a].rsc); }

uint32_t multi_update_ordered_actions(sched& s, action_ix first, action_ix then, node_ix node, uint32_t flags,
                                      uint32_t filter, uint32_t type) {
    if (can_interleave(s, first, then)) return interleave_update(s, first, then, node, filter, type);
    uint32_t changed = primitive_update_ordered_actions(s, first, then, node, flags, filter, type);
    const rsc_ix c = s.actions[then].rsc;
    const std::string task = s.actions[then].task;
    for (rsc_ix inst : std::vector<rsc_ix>(s.ws.resources[c].children)) {
        action_ix ia = newest_action(s, inst, task, node);
        if (ia < 0) continue;
        uint32_t inst_changed = 0;
        if (action_flags(s, ia, node) & af_runnable)
            inst_changed = update_ordered_actions(s, inst, first, ia, node, flags, filter, type);
        changed |= inst_changed;
        if (inst_changed & updated_then) {
            for (const auto& link : std::vector<action_link>(s.actions[ia].after))
                s.update_action_for_orderings(link.other);
        }
    }
    return changed;
}

void clone_add_actions_to_graph(sched& s, rsc_ix clone) {
    for (action_ix a : std::vector<action_ix>(s.rs[clone].actions)) action_flags(s, a, none);
    create_clone_notifications(s, clone);
    for (rsc_ix inst : s.ws.resources[clone].children) add_actions_to_graph(s, inst);
    add_rsc_actions_to_graph(s, clone);
}

void bundle_add_actions_to_graph(sched& s, rsc_ix bundle) { unsupported_collective(s, bundle); }

void clone_add_graph_meta(sched& s, rsc_ix clone, std::map<std::string, std::string>& meta) {
    meta["globally-unique"] = (s.rs[clone].flags & rf_unique) ? "true" : "false";
    meta["notify"] = (s.rs[clone].flags & rf_notify) ? "true" : "false";
    meta["clone-max"] = std::to_string(clone_max(s, clone));
    meta["clone-node-max"] = std::to_string(clone_node_max(s, clone));
    if (s.rs[clone].flags & rf_promotable) {
        const std::string max = std::to_string(promoted_max(s, clone));
        const std::string node_max = std::to_string(promoted_node_max(s, clone));
        meta["promoted_max"] = max;
        meta["promoted_node_max"] = node_max;
        meta["master_max"] = max;  // the pre-2.0 names, for agents that still read them
        meta["master_node_max"] = node_max;
    }
}

// For anonymous clones one instance per node is probed: the one known
// there, else the one going there, else the first.
bool clone_probe_instance(sched& s, rsc_ix clone, node_ix n, rsc_ix& chosen) {
    if (s.rs[clone].flags & rf_unique) return false;
    chosen = none;
    auto known = [&](auto&& self, rsc_ix r) -> bool {
        if (s.ws.resources[r].children.empty()) return s.rs[r].known_on[n];
        for (rsc_ix c : s.ws.resources[r].children)
            if (self(self, c)) return true;
        return false;
    };
    for (rsc_ix inst : s.ws.resources[clone].children)
        if (chosen == none && known(known, inst)) chosen = inst;
    for (rsc_ix inst : s.ws.resources[clone].children)
        if (chosen == none && rsc_location(s, inst, false) == n) chosen = inst;
    if (chosen == none && !s.ws.resources[clone].children.empty()) chosen = s.ws.resources[clone].children.front();
    return true;
}

}  // namespace sched
}  // namespace holdfast::policy
