#pragma once
// The transition graph as XML, in the shape Pacemaker's scheduler writes
// (crm_simulate -G), so that tools reading Pacemaker graphs read ours.
#include <string>

#include "policy/graph.hpp"

namespace holdfast::policy {

std::string write_graph_xml(const transition_graph& g);

}  // namespace holdfast::policy
