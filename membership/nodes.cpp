#include "membership/nodes.hpp"

#include <algorithm>
#include <set>

namespace holdfast::membership {

namespace {

constexpr std::string_view node_prefix = "nodelist.node.";

// The X of "nodelist.node.X.something", or "" for other keys.
std::string index_of(const std::string& key) {
    if (key.compare(0, node_prefix.size(), node_prefix) != 0) return {};
    auto dot = key.find('.', node_prefix.size());
    if (dot == std::string::npos) return {};
    return key.substr(node_prefix.size(), dot - node_prefix.size());
}

// A missing optional key is an empty string; any other failure is an error.
result<std::string> optional_string(cmap_store& cmap, const std::string& key) {
    auto v = cmap.get_string(key);
    if (!v && v.error().code == errc::not_found) return std::string();
    return v;
}

result<node_info> read_node(cmap_store& cmap, const std::string& index) {
    std::string base = std::string(node_prefix) + index + ".";
    node_info n;
    auto id = cmap.get_u32(base + "nodeid");
    if (!id) {
        if (id.error().code != errc::not_found) return unexpected(id.error());
        return unexpected(error{errc::bad_config, 0, base + "nodeid is missing"});
    }
    n.nodeid = *id;
    auto name = optional_string(cmap, base + "name");
    if (!name) return unexpected(name.error());
    auto addr = optional_string(cmap, base + "ring0_addr");
    if (!addr) return unexpected(addr.error());
    n.ring0_addr = *addr;
    n.name = name->empty() ? *addr : *name;
    return n;
}

}  // namespace

result<std::vector<node_info>> cluster_nodes(cmap_store& cmap) {
    auto keys = cmap.keys(node_prefix);
    if (!keys) return unexpected(keys.error());
    std::set<std::string> indexes;
    for (const auto& k : *keys)
        if (auto i = index_of(k.name); !i.empty()) indexes.insert(i);
    std::vector<node_info> nodes;
    for (const auto& i : indexes) {
        auto n = read_node(cmap, i);
        if (!n) return unexpected(n.error());
        nodes.push_back(std::move(*n));
    }
    std::sort(nodes.begin(), nodes.end(), [](const node_info& a, const node_info& b) { return a.nodeid < b.nodeid; });
    auto dup = std::adjacent_find(nodes.begin(), nodes.end(),
                                  [](const node_info& a, const node_info& b) { return a.nodeid == b.nodeid; });
    if (dup != nodes.end())
        return unexpected(error{errc::bad_config, 0, "nodeid " + std::to_string(dup->nodeid) + " appears twice"});
    return nodes;
}

}  // namespace holdfast::membership
