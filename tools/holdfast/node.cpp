// holdfast node VERB NODE ...: crm node as CIB changes sent to holdfastd.
// standby|online|maintenance|ready set a permanent node attribute (standby or
// maintenance, on/off) in <nodes>, as `crm node` sets it; attribute and
// utilization set, delete and show a node's instance_attributes and
// utilization (crm_attribute -t nodes [-z]); clearstate marks a node that is
// down as cleanly down and forgets its history.
#include <cstdio>
#include <string>

#include "cib/xml_text.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/nv_verbs.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* node_usage =
    "usage: holdfast node VERB NODE ... [--socket NAME]\n"
    "  standby|online NODE                  node attribute standby on / off\n"
    "  maintenance|ready NODE               node attribute maintenance on / off\n"
    "  attribute NODE set NAME VALUE        a permanent node attribute (crm_attribute -t nodes)\n"
    "  attribute NODE delete NAME\n"
    "  attribute NODE show [NAME] [--output-as=text|json|xml]\n"
    "  utilization NODE set|delete|show ... the node's utilization (crm_attribute -z)\n"
    "  clearstate NODE                      a node that is down: cleanly down, its history forgotten\n";

struct node_verb {
    const char* verb;
    const char* attribute;
    const char* value;
};
constexpr node_verb node_verbs[] = {
    {"standby", "standby", "on"},
    {"online", "standby", "off"},
    {"maintenance", "maintenance", "on"},
    {"ready", "maintenance", "off"},
};

int usage_error(const std::string& what) {
    std::fprintf(stderr, "holdfast node: %s (try 'holdfast node help')\n", what.c_str());
    return exit_usage;
}

const cib::node_def* node_def_of(const cib::document& doc, const std::string& name) {
    for (const auto& n : doc.model().nodes)
        if (n.uname == name) return &n;
    return nullptr;
}

// node attribute|utilization NODE VERB ...
int run_sets(const std::string& kind, const args& a, const std::string& ipc, output_format format) {
    const std::string cmd = "node " + kind;
    if (a.size() < 2) return usage_error(kind + " needs a NODE");
    auto doc = query_cib(cmd.c_str(), ipc);
    if (!doc) return doc.error();
    const cib::node_def* n = node_def_of(*doc, a[1]);
    if (!n) return nv_fail(cmd, "unknown node '" + a[1] + "'");
    const bool utilization = kind == "utilization";
    nv_scope s;
    s.cmd = cmd;
    s.ipc = ipc;
    s.format = format;
    s.owner = "node";
    s.id = n->uname;
    s.label = utilization ? "utilization" : "attribute";
    s.set_name = utilization ? "utilization" : "attributes";
    s.sets = utilization ? &n->utilization : &n->attributes;
    s.new_set_id = utilization ? "nodes-" + n->id + "-utilization" : "nodes-" + n->id;
    const std::string id = n->id, uname = n->uname;
    if (utilization)
        s.set = [id, uname](const resource_edit::nv_target& t, const std::string& name, const std::string& value) {
            return cib::change::update_configuration(resource_edit::nv_update_xml(
                "node", id, " uname=\"" + cib::xml_attr(uname) + "\"", "utilization", t, name, value));
        };
    else  // where crm_attribute puts it (and node standby)
        s.set = [id, uname](const resource_edit::nv_target&, const std::string& name, const std::string& value) {
            return cib::change::set_node_attribute(id, uname, name, value, cib::attribute_lifetime::permanent);
        };
    return run_nv(s, args(a.begin() + 2, a.end()));
}

// A node_state value that says "yes": "true"/"online", or a timestamp (newer CIBs).
bool up(const std::string& v) { return !v.empty() && v != "false" && v != "offline" && v != "0"; }

// crmsh's clearstate: for a node that is down (not a member, its controller
// gone), what a confirmed fencing records: cleanly down (expected down, so
// nobody fences it) and its resource history and transient attributes gone.
int clearstate(const args& a, const std::string& ipc) {
    if (a.size() != 2) return usage_error("clearstate takes exactly one NODE");
    auto doc = query_cib("node clearstate", ipc);
    if (!doc) return doc.error();
    std::string id;
    if (auto n = node_def_of(*doc, a[1])) id = n->id;
    for (const auto& st : doc->model().node_states) {
        if (st.uname != a[1]) continue;
        id = st.id;
        if (up(st.in_ccm) || up(st.crmd))
            return nv_fail("node clearstate", a[1] + " is an active cluster member (in_ccm=" + st.in_ccm +
                                                  ", crmd=" + st.crmd + "): stop it before clearing its state");
    }
    if (id.empty()) return nv_fail("node clearstate", "unknown node '" + a[1] + "'");
    const std::string state = "<node_state id=\"" + cib::xml_attr(id) + "\" uname=\"" + cib::xml_attr(a[1]) +
                              "\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"/>";
    for (auto c : {cib::change::update_node_state(state), cib::change::clear_node_history(id)}) {
        auto r = send_change(ipc, std::move(c));
        if (!r) return report("node clearstate", r.error());
    }
    return exit_ok;
}

int standby_like(const node_verb& verb, const args& a, const std::string& ipc) {
    if (a.size() != 2) return usage_error(std::string(verb.verb) + " needs exactly one NODE");
    std::string cmd = std::string("node ") + verb.verb;
    auto doc = query_cib(cmd.c_str(), ipc);
    if (!doc) return doc.error();
    auto id = node_id_of(*doc, a[1]);
    if (!id) return nv_fail(cmd, "unknown node '" + a[1] + "'");
    auto r = send_change(ipc, cib::change::set_node_attribute(*id, a[1], verb.attribute, verb.value,
                                                              cib::attribute_lifetime::permanent));
    return r ? 0 : report(cmd.c_str(), r.error());
}

}  // namespace

int run_node(const args& in) {
    std::string ipc = default_ipc_name(), bad;
    output_format format = output_format::text;
    bool format_given = false;
    args a;
    for (size_t i = 0; i < in.size(); ++i) {
        if (take_ipc_option(in, i, ipc)) continue;
        if (take_output_option(in, i, format, bad)) {
            if (!bad.empty()) return usage_error(bad);
            format_given = true;
            continue;
        }
        a.push_back(in[i]);
    }
    if (a.empty()) return usage_error("missing subcommand");
    if (a[0] == "help" || a[0] == "-h" || a[0] == "--help") {
        std::fputs(node_usage, stdout);
        return exit_ok;
    }
    if (a[0] == "attribute" || a[0] == "utilization") return run_sets(a[0], a, ipc, format);
    if (format_given) return usage_error("--output-as is for attribute and utilization show");
    if (a[0] == "clearstate") return clearstate(a, ipc);
    for (const auto& v : node_verbs)
        if (a[0] == v.verb) return standby_like(v, a, ipc);
    return usage_error("unknown subcommand '" + a[0] + "'");
}

}  // namespace holdfast::tools
