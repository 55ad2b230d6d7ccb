// Operation history: each node's lrm_resource entries into the resource's
// role, placement and failures there (unpack_lrm_resource, unpack_rsc_op and
// process_rsc_state in Pacemaker's lib/pengine/unpack.c).
#include <algorithm>
#include <cstdlib>

#include "policy/iso8601.hpp"
#include "policy/unpack_internal.hpp"

namespace holdfast::policy {
namespace {

using namespace unpack_detail;

enum class fail_response { ignore, demote, recover, block, stop, standby, fence, migrate };

constexpr int exec_pending = -1;
constexpr int exec_done = 0;
constexpr int exec_cancelled = 1;

int role_rank(role r) {
    switch (r) {
        case role::unknown: return 0;
        case role::stopped: return 1;
        case role::started: return 2;
        case role::unpromoted: return 3;
        case role::promoted: return 4;
    }
    return 0;
}

// Expected rc from the transition key "action:transition:target_rc:uuid".
int target_rc(const cib::op_record& op) {
    const std::string& key = op.transition_key;
    auto first = key.find(':');
    if (first == std::string::npos) return 0;
    auto second = key.find(':', first + 1);
    if (second == std::string::npos) return 0;
    return std::atoi(key.c_str() + second + 1);
}

int64_t interval_ms(const cib::op_record& op) { return std::atoll(op.interval.c_str()); }

bool is_probe(const cib::op_record& op) { return op.operation == "monitor" && interval_ms(op) == 0; }

fail_response parse_on_fail(std::string_view v, fail_response fallback) {
    if (v == "ignore") return fail_response::ignore;
    if (v == "demote") return fail_response::demote;
    if (v == "restart") return fail_response::recover;
    if (v == "block") return fail_response::block;
    if (v == "stop") return fail_response::stop;
    if (v == "standby") return fail_response::standby;
    if (v == "fence") return fail_response::fence;
    return fallback;
}

// on-fail for an operation: configured on the matching <op>, else Pacemaker's default.
fail_response on_fail_for(const working_set& ws, const resource& r, const cib::op_record& op) {
    fail_response fallback = fail_response::recover;
    if (op.operation == "stop") fallback = ws.options.stonith_enabled ? fail_response::fence : fail_response::block;
    if (!r.def) return fallback;
    for (const auto& d : r.def->ops) {
        if (d.name != op.operation || d.on_fail.empty()) continue;
        auto ms = iso8601::parse_interval_ms(d.interval);
        if (ms && static_cast<int64_t>(*ms) == interval_ms(op)) {
            fail_response f = parse_on_fail(d.on_fail, fallback);
            if (f == fail_response::fence && !ws.options.stonith_enabled) f = fail_response::block;
            return f;
        }
    }
    return fallback;
}

bool worse(fail_response a, fail_response b) { return static_cast<int>(a) > static_cast<int>(b); }

struct node_history {
    role now = role::unknown;
    fail_response on_fail = fail_response::ignore;
    bool failed = false;
    bool failure_ignored = false;
};

// set_active(): a promotable clone's instance runs unpromoted until told otherwise.
void set_active(const working_set& ws, const resource& r, node_history& h) {
    rsc_ix p = r.parent;
    while (p != none && ws.resources[p].variant == rsc_variant::group) p = ws.resources[p].parent;
    const bool promotable = p != none && ws.resources[p].promotable;
    h.now = promotable ? role::unpromoted : role::started;
}

bool mask_probe_failure(const cib::op_record& op) {
    return is_probe(op) && (op.rc_code == 5 || op.rc_code == 6 || op.op_status == 7);
}

// update_resource_state(): what a successful (or "pretend successful") result means.
void apply_success(const working_set& ws, const resource& r, node_history& h, const cib::op_record& op, int rc) {
    const std::string& task = op.operation;
    if (rc == 5 || mask_probe_failure(op)) {
        h.now = role::stopped;
    } else if (rc == 7) {
        // a clean "not running" (the failure state was already reset by the remap)
    } else if (task == "monitor") {
        if (role_rank(h.now) < role_rank(role::started)) set_active(ws, r, h);
    } else if (task == "start" || task == "migrate_from") {
        h.now = role::started;
    } else if (task == "stop") {
        h.now = role::stopped;
    } else if (task == "promote") {
        h.now = role::promoted;
    } else if (task == "demote") {
        h.now = role::unpromoted;
    } else if (task == "migrate_to") {
        h.now = role::started;
    } else if (role_rank(h.now) < role_rank(role::started)) {
        set_active(ws, r, h);
    }
}

// unpack_rsc_op_failure(): the role a failed operation leaves behind.
void apply_failure(const working_set& ws, const resource& r, node_history& h, const cib::op_record& op,
                   fail_response f, int rc) {
    h.failed = true;
    if (worse(f, h.on_fail)) h.on_fail = f;
    const std::string& task = op.operation;
    if (task == "promote") {
        h.now = role::promoted;
    } else if (task == "demote") {
        h.now = f == fail_response::block ? role::promoted : rc == 7 ? role::stopped : role::unpromoted;
    }
    if (is_probe(op) && rc == 5) h.now = role::stopped;
    else if (role_rank(h.now) < role_rank(role::started)) set_active(ws, r, h);
}

void apply_pending(const working_set& ws, resource& r, node_ix n, node_history& h, const cib::op_record& op) {
    const std::string& task = op.operation;
    if (task == "start") {
        r.start_pending = true;
        set_active(ws, r, h);
    } else if (task == "promote") {
        h.now = role::promoted;
    }
    if (r.pending_task.empty() && (task != "monitor" || interval_ms(op) != 0)) {
        r.pending_task = task;
        r.pending_node = n;
    }
}

// remap_operation() + unpack_rsc_op(): one history entry.
void replay_one(working_set& ws, rsc_ix ix, node_ix n, node_history& h, const cib::op_record& op) {
    resource& r = ws.resources[ix];
    if (op.operation == "notify" || op.operation == "meta-data" || op.op_status == exec_cancelled) return;
    if (mask_probe_failure(op)) {
        apply_success(ws, r, h, op, 7);
        return;
    }
    if (op.op_status == exec_pending) {
        apply_pending(ws, r, n, h, op);
        return;
    }
    const int expected = target_rc(op);
    int rc = op.rc_code;
    if (op.operation == "monitor" && rc == 190) rc = 0;  // degraded: still running
    if (op.operation == "monitor" && rc == 191) rc = 8;
    bool done = op.op_status == exec_done || op.op_status == 4 /* error */;
    if (!done) {
        // timeouts, hard errors and the like are failures whatever the rc says
    } else if (rc != expected) {
        done = false;
        if (rc == 0 && is_probe(op) && expected == 7) done = true;
        if (rc == 8 && is_probe(op)) done = true;
    }
    if (rc == 7 && (is_probe(op) || expected == 7 || !r.managed)) {
        done = true;
        h.now = role::stopped;
        h.on_fail = fail_response::ignore;
        h.failed = false;
    } else if (rc == 8 || rc == 9) {
        h.now = role::promoted;
        if (rc == 9) done = false;
    }
    if (done) {
        apply_success(ws, r, h, op, rc);
        return;
    }
    fail_response f = on_fail_for(ws, r, op);
    if (f == fail_response::ignore) {
        apply_success(ws, r, h, op, expected);
        h.failure_ignored = true;
        return;
    }
    apply_failure(ws, r, h, op, f, rc);
}

// Recurring monitors active since the last start are known to run: the
// scheduler keeps them instead of scheduling them anew (process_recurring).
void record_active_monitors(working_set& ws, rsc_ix ix, node_ix n, const std::vector<const cib::op_record*>& ops) {
    int start = -1, stop = -1;
    for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
        const cib::op_record& op = *ops[i];
        if (op.op_status != exec_done) continue;
        if ((op.operation == "start" || op.operation == "migrate_from") && op.rc_code == 0) start = i;
        else if (op.operation == "stop" && op.rc_code == 0) stop = i;
        else if (is_probe(op) && (op.rc_code == 0 || op.rc_code == 8)) start = i;
    }
    if (start < 0 || stop > start || !ws.nodes[n].online) return;
    for (int i = start; i < static_cast<int>(ops.size()); ++i) {
        const cib::op_record& op = *ops[i];
        const int64_t ms = interval_ms(op);
        if (ms == 0 || op.op_status == exec_cancelled) continue;
        ws.unpack_actions.push_back({unpack_action::kind::recurring, n, ix, {}, false, op.operation, ms, false});
    }
}

void replay_ops(working_set& ws, rsc_ix ix, node_ix n, const cib::lrm_resource& lrm, node_history& h) {
    std::vector<const cib::op_record*> ops;
    for (const auto& op : lrm.ops) ops.push_back(&op);
    std::stable_sort(ops.begin(), ops.end(), [](const auto* a, const auto* b) {
        if (a->call_id < 0 || b->call_id < 0) return a->call_id >= 0 && b->call_id < 0;
        return a->call_id < b->call_id;
    });
    record_active_monitors(ws, ix, n, ops);
    for (const cib::op_record* op : ops) replay_one(ws, ix, n, h, *op);
}

std::string strip_instance(const std::string& id) {
    auto colon = id.rfind(':');
    if (colon == std::string::npos) return id;
    for (size_t i = colon + 1; i < id.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(id[i]))) return id;
    return id.substr(0, colon);
}

