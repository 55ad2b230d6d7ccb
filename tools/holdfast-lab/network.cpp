#include "tools/holdfast-lab/network.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

namespace {

result<void> ip(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"ip"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_ok(argv);
    if (!r) return holdfast::unexpected(r.error());
    return {};
}

}  // namespace

std::string netns_path(const std::string& name) { return "/run/netns/" + name; }

result<void> create_switch(const lab_layout& l) {
    auto sw = l.switch_ns();
    if (auto r = ip({"netns", "add", sw}); !r) return r;
    if (auto r = ip({"-n", sw, "link", "add", lab_layout::bridge(), "type", "bridge"}); !r) return r;
    // The BMCs and the LUN are addresses on the bridge, taken away to make them unreachable: without
    // promote_secondaries, deleting the subnet's first (primary) address deletes all the others too.
    auto promote = run_ok({"ip", "netns", "exec", sw, "/usr/sbin/sysctl", "-q", "-w",
                           "net.ipv4.conf." + lab_layout::bridge() + ".promote_secondaries=1"});
    if (!promote) return holdfast::unexpected(promote.error());
    return ip({"-n", sw, "link", "set", lab_layout::bridge(), "up"});
}

result<void> create_node_network(const lab_layout& l, int node) {
    auto sw = l.switch_ns();
    auto ns = l.node_ns(node);
    auto port = lab_layout::switch_port(node);
    auto link = lab_layout::node_link();
    auto addr = l.address(node) + "/" + std::to_string(lab_layout::prefix_length());
    const std::vector<std::vector<std::string>> steps = {
        {"netns", "add", ns},
        {"-n", sw, "link", "add", port, "type", "veth", "peer", "name", link, "netns", ns},
        {"-n", sw, "link", "set", port, "master", lab_layout::bridge(), "up"},
        {"-n", ns, "addr", "add", addr, "dev", link},
        {"-n", ns, "link", "set", link, "up"},
        {"-n", ns, "link", "set", "lo", "up"},
    };
    for (const auto& s : steps) {
        if (auto r = ip(s); !r) return r;
    }
    return {};
}

result<void> set_cable(const lab_layout& l, int node, bool up) {
    return ip({"-n", l.switch_ns(), "link", "set", lab_layout::switch_port(node), up ? "up" : "down"});
}

result<bool> cable_up(const lab_layout& l, int node) {
    auto out = run_ok({"ip", "-n", l.switch_ns(), "-o", "link", "show", lab_layout::switch_port(node)});
    if (!out) return holdfast::unexpected(out.error());
    // "5: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> ..." : the administrative UP flag.
    auto open = out->find('<');
    auto close = out->find('>', open);
    if (open == std::string::npos || close == std::string::npos) {
        return fail(errc::command, "cannot read the flags of " + lab_layout::switch_port(node));
    }
    auto flags = "," + out->substr(open + 1, close - open - 1) + ",";
    return flags.find(",UP,") != std::string::npos;
}

std::vector<std::string> lab_namespaces(const lab_layout& l) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec)) {
        auto name = e.path().filename().string();
        if (name.rfind(l.id() + "-", 0) == 0) names.push_back(name);
    }
    // Nodes first, then the switch: a node's cable end dies with whichever side goes first.
    std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        bool sa = a == l.switch_ns(), sb = b == l.switch_ns();
        return sa != sb ? sb : a < b;
    });
    return names;
}

result<void> delete_namespace(const std::string& name) { return ip({"netns", "delete", name}); }

}  // namespace holdfast::lab
