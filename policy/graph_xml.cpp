#include "policy/graph_xml.hpp"

namespace holdfast::policy {
namespace {

std::string escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

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
        "  transition_id=\"" + std::to_string(g.transition_id) + "\">\n";
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

}  // namespace holdfast::policy
