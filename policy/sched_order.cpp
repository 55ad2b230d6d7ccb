// Ordering constraints: unpacking <rsc_order> (simple and with resource sets)
// into sched.orderings, and turning those orderings into action edges
// (Pacemaker's pcmk_sched_ordering.c).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>

#include "policy/rules.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {

rsc_ix find_constraint_resource(const sched& s, const std::string& id) {
    auto it = s.ws.rsc_by_id.find(id);
    return it == s.ws.rsc_by_id.end() ? none : it->second;
}

// A tag or template id expands to the resources it names (pcmk__tag_to_set)
std::vector<std::string> expand_tag_reference(const sched& s, const std::string& id) {
    if (find_constraint_resource(s, id) != none) return {id};
    std::vector<std::string> out;
    if (!s.ws.cib) return out;
    for (const auto& t : s.ws.cib->tags) {
        if (t.id == id) return t.refs;
    }
    for (const auto& tmpl : s.ws.cib->templates) {
        if (tmpl.id != id) continue;
        for (const auto& res : s.ws.resources) {
            if (res.def && res.def->template_id == id && res.parent == none)
                out.push_back(res.id);
            else if (res.def && res.def->template_id == id && res.base_id == res.id)
                out.push_back(res.id);
        }
    }
    return out;
}

