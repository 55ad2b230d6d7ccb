// Simulated results recorded in the CIB model (see exec_status.hpp).
#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "tools/holdfast/exec_status.hpp"

namespace holdfast::tools::exec {

using policy::graph_action;

// The history entry's id, as the controller names results: notifications and
// migrations keep entries of their own, recurring ops one per interval, and
// everything else replaces the resource's "last" result.
std::string history_id(const std::string& rsc, const std::string& task, const graph_action& a) {
    if (task == "notify") return rsc + "_" + a.meta("notify_type") + "_notify_" + a.meta("notify_operation") + "_0";
    if (task == "migrate_to" || task == "migrate_from" || a.interval_ms > 0)
        return rsc + "_" + task + "_" + std::to_string(a.interval_ms);
    return rsc + "_last_0";
}

op_result result_of(const graph_action& a) {
    op_result r;
    r.rc = std::atoi(a.meta("op_target_rc", "0").c_str());
    r.task = (a.task == "reload" || a.task == "reload-agent") ? "start" : a.task;
    // crm_simulate's keys: transition -1 (newer than any real one) and the
    // placeholder UUID it uses, so that history sorting treats them alike
    r.transition_key = std::to_string(a.id) + ":-1:" + std::to_string(r.rc) + ":xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    r.transition_magic = "0:" + std::to_string(r.rc) + ";" + r.transition_key;
    // Like crm_simulate, stamp the result with the wall-clock time: it is newer
    // than anything in the input, which migration history checks rely on
    r.stamp = std::to_string(static_cast<long long>(std::time(nullptr)));
    return r;
}

namespace {
constexpr size_t twice = static_cast<size_t>(-1);
}

model_recorder::model_recorder(cib::cib_model& m) : m_(m) {
    for (size_t i = 0; i < m_.node_states.size(); ++i) nodes_.emplace(m_.node_states[i].uname, i);  // first wins
}

std::set<std::string> model_recorder::history_names() const {
    std::set<std::string> out;
    for (const auto& ns : m_.node_states)
        for (const auto& r : ns.resources) out.insert(r.id);
    return out;
}

size_t model_recorder::node(const std::string& uname, const std::string& id) {
    if (auto it = nodes_.find(uname); it != nodes_.end()) return it->second;
    cib::node_state ns;
    ns.id = id.empty() ? uname : id;
    ns.uname = uname;
    m_.node_states.push_back(std::move(ns));
    nodes_.emplace(uname, m_.node_states.size() - 1);
    return m_.node_states.size() - 1;
}

std::unordered_map<std::string, size_t>& model_recorder::resources_of(size_t node) {
    auto [it, fresh] = rscs_.try_emplace(node);
    if (fresh) {
        const auto& rs = m_.node_states[node].resources;
        for (size_t i = 0; i < rs.size(); ++i) {
            auto [entry, added] = it->second.emplace(rs[i].id, i);
            if (!added) entry->second = twice;
        }
    }
    return it->second;
}

void model_recorder::fence(const std::string& uname, const std::string& id) {
    const size_t n = node(uname, id);
    rscs_.erase(n);
    auto& ns = m_.node_states[n];
    ns.in_ccm = "false";
    ns.crmd = "offline";
    ns.join = "down";
    ns.expected = "down";
    ns.crm_debug_origin = "simulate_fencing_action";
    ns.has_lrm = false;
    ns.resources.clear();
    ns.transient_attributes.clear();
}

void model_recorder::record(const graph_action& a, const op_result& r, const std::string& shown,
                            const std::string& node_id) {
    const size_t n = node(a.node_uname, node_id);
    auto& by_id = resources_of(n);
    auto& ns = m_.node_states[n];
    ns.has_lrm = true;
    auto found = by_id.find(shown);
    if ((found == by_id.end() || found->second == twice) && shown != a.rsc_id) found = by_id.find(a.rsc_id);
    size_t index = found == by_id.end() ? twice : found->second;
    if (index == twice) {
        ns.resources.push_back({a.rsc_id, a.rsc_class, a.rsc_provider, a.rsc_type, {}, {}, {}});
        index = ns.resources.size() - 1;
        by_id.emplace(a.rsc_id, index);
    }
    auto& rsc = ns.resources[index];
    int call_id = 0;
    for (const auto& op : rsc.ops) call_id = std::max(call_id, op.call_id);
    const std::string id = history_id(rsc.id, r.task, a);
    auto op = std::find_if(rsc.ops.begin(), rsc.ops.end(), [&](const cib::op_record& o) { return o.id == id; });
    if (op == rsc.ops.end()) op = rsc.ops.insert(rsc.ops.end(), cib::op_record{});
    op->id = id;
    op->operation = r.task;
    op->transition_key = r.transition_key;
    op->transition_magic = r.transition_magic;
    op->call_id = call_id + 1;
    op->rc_code = r.rc;
    op->op_status = 0;
    op->interval = std::to_string(a.interval_ms);
    op->on_node = a.node_uname;
    op->last_run = op->last_rc_change = std::atoll(r.stamp.c_str());
    if (r.task == "migrate_to" || r.task == "migrate_from") {
        op->migrate_source = a.meta("migrate_source");
        op->migrate_target = a.meta("migrate_target");
    }
}

}  // namespace holdfast::tools::exec
