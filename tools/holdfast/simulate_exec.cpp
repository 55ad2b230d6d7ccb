// Running a transition graph as crm_simulate does: fire every synapse whose
// inputs are confirmed, in graph order, pass after pass; every action
// succeeds at once; resource results and fencing are written into the CIB's
// status section so that it can be read back as the revised cluster state.
#include "tools/holdfast/simulate_exec.hpp"

#include <libxml/tree.h>

#include <cstdio>
#include <cstdlib>
#include <string>

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

// pcmk__inject_node: the node_state of a node, created when missing.
xmlNode* inject_node(xmlDoc* doc, const std::string& uname, const std::string& id) {
    xmlNode* status = status_section(doc);
    for (xmlNode* c = status->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, X("node_state")) != 0) continue;
        if (attr(c, "uname") == uname) return c;
    }
    xmlNode* n = xmlNewChild(status, nullptr, X("node_state"), nullptr);
    set(n, "id", id.empty() ? uname : id);
    set(n, "uname", uname);
    return n;
}

xmlNode* inject_resource(xmlNode* node_state, const graph_action& a) {
    xmlNode* lrm = ensure_child(node_state, "lrm");
    if (attr(lrm, "id").empty()) set(lrm, "id", attr(node_state, "id"));
    xmlNode* rscs = ensure_child(lrm, "lrm_resources");
    xmlNode* r = child_with_id(rscs, "lrm_resource", a.rsc_id);
    if (!r) {
        r = xmlNewChild(rscs, nullptr, X("lrm_resource"), nullptr);
        set(r, "id", a.rsc_id);
        set(r, "class", a.rsc_class);
        if (!a.rsc_provider.empty()) set(r, "provider", a.rsc_provider);
        set(r, "type", a.rsc_type);
    }
    return r;
}

std::string meta(const graph_action& a, const char* name, const char* fallback = "") {
    auto it = a.attributes.find(std::string("CRM_meta_") + name);
    return it == a.attributes.end() ? fallback : it->second;
}

// pcmk__inject_action_result: record the op as done with its expected rc.
void inject_result(xmlNode* rsc, const graph_action& a, int call_id) {
    const int rc = std::atoi(meta(a, "op_target_rc", "0").c_str());
    std::string id;
    if (a.interval_ms > 0)
        id = a.rsc_id + "_" + a.task + "_" + std::to_string(a.interval_ms);
    else
        id = a.rsc_id + "_last_0";
    xmlNode* op = child_with_id(rsc, "lrm_rsc_op", id);
    if (!op) op = xmlNewChild(rsc, nullptr, X("lrm_rsc_op"), nullptr);
    set(op, "id", id);
    set(op, "operation_key", a.operation_key);
    set(op, "operation", a.task);
    set(op, "crm-debug-origin", "do_update_resource");
    set(op, "transition-key", std::to_string(a.id) + ":1:" + std::to_string(rc) + ":holdfast-simulated");
    set(op, "transition-magic",
        "0:" + std::to_string(rc) + ";" + std::to_string(a.id) + ":1:" + std::to_string(rc) + ":holdfast-simulated");
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

void fence(xmlDoc* doc, const graph_action& a) {
    xmlNode* n = inject_node(doc, a.node_uname, a.node_id);
    set(n, "in_ccm", "false");
    set(n, "crmd", "offline");
    set(n, "join", "down");
    set(n, "expected", "down");
    set(n, "crm-debug-origin", "simulate_fencing_action");
    remove_child(n, "lrm");
    remove_child(n, "transient_attributes");
}

std::string fire(xmlDoc* doc, const graph_action& a) {
    char buf[512];
    switch (a.kind) {
        case action_kind::pseudo:
            return "  * Pseudo action:   " + a.operation_key + (a.node_uname.empty() ? "" : " on " + a.node_uname);
        case action_kind::crm_event:
            if (a.task == "stonith") {
                std::string op = meta(a, "stonith_action", "reboot");
                if (op != "on") fence(doc, a);
                return "  * Fencing " + a.node_uname + " (" + op + ")";
            }
            if (!a.rsc_id.empty()) return "  * Cluster action:  " + a.task + " for " + a.rsc_id + " on " + a.node_uname;
            return "  * Cluster action:  " + a.task + " on " + a.node_uname;
        case action_kind::rsc_op: break;
    }
    if (a.task != "delete" && a.task != "meta-data") {
        xmlNode* n = inject_node(doc, a.node_uname, a.router_node.empty() ? a.node_id : a.node_uname);
        xmlNode* r = inject_resource(n, a);
        inject_result(r, a, next_call_id(r));
    }
    if (a.interval_ms > 0)
        std::snprintf(buf, sizeof buf, "  * Resource action: %-15s %s=%lld on %s", a.rsc_id.c_str(), a.task.c_str(),
                      static_cast<long long>(a.interval_ms), a.node_uname.c_str());
    else
        std::snprintf(buf, sizeof buf, "  * Resource action: %-15s %s on %s", a.rsc_id.c_str(), a.task.c_str(),
                      a.node_uname.c_str());
    return buf;
}

}  // namespace

exec_result simulate_transition(cib::document& doc, const policy::transition_graph& g) {
    exec_result result;
    auto* xml = static_cast<xmlDoc*>(doc.xml());
    std::vector<bool> confirmed(g.actions.size(), false);
    std::vector<bool> fired(g.synapses.size(), false);
    size_t remaining = g.synapses.size();
    // Each pass fires, in synapse order, what is ready; an action confirms at
    // once, so later synapses in the same pass may fire too.
    while (remaining > 0) {
        bool progress = false;
        for (size_t i = 0; i < g.synapses.size(); ++i) {
            if (fired[i]) continue;
            const auto& syn = g.synapses[i];
            bool ready = true;
            for (int in : syn.inputs) ready = ready && confirmed[in];
            if (!ready) continue;
            result.lines.push_back(fire(xml, g.actions[syn.action]));
            confirmed[syn.action] = true;
            fired[i] = true;
            --remaining;
            progress = true;
        }
        if (!progress) break;  // inputs that can never complete: the rest is not run
    }
    result.unfired = remaining;
    return result;
}

}  // namespace holdfast::tools
