// Live-migration history: what a migrate_to or migrate_from result says about
// where a resource is active, comparing it with the history on the other node
// of the migration (unpack_migrate_to_success, unpack_migrate_to_failure and
// unpack_migrate_from_failure in Pacemaker's unpack.c).
//
// A complete migration is migrate_to on the source, migrate_from on the
// target, then a stop on the source. Anything short of that leaves the
// resource possibly active on both nodes: a "partial" migration (it may
// continue), a "dangling" one (only the source's stop is missing) or a failed
// one (the resource must be recovered).
#include <algorithm>
#include <cstdlib>

#include "policy/text.hpp"
#include "policy/unpack_internal.hpp"

namespace holdfast::policy {
namespace unpack_detail {
namespace {

constexpr int exec_done = 0;
constexpr int ocf_ok = 0;
constexpr int ocf_not_running = 7;

const cib::lrm_resource* find_lrm_resource(const working_set& ws, const std::string& rsc, const std::string& node) {
    if (!ws.cib) return nullptr;
    for (const auto& st : ws.cib->node_states) {
        if (st.uname != node) continue;
        for (const auto& lrm : st.resources)
            if (lrm.id == rsc) return &lrm;
    }
    return nullptr;
}

// find_lrm_op: the first `task` entry of rsc on node (a migrate_to towards
// `other`, a migrate_from coming from `other`), and only if it completed with
// want_rc when want_rc >= 0
const cib::op_record* find_lrm_op(const working_set& ws, const std::string& rsc, const std::string& task,
                                  const std::string& node, const std::string& other, int want_rc) {
    const cib::lrm_resource* lrm = find_lrm_resource(ws, rsc, node);
    if (!lrm) return nullptr;
    const cib::op_record* found = nullptr;
    for (const auto& op : lrm->ops) {
        if (op.operation != task) continue;
        if (!other.empty() && task == "migrate_to" && op.migrate_target != other) continue;
        if (!other.empty() && task == "migrate_from" && op.migrate_source != other) continue;
        found = &op;
        break;
    }
    if (found && want_rc >= 0 && (found->rc_code != want_rc || found->op_status != exec_done)) return nullptr;
    return found;
}

bool unknown_on_node(const working_set& ws, const std::string& rsc, const std::string& node) {
    const cib::lrm_resource* lrm = find_lrm_resource(ws, rsc, node);
    return !lrm || lrm->ops.empty();
}

// The transition number inside a transition magic ("status:rc;action:transition:rc:uuid"), -1 if none
bool decode_magic(const std::string& magic, int& transition, std::string& uuid) {
    auto semi = magic.find(';');
    if (semi == std::string::npos) return false;
    const std::string key = magic.substr(semi + 1);
    auto c1 = key.find(':');
    auto c2 = c1 == std::string::npos ? c1 : key.find(':', c1 + 1);
    auto c3 = c2 == std::string::npos ? c2 : key.find(':', c2 + 1);
    if (c3 == std::string::npos) return false;
    transition = std::atoi(key.substr(c1 + 1, c2 - c1 - 1).c_str());
    uuid = key.substr(c3 + 1);
    return true;
}

// Pending entries (call id -1) are placed by their transition numbers
int newer_by_transition(const cib::op_record& a, const cib::op_record& b) {
    int a_id = -1, b_id = -1;
    std::string a_uuid, b_uuid;
    if (!decode_magic(a.transition_magic, a_id, a_uuid) || !decode_magic(b.transition_magic, b_id, b_uuid)) return 0;
    if (!iequals(a_uuid, b_uuid) || a_id == b_id) {
        if (b.call_id == -1) return -1;
        if (a.call_id == -1) return 1;
    } else if ((a_id >= 0 && a_id < b_id) || b_id == -1) {
        return -1;
    } else if ((b_id >= 0 && a_id > b_id) || a_id == -1) {
        return 1;
    }
    return 0;
}

}  // namespace

// pe__is_newer_op: > 0 when a happened after b. Call ids only order entries
// of one node; across nodes the last-rc-change times do.
int is_newer_op(const cib::op_record& a, const cib::op_record& b, bool same_node_default) {
    bool same_node = same_node_default;
    if (!a.on_node.empty() && !b.on_node.empty()) same_node = iequals(a.on_node, b.on_node);
    if (same_node && a.id == b.id) return 0;
    if (a.call_id == -1 && b.call_id == -1) return 0;
    if (same_node && a.call_id >= 0 && a.call_id < b.call_id) return -1;
    if (same_node && b.call_id >= 0 && a.call_id > b.call_id) return 1;
    if (a.call_id >= 0 && b.call_id >= 0 && (!same_node || a.call_id == b.call_id)) {
        // An entry without last-rc-change (read as 0) orders as unknown (-1)
        const int64_t last_a = a.last_rc_change > 0 ? a.last_rc_change : -1;
        const int64_t last_b = b.last_rc_change > 0 ? b.last_rc_change : -1;
        if (last_a >= 0 && last_a < last_b) return -1;
        if (last_b >= 0 && last_a > last_b) return 1;
        return 0;
    }
    return newer_by_transition(a, b);
}

namespace {

// non_monitor_after: a start, stop or migration of rsc on node after `op`
bool non_monitor_after(const working_set& ws, const std::string& rsc, const std::string& node, const cib::op_record& op,
                       bool same_node) {
    const cib::lrm_resource* lrm = find_lrm_resource(ws, rsc, node);
    if (!lrm) return false;
    for (const auto& other : lrm->ops) {
        if (&other == &op) continue;
        const std::string& t = other.operation;
        if ((t == "start" || t == "stop" || t == "migrate_to" || t == "migrate_from") &&
            is_newer_op(other, op, same_node) > 0)
            return true;
    }
    return false;
}

// monitor_not_running_after: rsc's (first) monitor entry on node found it
// stopped, after `op`
bool monitor_not_running_after(const working_set& ws, const std::string& rsc, const std::string& node,
                               const cib::op_record& op, bool same_node) {
    const cib::op_record* mon = find_lrm_op(ws, rsc, "monitor", node, "", ocf_not_running);
    return mon && is_newer_op(*mon, op, same_node) > 0;
}

// newer_state_after_migrate: node's history moved on after the migration
// (compared with the migration entry recorded on that same node if any)
bool newer_state_after_migrate(const working_set& ws, const std::string& rsc, const std::string& node,
                               const cib::op_record* migrate_to, const cib::op_record* migrate_from) {
    const cib::op_record* op = migrate_from ? migrate_from : migrate_to;
    const std::string source = op->migrate_source;
    const std::string target = op->migrate_target;
    bool same_node = false;
    if (iequals(node, target)) {
        if (migrate_from) {
            op = migrate_from;
            same_node = true;
        } else {
            op = migrate_to;
        }
    } else if (iequals(node, source)) {
        if (migrate_to) {
            op = migrate_to;
            same_node = true;
        } else {
            op = migrate_from;
        }
    }
    return non_monitor_after(ws, rsc, node, *op, same_node) || monitor_not_running_after(ws, rsc, node, *op, same_node);
}

node_ix online_node(const working_set& ws, const std::string& uname) {
    auto it = ws.node_by_uname.find(uname);
    if (it == ws.node_by_uname.end() || !ws.nodes[it->second].online) return none;
    return it->second;
}

void force_recovery(resource& r) {
    r.failed = r.stop_required = true;
    r.allow_migrate = false;
}

}  // namespace

void migrate_to_success(working_set& ws, rsc_ix ix, node_ix n, const cib::op_record& op, role& now) {
    resource& r = ws.resources[ix];
    const std::string& source = op.migrate_source;
    const std::string& target = op.migrate_target;
    if (source.empty() || target.empty() || source != ws.nodes[n].uname) return;
    const bool source_newer_op = non_monitor_after(ws, r.id, source, op, true);
    const cib::op_record* from = find_lrm_op(ws, r.id, "migrate_from", target, source, -1);
    if (source_newer_op && from) return;
    const bool target_newer_state = newer_state_after_migrate(ws, r.id, target, &op, from);
    if (source_newer_op && target_newer_state) return;
    now = role::started;
    const node_ix target_node = online_node(ws, target);
    if (from && from->rc_code == ocf_ok && from->op_status == exec_done) {
        // Both halves succeeded: only the stop on the source is missing
        now = role::stopped;
        r.dangling_migration = n;
    } else if (from && from->op_status != -1) {
        if (!target_newer_state && target_node != none)
            add_running(ws, ix, target_node);
        else
            force_recovery(ws.resources[ix]);
    } else if (!target_newer_state && target_node != none) {
        add_running(ws, ix, target_node);
        if (ws.nodes[n].online) {  // may continue if the target stays the same
            ws.resources[ix].partial_migration_target = target_node;
            ws.resources[ix].partial_migration_source = n;
        }
    } else if (!source_newer_op) {
        force_recovery(ws.resources[ix]);
    }
}

void migrate_to_failure(working_set& ws, rsc_ix ix, node_ix n, const cib::op_record& op, role& now) {
    const std::string id = ws.resources[ix].id;
    const std::string& source = op.migrate_source;
    const std::string& target = op.migrate_target;
    if (source.empty() || target.empty() || source != ws.nodes[n].uname) return;
    now = role::started;
    const cib::op_record* from = find_lrm_op(ws, id, "migrate_from", target, source, ocf_ok);
    if (!unknown_on_node(ws, id, target) && !newer_state_after_migrate(ws, id, target, &op, from)) {
        // Nothing newer on the target: assume it is still active there
        if (node_ix t = online_node(ws, target); t != none) add_running(ws, ix, t);
    } else if (!non_monitor_after(ws, id, source, op, true)) {
        ws.resources[ix].dangling_migration = n;  // the source needs a stop
    }
}

void migrate_from_failure(working_set& ws, rsc_ix ix, node_ix n, const cib::op_record& op, role& now) {
    const std::string id = ws.resources[ix].id;
    const std::string& source = op.migrate_source;
    const std::string& target = op.migrate_target;
    if (source.empty() || target.empty() || target != ws.nodes[n].uname) return;
    now = role::started;
    const cib::op_record* to = find_lrm_op(ws, id, "migrate_to", source, target, ocf_ok);
    if (!unknown_on_node(ws, id, source) && !newer_state_after_migrate(ws, id, source, to, &op)) {
        // Nothing newer on the source: assume it is still active there
        if (node_ix s = online_node(ws, source); s != none) add_running(ws, ix, s);
    }
}

}  // namespace unpack_detail
}  // namespace holdfast::policy
