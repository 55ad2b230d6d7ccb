// Running a transition graph as crm_simulate does: fire every synapse whose
// inputs are confirmed, in graph order, pass after pass; every action
// succeeds at once; resource results and fencing are written into the CIB's
// status section so that it can be read back as the revised cluster state.
#include "tools/holdfast/simulate_exec.hpp"

#include <libxml/tree.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>

namespace holdfast::tools {
namespace {

using policy::action_kind;
using policy::graph_action;

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

std::string attr(xmlNode* n, const char* name) {
    xmlChar* v = xmlGetProp(n, X(name));
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

xmlNode* child(xmlNode* parent, const char* name) {
    for (xmlNode* c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, X(name)) == 0) return c;
    return nullptr;
}

xmlNode* child_with_id(xmlNode* parent, const char* name, const std::string& id) {
    for (xmlNode* c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, X(name)) == 0 && attr(c, "id") == id) return c;
    return nullptr;
}

xmlNode* ensure_child(xmlNode* parent, const char* name) {
    xmlNode* c = child(parent, name);
    return c ? c : xmlNewChild(parent, nullptr, X(name), nullptr);
}

void set(xmlNode* n, const char* name, const std::string& value) { xmlSetProp(n, X(name), X(value.c_str())); }

xmlNode* status_section(xmlDoc* doc) { return ensure_child(xmlDocGetRootElement(doc), "status"); }

// Look-up tables over the status section, so that each injection costs the
// same whatever the cluster size (big graphs fire tens of thousands of ops).
struct status_index {
    xmlDoc* doc = nullptr;
    std::unordered_map<std::string, xmlNode*> nodes;  // uname -> node_state
    // node_state -> lrm_resource id -> lrm_resource, built on first use
    std::unordered_map<xmlNode*, std::unordered_map<std::string, xmlNode*>> rscs;
    std::set<std::string> known;  // history names before the run
};

void index_nodes(status_index& ix) {
    xmlNode* status = status_section(ix.doc);
    for (xmlNode* c = status->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, X("node_state")) != 0) continue;
        ix.nodes.emplace(attr(c, "uname"), c);  // the first entry wins, as an xpath query would
    }
}

// pcmk__inject_node: the node_state of a node, created when missing.
xmlNode* inject_node(status_index& ix, const std::string& uname, const std::string& id) {
    if (auto it = ix.nodes.find(uname); it != ix.nodes.end()) return it->second;
    xmlNode* n = xmlNewChild(status_section(ix.doc), nullptr, X("node_state"), nullptr);
    set(n, "id", id.empty() ? uname : id);
    set(n, "uname", uname);
    ix.nodes.emplace(uname, n);
    return n;
}

std::unordered_map<std::string, xmlNode*>& rscs_of(status_index& ix, xmlNode* node_state, xmlNode* container) {
    auto [it, fresh] = ix.rscs.try_emplace(node_state);
    if (fresh) {
        for (xmlNode* c = container->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, X("lrm_resource")) == 0)
                it->second.emplace(attr(c, "id"), c);
    }
    return it->second;
}

// The history entry of the resource as printed (`shown`), else under its
// configuration name, created under the configuration name when missing.
xmlNode* inject_resource(status_index& ix, xmlNode* node_state, const graph_action& a, const std::string& shown) {
    xmlNode* lrm = ensure_child(node_state, "lrm");
    if (attr(lrm, "id").empty()) set(lrm, "id", attr(node_state, "id"));
    xmlNode* rscs = ensure_child(lrm, "lrm_resources");
    auto& by_id = rscs_of(ix, node_state, rscs);
    auto found = by_id.find(shown);
    if (found == by_id.end() && shown != a.rsc_id) found = by_id.find(a.rsc_id);
    xmlNode* r = found == by_id.end() ? nullptr : found->second;
    if (!r) {
        r = xmlNewChild(rscs, nullptr, X("lrm_resource"), nullptr);
        set(r, "id", a.rsc_id);
        set(r, "class", a.rsc_class);
        if (!a.rsc_provider.empty()) set(r, "provider", a.rsc_provider);
        set(r, "type", a.rsc_type);
        by_id.emplace(a.rsc_id, r);
    }
    return r;
}

