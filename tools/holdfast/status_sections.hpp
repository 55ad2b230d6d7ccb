#pragma once
// The sections `holdfast status` adds on request, in crm_mon 2.1's text:
//   --by-node     (crm_mon -n)  resources listed under the node they run on
//   --show-node-attributes (-A) "Node Attributes:" of online nodes
//   --failcounts  (crm_mon -f)  "Migration Summary:" fail counts per node and resource
//   --operations  (crm_mon -o)  "Operations:" each node's operation history
// Each returns the whole section with its heading and a blank line before it
// (node attributes: "" when no online node has one; the other two: the
// heading alone when there is nothing to list, "" when no online node has a
// recorded state, as crm_mon does).
#include <cstdint>
#include <string>
#include <vector>

#include "policy/working_set.hpp"
#include "tools/holdfast/status_text.hpp"

namespace holdfast::tools {

// "Node List:" with each node's own resources under it; with v.inactive, an
// "Inactive Resources:" section follows.
std::string format_nodes_with_resources(const policy::working_set& ws, const resource_view& v);
std::string format_node_attributes(const policy::working_set& ws);
std::string format_migration_summary(const policy::working_set& ws);
std::string format_operations(const policy::working_set& ws);

// The rows behind -A and -f, for the XML and JSON documents: the attributes
// crm_mon shows of each online node (by node name, then attribute name), and
// each online node's fail counts (status-section order, as -f walks them).
struct node_attribute_row {
    std::string node, name, value;
};
std::vector<node_attribute_row> shown_node_attributes(const policy::working_set& ws);
struct fail_count_row {
    std::string node, resource;
    int fail_count = 0;
    int64_t last_failure = 0;  // epoch seconds, 0 when not recorded
};
std::vector<fail_count_row> fail_count_rows(const policy::working_set& ws);

}  // namespace holdfast::tools
