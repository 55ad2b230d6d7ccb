// crm_attribute, crm_master, attrd_updater and crm_node as resource agents
// call them, answered by holdfastd (see agent_tools.hpp).
#include "tools/holdfast/agent_tools.hpp"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {
namespace {

enum class scope { crm_config, nodes, status };

struct attribute_request {
    std::string tool;
    std::string name, value, fallback, node;
    std::optional<std::string> type, lifetime;
    bool update = false, remove = false, quiet = false, has_fallback = false;
    std::string ipc = default_ipc_name();
};

// One option of a getopt-style command line: "-n X", "-nX", "--name X",
// "--name=X". Returns whether a[i] is `opt` and takes its value (and i on).
bool take_value(const args& a, size_t& i, const char* short_opt, const char* long_opt, std::string& out) {
    const std::string& s = a[i];
    const std::string lng = std::string("--") + long_opt;
    if (s == lng || (short_opt && s == std::string("-") + short_opt)) {
        if (i + 1 >= a.size()) return false;
        out = a[++i];
        return true;
    }
    if (s.rfind(lng + "=", 0) == 0) {
        out = s.substr(lng.size() + 1);
        return true;
    }
    if (short_opt && s.size() > 2 && s[0] == '-' && s[1] == short_opt[0] && s[1] != '-') {
        out = s.substr(2);
        return true;
    }
    return false;
}

bool is_flag(const std::string& s, const char* short_opt, const char* long_opt) {
    return s == std::string("--") + long_opt || (short_opt && s == std::string("-") + short_opt);
}

int usage_error(const std::string& tool, const std::string& why) {
    std::fprintf(stderr, "%s: %s\n", tool.c_str(), why.c_str());
    return crm_ex_usage;
}

// The node this runs on: the one the executor named for the agent, else the
// daemon's own.
std::optional<std::string> local_node(const std::string& ipc) {
    if (const char* n = std::getenv("OCF_RESKEY_CRM_meta_on_node"); n && *n) return std::string(n);
    auto ping = ask_daemon(ipc, daemon::request_type::ping);
    if (!ping) return std::nullopt;
    const auto at = ping->find(" node=\"");
    if (at == std::string::npos) return std::nullopt;
    const auto end = ping->find('"', at + 7);
    return ping->substr(at + 7, end - at - 7);
}

// The resource a promotion score belongs to: crm_attribute --promotion=RSC,
// else the agent's instance (an anonymous clone's instances share it).
std::string promotion_name(const std::string& rsc) {
    std::string id = rsc;
    if (id.empty())
        if (const char* e = std::getenv("OCF_RESOURCE_INSTANCE")) id = e;
    return id.empty() ? std::string() : "master-" + id;
}

scope scope_of(const attribute_request& r) {
    if (r.type) return *r.type == "crm_config" ? scope::crm_config : *r.type == "status" ? scope::status : scope::nodes;
    if (r.lifetime) return *r.lifetime == "reboot" ? scope::status : r.node.empty() ? scope::crm_config : scope::nodes;
    return r.node.empty() ? scope::crm_config : scope::nodes;
}

const char* scope_text(scope s) {
    return s == scope::crm_config ? "crm_config" : s == scope::status ? "status" : "nodes";
}

std::optional<std::string> find_value(const std::vector<cib::nvset>& sets, const std::string& name) {
    for (const auto& set : sets)
        for (const auto& p : set.pairs)
            if (p.name == name) return p.value;
    return std::nullopt;
}

std::optional<std::string> current_value(const cib::document& doc, scope s, const std::string& node_id,
                                         const std::string& name) {
    const auto& m = doc.model();
    if (s == scope::crm_config) return find_value(m.crm_config, name);
    if (s == scope::nodes) {
        for (const auto& n : m.nodes)
            if (n.id == node_id) return find_value(n.attributes, name);
        return std::nullopt;
    }
    for (const auto& st : m.node_states)
        if (st.id == node_id) return find_value(st.transient_attributes, name);
    return std::nullopt;
}

int query(const attribute_request& r, const cib::document& doc, scope s, const std::string& node_id) {
    auto v = current_value(doc, s, node_id, r.name);
    if (!v && r.has_fallback) v = r.fallback;
    if (!v) {
        if (!r.quiet) std::fprintf(stderr, "Error performing operation: No such device or address\n");
        return crm_ex_nosuch;
    }
    if (r.quiet)
        std::printf("%s\n", v->c_str());
    else
        std::printf("scope=%s  name=%s value=%s\n", scope_text(s), r.name.c_str(), v->c_str());
    return crm_ex_ok;
}

int change_attribute(const attribute_request& r, scope s, const std::string& node_id) {
    cib::change c;
    const auto lifetime = s == scope::status ? cib::attribute_lifetime::transient : cib::attribute_lifetime::permanent;
    if (s == scope::crm_config)
        c = r.remove ? cib::change::delete_property(r.name) : cib::change::set_property(r.name, r.value);
    else if (r.remove)
        c = cib::change::delete_node_attribute(node_id, r.name, lifetime);
    else
        c = cib::change::set_node_attribute(node_id, r.node, r.name, r.value, lifetime);
    auto sent = send_change(r.ipc, std::move(c));
    return sent ? crm_ex_ok : report_as_tool(r.tool.c_str(), sent.error());
}

// Runs a parsed request against the daemon's CIB.
int perform(attribute_request r) {
    if (r.name.empty()) return usage_error(r.tool, "an attribute name is required (--name)");
    const scope s = scope_of(r);
    auto doc = query_cib(r.tool.c_str(), r.ipc, true);
    if (!doc) return doc.error();
    std::string node_id;
    if (s != scope::crm_config) {
        if (r.node.empty()) {
            auto local = local_node(r.ipc);
            if (!local) return usage_error(r.tool, "cannot tell the local node's name (is holdfastd running?)");
            r.node = *local;
        }
        auto id = node_id_of(*doc, r.node);
        if (!id) {
            std::fprintf(stderr, "%s: unknown node '%s'\n", r.tool.c_str(), r.node.c_str());
            return crm_ex_nosuch;
        }
        node_id = *id;
    }
    if (!r.update && !r.remove) return query(r, *doc, s, node_id);
    return change_attribute(r, s, node_id);
}

// The options crm_attribute and crm_master share. Returns false for an
// unknown option (its text in `bad`).
bool parse_common(const args& a, size_t& i, attribute_request& r) {
    std::string v;
    if (take_ipc_option(a, i, r.ipc)) return true;
    if (take_value(a, i, "n", "name", r.name) || take_value(a, i, "N", "node", r.node) ||
        take_value(a, i, "U", "uname", r.node) || take_value(a, i, "s", "set-name", v) ||
        take_value(a, i, "i", "id", v))
        return true;
    if (take_value(a, i, "d", "default", r.fallback)) {
        r.has_fallback = true;
    } else if (take_value(a, i, "v", "update", r.value) || take_value(a, i, nullptr, "value", r.value) ||
               take_value(a, i, nullptr, "attr-value", r.value)) {
        r.update = true;
    } else if (take_value(a, i, "l", "lifetime", v)) {
        r.lifetime = v == "forever" ? "forever" : "reboot";
    } else if (is_flag(a[i], "D", "delete") || is_flag(a[i], nullptr, "delete-attr")) {
        r.remove = true;
    } else if (is_flag(a[i], "q", "quiet")) {
        r.quiet = true;
    } else {
        return is_flag(a[i], "G", "query") || is_flag(a[i], "Q", "get-value") || is_flag(a[i], "V", "verbose");
    }
    return true;
}

}  // namespace