// The clone instance an anonymous history entry on node n belongs to: one
// already active there (group members share their group instance), else the
// first instance not active anywhere.
rsc_ix anonymous_instance(working_set& ws, const std::vector<rsc_ix>& instances, node_ix n) {
    auto active_on = [&](rsc_ix r, node_ix where) {
        return std::find(ws.resources[r].running_on.begin(), ws.resources[r].running_on.end(), where) !=
               ws.resources[r].running_on.end();
    };
    for (rsc_ix i : instances) {
        rsc_ix top = ws.resources[i].parent;
        if (top != none && ws.resources[top].variant == rsc_variant::group) {
            for (rsc_ix sibling : ws.resources[top].children)
                if (active_on(sibling, n)) return i;
        } else if (active_on(i, n)) {
            return i;
        }
    }
    for (rsc_ix i : instances) {
        rsc_ix top = ws.resources[i].parent;
        bool busy = false;
        if (top != none && ws.resources[top].variant == rsc_variant::group) {
            for (rsc_ix sibling : ws.resources[top].children) busy = busy || !ws.resources[sibling].running_on.empty();
        } else {
            busy = !ws.resources[i].running_on.empty();
        }
        if (!busy) return i;
    }
    return none;
}

rsc_ix add_orphan(working_set& ws, const cib::lrm_resource& lrm) {
    resource r;
    r.id = lrm.id;
    r.base_id = lrm.id;
    r.rclass = lrm.rclass;
    r.provider = lrm.provider;
    r.type = lrm.type;
    r.orphan = true;
    r.managed = ws.options.stop_orphan_resources && !ws.options.maintenance_mode;
    rsc_ix ix = static_cast<rsc_ix>(ws.resources.size());
    ws.resources.push_back(std::move(r));
    ws.rsc_by_id[lrm.id] = ix;
    ws.top_level.push_back(ix);
    return ix;
}

