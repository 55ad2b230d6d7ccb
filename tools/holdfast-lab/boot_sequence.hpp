#pragma once
// What a lab node runs, in start order: corosync, with `up --libvirt` virtlogd and libvirtd, then
// holdfastd from the same build directory (when it was built), or with `up --stack pacemaker`
// Pacemaker's pacemakerd instead (the benchmarks' reference). The one place a daemon joins the node.
#include <string>
#include <vector>

#include "tools/holdfast-lab/layout.hpp"

namespace holdfast::lab {

struct service {
    std::string name;               // for the node's init.log
    std::vector<std::string> argv;  // runs in the foreground, as a child of the node's PID 1
};

std::vector<service> boot_sequence(const lab_layout& l, int node);

}  // namespace holdfast::lab
