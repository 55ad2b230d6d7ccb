#pragma once
// The transition graph as XML, in the shape Pacemaker's scheduler writes
// (crm_simulate -G), so that tools reading Pacemaker graphs read ours.
#include <string>
#include <string_view>

#include "cib/error.hpp"
#include "cib/expected.hpp"

#include "policy/graph.hpp"

namespace holdfast::policy {

std::string write_graph_xml(const transition_graph& g);

// Reads a graph in that shape (Pacemaker's exp files, our own output).
// Attributes the graph struct does not model (crm_feature_set, batch-limit
// in text form) are dropped; triggers are resolved to action indexes.
expected<transition_graph, cib::error> parse_graph_xml(std::string_view xml);

}  // namespace holdfast::policy