std::string meta(const graph_action& a, const char* name, const char* fallback = "") {
    auto it = a.attributes.find(std::string("CRM_meta_") + name);
    return it == a.attributes.end() ? fallback : it->second;
}

// The history entry's id, as the controller names results: notifications and
// migrations keep entries of their own, recurring ops one per interval, and
// everything else replaces the resource's "last" result.
std::string history_id(const std::string& rsc, const std::string& task, const graph_action& a) {
    if (task == "notify") return rsc + "_" + meta(a, "notify_type") + "_notify_" + meta(a, "notify_operation") + "_0";
    if (task == "migrate_to" || task == "migrate_from" || a.interval_ms > 0)
        return rsc + "_" + task + "_" + std::to_string(a.interval_ms);
    return rsc + "_last_0";
}

// pcmk__inject_action_result: record the op as done with its expected rc.
void inject_result(xmlNode* rsc, const graph_action& a, int call_id) {
    const int rc = std::atoi(meta(a, "op_target_rc", "0").c_str());
    // A successful reload leaves the resource as a start would.
    const std::string task = (a.task == "reload" || a.task == "reload-agent") ? "start" : a.task;
    const std::string rsc_id = attr(rsc, "id");
    const std::string id = history_id(rsc_id, task, a);
    xmlNode* op = child_with_id(rsc, "lrm_rsc_op", id);
    if (!op) op = xmlNewChild(rsc, nullptr, X("lrm_rsc_op"), nullptr);
    set(op, "id", id);
    set(op, "operation_key", rsc_id + "_" + task + "_" + std::to_string(a.interval_ms));
    set(op, "operation", task);
    set(op, "crm-debug-origin", "do_update_resource");
    // crm_simulate's keys: transition -1 (newer than any real one) and the
    // placeholder UUID it uses, so that history sorting treats them alike
    const std::string key =
        std::to_string(a.id) + ":-1:" + std::to_string(rc) + ":xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    set(op, "transition-key", key);
    set(op, "transition-magic", "0:" + std::to_string(rc) + ";" + key);
    set(op, "call-id", std::to_string(call_id));
    set(op, "rc-code", std::to_string(rc));
    set(op, "op-status", "0");
    set(op, "interval", std::to_string(a.interval_ms));
    set(op, "on_node", a.node_uname);
}

int next_call_id(xmlNode* rsc) {
    int best = 0;
    for (xmlNode* c = rsc->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) best = std::max(best, std::atoi(attr(c, "call-id").c_str()));
    return best + 1;
}

void remove_child(xmlNode* parent, const char* name) {
    if (xmlNode* c = child(parent, name)) {
        xmlUnlinkNode(c);
        xmlFreeNode(c);
    }
}

void fence(status_index& ix, const graph_action& a) {
    xmlNode* n = inject_node(ix, a.node_uname, a.node_id);
    ix.rscs.erase(n);  // its history goes away below
    set(n, "in_ccm", "false");
    set(n, "crmd", "offline");
    set(n, "join", "down");
    set(n, "expected", "down");
    set(n, "crm-debug-origin", "simulate_fencing_action");
    remove_child(n, "lrm");
    remove_child(n, "transient_attributes");
}

// Resource names the status history holds before the run. Pacemaker prints a
// clone instance by its configuration name only when some instance was
// loaded under that name from history; otherwise by its instance name.
std::set<std::string> history_names(xmlDoc* doc) {
    std::set<std::string> out;
    xmlNode* status = child(xmlDocGetRootElement(doc), "status");
    for (xmlNode* ns = status ? status->children : nullptr; ns; ns = ns->next) {
        xmlNode* lrm = ns->type == XML_ELEMENT_NODE ? child(ns, "lrm") : nullptr;
        xmlNode* rscs = lrm ? child(lrm, "lrm_resources") : nullptr;
        for (xmlNode* r = rscs ? rscs->children : nullptr; r; r = r->next) {
            if (r->type == XML_ELEMENT_NODE) out.insert(attr(r, "id"));
        }
    }
    return out;
}

