#pragma once
// corosync.conf as a value, for `holdfast cluster`: parsed into a tree that
// keeps order and comments (so an operator's edits survive a round trip),
// printed back, and the edits the cluster verbs make (a fresh conf, a node
// added or removed, votequorum's two_node kept right). Pure: no files, no
// processes; cluster.cpp does the I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cib/expected.hpp"

namespace holdfast::tools::corosync {

// s without leading and trailing white space (corosync.conf lines, tool output).
std::string_view trim(std::string_view s);

// One line of the file: "key: value", "# comment", or "name {" ... "}".
struct entry {
    enum class kind { value, comment, section };
    kind type = kind::value;
    std::string key;  // the key or section name; the comment's text for a comment
    std::string value;
    std::vector<entry> children;  // a section's entries
};

struct conf {
    std::vector<entry> top;
};

// Errors name the line: "line 7: '}' closes nothing".
expected<conf, std::string> parse(std::string_view text);
// Four spaces per level; every '{' ends its line (corosync's parser wants it so).
std::string print(const conf& c);

struct node {
    int nodeid = 0;
    std::string name;
    std::string addr;  // ring0_addr
};

// A new cluster: totem (version 2, knet, aes256 + sha256), the nodelist with
// nodeids 1..n, votequorum (two_node for exactly two nodes), logging to syslog.
conf make(const std::string& cluster_name, const std::vector<node>& nodes);

// The nodelist's nodes in file order. Refuses a node without a nodeid or a
// name (and ring0_addr), a nodeid that is not a positive number, or duplicates.
expected<std::vector<node>, std::string> nodes(const conf& c);
std::string cluster_name(const conf& c);  // "" when totem has none

// Adds NAME at ADDR with the lowest nodeid no node has; returns that nodeid.
// Refuses a name or address already in the nodelist.
expected<int, std::string> add_node(conf& c, const std::string& name, const std::string& addr);
// Refuses a name that is not in the nodelist.
expected<void, std::string> remove_node(conf& c, const std::string& name);
// votequorum's two_node: 1 with exactly two nodes, absent otherwise (two
// nodes cannot outvote each other; with three, a majority can).
void apply_two_node_rule(conf& c);
bool two_node(const conf& c);

// One-line reasons, or nullopt when fine.
std::optional<std::string> check_node_name(std::string_view name);
std::optional<std::string> check_cluster_name(std::string_view name);
std::optional<std::string> check_address(std::string_view addr);  // an IPv4 or IPv6 literal

}  // namespace holdfast::tools::corosync
