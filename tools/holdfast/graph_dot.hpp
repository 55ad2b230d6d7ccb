#pragma once
// The transition graph in Graphviz dot (crm_simulate -D): one node per action
// in the graph, one edge per input.
#include <string>

#include "policy/graph.hpp"

namespace holdfast::tools {

std::string write_graph_dot(const policy::transition_graph& g);

}  // namespace holdfast::tools