namespace {

enum class kind { optional, mandatory, serialize };
enum class symmetry { asymmetric, symmetric, inverse };

kind kind_of(const std::string& kind_s, const std::string& score_s) {
    if (kind_s.empty()) {
        if (!score_s.empty() && char2score(score_s) == 0) return kind::optional;
        return kind::mandatory;
    }
    if (iequals(kind_s, "Optional")) return kind::optional;
    if (iequals(kind_s, "Serialize")) return kind::serialize;
    return kind::mandatory;
}

symmetry symmetry_of(kind k, const std::string& symmetrical_s, const std::string& parent_symmetrical_s) {
    std::optional<bool> sym = parse_boolean(symmetrical_s);
    if (!sym && !parent_symmetrical_s.empty()) {
        std::string lower = parent_symmetrical_s;
        sym = parse_boolean(lower).value_or(false);
    }
    if (sym) {
        if (*sym && k != kind::serialize) return symmetry::symmetric;
        return symmetry::asymmetric;
    }
    return k == kind::serialize ? symmetry::asymmetric : symmetry::symmetric;
}

uint32_t flags_for_kind(kind k, std::string_view first, symmetry sym) {
    uint32_t flags = of_optional;
    if (k == kind::serialize) return flags | of_serialize_only;
    if (k == kind::optional) return flags;
    switch (sym) {
        case symmetry::asymmetric: flags |= of_asymmetrical; break;
        case symmetry::symmetric:
            flags |= of_implies_then;
            if (iequals(first, "start") || iequals(first, "promote")) flags |= of_runnable_left;
            break;
        case symmetry::inverse: flags |= of_implies_first; break;
    }
    return flags;
}

std::string invert_action(std::string_view a) {
    static const std::pair<const char*, const char*> pairs[] = {
        {"start", "stop"},       {"stop", "start"},       {"promote", "demote"},  {"demote", "promote"},
        {"promoted", "demoted"}, {"demoted", "promoted"}, {"running", "stopped"}, {"stopped", "running"}};
    for (const auto& [from, to] : pairs) {
        if (iequals(a, from)) return to;
    }
    return "";
}

bool restart_type_restart(const sched& s, rsc_ix r) {
    auto it = s.ws.resources[r].meta.find("restart-type");
    return it != s.ws.resources[r].meta.end() && iequals(it->second, "restart");
}

int clone_min_of(const sched& s, rsc_ix first, const std::string& require_all_s) {
    if (s.ws.resources[first].variant != rsc_variant::clone) return 0;
    const auto& meta = s.ws.resources[first].meta;
    if (auto it = meta.find("clone-min"); it != meta.end()) {
        int n = static_cast<int>(std::strtol(it->second.c_str(), nullptr, 10));
        return n < 0 ? 0 : n;
    }
    if (auto ra = parse_boolean(require_all_s); ra && !*ra) return 1;
    return 0;
}

void clone_min_ordering(sched& s, const std::string& id, rsc_ix first, const std::string& first_action, rsc_ix then,
                        const std::string& then_action, uint32_t flags, int clone_min) {
    action_ix met = get_pseudo_op(s, "clone-one-or-more:" + id);
    s.actions[met].required_runnable_before = clone_min;
    s.actions[met].flags |= af_requires_any;
    for (rsc_ix child : s.ws.resources[first].children) {
        s.new_ordering(child, op_key(s.ws.resources[child].id, first_action, 0), -1, none, "", met,
                       of_one_or_more | of_implies_then_printed);
    }
    s.new_ordering(none, "", met, then, op_key(s.ws.resources[then].id, then_action, 0), -1, flags | of_runnable_left);
}

void unpack_simple(sched& s, const cib::order_constraint& c, rsc_ix first, rsc_ix then) {
    std::string first_action = c.first_action.empty() ? "start" : c.first_action;
    std::string then_action = c.then_action.empty() ? first_action : c.then_action;
    kind k = kind_of(c.kind, c.score);
    symmetry sym = symmetry_of(k, c.symmetrical, "");
    uint32_t flags = flags_for_kind(k, first_action, sym);
    if (k == kind::optional && restart_type_restart(s, then)) flags |= of_implies_then;
    int min_before = clone_min_of(s, first, c.require_all);
    if (min_before > 0)
        clone_min_ordering(s, c.id, first, first_action, then, then_action, flags, min_before);
    else
        order_resource_actions(s, first, first_action, then, then_action, flags);
    if (sym != symmetry::symmetric) return;
    std::string inv_then = invert_action(then_action);
    std::string inv_first = invert_action(first_action);
    if (inv_then.empty() || inv_first.empty()) return;
    uint32_t inv_flags = flags_for_kind(k, inv_first, symmetry::inverse);
    if (k == kind::optional && restart_type_restart(s, then)) inv_flags |= of_implies_first;
    order_resource_actions(s, then, inv_then, first, inv_first, inv_flags);
}

// Resolve a set's resource ids; nullopt if one does not exist (constraint ignored)
std::optional<std::vector<rsc_ix>> set_members(const sched& s, const cib::resource_set& set) {
    std::vector<rsc_ix> out;
    for (const auto& ref : set.resources) {
        const auto ids = expand_tag_reference(s, ref);  // templates and tags stand for their members
        if (ids.empty()) return std::nullopt;
        for (const auto& id : ids) {
            rsc_ix r = find_constraint_resource(s, id);
            if (r == none) return std::nullopt;
            out.push_back(r);
        }
    }
    return out;
}

bool unpack_order_set(sched& s, const cib::resource_set& set, kind parent_kind, const std::string& parent_sym) {
    std::string act = set.action.empty() ? "start" : set.action;
    kind local = set.kind.empty() ? parent_kind : kind_of(set.kind, set.score);
    bool sequential = parse_boolean(set.sequential.empty() ? "1" : set.sequential).value_or(false);
    kind sym_kind = (!set.kind.empty() || !set.score.empty()) ? kind_of(set.kind, set.score) : parent_kind;
    symmetry sym = symmetry_of(sym_kind, "", parent_sym);
    uint32_t flags = flags_for_kind(local, act, sym);
    auto members = set_members(s, set);
    if (!members) return false;
    const auto& rscs = *members;
    if (rscs.size() == 1) return true;
    rsc_ix last = none;
    for (size_t i = 0; i < rscs.size(); ++i) {
        if (local == kind::serialize) {
            for (size_t j = i + 1; j < rscs.size(); ++j) order_resource_actions(s, rscs[i], act, rscs[j], act, flags);
        } else if (sequential) {
            if (last != none) order_resource_actions(s, last, act, rscs[i], act, flags);
            last = rscs[i];
        }
    }
    if (sym == symmetry::asymmetric) return true;
    std::string inv = invert_action(act);
    flags = flags_for_kind(local, inv, symmetry::inverse);
    last = none;
    for (rsc_ix r : rscs) {
        if (sequential) {
            if (last != none) order_resource_actions(s, r, inv, last, inv, flags);
            last = r;
        }
    }
    return true;
}

bool order_rsc_sets(sched& s, const cib::resource_set& set1, const cib::resource_set& set2, kind k, symmetry sym) {
    std::string action1 = set1.action.empty() ? "start" : set1.action;
    std::string action2 = set2.action.empty() ? "start" : set2.action;
    bool require_all = parse_boolean(set1.require_all).value_or(true);
    if (sym == symmetry::inverse) {
        action1 = invert_action(action1);
        action2 = invert_action(action2);
    }
    if (iequals(action1, "stop") || iequals(action1, "demote")) require_all = true;
    uint32_t flags = flags_for_kind(k, action2, sym);
    auto m1 = set_members(s, set1);
    auto m2 = set_members(s, set2);
    if (!m1 || !m2) return false;
    if (!require_all) {
        action_ix any = get_pseudo_op(s, "one-or-more:" + set1.id);
        s.actions[any].flags |= af_requires_any;
        for (rsc_ix r : *m1)
            s.new_ordering(r, op_key(s.ws.resources[r].id, action1, 0), -1, none, "", any,
                           of_one_or_more | of_implies_then_printed);
        for (rsc_ix r : *m2)
            s.new_ordering(none, "", any, r, op_key(s.ws.resources[r].id, action2, 0), -1, flags | of_runnable_left);
        return true;
    }
    rsc_ix r1 = none, r2 = none;
    // sequential="true" must be explicit here (an absent attribute is not true)
    if (parse_boolean(set1.sequential).value_or(false) && !m1->empty())
        r1 = (sym == symmetry::inverse) ? m1->front() : m1->back();
    if (parse_boolean(set2.sequential).value_or(false) && !m2->empty())
        r2 = (sym == symmetry::inverse) ? m2->back() : m2->front();
    if (r1 != none && r2 != none) {
        order_resource_actions(s, r1, action1, r2, action2, flags);
    } else if (r1 != none) {
        for (rsc_ix b : *m2) order_resource_actions(s, r1, action1, b, action2, flags);
    } else if (r2 != none) {
        for (rsc_ix a : *m1) order_resource_actions(s, a, action1, r2, action2, flags);
    } else {
        for (rsc_ix a : *m1)
            for (rsc_ix b : *m2) order_resource_actions(s, a, action1, b, action2, flags);
    }
    return true;
}

void unpack_one_ordering(sched& s, const cib::order_constraint& c) {
    kind k = kind_of(c.kind, c.score);
    symmetry sym = symmetry_of(k, c.symmetrical, "");
    std::vector<cib::resource_set> sets = c.sets;
    if (sets.empty() && !c.first.empty() && !c.then.empty()) {
        rsc_ix first = find_constraint_resource(s, c.first);
        rsc_ix then = find_constraint_resource(s, c.then);
        if (first != none && then != none) {
            unpack_simple(s, c, first, then);
            return;
        }
        // A tag or template on either side turns the constraint into sets
        auto side = [&](const std::string& id, const std::string& act) {
            cib::resource_set set;
            set.id = id;
            set.action = act;
            set.resources = expand_tag_reference(s, id);
            // pcmk__tag_to_set: a tag's or template's members are not ordered among themselves
            if (find_constraint_resource(s, id) == none) set.sequential = "false";
            return set;
        };
        if (expand_tag_reference(s, c.first).empty() || expand_tag_reference(s, c.then).empty()) return;
        sets.push_back(side(c.first, c.first_action));
        sets.push_back(side(c.then, c.then_action));
    }
    const cib::resource_set* last = nullptr;
    for (const auto& set : sets) {
        if (!unpack_order_set(s, set, k, c.symmetrical)) return;
        if (last) {
            if (!order_rsc_sets(s, *last, set, k, sym)) return;
            if (sym == symmetry::symmetric && !order_rsc_sets(s, set, *last, k, symmetry::inverse)) return;
        }
        last = &set;
    }
}

}  // namespace

