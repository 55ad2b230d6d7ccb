// fence_holdfast_scsi's options (scsi_agent.hpp).
#include <sys/utsname.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "fencing/agents/scsi_agent.hpp"
#include "fencing/metadata.hpp"

namespace holdfast::fencing::scsi_agent {
namespace {

std::vector<std::string> split_list(const std::string& v) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= v.size()) {
        const auto sep = v.find_first_of(", ", i);
        const auto item = v.substr(i, sep == std::string::npos ? std::string::npos : sep - i);
        if (!item.empty()) out.push_back(item);
        if (sep == std::string::npos) break;
        i = sep + 1;
    }
    return out;
}

// One option by its stdin name; false when unknown.
bool set_option(options& o, const std::string& key, const std::string& value) {
    if (key == "action" || key == "option")
        o.action = value;
    else if (key == "devices")
        o.devices = split_list(value);
    else if (key == "plug" || key == "port")
        o.plug = value;
    else if (key == "nodename") {
        if (o.plug.empty()) o.plug = value;  // Pacemaker passes the target here too
    } else if (key == "cluster_name")
        o.cluster = value;
    else if (key == "local_node")
        o.local_node = value;
    else if (key == "initiator")
        o.initiator = value;
    else if (key == "nodes")
        o.nodes = split_list(value);
    else if (key == "state_dir")
        o.state_dir = value;
    else if (key == "rejoined")
        o.rejoined = xml_true(value);
    else
        return key == "nodeid" || key == "verbose" || key == "quiet";  // accepted, unused
    return true;
}

// Command-line names (without dashes) to stdin names; flags take no value.
const std::map<std::string, std::string>& long_names() {
    static const std::map<std::string, std::string> names{
        {"action", "action"},
        {"o", "action"},
        {"plug", "plug"},
        {"port", "plug"},
        {"n", "plug"},
        {"devices", "devices"},
        {"d", "devices"},
        {"cluster-name", "cluster_name"},
        {"local-node", "local_node"},
        {"initiator", "initiator"},
        {"nodes", "nodes"},
        {"state-dir", "state_dir"},
    };
    return names;
}

std::string corosync_cluster_name() {
    const char* env = std::getenv("COROSYNC_MAIN_CONFIG_FILE");
    std::ifstream in(env && *env ? env : "/etc/corosync/corosync.conf");
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find("cluster_name:");
        if (at == std::string::npos || line.find_first_not_of(" \t") != at) continue;
        const auto b = line.find_first_not_of(" \t", at + 13);
        const auto e = line.find_last_not_of(" \t\r");
        if (b != std::string::npos) return line.substr(b, e - b + 1);
    }
    return {};
}

}  // namespace

holdfast::expected<options, std::string> parse_stdin(const std::string& text) {
    options o;
    size_t i = 0;
    while (i < text.size()) {
        const auto nl = text.find('\n', i);
        std::string line = text.substr(i, nl == std::string::npos ? std::string::npos : nl - i);
        i = nl == std::string::npos ? text.size() : nl + 1;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos || eq == 0) return holdfast::unexpected("not a key=value line: '" + line + "'");
        const std::string key = line.substr(0, eq);
        if (!set_option(o, key, line.substr(eq + 1))) o.warnings.push_back("ignoring unknown option '" + key + "'");
    }
    return o;
}

holdfast::expected<options, std::string> parse_argv(const std::vector<std::string>& args) {
    options o;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            o.help = true;
            continue;
        }
        if (a == "-V" || a == "--version") {
            o.version = true;
            continue;
        }
        if (a == "--rejoined") {
            o.rejoined = true;
            continue;
        }
        if (a.size() < 2 || a[0] != '-') return holdfast::unexpected("unexpected argument '" + a + "'");
        std::string name = a.substr(a[1] == '-' ? 2 : 1), value;
        const auto eq = name.find('=');
        const bool inline_value = eq != std::string::npos;
        if (inline_value) {
            value = name.substr(eq + 1);
            name.resize(eq);
        }
        const auto it = long_names().find(name);
        if (it == long_names().end()) return holdfast::unexpected("unknown option '" + a + "'");
        if (!inline_value) {
            if (i + 1 >= args.size()) return holdfast::unexpected("option '" + a + "' needs a value");
            value = args[++i];
        }
        set_option(o, it->second, value);
    }
    return o;
}

void fill_defaults(options& o) {
    if (o.cluster.empty()) o.cluster = corosync_cluster_name();
    if (o.cluster.empty()) o.cluster = "holdfast";
    if (o.local_node.empty()) {
        utsname u{};
        uname(&u);
        o.local_node = u.nodename;
    }
    if (o.initiator.empty()) o.initiator = "iqn.2026-12.org.holdfast:" + o.local_node;
}

std::string validate(const options& o) {
    // no reboot: a LUN cannot power a node on again (Pacemaker sends off instead)
    static const char* const known[] = {"on",   "off",         "status",   "monitor",
                                        "list", "list-status", "metadata", "validate-all"};
    bool found = false;
    for (const char* k : known) found = found || o.action == k;
    if (!found) return "unknown action '" + o.action + "'";
    if (o.action == "metadata") return {};
    if (o.devices.empty()) return "devices is required (comma-separated paths or iscsi:// URLs)";
    for (const auto& d : o.devices)
        if (d[0] != '/' && d.rfind("iscsi://", 0) != 0)
            return "device '" + d + "' is neither a path nor an iscsi:// URL";
    const bool targeted = o.action == "on" || o.action == "off" || o.action == "status";
    if (targeted && o.plug.empty()) return "plug (the node's name) is required for " + o.action;
    if (o.action == "off" && o.plug == o.local_node)
        return "a node does not fence itself: plug '" + o.plug + "' is the local node";
    if (o.action == "on" && o.plug != o.local_node)
        return "on runs on the node it unfences: plug '" + o.plug + "' is not the local node '" + o.local_node + "'";
    return {};
}

}  // namespace holdfast::fencing::scsi_agent