rsc_ix resolve(working_set& ws, const std::map<std::string, std::vector<rsc_ix>>& instances,
               const cib::lrm_resource& lrm, node_ix n) {
    auto it = ws.rsc_by_id.find(lrm.id);
    if (it != ws.rsc_by_id.end() && ws.resources[it->second].variant == rsc_variant::primitive) {
        rsc_ix ix = it->second;
        rsc_ix p = ws.resources[ix].parent;
        if (p == none || ws.resources[p].variant != rsc_variant::clone || ws.resources[p].unique) return ix;
    }
    auto inst = instances.find(strip_instance(lrm.id));
    if (inst != instances.end()) {
        rsc_ix ix = anonymous_instance(ws, inst->second, n);
        if (ix != none) {
            if (ws.resources[ix].id != lrm.id) ws.resources[ix].clone_name = lrm.id;
            return ix;
        }
    }
    return add_orphan(ws, lrm);
}

void settle(working_set& ws, rsc_ix ix, node_ix n, const node_history& h) {
    resource& r = ws.resources[ix];
    node& nd = ws.nodes[n];
    if (h.now != role::unknown) {
        for (rsc_ix it = ix; it != none; it = ws.resources[it].parent) {
            auto& k = ws.resources[it].known_on;
            if (std::find(k.begin(), k.end(), n) == k.end()) k.push_back(n);
            if (ws.resources[it].unique && it != ix) break;
        }
    }
    const bool active = h.now != role::stopped && h.now != role::unknown;
    if (active && !nd.online && !nd.maintenance && r.managed && ws.options.stonith_enabled && !nd.unclean) {
        nd.unclean = true;
        ws.unpack_actions.push_back({unpack_action::kind::fence, n, none, r.id + " is thought to be active there",
                                     false, {}, 0, false});
    }
    fail_response f = nd.unclean ? fail_response::ignore : (h.failed ? h.on_fail : fail_response::ignore);
    switch (f) {
        case fail_response::ignore:
        case fail_response::migrate:
            break;
        case fail_response::demote:
            r.failed = true;
            ws.unpack_actions.push_back({unpack_action::kind::demote, n, ix, {}, false, {}, 0, false});
            break;
        case fail_response::fence:
            if (!nd.unclean) {
                nd.unclean = true;
                ws.unpack_actions.push_back({unpack_action::kind::fence, n, none, r.id + " failed there", false, {}, 0,
                                             false});
            }
            break;
        case fail_response::standby:
            nd.standby = nd.standby_onfail = true;
            break;
        case fail_response::block:
            r.managed = false;
            r.blocked = true;
            break;
        case fail_response::stop:
            r.target_role = role::stopped;
            break;
        case fail_response::recover:
            if (active) {
                r.failed = r.stop_required = true;
                ws.unpack_actions.push_back({unpack_action::kind::stop, n, ix, {}, false, {}, 0, false});
            }
            break;
    }
    if (h.failure_ignored) r.failure_ignored = true;
    if (!active) return;
    r.running_on.push_back(n);
    nd.running.push_back(ix);
    if (role_rank(h.now) > role_rank(r.current_role)) r.current_role = h.now;
    if (f == fail_response::block || f == fail_response::demote) r.failed = true;
    else if (f != fail_response::ignore && f != fail_response::migrate) r.failed = r.stop_required = true;
}

