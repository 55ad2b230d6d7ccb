#include "tools/holdfast/status_doc.hpp"

#include <cstdlib>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#include "cib/xml_text.hpp"
#include "tools/holdfast/json_text.hpp"
#include "tools/holdfast/record_doc.hpp"
#include "tools/holdfast/resource_edit.hpp"
#include "tools/holdfast/status_failures.hpp"
#include "tools/holdfast/status_sections.hpp"
#include "tools/holdfast/status_text.hpp"

namespace holdfast::tools {
namespace {

using policy::node_ix;
using policy::rsc_ix;

// The short names of record_doc's field makers, which every row below uses.
constexpr auto& text = text_field;
constexpr auto& flag = bool_field;
constexpr auto& number = number_field;
field number_text(std::string n, const std::string& v) { return number(std::move(n), std::atoll(v.c_str())); }

struct resource_row {
    std::vector<field> fields;
    std::vector<std::string> nodes;
};

struct status_view {
    std::vector<field> summary;
    std::vector<std::vector<field>> nodes;
    std::vector<resource_row> resources;
    std::vector<std::vector<field>> failures;         // crm_mon --output-as=xml's <failure> attributes
    std::vector<std::vector<field>> cli_constraints;  // what resource move/ban left
    std::vector<std::vector<field>> node_attributes;  // what -A shows
    std::vector<std::vector<field>> fail_counts;      // what -f shows
};

std::vector<field> failure_fields(const policy::working_set& ws, const policy::failed_op& f) {
    const cib::op_record& op = *f.op;
    return {text("op_key", f.rsc_id + "_" + op.operation + "_" + op.interval),
            text("node", f.node == policy::none ? "" : ws.nodes[f.node].uname),
            text("exitstatus", ocf_exit_text(op.rc_code)),
            text("exitreason", op.exit_reason),
            number("exitcode", op.rc_code),
            number("call", op.call_id),
            text("status", exec_status_text(op.op_status)),
            text("last-rc-change", op.last_rc_change > 0 ? iso_utc(static_cast<std::time_t>(op.last_rc_change)) : ""),
            number("queued", op.queue_time),
            number("exec", op.exec_time),
            number_text("interval", op.interval),
            text("task", op.operation)};
}

std::vector<std::vector<field>> cli_constraint_rows(const policy::working_set& ws) {
    std::vector<std::vector<field>> rows;
    if (!ws.cib) return rows;
    for (const auto& c : resource_edit::cli_constraints(*ws.cib))
        rows.push_back({text("id", c.id), text("rsc", c.rsc), text("node", c.node),
                        text("kind", c.ban ? "ban" : "prefer"), text("until", c.until),
                        flag("expired", resource_edit::expired(c.until, ws.now))});
    return rows;
}

const char* kind_name(policy::node_kind k) {
    return k == policy::node_kind::guest ? "guest" : k == policy::node_kind::remote ? "remote" : "member";
}

std::string agent_of(const policy::resource& r) {
    return r.rclass + ":" + (r.provider.empty() ? "" : r.provider + ":") + r.type;
}

rsc_ix top_level_of(const policy::working_set& ws, rsc_ix r) {
    while (ws.resources[r].parent != policy::none) r = ws.resources[r].parent;
    return r;
}

bool shown(const policy::resource& r) { return r.children.empty() && !(r.orphan && r.running_on.empty()); }

status_view build_view(const policy::working_set& ws) {
    status_view v;
    const policy::node* dc = nullptr;
    for (const auto& n : ws.nodes)
        if (n.is_dc) dc = &n;
    long long instances = 0;
    for (const auto& r : ws.resources) instances += shown(r) ? 1 : 0;
    const auto& m = *ws.cib;
    v.summary = {text("stack", "corosync"),
                 text("dc", dc ? dc->uname : ""),
                 text("dc-id", dc ? dc->id : ""),
                 flag("have-quorum", ws.options.have_quorum),
                 number("nodes-configured", static_cast<long long>(ws.nodes.size())),
                 number("resources-configured", instances),
                 number_text("admin-epoch", m.admin_epoch),
                 number_text("epoch", m.epoch),
                 number_text("num-updates", m.num_updates)};
    for (const auto& n : ws.nodes)
        v.nodes.push_back({text("name", n.uname), text("id", n.id), text("type", kind_name(n.kind)),
                           flag("online", n.online), flag("standby", n.standby), flag("maintenance", n.maintenance),
                           flag("unclean", n.unclean), flag("pending", n.pending), flag("is-dc", n.is_dc),
                           number("resources-running", static_cast<long long>(n.running.size()))});
    for (size_t i = 0; i < ws.resources.size(); ++i) {
        const auto& r = ws.resources[i];
        if (!shown(r)) continue;
        rsc_ix top = top_level_of(ws, static_cast<rsc_ix>(i));
        resource_row row;
        row.fields = {
            text("id", r.id),           text("parent", top == static_cast<rsc_ix>(i) ? "" : ws.resources[top].id),
            text("agent", agent_of(r)), text("role", policy::to_string(r.current_role)),
            flag("managed", r.managed), flag("failed", r.failed),
            flag("blocked", r.blocked)};
        for (node_ix n : r.running_on) row.nodes.push_back(ws.nodes[n].uname);
        v.resources.push_back(std::move(row));
    }
    for (const auto& f : ws.failed_ops) v.failures.push_back(failure_fields(ws, f));
    v.cli_constraints = cli_constraint_rows(ws);
    for (const auto& a : shown_node_attributes(ws))
        v.node_attributes.push_back({text("node", a.node), text("name", a.name), text("value", a.value)});
    for (const auto& f : fail_count_rows(ws))
        v.fail_counts.push_back(
            {text("node", f.node), text("resource", f.resource), number("fail-count", f.fail_count),
             text("last-failure", f.last_failure > 0 ? iso_utc(static_cast<std::time_t>(f.last_failure)) : "")});
    return v;
}

std::string xml_attr(const std::string& s) { return cib::xml_attr(s); }

}  // namespace

namespace {

std::string un_nest(const std::string& lines) {
    std::istringstream body(lines);
    std::string out;
    for (std::string line; std::getline(body, line);) {
        if (line.rfind("  ", 0) == 0) line.erase(0, 2);
        if (line == "* Node List:") line.erase(0, 2);
        out += line + "\n";
    }
    return out;
}

// cluster-counts: "N resource instances configured (D DISABLED, B BLOCKED from ...)"
std::string counts_line(const instance_counts& c) {
    std::string out =
        "  * " + std::to_string(c.instances) + " resource instance" + (c.instances == 1 ? "" : "s") + " configured";
    const std::string blocked = std::to_string(c.blocked) + " BLOCKED from further action due to failure";
    if (c.disabled > 0 && c.blocked > 0)
        return out + " (" + std::to_string(c.disabled) + " DISABLED, " + blocked + ")\n";
    if (c.disabled > 0) return out + " (" + std::to_string(c.disabled) + " DISABLED)\n";
    if (c.blocked > 0) return out + " (" + blocked + ")\n";
    return out + "\n";
}

std::string resources_section(const policy::working_set& ws, const status_text_options& o) {
    const std::string items = format_resource_items(ws, {true, o.inactive, true}, ws.top_level);
    if (o.inactive) return "\nFull List of Resources:\n" + (items.empty() ? "  * No resources\n" : un_nest(items));
    return "\nActive Resources:\n" + (items.empty() ? "  * No active resources\n" : un_nest(items));
}

}  // namespace

std::string format_status_text(const policy::working_set& ws, const std::string& last_updated,
                               const status_text_options& o) {
    const policy::node* dc = nullptr;
    for (const auto& n : ws.nodes)
        if (n.is_dc) dc = &n;
    std::string out = "Cluster Summary:\n  * Stack: corosync\n";
    out +=
        "  * Current DC: " +
        (dc ? dc->uname + " (" + dc->id + ") - partition " + (ws.options.have_quorum ? "with quorum" : "WITHOUT quorum")
            : std::string("NONE")) +
        "\n";
    out += "  * Last updated: " + last_updated + "\n";
    out += "  * " + std::to_string(ws.nodes.size()) + " node" + (ws.nodes.size() == 1 ? "" : "s") + " configured\n";
    out += counts_line(count_instances(ws));
    if (ws.options.maintenance_mode)
        out +=
            "\n              *** Resource management is DISABLED ***\n"
            "  The cluster will not attempt to start, stop or recover services\n";
    out += "\n";
    if (o.by_node)
        out += format_nodes_with_resources(ws, {true, o.inactive, true});
    else
        out += un_nest(format_node_list(ws)) + resources_section(ws, o);
    if (o.attributes) out += format_node_attributes(ws);
    if (o.operations)
        out += format_operations(ws);
    else if (o.failcounts)
        out += format_migration_summary(ws);
    return out + format_failed_actions(ws);
}

std::string format_status_xml(const policy::working_set& ws) {
    status_view v = build_view(ws);
    std::string out = "<holdfast-status version=\"1\">\n  <summary" + xml_fields(v.summary) + "/>\n  <nodes>\n";
    for (const auto& n : v.nodes) out += "    <node" + xml_fields(n) + "/>\n";
    out += "  </nodes>\n  <resources>\n";
    for (const auto& r : v.resources) {
        out += "    <resource" + xml_fields(r.fields) + (r.nodes.empty() ? "/>\n" : ">\n");
        for (const auto& n : r.nodes) out += "      <node name=\"" + xml_attr(n) + "\"/>\n";
        if (!r.nodes.empty()) out += "    </resource>\n";
    }
    out += "  </resources>\n";
    if (!v.failures.empty()) {
        out += "  <failures>\n";
        for (const auto& f : v.failures) out += "    <failure" + xml_fields(f) + "/>\n";
        out += "  </failures>\n";
    }
    out += "  <cli-constraints>\n";
    for (const auto& c : v.cli_constraints) out += "    <constraint" + xml_fields(c) + "/>\n";
    out += "  </cli-constraints>\n  <node-attributes>\n";
    for (const auto& a : v.node_attributes) out += "    <attribute" + xml_fields(a) + "/>\n";
    out += "  </node-attributes>\n  <fail-counts>\n";
    for (const auto& f : v.fail_counts) out += "    <fail-count" + xml_fields(f) + "/>\n";
    return out + "  </fail-counts>\n</holdfast-status>\n";
}

std::string format_status_json(const policy::working_set& ws) {
    status_view v = build_view(ws);
    std::string out = "{\n  \"version\": 1,\n  \"summary\": {" + json_fields(v.summary) + "},\n  \"nodes\": [";
    for (size_t i = 0; i < v.nodes.size(); ++i)
        out += std::string(i ? "," : "") + "\n    {" + json_fields(v.nodes[i]) + "}";
    out += v.nodes.empty() ? "],\n" : "\n  ],\n";
    out += "  \"resources\": [";
    for (size_t i = 0; i < v.resources.size(); ++i) {
        std::string nodes;
        for (const auto& n : v.resources[i].nodes) nodes += (nodes.empty() ? "" : ", ") + json_string(n);
        out += std::string(i ? "," : "") + "\n    {" + json_fields(v.resources[i].fields) + ", \"nodes\": [" + nodes +
               "]}";
    }
    out += v.resources.empty() ? "],\n" : "\n  ],\n";
    const std::pair<const char*, const std::vector<std::vector<field>>*> lists[] = {
        {"failures", &v.failures},
        {"cli-constraints", &v.cli_constraints},
        {"node-attributes", &v.node_attributes},
        {"fail-counts", &v.fail_counts}};
    for (size_t l = 0; l < std::size(lists); ++l) {
        const auto& rows = *lists[l].second;
        out += std::string("  \"") + lists[l].first + "\": [";
        for (size_t i = 0; i < rows.size(); ++i)
            out += std::string(i ? "," : "") + "\n    {" + json_fields(rows[i]) + "}";
        out += std::string(rows.empty() ? "]" : "\n  ]") + (l + 1 < std::size(lists) ? ",\n" : "\n}\n");
    }
    return out;
}

}  // namespace holdfast::tools
