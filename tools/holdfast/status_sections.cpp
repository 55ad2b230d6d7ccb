#include "tools/holdfast/status_sections.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "tools/holdfast/change_call.hpp"

namespace holdfast::tools {
namespace {

using policy::node_ix;
using policy::rsc_ix;
using policy::working_set;

// active(rsc, all=TRUE): every instance or member runs (a primitive: it runs)
bool fully_active(const working_set& ws, rsc_ix r) {
    const auto& x = ws.resources[r];
    if (x.children.empty()) return resource_active(ws, r);
    return std::all_of(x.children.begin(), x.children.end(), [&](rsc_ix c) { return fully_active(ws, c); });
}

// Attributes crm_mon never shows: the fail counts, shutdown and standby
// marks and the #-prefixed ones the cluster sets itself
bool hidden_attribute(const std::string& name) {
    for (const char* prefix : {"fail-count-", "last-failure-", "shutdown", "terminate", "standby", "#"})
        if (name.rfind(prefix, 0) == 0) return true;
    return false;
}

std::string padded(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

// The resource an <lrm_resource> is the history of: by id, else (an
// anonymous clone's history names the configured id) the instance that has
// something on that node.
const policy::resource* history_resource(const working_set& ws, const std::string& id, node_ix n) {
    if (auto it = ws.rsc_by_id.find(id); it != ws.rsc_by_id.end()) return &ws.resources[it->second];
    const std::string base = id.substr(0, id.find(':'));  // an instance number the clone does not have
    const policy::resource* any = nullptr;
    for (const auto& r : ws.resources) {
        if (r.base_id != base || !r.children.empty()) continue;
        if (std::find(r.running_on.begin(), r.running_on.end(), n) != r.running_on.end() || r.fail_count.count(n))
            return &r;
        if (!any) any = &r;
    }
    return any;
}

int fail_count_on(const policy::resource& r, node_ix n) {
    auto it = r.fail_count.find(n);
    return it == r.fail_count.end() ? 0 : it->second;
}

int64_t last_failure_on(const policy::resource& r, node_ix n) {
    auto it = r.last_failure.find(n);
    return it == r.last_failure.end() ? 0 : it->second;
}

// rsc_printable_id: an anonymous clone's instance by its base id
std::string printable_id(const working_set& ws, const policy::resource& r) {
    for (rsc_ix p = r.parent; p != policy::none; p = ws.resources[p].parent)
        if (ws.resources[p].variant == policy::rsc_variant::clone && !ws.resources[p].unique) return r.base_id;
    return r.id;
}

// resource_history_string: "ID: migration-threshold=N[ fail-count=M last-failure='DATE']"
std::string history_heading(const std::string& id, const policy::resource& r, node_ix n) {
    std::string s = id + ": migration-threshold=" + std::to_string(r.migration_threshold);
    const int fc = fail_count_on(r, n);
    if (fc <= 0) return s;
    s += " fail-count=" + std::to_string(fc);
    if (int64_t last = last_failure_on(r, n); last > 0)
        s += " last-failure='" + cib_date(static_cast<std::time_t>(last)) + "'";
    return s;
}

// get_operation_list: by call id, without notifies and probes that found it stopped
std::vector<const cib::op_record*> shown_operations(const cib::lrm_resource& h) {
    std::vector<const cib::op_record*> ops;
    for (const auto& op : h.ops) {
        const bool probe = op.operation == "monitor" && (op.interval.empty() || op.interval == "0");
        if (op.operation == "notify" || (probe && op.rc_code == 7)) continue;
        ops.push_back(&op);
    }
    // a pending operation (call id -1) is the newest
    auto key = [](const cib::op_record* op) { return op->call_id < 0 ? INT_MAX : op->call_id; };
    std::stable_sort(ops.begin(), ops.end(),
                     [&](const cib::op_record* a, const cib::op_record* b) { return key(a) < key(b); });
    return ops;
}

std::string operation_line(const cib::op_record& op) {
    const bool recurring = !op.interval.empty() && op.interval != "0";
    const std::string task = op.operation == "monitor" && !recurring ? "probe" : op.operation;
    return "      * (" + std::to_string(op.call_id) + ") " + task +
           (recurring ? ": interval=\"" + op.interval + "ms\"" : "") + "\n";
}

// The online nodes' histories in status-section order, as crm_mon walks them;
// `entry` gives a resource's lines ("" to leave it out).
// The section is the heading alone when no online node has anything to show,
// and nothing at all when no online node has a state recorded.
template <typename Entry>
std::string per_node_history(const working_set& ws, const std::string& heading, const Entry& entry) {
    std::string out;
    bool any = false;
    if (!ws.cib) return out;
    for (const auto& st : ws.cib->node_states) {
        auto it = ws.node_by_id.find(st.id);
        if (it == ws.node_by_id.end() || !ws.nodes[it->second].online) continue;
        any = true;
        std::string lines;
        for (const auto& h : st.resources) lines += entry(h, it->second);
        if (!lines.empty()) out += "  * Node: " + ws.nodes[it->second].uname + ":\n" + lines;
    }
    return any ? "\n" + heading + ":\n" + out : out;
}

// The resource lines printed under the heading of a section: crm_simulate's
// items are one level deeper than crm_mon's sections
std::string unnested(const std::string& items) {
    std::string out;
    size_t at = 0;
    while (at < items.size()) {
        size_t end = items.find('\n', at);
        if (end == std::string::npos) end = items.size();
        std::string line = items.substr(at, end - at);
        if (line.rfind("  ", 0) == 0) line.erase(0, 2);
        out += line + "\n";
        at = end + 1;
    }
    return out;
}

}  // namespace

std::string format_nodes_with_resources(const working_set& ws, const resource_view& v) {
    std::string out = "Node List:\n";
    const resource_view flat{v.pending, true, false};
    for (node_ix i : nodes_by_name(ws)) {
        const auto& n = ws.nodes[i];
        const char* kind = n.kind == policy::node_kind::guest    ? "GuestNode"
                           : n.kind == policy::node_kind::remote ? "RemoteNode"
                                                                 : "Node";
        out += std::string("  * ") + kind + " " + n.uname + ": " + node_status_text(n) + node_health_text(ws, n) +
               ":\n    * Resources:\n";
        for (rsc_ix r : n.running) out += "      * " + format_primitive_line(ws, r, flat) + "\n";
    }
    if (!v.inactive) return out;
    std::vector<rsc_ix> inactive;
    for (rsc_ix r : ws.top_level)
        if (!fully_active(ws, r)) inactive.push_back(r);
    const std::string items = format_resource_items(ws, {v.pending, true, true}, inactive);
    return out + "\nInactive Resources:\n" + (items.empty() ? "  * No inactive resources\n" : unnested(items));
}

std::vector<node_attribute_row> shown_node_attributes(const working_set& ws) {
    std::vector<node_attribute_row> rows;
    for (node_ix i : nodes_by_name(ws)) {
        const auto& n = ws.nodes[i];
        if (!n.online) continue;
        for (const auto& [name, value] : n.attrs)  // a std::map: by name, as crm_mon sorts them
            if (!hidden_attribute(name)) rows.push_back({n.uname, name, value});
    }
    return rows;
}

std::string format_node_attributes(const working_set& ws) {
    std::string out, node;
    for (const auto& a : shown_node_attributes(ws)) {
        if (a.node != node) out += "  * Node: " + (node = a.node) + ":\n";
        out += "    * " + padded(a.name, 32) + "\t: " + padded(a.value, 10) + "\n";
    }
    return out.empty() ? out : "\nNode Attributes:\n" + out;
}

std::vector<fail_count_row> fail_count_rows(const working_set& ws) {
    std::vector<fail_count_row> rows;
    (void)per_node_history(ws, "", [&](const cib::lrm_resource& h, node_ix n) -> std::string {
        const policy::resource* r = history_resource(ws, h.id, n);
        if (r && fail_count_on(*r, n) > 0)
            rows.push_back({ws.nodes[n].uname, r->id, fail_count_on(*r, n), last_failure_on(*r, n)});
        return "";
    });
    return rows;
}

std::string format_migration_summary(const working_set& ws) {
    return per_node_history(ws, "Migration Summary", [&](const cib::lrm_resource& h, node_ix n) -> std::string {
        const policy::resource* r = history_resource(ws, h.id, n);
        if (!r || fail_count_on(*r, n) <= 0) return "";
        return "    * " + history_heading(r->id, *r, n) + "\n";
    });
}

std::string format_operations(const working_set& ws) {
    return per_node_history(ws, "Operations", [&](const cib::lrm_resource& h, node_ix n) -> std::string {
        const auto ops = shown_operations(h);
        if (ops.empty()) return "";
        const policy::resource* r = history_resource(ws, h.id, n);
        std::string s = "    * " + (r ? history_heading(printable_id(ws, *r), *r, n) : h.id + ": orphan") + ":\n";
        for (const auto* op : ops) s += operation_line(*op);
        return s;
    });
}

}  // namespace holdfast::tools
