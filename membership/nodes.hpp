#pragma once
// The cluster's nodes as corosync.conf's nodelist declares them (read from
// cmap, so a reloaded configuration is seen). Node names and ids in Holdfast
// come from here.
#include <string>
#include <vector>

#include "membership/cmap.hpp"
#include "membership/error.hpp"
#include "membership/types.hpp"

namespace holdfast::membership {

struct node_info {
    nodeid_t nodeid = 0;
    std::string name;        // nodelist.node.X.name, or ring0_addr when the node has no name
    std::string ring0_addr;  // may be empty
};

// Sorted by nodeid. errc::bad_config when a node has no nodeid or two nodes
// share one (corosync 3 with knet refuses both, so this means a broken cmap).
result<std::vector<node_info>> cluster_nodes(cmap_store& cmap);

}  // namespace holdfast::membership