void unpack_orderings(sched& s) {
    if (!s.ws.cib) return;
    for (const auto& c : s.ws.cib->orders) unpack_one_ordering(s, c);
}

void sched::new_ordering(rsc_ix first_rsc, const std::string& first_key, action_ix first_action, rsc_ix then_rsc,
                         const std::string& then_key, action_ix then_action, uint32_t type) {
    if ((first_action < 0 && first_rsc == none) || (then_action < 0 && then_rsc == none)) return;
    if (first_rsc == none && first_action >= 0) first_rsc = actions[first_action].rsc;
    if (then_rsc == none && then_action >= 0) then_rsc = actions[then_action].rsc;
    ordering o;
    o.id = next_ordering_id++;
    o.flags = type;
    o.first_rsc = first_rsc;
    o.then_rsc = then_rsc;
    o.first_action = first_action;
    o.then_action = then_action;
    o.first_task = first_key;
    o.then_task = then_key;
    if (o.first_task.empty() && first_action >= 0) o.first_task = actions[first_action].uuid;
    if (o.then_task.empty() && then_action >= 0) o.then_task = actions[then_action].uuid;
    orderings.push_back(std::move(o));
    order_migration_equivalents(*this, static_cast<int>(orderings.size()) - 1);
}

void order_resource_actions(sched& s, rsc_ix first, std::string_view first_task, rsc_ix then,
                            std::string_view then_task, uint32_t flags) {
    s.new_ordering(first, op_key(s.ws.resources[first].id, first_task, 0), -1, then,
                   op_key(s.ws.resources[then].id, then_task, 0), -1, flags);
}

void order_after_each(sched& s, action_ix after, const std::vector<action_ix>& list) {
    for (action_ix before : list) s.order_actions(before, after, of_optional);
}

