// Simulated results recorded in the CIB's XML status (see exec_status.hpp),
// so that `simulate -O` writes what Pacemaker's injection would.
#include <libxml/tree.h>

#include <algorithm>
#include <cstdlib>

#include "tools/holdfast/exec_status.hpp"

namespace holdfast::tools::exec {
namespace {

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

void remove_child(xmlNode* parent, const char* name) {
    if (xmlNode* c = child(parent, name)) {
        xmlUnlinkNode(c);
        xmlFreeNode(c);
    }
}

int next_call_id(xmlNode* rsc) {
    int best = 0;
    for (xmlNode* c = rsc->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) best = std::max(best, std::atoi(attr(c, "call-id").c_str()));
    return best + 1;
}

}  // namespace

// Look-up tables over the status section, so that each injection costs the
// same whatever the cluster size (big graphs fire tens of thousands of ops).
struct xml_recorder::impl {
    xmlNode* status = nullptr;
    std::unordered_map<std::string, xmlNode*> nodes;  // uname -> node_state
    // node_state -> lrm_resource id -> lrm_resource (null: the id is there twice)
    std::unordered_map<xmlNode*, std::unordered_map<std::string, xmlNode*>> rscs;

    // pcmk__inject_node: the node_state of a node, created when missing.
    xmlNode* node(const std::string& uname, const std::string& id) {
        if (auto it = nodes.find(uname); it != nodes.end()) return it->second;
        xmlNode* n = xmlNewChild(status, nullptr, X("node_state"), nullptr);
        set(n, "id", id.empty() ? uname : id);
        set(n, "uname", uname);
        nodes.emplace(uname, n);
        return n;
    }

    std::unordered_map<std::string, xmlNode*>& resources_of(xmlNode* node_state, xmlNode* container) {
        auto [it, fresh] = rscs.try_emplace(node_state);
        if (fresh) {
            for (xmlNode* c = container->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, X("lrm_resource")) == 0) {
                    auto [entry, added] = it->second.emplace(attr(c, "id"), c);
                    if (!added) entry->second = nullptr;
                }
        }
        return it->second;
    }

    xmlNode* resource(xmlNode* node_state, const policy::graph_action& a, const std::string& shown) {
        xmlNode* lrm = ensure_child(node_state, "lrm");
        if (attr(lrm, "id").empty()) set(lrm, "id", attr(node_state, "id"));
        xmlNode* container = ensure_child(lrm, "lrm_resources");
        auto& by_id = resources_of(node_state, container);
        auto found = by_id.find(shown);
        if ((found == by_id.end() || !found->second) && shown != a.rsc_id) found = by_id.find(a.rsc_id);
        xmlNode* r = found == by_id.end() ? nullptr : found->second;
        if (!r) {
            r = xmlNewChild(container, nullptr, X("lrm_resource"), nullptr);
            set(r, "id", a.rsc_id);
            set(r, "class", a.rsc_class);
            if (!a.rsc_provider.empty()) set(r, "provider", a.rsc_provider);
            set(r, "type", a.rsc_type);
            by_id.emplace(a.rsc_id, r);
        }
        return r;
    }
};

xml_recorder::xml_recorder(cib::document& doc) : impl_(std::make_unique<impl>()) {
    xmlNode* root = xmlDocGetRootElement(static_cast<xmlDoc*>(doc.xml()));
    impl_->status = ensure_child(root, "status");
    for (xmlNode* c = impl_->status->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, X("node_state")) != 0) continue;
        impl_->nodes.emplace(attr(c, "uname"), c);  // the first entry wins, as an xpath query would
    }
}

xml_recorder::~xml_recorder() = default;

void xml_recorder::fence(const std::string& uname, const std::string& id) {
    xmlNode* n = impl_->node(uname, id);
    impl_->rscs.erase(n);  // its history goes away below
    set(n, "in_ccm", "false");
    set(n, "crmd", "offline");
    set(n, "join", "down");
    set(n, "expected", "down");
    set(n, "crm-debug-origin", "simulate_fencing_action");
    remove_child(n, "lrm");
    remove_child(n, "transient_attributes");
}

// pcmk__inject_action_result: record the op as done with its expected rc.
void xml_recorder::record(const policy::graph_action& a, const op_result& r, const std::string& shown,
                          const std::string& node_id) {
    xmlNode* rsc = impl_->resource(impl_->node(a.node_uname, node_id), a, shown);
    const int call_id = next_call_id(rsc);
    const std::string rsc_id = attr(rsc, "id");
    const std::string id = history_id(rsc_id, r.task, a);
    xmlNode* op = child_with_id(rsc, "lrm_rsc_op", id);
    if (!op) op = xmlNewChild(rsc, nullptr, X("lrm_rsc_op"), nullptr);
    set(op, "id", id);
    set(op, "operation_key", rsc_id + "_" + r.task + "_" + std::to_string(a.interval_ms));
    set(op, "operation", r.task);
    set(op, "crm-debug-origin", "do_update_resource");
    set(op, "transition-key", r.transition_key);
    set(op, "transition-magic", r.transition_magic);
    set(op, "call-id", std::to_string(call_id));
    set(op, "rc-code", std::to_string(r.rc));
    set(op, "op-status", "0");
    set(op, "interval", std::to_string(a.interval_ms));
    set(op, "on_node", a.node_uname);
    set(op, "last-run", r.stamp);
    set(op, "last-rc-change", r.stamp);
    if (r.task == "migrate_to" || r.task == "migrate_from") {
        set(op, "migrate_source", a.meta("migrate_source"));
        set(op, "migrate_target", a.meta("migrate_target"));
    }
}

}  // namespace holdfast::tools::exec