int run_crm_attribute(const args& a) {
    attribute_request r;
    r.tool = "crm_attribute";
    std::optional<std::string> promotion;
    for (size_t i = 0; i < a.size(); ++i) {
        std::string v;
        if (parse_common(a, i, r)) continue;
        if (take_value(a, i, "t", "type", v)) {
            if (v == "reboot") v = "status";  // crm_attribute's old aliases
            if (v == "forever") v = "nodes";
            if (v != "crm_config" && v != "nodes" && v != "status")
                return usage_error(r.tool, "unknown --type '" + v + "' (crm_config, nodes or status)");
            r.type = v;
        } else if (a[i] == "-p" || a[i] == "--promotion") {
            promotion = "";
        } else if (a[i].rfind("--promotion=", 0) == 0) {
            promotion = a[i].substr(12);
        } else {
            return usage_error(r.tool, "unknown option '" + a[i] + "'");
        }
    }
    if (promotion) {
        r.name = promotion_name(*promotion);
        if (r.name.empty()) return usage_error(r.tool, "--promotion needs a resource (OCF_RESOURCE_INSTANCE is unset)");
        if (!r.lifetime) r.lifetime = "reboot";
        if (!r.type) r.type = *r.lifetime == "reboot" ? "status" : "nodes";
    }
    return perform(std::move(r));
}

int run_crm_master(const args& a) {
    attribute_request r;
    r.tool = "crm_master";
    r.lifetime = "forever";  // crm_master's default, unlike --promotion's
    std::string rsc;
    for (size_t i = 0; i < a.size(); ++i) {
        if (parse_common(a, i, r)) continue;
        if (!take_value(a, i, "r", "resource", rsc)) return usage_error(r.tool, "unknown option '" + a[i] + "'");
    }
    r.name = promotion_name(rsc);
    if (r.name.empty()) return usage_error(r.tool, "no resource specified (--resource or OCF_RESOURCE_INSTANCE)");
    r.type = *r.lifetime == "reboot" ? "status" : "nodes";
    return perform(std::move(r));
}

