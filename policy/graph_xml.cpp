#include "policy/graph_xml.hpp"
#include "cib/xml_text.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdlib>
#include <memory>
#include <unordered_map>

namespace holdfast::policy {
namespace {

std::string escape(const std::string& s) { return cib::xml_attr(s); }

const char* tag_of(const graph_action& a) {
    switch (a.kind) {
        case action_kind::rsc_op: return "rsc_op";
        case action_kind::pseudo: return "pseudo_event";
        case action_kind::crm_event: return "crm_event";
    }
    return "rsc_op";
}

// The opening of an action element: shared by the action itself and its triggers.
std::string action_head(const graph_action& a) {
    std::string s = std::string("<") + tag_of(a) + " id=\"" + std::to_string(a.id) + "\" operation=\"" +
                    escape(a.task) + "\" operation_key=\"" + escape(a.operation_key) + "\"";
    if (!a.internal_operation_key.empty() && a.internal_operation_key != a.operation_key)
        s += " internal_operation_key=\"" + escape(a.internal_operation_key) + "\"";
    if (!a.node_uname.empty()) {
        s += " on_node=\"" + escape(a.node_uname) + "\" on_node_uuid=\"" + escape(a.node_id) + "\"";
        if (!a.router_node.empty()) s += " router_node=\"" + escape(a.router_node) + "\"";
    }
    return s;
}

void write_action(std::string& out, const graph_action& a) {
    out += "      " + action_head(a) + ">\n";
    if (!a.rsc_id.empty()) {
        out += "        <primitive id=\"" + escape(a.rsc_id) + "\"";
        if (!a.rsc_long_id.empty()) out += " long-id=\"" + escape(a.rsc_long_id) + "\"";
        out += " class=\"" + escape(a.rsc_class) + "\"";
        if (!a.rsc_provider.empty()) out += " provider=\"" + escape(a.rsc_provider) + "\"";
        out += " type=\"" + escape(a.rsc_type) + "\"/>\n";
    }
    out += "        <attributes";
    for (const auto& [k, v] : a.attributes) out += " " + k + "=\"" + escape(v) + "\"";
    out += " />\n";
    if (!a.downed.empty()) {
        out += "        <downed>\n";
        for (const auto& id : a.downed) out += "          <node id=\"" + escape(id) + "\"/>\n";
        out += "        </downed>\n";
    }
    out += std::string("      </") + tag_of(a) + ">\n";
}

}  // namespace

std::string write_graph_xml(const transition_graph& g) {
    std::string out =
        "<transition_graph cluster-delay=\"" + escape(g.cluster_delay) + "\" stonith-timeout=\"" +
        escape(g.stonith_timeout) + "\" failed-stop-offset=\"" + escape(g.failed_stop_offset) +
        "\" failed-start-offset=\"" + escape(g.failed_start_offset) + "\"" +
        (g.migration_limit.empty() ? std::string() : " migration-limit=\"" + escape(g.migration_limit) + "\"") +
        "  transition_id=\"" + std::to_string(g.transition_id) + "\"";
    if (!g.recheck_by.empty()) out += " recheck-by=\"" + escape(g.recheck_by) + "\"";
    if (g.synapses.empty()) return out + "/>\n";
    out += ">\n";
    for (const auto& syn : g.synapses) {
        out += "  <synapse id=\"" + std::to_string(syn.id) + "\"";
        if (syn.priority != 0) out += " priority=\"" + std::to_string(syn.priority) + "\"";
        out += ">\n    <action_set>\n";
        write_action(out, g.actions[syn.action]);
        out += "    </action_set>\n";
        if (syn.inputs.empty()) {
            out += "    <inputs/>\n";
        } else {
            out += "    <inputs>\n";
            for (int in : syn.inputs)
                out += "      <trigger>\n        " + action_head(g.actions[in]) + "/>\n      </trigger>\n";
            out += "    </inputs>\n";
        }
        out += "  </synapse>\n";
    }
    out += "</transition_graph>\n";
    return out;
}

namespace {

struct doc_deleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

const xmlChar* xc(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

bool is(const xmlNode* n, const char* name) { return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, xc(name)) == 0; }

std::string prop(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetProp(n, xc(name));
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

cib::error graph_error(const std::string& what, int line = 0) {
    cib::error e;
    e.code = cib::errc::malformed_xml;
    e.message = what;
    e.line = line;
    return e;
}

bool action_tag(const xmlNode* n, action_kind& kind) {
    if (is(n, "rsc_op"))
        kind = action_kind::rsc_op;
    else if (is(n, "pseudo_event"))
        kind = action_kind::pseudo;
    else if (is(n, "crm_event"))
        kind = action_kind::crm_event;
    else
        return false;
    return true;
}

void read_action_body(const xmlNode* n, graph_action& a) {
    for (const xmlNode* c = n->children; c; c = c->next) {
        if (is(c, "primitive")) {
            a.rsc_id = prop(c, "id");
            a.rsc_long_id = prop(c, "long-id");
            a.rsc_class = prop(c, "class");
            a.rsc_provider = prop(c, "provider");
            a.rsc_type = prop(c, "type");
        } else if (is(c, "attributes")) {
            for (const xmlAttr* at = c->properties; at; at = at->next) {
                xmlChar* v = xmlNodeGetContent(reinterpret_cast<const xmlNode*>(at));
                a.attributes[reinterpret_cast<const char*>(at->name)] = v ? reinterpret_cast<const char*>(v) : "";
                xmlFree(v);
            }
        } else if (is(c, "downed")) {
            for (const xmlNode* d = c->children; d; d = d->next)
                if (is(d, "node")) a.downed.push_back(prop(d, "id"));
        }
    }
}

graph_action read_action(const xmlNode* n, action_kind kind) {
    graph_action a;
    a.kind = kind;
    a.id = std::atoi(prop(n, "id").c_str());
    a.task = prop(n, "operation");
    a.operation_key = prop(n, "operation_key");
    a.internal_operation_key = prop(n, "internal_operation_key");
    a.node_uname = prop(n, "on_node");
    a.node_id = prop(n, "on_node_uuid");
    a.router_node = prop(n, "router_node");
    read_action_body(n, a);
    auto it = a.attributes.find("CRM_meta_interval");
    if (it != a.attributes.end()) a.interval_ms = std::atoll(it->second.c_str());
    return a;
}

void read_graph_props(const xmlNode* root, transition_graph& g) {
    g.cluster_delay = prop(root, "cluster-delay");
    g.stonith_timeout = prop(root, "stonith-timeout");
    g.failed_stop_offset = prop(root, "failed-stop-offset");
    g.failed_start_offset = prop(root, "failed-start-offset");
    g.migration_limit = prop(root, "migration-limit");
    g.recheck_by = prop(root, "recheck-by");
    g.transition_id = std::atoi(prop(root, "transition_id").c_str());
    g.batch_limit = std::atoi(prop(root, "batch-limit").c_str());
}

}  // namespace

expected<transition_graph, cib::error> parse_graph_xml(std::string_view xml) {
    std::unique_ptr<xmlDoc, doc_deleter> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "graph.xml",
                                                           nullptr, XML_PARSE_NONET | XML_PARSE_NOBLANKS));
    if (!doc) return unexpected(graph_error("transition graph is not well-formed XML"));
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!root || !is(root, "transition_graph")) return unexpected(graph_error("root element is not transition_graph"));
    transition_graph g;
    read_graph_props(root, g);
    std::unordered_map<int, int> by_id;  // action id -> index in g.actions
    // Triggers may name actions whose synapse comes later: resolve after.
    std::vector<std::vector<int>> trigger_ids;
    for (const xmlNode* s = root->children; s; s = s->next) {
        if (!is(s, "synapse")) continue;
        synapse syn;
        syn.id = std::atoi(prop(s, "id").c_str());
        syn.priority = std::atoi(prop(s, "priority").c_str());
        syn.action = -1;
        std::vector<int> ids;
        for (const xmlNode* c = s->children; c; c = c->next) {
            action_kind kind;
            if (is(c, "action_set")) {
                for (const xmlNode* a = c->children; a; a = a->next) {
                    if (!action_tag(a, kind)) continue;
                    by_id[std::atoi(prop(a, "id").c_str())] = static_cast<int>(g.actions.size());
                    syn.action = static_cast<int>(g.actions.size());
                    g.actions.push_back(read_action(a, kind));
                }
            } else if (is(c, "inputs")) {
                for (const xmlNode* t = c->children; t; t = t->next)
                    for (const xmlNode* a = is(t, "trigger") ? t->children : nullptr; a; a = a->next)
                        if (action_tag(a, kind)) ids.push_back(std::atoi(prop(a, "id").c_str()));
            }
        }
        if (syn.action < 0)
            return unexpected(graph_error("synapse " + std::to_string(syn.id) + " has no action", s->line));
        g.synapses.push_back(std::move(syn));
        trigger_ids.push_back(std::move(ids));
    }
    for (size_t i = 0; i < g.synapses.size(); ++i) {
        for (int id : trigger_ids[i]) {
            auto it = by_id.find(id);
            if (it == by_id.end()) return unexpected(graph_error("trigger names unknown action " + std::to_string(id)));
            g.synapses[i].inputs.push_back(it->second);
        }
    }
    return g;
}

}  // namespace holdfast::policy
