#pragma once
// Fence devices as resources (class stonith), as Pacemaker's executor runs
// them: a device is not a process on the node, so "start" registers it with
// the node's fencer and checks it (the agent's monitor), "stop" forgets it,
// and "monitor" runs the agent's monitor while the device is registered
// (not running otherwise, which is what a probe of a device this node has
// not started must say). The scheduler places devices like any resource, so
// every device is checked periodically from the node it runs on, and a
// device that stops answering fails and is recovered like a resource.
//
// run_device_check blocks (it runs the agent): it is for a background thread.
#include <string>

#include "fencing/device.hpp"
#include "fencing/topology.hpp"
#include "ra/executor.hpp"

namespace holdfast::daemon {

// The action that checks a device: the agent's monitor, else list (an agent
// that can list its plugs reaches its device), else status.
std::string device_check_action(const fencing::agent_metadata& md);

// Runs the check within timeout_ms (pcmk_monitor_timeout wins when set) and
// answers as an executor result: 0 when it worked; 1 with the agent's
// failure as the reason (timed out: op-status timed out); 5 when the agent
// is not installed or cannot run the check.
ra::op_result run_device_check(const fencing::device& d, fencing::metadata_cache& cache, int timeout_ms);

}  // namespace holdfast::daemon