namespace {

std::string quoted_pair(const std::string& name, const std::string& host, const std::string& value) {
    return "name=\"" + name + "\" host=\"" + host + "\" value=\"" + value + "\"";
}

// attrd_updater --query: the transient attribute on one node or (--all) every node.
int attrd_query(const attribute_request& r, const cib::document& doc, bool all) {
    bool found = false;
    for (const auto& st : doc.model().node_states) {
        if (!all && st.uname != r.node) continue;
        auto v = find_value(st.transient_attributes, r.name);
        if (!v) continue;
        found = true;
        std::printf("%s\n", r.quiet ? v->c_str() : quoted_pair(r.name, st.uname, *v).c_str());
    }
    if (found) return crm_ex_ok;
    std::fprintf(stderr, "attrd_updater: could not query value of %s: attribute does not exist\n", r.name.c_str());
    return crm_ex_nosuch;
}

bool attrd_ignored_option(const args& a, size_t& i) {
    std::string v;
    return take_value(a, i, "d", "delay", v) || take_value(a, i, "s", "set", v) || is_flag(a[i], "p", "private") ||
           is_flag(a[i], "R", "refresh") || is_flag(a[i], "V", "verbose") || take_value(a, i, "z", "utilization", v);
}

bool member(const cib::node_state& st) { return !st.in_ccm.empty() && st.in_ccm != "false"; }

}  // namespace

int run_attrd_updater(const args& a) {
    attribute_request r;
    r.tool = "attrd_updater";
    r.type = "status";
    bool query = false, all = false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (take_ipc_option(a, i, r.ipc) || take_value(a, i, "n", "name", r.name) ||
            take_value(a, i, "N", "node", r.node) || attrd_ignored_option(a, i))
            continue;
        if (take_value(a, i, "U", "update", r.value) || take_value(a, i, "v", "value", r.value) ||
            take_value(a, i, "B", "update-both", r.value))
            r.update = true;
        else if (is_flag(a[i], "D", "delete"))
            r.remove = true;
        else if (is_flag(a[i], "Q", "query"))
            query = true;
        else if (is_flag(a[i], "A", "all"))
            all = true;
        else if (is_flag(a[i], "q", "quiet"))
            r.quiet = true;
        else
            return usage_error(r.tool, "unknown option '" + a[i] + "'");
    }
    if (r.name.empty()) return usage_error(r.tool, "an attribute name is required (--name)");
    if (!query && !r.update && !r.remove)
        return usage_error(r.tool, "one of --update, --delete or --query is required");
    if (!query) return perform(std::move(r));
    auto doc = query_cib(r.tool.c_str(), r.ipc, true);
    if (!doc) return doc.error();
    if (!all && r.node.empty()) {
        auto local = local_node(r.ipc);
        if (!local) return usage_error(r.tool, "cannot tell the local node's name (is holdfastd running?)");
        r.node = *local;
    }
    return attrd_query(r, *doc, all);
}

int run_crm_node(const args& a) {
    struct query_flag {
        const char* short_opt;
        const char* long_opt;
        char what;
    };
    static constexpr query_flag flags[] = {
        {"n", "name", 'n'}, {"i", "cluster-id", 'i'}, {"l", "list", 'l'}, {"p", "partition", 'p'}, {"q", "quorum", 'q'},
    };
    std::string ipc = default_ipc_name(), id;
    char what = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        if (take_ipc_option(a, i, ipc) || is_flag(a[i], "V", "verbose")) continue;
        if (take_value(a, i, "N", "name-for-id", id)) {
            what = 'N';
            continue;
        }
        bool known = false;
        for (const auto& f : flags)
            if (is_flag(a[i], f.short_opt, f.long_opt)) what = f.what, known = true;
        if (!known) return usage_error("crm_node", "unknown option '" + a[i] + "'");
    }
    if (!what) return usage_error("crm_node", "one of --name, --cluster-id, --list, --partition or --quorum is needed");
    auto doc = query_cib("crm_node", ipc, true);
    if (!doc) return doc.error();
    const auto& m = doc->model();
    if (what == 'q') return std::printf("%d\n", m.have_quorum == "1" || m.have_quorum == "true"), crm_ex_ok;
    if (what == 'n' || what == 'i') {
        auto local = local_node(ipc);
        if (!local) return usage_error("crm_node", "cannot tell the local node's name (is holdfastd running?)");
        if (what == 'n') return std::printf("%s\n", local->c_str()), crm_ex_ok;
        id = node_id_of(*doc, *local).value_or("");
        return id.empty() ? crm_ex_nosuch : (std::printf("%s\n", id.c_str()), crm_ex_ok);
    }
    std::string line;
    for (const auto& st : m.node_states) {
        if (what == 'N' && st.id == id) return std::printf("%s\n", st.uname.c_str()), crm_ex_ok;
        if (what == 'l') std::printf("%s %s %s\n", st.id.c_str(), st.uname.c_str(), member(st) ? "member" : "lost");
        if (what == 'p' && member(st)) line += (line.empty() ? "" : " ") + st.uname;
    }
    if (what == 'N') return crm_ex_nosuch;
    if (what == 'p') std::printf("%s\n", line.c_str());
    return crm_ex_ok;
}

}  // namespace holdfast::tools
