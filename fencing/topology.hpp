#pragma once
// Fencing a node: which devices, in which order (Pacemaker's fencing
// topology), and carrying that out with the agents.
//
// With fencing-level entries for the target (by name, by name pattern, or
// by a node attribute), the levels are tried in index order and a level
// succeeds only when every device in it succeeds (a reboot through several
// devices turns every one off, then every one on, as Pacemaker does).
// Without any, every stonith device of the CIB is a level of its own, tried
// in configuration order after checking that it can fence the target
// (pcmk_host_check). The first level that succeeds fences the node.
//
// plan_fencing is pure; execute_plan blocks (it runs agents) and is meant
// for a worker thread: it touches nothing but its arguments and the cache.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cib/model.hpp"
#include "fencing/device.hpp"
#include "fencing/error.hpp"
#include "fencing/metadata.hpp"

namespace holdfast::fencing {

struct fencing_plan {
    struct level {
        int index = 0;  // the fencing-level's index (0 without topology)
        std::vector<device> devices;
    };
    std::vector<level> levels;
    bool topology = false;  // false: each device alone, its eligibility checked when run
};

// The plan for `target`; `attributes` are the target's node attributes (for
// levels with target-attribute). An error when the CIB names a device that
// is not a stonith primitive, or a level's pattern does not compile.
result<fencing_plan> plan_fencing(const cib::cib_model& cib, const std::string& target,
                                  const std::map<std::string, std::string>& attributes);

// Agents' metadata, read once per agent, shared by worker threads.
class metadata_cache {
public:
    result<agent_metadata> get(const std::string& agent);

private:
    std::mutex mu_;
    std::map<std::string, agent_metadata> known_;
};

struct fencing_step {
    std::string device;
    std::string action;  // as the device ran it (off, on, ...)
    bool ok = false;
    int64_t elapsed_ms = 0;
    std::string detail;  // why it failed, or why it was skipped
};

struct fencing_result {
    bool ok = false;
    int level = -1;      // the level that succeeded (its index)
    std::string device;  // the devices that did it, comma-separated
    std::vector<fencing_step> steps;
    std::string reason;  // when it failed: the last failure, or that nothing could
};

struct fencing_request {
    std::string target;
    uint32_t nodeid = 0;
    std::string action = "reboot";  // reboot, off, on
    int stonith_timeout_ms = 60000;
    // priority-fencing-delay (the scheduler's, for the node that runs the
    // most important resources): slept before an off or reboot, on top of
    // the devices' own pcmk_delay_base/max, so in a split the node that
    // matters shoots first
    int delay_s = 0;
    // unfencing: the node is a member of a quorate partition, so agents that
    // take `rejoined` (fence_holdfast_scsi) may register a key a fencing removed
    bool rejoined = false;
    // cancel.hpp: readable once this node must stop fencing (it was fenced
    // itself); delays end, agents are killed, no further device is tried
    int cancel_fd = -1;
};

fencing_result execute_plan(const fencing_plan& plan, const fencing_request& req, metadata_cache& cache);

// Unfencing `req.target` (action on), run on the target itself: agents whose
// `on` acts on the node that runs them (on_target: SCSI registration over
// the node's own I_T nexus) can only be run there. Every device of the plan
// (each once, across levels) that unfences, because its agent's `on` is
// automatic or it provides=unfencing, and (without topology) can fence the
// target, is turned on; unfencing succeeds when every one of them does. An
// agent that offers a `rejoined` parameter (fence_holdfast_scsi) gets
// rejoined=1 when req.rejoined says the node is back in a quorate cluster;
// alone, a node that was fenced is refused by such an agent.
fencing_result execute_unfencing(const fencing_plan& plan, const fencing_request& req, metadata_cache& cache);

}  // namespace holdfast::fencing
