#include "tools/holdfast/cluster_conf.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace holdfast::tools::corosync {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

namespace {

entry value(std::string key, std::string v) { return entry{entry::kind::value, std::move(key), std::move(v), {}}; }

entry section(std::string name, std::vector<entry> children = {}) {
    return entry{entry::kind::section, std::move(name), {}, std::move(children)};
}

const entry* find_section(const std::vector<entry>& in, std::string_view name) {
    for (const auto& e : in)
        if (e.type == entry::kind::section && e.key == name) return &e;
    return nullptr;
}

entry& section_of(std::vector<entry>& in, const std::string& name) {
    for (auto& e : in)
        if (e.type == entry::kind::section && e.key == name) return e;
    in.push_back(section(name));
    return in.back();
}

const std::string* find_value(const std::vector<entry>& in, std::string_view key) {
    for (const auto& e : in)
        if (e.type == entry::kind::value && e.key == key) return &e.value;
    return nullptr;
}

void print_entries(const std::vector<entry>& in, int depth, std::string& out) {
    const std::string indent(4 * depth, ' ');
    for (const auto& e : in) {
        switch (e.type) {
            case entry::kind::comment: out += indent + "#" + e.key + "\n"; break;
            case entry::kind::value: out += indent + e.key + ": " + e.value + "\n"; break;
            case entry::kind::section:
                // a blank line between two top-level sections, as in corosync's own examples
                if (depth == 0 && &e != &in.front() && (&e - 1)->type == entry::kind::section) out += "\n";
                out += indent + e.key + " {\n";
                print_entries(e.children, depth + 1, out);
                out += indent + "}\n";
                break;
        }
    }
}

std::optional<int> positive(std::string_view s) {
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

entry node_entry(const node& n) {
    return section("node",
                   {value("nodeid", std::to_string(n.nodeid)), value("name", n.name), value("ring0_addr", n.addr)});
}

}  // namespace

expected<conf, std::string> parse(std::string_view text) {
    conf c;
    std::vector<std::vector<entry>*> open{&c.top};
    int line_no = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        const std::string where = "line " + std::to_string(line_no) + ": ";
        if (line.empty()) continue;
        if (line.front() == '#') {
            open.back()->push_back(entry{entry::kind::comment, std::string(line.substr(1)), {}, {}});
        } else if (line == "}") {
            if (open.size() == 1) return unexpected(where + "'}' closes nothing");
            open.pop_back();
        } else if (line.back() == '{') {
            auto name = trim(line.substr(0, line.size() - 1));
            if (name.empty() || name.find_first_of(" \t:{}") != std::string_view::npos)
                return unexpected(where + "bad section name '" + std::string(name) + "'");
            open.back()->push_back(section(std::string(name)));
            open.push_back(&open.back()->back().children);
        } else {
            auto colon = line.find(':');
            if (colon == std::string_view::npos || colon == 0)
                return unexpected(where + "expected 'key: value', not '" + std::string(line) + "'");
            auto key = trim(line.substr(0, colon));
            if (key.find_first_of(" \t{}") != std::string_view::npos)
                return unexpected(where + "bad key '" + std::string(key) + "'");
            open.back()->push_back(value(std::string(key), std::string(trim(line.substr(colon + 1)))));
        }
    }
    if (open.size() > 1) return unexpected("line " + std::to_string(line_no) + ": a section is not closed");
    return c;
}

std::string print(const conf& c) {
    std::string out;
    print_entries(c.top, 0, out);
    return out;
}

conf make(const std::string& cluster_name, const std::vector<node>& members) {
    conf c;
    c.top.push_back(entry{entry::kind::comment, " made by holdfast cluster init", {}, {}});
    c.top.push_back(
        section("totem", {value("version", "2"), value("cluster_name", cluster_name), value("transport", "knet"),
                          value("crypto_cipher", "aes256"), value("crypto_hash", "sha256")}));
    entry list = section("nodelist");
    for (const auto& n : members) list.children.push_back(node_entry(n));
    c.top.push_back(std::move(list));
    c.top.push_back(section("quorum", {value("provider", "corosync_votequorum")}));
    c.top.push_back(section("logging", {value("to_logfile", "no"), value("to_syslog", "yes"), value("to_stderr", "no"),
                                        value("timestamp", "on")}));
    apply_two_node_rule(c);
    return c;
}