void order_stops_before_shutdown(sched& s, node_ix node, action_ix shutdown) {
    for (action_ix a = static_cast<action_ix>(s.actions.size()); a-- > 0;) {
        action& act = s.actions[a];
        if (act.id < 0 || act.rsc == none || act.node != node || !iequals(act.task, "stop")) continue;
        const uint64_t rf = s.rs[act.rsc].flags;
        if (rf & rf_maintenance) continue;
        if (s.ws.nodes[node].maintenance) continue;
        if (!(rf & (rf_managed | rf_block))) continue;
        act.flags &= ~af_optional;
        s.new_ordering(act.rsc, "", a, none, "do_shutdown", shutdown, of_optional | of_runnable_left);
    }
}

// ---- applying orderings (pcmk__apply_orderings) ----

namespace {

// find_actions_by_task: the resource's actions with this key, or with the same
// task and interval under the resource's own id
std::vector<action_ix> actions_by_task(sched& s, rsc_ix r, const std::string& key) {
    auto list = s.find_actions(r, key, none);
    if (!list.empty()) return list;
    auto us = key.rfind('_');
    if (us == std::string::npos) return list;
    std::string head = key.substr(0, us);
    std::string interval = key.substr(us + 1);
    // the task is what follows the resource id; try every split point that names a task
    const std::string& id = s.ws.resources[r].id;
    for (size_t pos = head.find('_'); pos != std::string::npos; pos = head.find('_', pos + 1)) {
        std::string task = head.substr(pos + 1);
        std::string alt = id + "_" + task + "_" + interval;
        list = s.find_actions(r, alt, none);
        if (!list.empty()) return list;
    }
    return list;
}

std::string task_of_key(const std::string& key, const std::string& rsc_id) {
    std::string rest = key;
    if (rest.compare(0, rsc_id.size() + 1, rsc_id + "_") == 0) rest = rest.substr(rsc_id.size() + 1);
    auto us = rest.rfind('_');
    return us == std::string::npos ? rest : rest.substr(0, us);
}

role rsc_role_now(const sched& s, rsc_ix r) {
    const resource& res = s.ws.resources[r];
    if (res.children.empty()) return s.rs[r].role_now;
    role best = role::unknown;
    for (rsc_ix c : res.children) best = std::max(best, rsc_role_now(s, c));
    return best == role::unknown ? role::stopped : best;
}

void order_actions_after(sched& s, action_ix first_action, rsc_ix rsc, const ordering& o) {
    uint32_t flags = o.flags;
    std::vector<action_ix> thens;
    if (o.then_action >= 0)
        thens.push_back(o.then_action);
    else
        thens = actions_by_task(s, rsc, o.then_task);
    if (thens.empty()) return;
    if (first_action >= 0 && s.actions[first_action].rsc == rsc && (s.actions[first_action].flags & af_dangle))
        flags &= ~of_implies_then;
    if (first_action < 0 && !(flags & of_implies_then)) return;
    for (action_ix t : thens) {
        if (first_action >= 0)
            s.order_actions(first_action, t, flags);
        else
            s.actions[t].flags &= ~af_runnable;
    }
}

void order_first(sched& s, rsc_ix first_rsc, const ordering& o) {
    std::vector<action_ix> firsts;
    rsc_ix then_rsc = o.then_rsc;
    if (o.first_action >= 0)
        firsts.push_back(o.first_action);
    else
        firsts = actions_by_task(s, first_rsc, o.first_task);
    if (firsts.empty() && first_rsc != then_rsc) {
        const std::string& id = s.ws.resources[first_rsc].id;
        std::string task = task_of_key(o.first_task, id);
        std::string interval = o.first_task.substr(o.first_task.rfind('_') + 1);
        role now = rsc_role_now(s, first_rsc);
        if (!(now == role::stopped && iequals(task, "stop")) && !(now == role::unpromoted && iequals(task, "demote"))) {
            std::string key = id + "_" + task + "_" + interval;
            firsts.push_back(s.custom_action(first_rsc, key, task, none, true, true));
        }
    }
    if (then_rsc == none) {
        if (o.then_action < 0) return;
        then_rsc = s.actions[o.then_action].rsc;
    }
    for (action_ix f : firsts) {
        if (then_rsc == none)
            s.order_actions(f, o.then_action, o.flags);
        else
            order_actions_after(s, f, then_rsc, o);
    }
}

// pcmk__rsc_corresponds_to_guest: r is the container of guest node n
bool is_guest_container(const sched& s, rsc_ix r, node_ix n) {
    if (r == none || n == none) return false;
    const node& nd = s.ws.nodes[n];
    return nd.kind == node_kind::guest && nd.remote_rsc != none && s.ws.resources[nd.remote_rsc].container == r;
}

// pcmk__disable_invalid_orderings: user orderings between a guest node's
// container and what runs on the guest, and load orderings closing a loop
void disable_invalid_orderings(sched& s) {
    for (action_ix a = static_cast<action_ix>(s.actions.size()); a-- > 0;) {
        if (s.actions[a].id < 0) continue;
        for (size_t i = s.actions[a].before.size(); i-- > 0;) {
            action_link link = s.actions[a].before[i];
            const action& in = s.actions[link.other];
            bool invalid = false;
            if (!(link.type & of_preserve) && in.rsc != none && is_guest_container(s, s.actions[a].rsc, in.node)) {
                invalid = true;
            } else if (link.type == of_load && s.actions[a].rsc != none && s.actions[a].task == "migrate_to") {
                invalid = graph_has_loop(s, a, a, link);
                if (!invalid) s.actions[a].before[i].type = link.type;
            }
            if (invalid) s.actions[a].before[i].type = of_none;
        }
    }
}

}  // namespace