std::string fire(status_index& ix, const graph_action& a) {
    char buf[512];
    switch (a.kind) {
        case action_kind::pseudo:
            return "  * Pseudo action:   " + a.operation_key + (a.node_uname.empty() ? "" : " on " + a.node_uname);
        case action_kind::crm_event:
            if (a.task == "stonith") {
                std::string op = meta(a, "stonith_action", "reboot");
                if (op != "on") fence(ix, a);
                return "  * Fencing " + a.node_uname + " (" + op + ")";
            }
            if (!a.rsc_id.empty()) return "  * Cluster action:  " + a.task + " for " + a.rsc_id + " on " + a.node_uname;
            return "  * Cluster action:  " + a.task + " on " + a.node_uname;
        case action_kind::rsc_op: break;
    }
    // A re-probe request leaves no history and prints nothing.
    if (a.task == "probe_again") return {};
    const bool instance = !a.rsc_long_id.empty() && ix.known.count(a.rsc_id) == 0;
    const std::string& shown = instance ? a.rsc_long_id : a.rsc_id;
    if (a.task != "delete" && a.task != "meta-data") {
        xmlNode* n = inject_node(ix, a.node_uname, a.router_node.empty() ? a.node_id : a.node_uname);
        xmlNode* r = inject_resource(ix, n, a, shown);
        inject_result(r, a, next_call_id(r));
    }
    if (a.interval_ms > 0)
        std::snprintf(buf, sizeof buf, "  * Resource action: %-15s %s=%lld on %s", shown.c_str(), a.task.c_str(),
                      static_cast<long long>(a.interval_ms), a.node_uname.c_str());
    else
        std::snprintf(buf, sizeof buf, "  * Resource action: %-15s %s on %s", shown.c_str(), a.task.c_str(),
                      a.node_uname.c_str());
    return buf;
}

}  // namespace

// Pacemaker's consumer runs the graph in passes: each pass walks the synapses
// in graph order and fires every one whose inputs are
// confirmed; a simulated action confirms at once, so a synapse later in the
// same pass may fire too. Instead of rescanning, each pass keeps a min-heap of
// ready positions: a synapse made ready behind the walking position joins the
// current pass, one made ready at or before it waits for the next pass. Same
// order, O((S + E) log S).
exec_result simulate_transition(cib::document& doc, const policy::transition_graph& g) {
    exec_result result;
    auto* xml = static_cast<xmlDoc*>(doc.xml());
    status_index ix;
    ix.doc = xml;
    ix.known = history_names(xml);
    index_nodes(ix);
    const size_t n = g.synapses.size();
    // Pacemaker keeps the graph's synapse order (priority only matters once
    // a transition is aborted, which a simulation never does).
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    // waiting[action] = positions whose synapse has that action as an input
    std::vector<std::vector<size_t>> waiting(g.actions.size());
    std::vector<size_t> pending(n, 0);
    for (size_t pos = 0; pos < n; ++pos) {
        for (int in : g.synapses[order[pos]].inputs) {
            waiting[in].push_back(pos);
            ++pending[pos];
        }
    }
    using heap = std::priority_queue<size_t, std::vector<size_t>, std::greater<>>;
    heap current, next;
    for (size_t pos = 0; pos < n; ++pos)
        if (pending[pos] == 0) current.push(pos);
    size_t fired = 0;
    while (!current.empty()) {
        while (!current.empty()) {
            const size_t pos = current.top();
            current.pop();
            const auto& syn = g.synapses[order[pos]];
            std::string line = fire(ix, g.actions[syn.action]);
            if (!line.empty()) result.lines.push_back(std::move(line));
            ++fired;
            for (size_t w : waiting[syn.action])
                if (--pending[w] == 0) (w > pos ? current : next).push(w);
        }
        std::swap(current, next);
    }
    result.unfired = n - fired;
    return result;
}

}  // namespace holdfast::tools
