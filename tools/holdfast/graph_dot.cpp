#include "tools/holdfast/graph_dot.hpp"

namespace holdfast::tools {
namespace {

// Pacemaker's dot names: "<key> <node>" for node actions, "<key>" otherwise.
std::string dot_name(const policy::graph_action& a) {
    std::string name = a.operation_key;
    if (!a.node_uname.empty()) name += " " + a.node_uname;
    std::string quoted;
    for (char c : name) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return "\"" + quoted + "\"";
}

}  // namespace

std::string write_graph_dot(const policy::transition_graph& g) {
    std::string out = " digraph \"g\" {\n";
    for (const auto& syn : g.synapses) {
        const auto& a = g.actions[syn.action];
        const bool pseudo = a.kind == policy::action_kind::pseudo;
        out += dot_name(a) + " [ style=bold color=\"green\" fontcolor=\"" + (pseudo ? "orange" : "black") + "\"]\n";
    }
    for (const auto& syn : g.synapses) {
        for (int in : syn.inputs)
            out += dot_name(g.actions[in]) + " -> " + dot_name(g.actions[syn.action]) + " [ style = bold]\n";
    }
    out += "}\n";
    return out;
}

}  // namespace holdfast::tools