// fail-count-<id>[#<op>_<interval>] and last-failure-<id>... on each node.
void unpack_failcounts(working_set& ws, const std::map<std::string, std::vector<rsc_ix>>& instances) {
    for (size_t ni = 0; ni < ws.nodes.size(); ++ni) {
        for (const auto& [name, value] : ws.nodes[ni].attrs) {
            const bool count = name.rfind("fail-count-", 0) == 0;
            const bool last = name.rfind("last-failure-", 0) == 0;
            if (!count && !last) continue;
            std::string id = name.substr(count ? 11 : 13);
            if (auto hash = id.find('#'); hash != std::string::npos) id.resize(hash);
            std::vector<rsc_ix> targets;
            if (auto it = ws.rsc_by_id.find(id); it != ws.rsc_by_id.end()) targets.push_back(it->second);
            else if (auto in = instances.find(id); in != instances.end()) targets = in->second;
            for (rsc_ix t : targets) {
                resource& r = ws.resources[t];
                if (r.variant != rsc_variant::primitive) continue;
                node_ix n = static_cast<node_ix>(ni);
                if (count) r.fail_count[n] = std::min(score_infinity, r.fail_count[n] + char2score(value));
                else r.last_failure[n] = std::max<int64_t>(r.last_failure[n], std::atoll(value.c_str()));
            }
        }
    }
}

}  // namespace

void unpack_history(working_set& ws, const cib::cib_model& cib) {
    std::map<std::string, std::vector<rsc_ix>> instances;  // anonymous clone children by base id
    for (size_t i = 0; i < ws.resources.size(); ++i) {
        const resource& r = ws.resources[i];
        if (r.variant == rsc_variant::primitive && r.id != r.base_id) instances[r.base_id].push_back(static_cast<rsc_ix>(i));
    }
    for (const auto& st : cib.node_states) {
        node_ix n = find_node(ws, st.id, st.uname);
        if (n == none || !st.has_lrm) continue;
        for (const auto& lrm : st.resources) {
            rsc_ix ix = resolve(ws, instances, lrm, n);
            node_history h;
            replay_ops(ws, ix, n, lrm, h);
            settle(ws, ix, n, h);
        }
    }
    unpack_failcounts(ws, instances);
}

}  // namespace holdfast::policy