void apply_orderings(sched& s) {
    // Creation order matters: order_first() may create actions later orderings find.
    for (size_t i = 0; i < s.orderings.size(); ++i) {
        const ordering o = s.orderings[i];
        if (o.first_rsc != none)
            order_first(s, o.first_rsc, o);
        else if (o.then_rsc != none)
            order_actions_after(s, o.first_action, o.then_rsc, o);
        else
            s.order_actions(o.first_action, o.then_action, o.flags);
    }
    // Pacemaker walks its action list newest first
    for (action_ix a = static_cast<action_ix>(s.actions.size()); a-- > 0;) {
        if (s.actions[a].id >= 0) block_colocation_dependents(s, a);
    }
    order_probes(s);
    for (action_ix a = static_cast<action_ix>(s.actions.size()); a-- > 0;) {
        if (s.actions[a].id >= 0) s.update_action_for_orderings(a);
    }
    disable_invalid_orderings(s);
}

}  // namespace holdfast::policy::sched

// ---- flag propagation along orderings (pcmk_sched_actions.c) ----

namespace holdfast::policy::sched {

namespace {

std::string reason_text(const sched& s, const action& a, uint32_t flag) {
    std::string change = (flag == af_optional) ? "required" : "unrunnable";
    std::string out = change;
    if (a.rsc != none) out += " " + s.ws.resources[a.rsc].id;
    out += " " + a.task;
    return out;
}

// Clear `flag` on `target` and, when caused by another resource's action, say why.
void clear_flag_because(sched& s, action_ix target, uint32_t flag, action_ix cause) {
    action& t = s.actions[target];
    if (!(t.flags & flag)) return;
    t.flags &= ~flag;
    const action& c = s.actions[cause];
    if (t.rsc != c.rsc) set_action_reason(s.actions[target], reason_text(s, c, flag), flag == af_migrate_runnable);
}

role rsc_state_role(const sched& s, rsc_ix r) {
    const resource& res = s.ws.resources[r];
    if (res.children.empty()) return s.rs[r].role_now;
    role best = role::unknown;
    for (rsc_ix c : res.children) best = std::max(best, rsc_state_role(s, c));
    return best == role::unknown ? role::stopped : best;
}

void handle_asymmetric_ordering(sched& s, action_ix first, action_ix then) {
    const action& t = s.actions[then];
    if (t.rsc == none) return;
    role then_role = rsc_state_role(s, t.rsc);
    const auto& on = s.ws.resources[t.rsc].running_on;
    if (then_role == role::stopped && t.task == "stop") return;
    if (then_role >= role::started && (t.flags & af_optional) && t.node != none && on.size() == 1 &&
        t.node == on.front() && t.task == "start")
        return;
    if (!(s.actions[first].flags & af_runnable)) {
        clear_flag_because(s, then, af_optional, first);
        clear_flag_because(s, then, af_runnable, first);
    }
}

void handle_restart_ordering(sched& s, action_ix first, action_ix then, uint32_t filter) {
    const action& t = s.actions[then];
    bool needed = false;
    if ((filter & af_optional) && !(t.flags & af_optional)) needed = true;
    if ((filter & af_runnable) && !(t.flags & af_runnable) && (s.rs[t.rsc].flags & rf_managed) &&
        s.actions[first].rsc == t.rsc)
        needed = true;
    if (!needed) return;
    if (s.actions[first].flags & af_runnable) clear_flag_because(s, first, af_optional, then);
    if (!(s.actions[then].flags & af_optional)) clear_flag_because(s, first, af_optional, then);
    if (!(s.actions[then].flags & af_migrate_runnable)) clear_flag_because(s, first, af_migrate_runnable, then);
    const action& f = s.actions[first];
    if (!(f.flags & af_optional) && !(f.flags & af_runnable)) clear_flag_because(s, then, af_runnable, first);
}

}  // namespace

uint32_t primitive_update_ordered_actions(sched& s, action_ix first, action_ix then, node_ix node, uint32_t flags,
                                          uint32_t filter, uint32_t type) {
    (void)node;
    uint32_t changed = updated_none;
    const uint32_t then_flags = s.actions[then].flags;
    const uint32_t first_flags = s.actions[first].flags;
    auto F = [&]() -> action& { return s.actions[first]; };
    auto T = [&]() -> action& { return s.actions[then]; };

    if (type & of_asymmetrical) handle_asymmetric_ordering(s, first, then);

    if ((type & of_implies_first) && !(then_flags & af_optional)) {
        if ((filter & af_optional) && !(flags & af_optional) && (first_flags & af_optional))
            clear_flag_because(s, first, af_optional, then);
        if ((flags & af_migrate_runnable) && !(T().flags & af_migrate_runnable))
            clear_flag_because(s, first, af_migrate_runnable, then);
    }
    if ((type & of_promoted_implies_first) && T().rsc != none && s.rs[T().rsc].role_now == role::promoted &&
        (filter & af_optional) && !(T().flags & af_optional)) {
        clear_flag_because(s, first, af_optional, then);
        if ((F().flags & af_migrate_runnable) && !(T().flags & af_migrate_runnable))
            clear_flag_because(s, first, af_migrate_runnable, then);
    }
    if ((type & of_implies_first_migratable) && (filter & af_optional)) {
        if (!is_set(T().flags, af_migrate_runnable | af_runnable)) clear_flag_because(s, first, af_runnable, then);
        if (!(T().flags & af_optional)) clear_flag_because(s, first, af_optional, then);
    }
    if ((type & of_pseudo_left) && (filter & af_optional) && !(F().flags & af_runnable)) {
        clear_flag_because(s, then, af_migrate_runnable, first);
        T().flags &= ~af_pseudo;
    }
    if ((type & of_runnable_left) && (filter & af_runnable) && (T().flags & af_runnable) && !(flags & af_runnable)) {
        clear_flag_because(s, then, af_runnable, first);
        clear_flag_because(s, then, af_migrate_runnable, first);
    }
    if ((type & of_implies_then) && (filter & af_optional) && (T().flags & af_optional) && !(flags & af_optional) &&
        !(F().flags & af_migrate_runnable))
        clear_flag_because(s, then, af_optional, first);
    if (type & of_restart) handle_restart_ordering(s, first, then, filter);

    if (then_flags != T().flags) {
        changed |= updated_then;
        if (T().rsc != none && s.ws.resources[T().rsc].parent != none) s.update_action_for_orderings(then);
    }
    if (first_flags != F().flags) changed |= updated_first;
    return changed;
}

uint32_t action_flags(sched& s, action_ix a, node_ix node) {
    const action& act = s.actions[a];
    if (act.rsc == none) return act.flags;
    switch (s.ws.resources[act.rsc].variant) {
        case rsc_variant::primitive: return act.flags;
        case rsc_variant::group: return group_action_flags(s, a, node);
        case rsc_variant::clone: return clone_action_flags(s, a, node);
        case rsc_variant::bundle: return bundle_action_flags(s, a, node);
    }
    return act.flags;
}

uint32_t update_ordered_actions(sched& s, rsc_ix via, action_ix first, action_ix then, node_ix node, uint32_t flags,
                                uint32_t filter, uint32_t type) {
    switch (s.ws.resources[via].variant) {
        case rsc_variant::primitive: return primitive_update_ordered_actions(s, first, then, node, flags, filter, type);
        case rsc_variant::group: return group_update_ordered_actions(s, first, then, node, flags, filter, type);
        case rsc_variant::clone:
        case rsc_variant::bundle: return multi_update_ordered_actions(s, first, then, node, flags, filter, type);
    }
    return updated_none;
}

namespace {

uint32_t flags_for_ordering(sched& s, action_ix a, node_ix node) {
    const action& act = s.actions[a];
    if (act.rsc == none) return act.flags;
    uint32_t flags = action_flags(s, a, none);
    if (node == none || s.ws.resources[act.rsc].variant != rsc_variant::clone) return flags;
    const bool runnable = flags & af_runnable;
    flags = action_flags(s, a, node);
    if (runnable) flags |= af_runnable;
    return flags;
}

// Which "complete" pseudo-action a collective resource's action maps to for ordering
std::string remapped_uuid(const sched& s, const action& a) {
    const resource& res = s.ws.resources[a.rsc];
    if (a.uuid.find("notify") != std::string::npos || res.variant == rsc_variant::primitive) return a.uuid;
    const std::string prefix = res.id + "_";
    if (a.uuid.compare(0, prefix.size(), prefix) != 0) return a.uuid;
    std::string rest = a.uuid.substr(prefix.size());
    auto us = rest.rfind('_');
    if (us == std::string::npos) return a.uuid;
    std::string task = rest.substr(0, us);
    if (std::strtoll(rest.substr(us + 1).c_str(), nullptr, 10) > 0) return a.uuid;
    static const std::map<std::string, std::string> remap = {
        {"stop", "stopped"},      {"start", "running"},   {"notify", "notified"}, {"promote", "promoted"},
        {"demote", "demoted"},    {"stopped", "stopped"}, {"running", "running"}, {"notified", "notified"},
        {"promoted", "promoted"}, {"demoted", "demoted"}};
    auto it = remap.find(task);
    if (it == remap.end()) return a.uuid;
    const bool notify_outer = (s.rs[a.rsc].flags & rf_notify) &&
                              (res.parent == none || (res.variant == rsc_variant::clone &&
                                                      s.ws.resources[res.parent].variant == rsc_variant::bundle));
    if (notify_outer) return res.id + "_confirmed-post_notify_" + it->second + "_0";
    return op_key(res.id, it->second, 0);
}

action_ix action_for_ordering(sched& s, action_ix a) {
    const action& act = s.actions[a];
    if (act.rsc == none || s.ws.resources[act.rsc].variant == rsc_variant::primitive) return a;
    std::string uuid = remapped_uuid(s, act);
    for (auto it = s.rs[act.rsc].actions.rbegin(); it != s.rs[act.rsc].actions.rend(); ++it) {
        if (iequals(s.actions[*it].uuid, uuid)) return *it;
    }
    return a;
}

bool is_ancestor(const sched& s, rsc_ix child, rsc_ix maybe_parent) {
    for (rsc_ix p = s.ws.resources[child].parent; p != none; p = s.ws.resources[p].parent) {
        if (p == maybe_parent) return true;
    }
    return false;
}

uint32_t call_update(sched& s, rsc_ix via, action_ix first, action_ix then, node_ix node, uint32_t flags,
                     uint32_t filter, uint32_t type) {
    return update_ordered_actions(s, via, first, then, node, flags, filter, type);
}

// The tail of update_for_ordering_flags: "print always" marks, and a blocked
// unmanaged stop that cannot run blocks whatever it implies
uint32_t finish_ordering_update(sched& s, action_ix first, action_ix then, uint32_t first_flags, uint32_t then_flags,
                                uint32_t type) {
    action& f = s.actions[first];
    action& t = s.actions[then];
    if ((f.flags & af_runnable) && (type & of_implies_then_printed) && !(first_flags & af_optional))
        t.flags |= af_print_always;
    if ((type & of_implies_first_printed) && !(then_flags & af_optional)) f.flags |= af_print_always;
    const rsc_ix frsc = f.rsc;
    if ((type & (of_implies_then | of_implies_first | of_restart)) && frsc != none &&
        !(s.rs[frsc].flags & rf_managed) && (s.rs[frsc].flags & rf_block) && !(f.flags & af_runnable) &&
        f.task == "stop" && (t.flags & af_runnable)) {
        t.flags &= ~af_runnable;
        return updated_then;
    }
    return updated_none;
}

uint32_t update_for_ordering_flags(sched& s, action_ix first, action_ix then, uint32_t first_flags, uint32_t then_flags,
                                   action_ix then_owner, size_t edge) {
    uint32_t changed = updated_none;
    auto T = [&]() -> action& { return s.actions[then]; };
    auto F = [&]() -> action& { return s.actions[first]; };
    auto type = [&]() -> uint32_t& { return s.actions[then_owner].before[edge].type; };
    node_ix node = T().node;
    if (type() & of_implies_then_on_node) {
        type() = (type() & ~of_implies_then_on_node) | of_implies_then;
        node = F().node;
    }
    const rsc_ix trsc = T().rsc, frsc = F().rsc;
    if (type() & of_implies_then) {
        if (trsc != none)
            changed |= call_update(s, trsc, first, then, node, first_flags & af_optional, af_optional, of_implies_then);
        else if (!(first_flags & af_optional) && (T().flags & af_optional)) {
            T().flags &= ~af_optional;
            changed |= updated_then;
        }
    }
    if ((type() & of_restart) && trsc != none)
        changed |= call_update(s, trsc, first, then, node, first_flags, af_optional | af_runnable, of_restart);
    if (type() & of_implies_first) {
        if (frsc != none)
            changed |= call_update(s, frsc, first, then, node, first_flags, af_optional, of_implies_first);
        else if (!(first_flags & af_optional) && (F().flags & af_runnable)) {
            F().flags &= ~af_runnable;
            changed |= updated_first;
        }
    }
    if ((type() & of_promoted_implies_first) && trsc != none)
        changed |=
            call_update(s, trsc, first, then, node, first_flags & af_optional, af_optional, of_promoted_implies_first);
    if (type() & of_one_or_more) {
        if (trsc != none)
            changed |= call_update(s, trsc, first, then, node, first_flags, af_runnable, of_one_or_more);
        else if (first_flags & af_runnable) {
            T().runnable_before++;
            if (T().runnable_before >= T().required_runnable_before && !(T().flags & af_runnable)) {
                T().flags |= af_runnable;
                changed |= updated_then;
            }
        }
    }
    if ((type() & of_probe) && trsc != none) {
        if (!(first_flags & af_runnable) && !s.ws.resources[frsc].running_on.empty())
            type() = of_none;
        else
            changed |= call_update(s, trsc, first, then, node, first_flags, af_runnable, of_runnable_left);
    }
    if (type() & of_runnable_left) {
        if (trsc != none)
            changed |= call_update(s, trsc, first, then, node, first_flags, af_runnable, of_runnable_left);
        else if (!(first_flags & af_runnable) && (T().flags & af_runnable)) {
            T().flags &= ~af_runnable;
            changed |= updated_then;
        }
    }
    if ((type() & of_implies_first_migratable) && trsc != none)
        changed |= call_update(s, trsc, first, then, node, first_flags, af_optional, of_implies_first_migratable);
    if ((type() & of_pseudo_left) && trsc != none)
        changed |= call_update(s, trsc, first, then, node, first_flags, af_optional, of_pseudo_left);
    if ((type() & of_optional) && trsc != none)
        changed |= call_update(s, trsc, first, then, node, first_flags, af_runnable, of_optional);
    if ((type() & of_asymmetrical) && trsc != none)
        changed |= call_update(s, trsc, first, then, node, first_flags, af_runnable, of_asymmetrical);

    return changed | finish_ordering_update(s, first, then, first_flags, then_flags, type());
}

}  // namespace

void sched::update_action_for_orderings(action_ix then) {
    uint32_t changed = updated_none;
    const uint32_t last_flags = actions[then].flags;
    if (actions[then].flags & af_requires_any) {
        actions[then].runnable_before = 0;
        if (actions[then].required_runnable_before == 0) actions[then].required_runnable_before = 1;
        actions[then].flags &= ~af_runnable;
    }
    // Newest edge first, as Pacemaker walks its prepended list; edges added
    // during the walk are not visited.
    for (size_t i = actions[then].before.size(); i-- > 0;) {
        const action_ix orig_first = actions[then].before[i].other;
        action_ix first = orig_first;
        node_ix then_node = actions[then].node;
        node_ix first_node = actions[first].node;
        if (actions[first].rsc != none && ws.resources[actions[first].rsc].variant == rsc_variant::group &&
            actions[first].task == "start") {
            if (node_ix n = rsc_location(*this, actions[first].rsc, false); n != none) first_node = n;
        }
        if (actions[then].rsc != none && ws.resources[actions[then].rsc].variant == rsc_variant::group &&
            actions[then].task == "start") {
            if (node_ix n = rsc_location(*this, actions[then].rsc, false); n != none) then_node = n;
        }
        if ((actions[then].before[i].type & of_same_node) && first_node != none && then_node != none &&
            first_node != then_node) {
            actions[then].before[i].type = of_none;
            continue;
        }
        changed &= ~updated_first;
        if (actions[first].rsc != none && (actions[then].before[i].type & of_then_cancels_first) &&
            !(actions[then].flags & af_optional)) {
            actions[first].flags |= af_optional;
            if (actions[first].task == "reload-agent") rs[actions[first].rsc].flags &= ~rf_reload;
        }
        if (actions[first].rsc != none && actions[then].rsc != none && actions[first].rsc != actions[then].rsc &&
            !is_ancestor(*this, actions[then].rsc, actions[first].rsc)) {
            first = action_for_ordering(*this, first);
        }
        if (first == orig_first) {
            uint32_t first_flags = flags_for_ordering(*this, first, then_node);
            uint32_t then_flags = flags_for_ordering(*this, then, first_node);
            changed |= update_for_ordering_flags(*this, first, then, first_flags, then_flags, then, i);
        } else if (order_actions(first, then, actions[then].before[i].type)) {
            changed |= updated_then;
            actions[then].before[i].type = of_none;
        }
        if (changed & updated_first) {
            auto after = actions[first].after;  // the walk may add edges
            for (size_t j = after.size(); j-- > 0;) update_action_for_orderings(after[j].other);
            update_action_for_orderings(first);
        }
    }
    if (actions[then].flags & af_requires_any) {
        if (last_flags == actions[then].flags)
            changed &= ~updated_then;
        else
            changed |= updated_then;
    }
    if (changed & updated_then) {
        if ((last_flags & af_runnable) && !(actions[then].flags & af_runnable))
            block_colocation_dependents(*this, then);
        update_action_for_orderings(then);
        auto after = actions[then].after;
        for (size_t j = after.size(); j-- > 0;) update_action_for_orderings(after[j].other);
    }
}

}  // namespace holdfast::policy::sched
