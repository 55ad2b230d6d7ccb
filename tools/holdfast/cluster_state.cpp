#include "tools/holdfast/cluster_state.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

#include "tools/holdfast/cluster_conf.hpp"

namespace holdfast::tools::corosync {

namespace {

int number(std::string_view s) {
    s = trim(s);
    int v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
    return out;
}

// "    1          1 node1 (local)": nodeid, votes, name, marker
std::optional<member> member_row(std::string_view line) {
    std::istringstream in{std::string(line)};
    std::string id, votes, name, mark;
    if (!(in >> id >> votes >> name)) return std::nullopt;
    if (id.empty() || !std::all_of(id.begin(), id.end(), ::isdigit)) return std::nullopt;
    in >> mark;
    return member{number(id), number(votes), name, mark == "(local)"};
}

}  // namespace

expected<quorum_info, std::string> parse_quorumtool(std::string_view text) {
    quorum_info q;
    bool seen = false, table = false;
    for (auto line : lines_of(text)) {
        if (table) {
            if (auto m = member_row(line)) q.members.push_back(*m);
            continue;
        }
        auto colon = line.find(':');
        auto key = trim(line.substr(0, colon));
        if (key.starts_with("Nodeid")) table = true;
        if (colon == std::string_view::npos) continue;
        auto value = trim(line.substr(colon + 1));
        if (key == "Quorate")
            q.quorate = value == "Yes", seen = true;
        else if (key == "Node ID")
            q.local_id = number(value);
        else if (key == "Ring ID")
            q.ring_id = std::string(value);
        else if (key == "Expected votes")
            q.expected_votes = number(value);
        else if (key == "Total votes")
            q.total_votes = number(value);
        else if (key == "Quorum")
            q.quorum = number(value);
        else if (key == "Flags") {
            std::istringstream in{std::string(value)};
            for (std::string f; in >> f;) q.flags.push_back(f);
        }
    }
    if (!seen) return unexpected(std::string("corosync-quorumtool said nothing about quorum"));
    return q;
}

std::vector<link_info> parse_cfgtool(std::string_view text) {
    std::vector<link_info> links;
    for (auto raw : lines_of(text)) {
        auto line = trim(raw);
        if (line.starts_with("LINK ID ")) {
            std::istringstream in{std::string(line.substr(8))};
            link_info l;
            in >> l.id >> l.transport;
            links.push_back(l);
        } else if (links.empty()) {
            continue;
        } else if (line.starts_with("addr")) {
            auto eq = line.find('=');
            if (eq != std::string_view::npos) links.back().addr = std::string(trim(line.substr(eq + 1)));
        } else if (line.starts_with("nodeid:")) {
            // "nodeid:          2:	connected"
            auto rest = line.substr(7);
            auto colon = rest.find(':');
            if (colon == std::string_view::npos) continue;
            links.back().peers.push_back({number(rest.substr(0, colon)), std::string(trim(rest.substr(colon + 1)))});
        }
    }
    return links;
}

std::optional<std::string> quorum_loss(const quorum_info& q, const std::vector<int>& stopping) {
    int leaving = 0, members_leaving = 0;
    for (const auto& m : q.members)
        if (std::find(stopping.begin(), stopping.end(), m.nodeid) != stopping.end())
            leaving += m.votes, ++members_leaving;
    if (members_leaving == 0 || members_leaving == static_cast<int>(q.members.size())) return std::nullopt;
    const int left = q.total_votes - leaving;
    if (left >= q.quorum) return std::nullopt;
    return "it would leave " + std::to_string(left) + " of " + std::to_string(q.total_votes) +
           " votes, below the quorum of " + std::to_string(q.quorum) + ": the cluster would lose quorum";
}

}  // namespace holdfast::tools::corosync
