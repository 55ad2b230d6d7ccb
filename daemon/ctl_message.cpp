// Controller messages (see ctl_message.hpp).
#include "daemon/ctl_message.hpp"

#include <cstdlib>
#include <vector>

#include <sstream>

#include "policy/graph_xml.hpp"

namespace holdfast::daemon {

std::string encode(const exec_message& m) {
    policy::transition_graph g;
    g.transition_id = m.transition;
    g.actions.push_back(m.action);
    g.synapses.push_back({0, 0, 0, {}});
    return "exec " + std::to_string(m.transition) + " " + m.dc_uuid + " " + m.target + "\n" +
           policy::write_graph_xml(g);
}

std::string encode(const ack_message& m) {
    return "ack " + std::to_string(m.transition) + " " + m.dc_uuid + " " + std::to_string(m.action_id) + " " +
           (m.ok ? "1" : "0") + "\n";
}

namespace {

// The header line's words after the verb, or nullopt when it is not `verb`.
std::optional<std::istringstream> header(std::string_view body, std::string_view verb, std::string_view& rest) {
    const size_t eol = body.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;
    std::istringstream in{std::string(body.substr(0, eol))};
    std::string word;
    if (!(in >> word) || word != verb) return std::nullopt;
    rest = body.substr(eol + 1);
    return in;
}

}  // namespace

std::optional<exec_message> decode_exec(std::string_view body) {
    std::string_view rest;
    auto in = header(body, "exec", rest);
    exec_message m;
    if (!in || !(*in >> m.transition >> m.dc_uuid >> m.target)) return std::nullopt;
    auto g = policy::parse_graph_xml(rest);
    if (!g || g->actions.size() != 1) return std::nullopt;
    m.action = std::move(g->actions[0]);
    return m;
}

std::optional<ack_message> decode_ack(std::string_view body) {
    std::string_view rest;
    auto in = header(body, "ack", rest);
    ack_message m;
    int ok = 0;
    if (!in || !(*in >> m.transition >> m.dc_uuid >> m.action_id >> ok)) return std::nullopt;
    m.ok = ok == 1;
    return m;
}

namespace {

std::string field(std::string v) {
    for (char& c : v)
        if (c == '\n' || c == '\r') c = ' ';
    return v + "\n";
}

}  // namespace

std::string encode(const fencing_event& e) {
    return "fenced\n" + field(e.target) + field(e.action) + field(e.ok ? "1" : "0") + field(e.device) +
           field(e.reason) + field(e.origin) + field(std::to_string(e.completed)) + field(std::to_string(e.elapsed_ms));
}

std::optional<fencing_event> decode_fenced(std::string_view body) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < body.size()) {
        const size_t eol = body.find('\n', start);
        if (eol == std::string_view::npos) return std::nullopt;
        lines.emplace_back(body.substr(start, eol - start));
        start = eol + 1;
    }
    if (lines.size() != 9 || lines[0] != "fenced" || lines[1].empty()) return std::nullopt;
    fencing_event e{lines[1], lines[2], lines[3] == "1", lines[4], lines[5], lines[6], 0, 0};
    e.completed = std::atoll(lines[7].c_str());
    e.elapsed_ms = std::atoll(lines[8].c_str());
    return e;
}

}  // namespace holdfast::daemon