expected<std::vector<node>, std::string> nodes(const conf& c) {
    std::vector<node> out;
    const entry* list = find_section(c.top, "nodelist");
    if (!list) return out;
    std::set<int> ids;
    std::set<std::string> names;
    for (const auto& e : list->children) {
        if (e.type != entry::kind::section || e.key != "node") continue;
        node n;
        const auto* id = find_value(e.children, "nodeid");
        const auto* name = find_value(e.children, "name");
        const auto* addr = find_value(e.children, "ring0_addr");
        const std::string which = "node " + std::to_string(out.size() + 1) + " of the nodelist";
        if (!id || !positive(*id)) return unexpected(which + " has no valid nodeid");
        if (!name && !addr) return unexpected(which + " has neither name nor ring0_addr");
        n.nodeid = *positive(*id);
        n.addr = addr ? *addr : "";
        n.name = name ? *name : n.addr;  // corosync names a node by its address when it has no name
        if (!ids.insert(n.nodeid).second) return unexpected("nodeid " + *id + " appears twice in the nodelist");
        if (!names.insert(n.name).second) return unexpected("node '" + n.name + "' appears twice in the nodelist");
        out.push_back(std::move(n));
    }
    return out;
}

std::string cluster_name(const conf& c) {
    const entry* totem = find_section(c.top, "totem");
    const std::string* name = totem ? find_value(totem->children, "cluster_name") : nullptr;
    return name ? *name : "";
}

expected<int, std::string> add_node(conf& c, const std::string& name, const std::string& addr) {
    auto have = nodes(c);
    if (!have) return unexpected(have.error());
    std::set<int> ids;
    for (const auto& n : *have) {
        if (n.name == name) return unexpected("node '" + name + "' is already in the nodelist");
        if (n.addr == addr) return unexpected("address " + addr + " is already node '" + n.name + "'s");
        ids.insert(n.nodeid);
    }
    int id = 1;
    while (ids.count(id)) ++id;
    section_of(c.top, "nodelist").children.push_back(node_entry(node{id, name, addr}));
    return id;
}

expected<void, std::string> remove_node(conf& c, const std::string& name) {
    auto have = nodes(c);
    if (!have) return unexpected(have.error());
    auto& list = section_of(c.top, "nodelist").children;
    auto gone = std::erase_if(list, [&](const entry& e) {
        if (e.type != entry::kind::section || e.key != "node") return false;
        const auto* n = find_value(e.children, "name");
        const auto* a = find_value(e.children, "ring0_addr");
        return n ? *n == name : a && *a == name;
    });
    if (gone == 0) return unexpected("node '" + name + "' is not in the nodelist");
    return {};
}

void apply_two_node_rule(conf& c) {
    auto have = nodes(c);
    auto& quorum = section_of(c.top, "quorum").children;
    std::erase_if(quorum, [](const entry& e) { return e.type == entry::kind::value && e.key == "two_node"; });
    if (have && have->size() == 2) quorum.push_back(value("two_node", "1"));
}

bool two_node(const conf& c) {
    const entry* quorum = find_section(c.top, "quorum");
    const std::string* v = quorum ? find_value(quorum->children, "two_node") : nullptr;
    return v && *v == "1";
}

std::optional<std::string> check_node_name(std::string_view name) {
    if (name.empty()) return "a node name cannot be empty";
    if (name.size() > 253) return "node name '" + std::string(name) + "' is longer than 253 characters";
    for (char ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.' && ch != '_')
            return "node name '" + std::string(name) + "' has '" + std::string(1, ch) +
                   "' (letters, digits, '-', '.' and '_' only)";
    if (name.front() == '-' || name.front() == '.')
        return "node name '" + std::string(name) + "' must start with a letter or digit";
    return std::nullopt;
}

std::optional<std::string> check_cluster_name(std::string_view name) {
    if (name.empty()) return "the cluster name cannot be empty";
    // DLM and GFS2 take the cluster name as their lock table's prefix, which has room for 32
    if (name.size() > 32) return "cluster name '" + std::string(name) + "' is longer than 32 characters";
    for (char ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.')
            return "cluster name '" + std::string(name) + "' has '" + std::string(1, ch) +
                   "' (letters, digits, '-', '.' and '_' only)";
    return std::nullopt;
}

std::optional<std::string> check_address(std::string_view addr) {
    const std::string a(addr);
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, a.c_str(), buf) == 1 || inet_pton(AF_INET6, a.c_str(), buf) == 1) return std::nullopt;
    return "'" + a + "' is not an IPv4 or IPv6 address";
}

}  // namespace holdfast::tools::corosync
