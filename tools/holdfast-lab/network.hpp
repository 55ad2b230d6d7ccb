#pragma once
// The lab's network, built with iproute2: one "switch" namespace holding a bridge, and per node a
// network namespace whose eth0 is cabled (a veth pair) to a port of that bridge. Nothing is
// created in the host's own network namespace.
#include <string>
#include <vector>

#include "tools/holdfast-lab/layout.hpp"

namespace holdfast::lab {

result<void> create_switch(const lab_layout& l);
// The node's namespace, its cable to the switch and its address.
result<void> create_node_network(const lab_layout& l, int node);

// Cut or heal a node's cable at the switch (the node sees its link lose carrier).
result<void> set_cable(const lab_layout& l, int node, bool up);
// Whether the node's switch port is up; an error when the port does not exist.
result<bool> cable_up(const lab_layout& l, int node);

// Every network namespace of this lab that exists (by name prefix), switch last.
std::vector<std::string> lab_namespaces(const lab_layout& l);
std::string netns_path(const std::string& name);
result<void> delete_namespace(const std::string& name);

}  // namespace holdfast::lab
