#pragma once
// The PID 1 of a lab node (`holdfast-lab __node-init`). Started by boot_node() in the node's
// network namespace and in fresh mount, UTS and PID namespaces, it sets the hostname, gives the
// node a private /proc, /sys, /run and /dev/shm, bind-mounts the node's own directories, starts
// the boot sequence and then reaps children until it is killed (a power cut) or gets SIGTERM.
#include "tools/holdfast-lab/layout.hpp"

namespace holdfast::lab {

int node_init_main(const lab_layout& l, int node);

}  // namespace holdfast::lab
