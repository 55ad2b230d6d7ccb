#include "daemon/history_events.hpp"

#include <libxml/parser.h>

#include "cib/xml.hpp"

namespace holdfast::daemon {
namespace {

// The element name and id of one XML element's start tag (a change's payload).
std::pair<std::string, std::string> root_of(const std::string& payload) {
    cib::xml::doc_ptr doc(xmlReadMemory(payload.data(), static_cast<int>(payload.size()), "change", nullptr,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!root) return {};
    return {cib::xml::name(root), cib::xml::attr(root, "id")};
}

std::string described(const cib::change& c) {
    using op = cib::change_op;
    const auto [element, id] = root_of(c.payload);
    const std::string what = element == "cib" || element == "configuration" || element.empty()
                                 ? std::string("the configuration")
                                 : element + (id.empty() ? "" : " " + id);
    switch (c.op) {
        case op::replace_configuration: return "replaced " + what;
        case op::update_configuration: return "changed " + what;
        case op::delete_element: return "deleted " + (c.tag.empty() ? "" : c.tag + " ") + c.target;
        case op::set_property: return "set property " + c.name + "=" + c.value;
        case op::delete_property: return "deleted property " + c.name;
        case op::set_node_attribute:
            return "set node attribute " + c.name + "=" + c.value + " of " +
                   (c.node_name.empty() ? c.node_id : c.node_name);
        case op::delete_node_attribute: return "deleted node attribute " + c.name + " of node " + c.node_id;
        case op::clear_resource_history:
            return std::string(c.value == "failed" ? "cleaned up " : "refreshed ") + c.target + " on node " + c.node_id;
        default: return {};
    }
}

// The CIB section a change touches, as cibadmin --scope names them.
std::string section_of(const cib::change& c) {
    using op = cib::change_op;
    switch (c.op) {
        case op::set_property:
        case op::delete_property: return "crm_config";
        case op::set_node_attribute:
        case op::delete_node_attribute: return "nodes";
        case op::clear_resource_history: return "status";
        default: break;
    }
    const std::string element = c.op == op::delete_element ? c.tag : root_of(c.payload).first;
    if (element == "cib") return "configuration";
    if (const char* section = cib::configuration_section(element)) return section;
    return element;  // a section itself (resources, constraints, ...), or "" when unknown
}

bool operator_change(const cib::change& c) {
    using op = cib::change_op;
    switch (c.op) {
        case op::replace_configuration:
        case op::update_configuration:
        case op::delete_element:
        case op::set_property:
        case op::delete_property:
        case op::clear_resource_history: return true;
        case op::set_node_attribute:
        case op::delete_node_attribute: return c.lifetime == cib::attribute_lifetime::permanent;
        default: return false;
    }
}

void add_failures(const cib::change& c, std::vector<history_event>& out) {
    cib::xml::doc_ptr doc(xmlReadMemory(c.payload.data(), static_cast<int>(c.payload.size()), "record", nullptr,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    const xmlNode* rsc = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!cib::xml::is(rsc, "lrm_resource")) return;
    const std::string suffix = "_last_failure_0";
    for (const xmlNode* op : cib::xml::children(rsc, "lrm_rsc_op")) {
        const std::string id = cib::xml::attr(op, "id");
        if (id.size() < suffix.size() || id.compare(id.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
        const std::string node = cib::xml::attr(op, "on_node");
        out.push_back({0,
                       "failure",
                       {{"rsc", cib::xml::attr(rsc, "id")},
                        {"task", cib::xml::attr(op, "operation")},
                        {"interval-ms", cib::xml::attr(op, "interval")},
                        {"node", node.empty() ? c.node_name : node},
                        {"rc", cib::xml::attr(op, "rc-code")},
                        {"status", cib::xml::attr(op, "op-status")},
                        {"reason", cib::xml::attr(op, "exit-reason")}}});
    }
}

}  // namespace

std::vector<history_event> events_of_change(const cib::change& c, const cib::cib_version& after) {
    std::vector<history_event> out;
    if (c.op == cib::change_op::record_operation) {
        add_failures(c, out);
        return out;
    }
    if (!operator_change(c)) return out;
    out.push_back({0,
                   "cib",
                   {{"op", cib::to_string(c.op)},
                    {"what", described(c)},
                    {"section", section_of(c)},
                    {"epoch", std::to_string(after.epoch)},
                    {"version", after.to_string()},
                    {"origin", c.origin},
                    {"client", c.client},
                    {"user", c.user}}});
    return out;
}

history_event event_of(const fencing_event& e) {
    return {0,
            "fencing",
            {{"target", e.target},
             {"action", e.action},
             {"result", e.ok ? "ok" : "failed"},
             {"device", e.device},
             {"origin", e.origin},
             {"completed", std::to_string(e.completed)},
             {"reason", e.reason}}};
}

std::optional<history_event> action_event(int transition, const policy::graph_action& a, bool ok) {
    if (a.kind == policy::action_kind::pseudo) return std::nullopt;
    return history_event{0,
                         "action",
                         {{"transition", std::to_string(transition)},
                          {"task", a.task},
                          {"rsc", a.rsc_id},
                          {"node", a.node_uname},
                          {"interval-ms", std::to_string(a.interval_ms)},
                          {"result", ok ? "ok" : "failed"}}};
}

}  // namespace holdfast::daemon
