// Orderings between live-migratable resources: an ordering of starts or
// stops also orders the migrate_to/migrate_from that may replace them
// (Pacemaker 2.1.5's pcmk__order_migration_equivalents).
#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

bool is_ancestor(const sched& s, rsc_ix maybe_parent, rsc_ix r) {
    for (rsc_ix p = s.ws.resources[r].parent; p != none; p = s.ws.resources[p].parent)
        if (p == maybe_parent) return true;
    return false;
}

// The task of an ordering side: the action's, or parsed from "<rsc>_<task>_<ms>".
std::string task_of(const sched& s, rsc_ix r, action_ix a, const std::string& key) {
    if (a >= 0) return s.actions[a].task;
    const std::string& id = s.ws.resources[r].id;
    if (key.size() <= id.size() + 1 || key.compare(0, id.size(), id) != 0) return {};
    std::string rest = key.substr(id.size() + 1);
    auto last = rest.rfind('_');
    return last == std::string::npos ? rest : rest.substr(0, last);
}

}  // namespace

void order_migration_equivalents(sched& s, int ordering_ix) {
    const ordering o = s.orderings[ordering_ix];
    const rsc_ix first = o.first_rsc, then = o.then_rsc;
    if (first == none || then == none || first == then || is_ancestor(s, first, then) || is_ancestor(s, then, first))
        return;
    const bool first_migratable = s.rs[first].flags & rf_allow_migrate;
    const bool then_migratable = s.rs[then].flags & rf_allow_migrate;
    if (!first_migratable && !then_migratable) return;
    const std::string ft = task_of(s, first, o.first_action, o.first_task);
    const std::string tt = task_of(s, then, o.then_action, o.then_task);
    const std::string& fid = s.ws.resources[first].id;
    const std::string& tid = s.ws.resources[then].id;
    auto order = [&](const char* first_task, const char* then_task, uint32_t flags) {
        s.new_ordering(first, op_key(fid, first_task, 0), -1, then, op_key(tid, then_task, 0), -1, flags);
    };
    const bool partial = s.ws.resources[then].partial_migration_target != none;
    if (ft == "start" && tt == "start") {
        if (first_migratable && then_migratable) order("migrate_from", "migrate_to", of_optional);
        if (then_migratable)
            order("start", "migrate_to",
                  of_optional | (first_migratable ? uint32_t{of_apply_first_non_migratable} : 0u));
    } else if (then_migratable && ft == "stop" && tt == "stop") {
        uint32_t flags = of_optional | (first_migratable ? uint32_t{of_apply_first_non_migratable} : 0u);
        order("stop", "migrate_to", flags);
        if (partial) order("stop", "migrate_from", flags);
    } else if (ft == "promote" && tt == "start") {
        if (then_migratable) order("promote", "migrate_to", of_optional);
    } else if (ft == "demote" && tt == "stop" && then_migratable) {
        order("demote", "migrate_to", of_optional);
        if (partial) order("demote", "migrate_from", of_optional);
    }
}

}  // namespace holdfast::policy::sched
