#pragma once
// Running fence agents through the fence-agent API, as Pacemaker's fencer
// does: the agent (/usr/sbin/fence_*) is started with no arguments and reads
// its options as key=value lines on stdin (device.hpp's make_agent_args);
// its exit status is the answer (0 success; for status 0 on, 2 off, anything
// else an error). A failed action is tried again within its timeout
// (pcmk_<action>_retries); each run is killed with its process group at the
// time left.
//
// Blocking calls; each owns its agent process until it is gone. Nothing is
// kept between calls (the fencer will cache metadata and dynamic lists).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fencing/device.hpp"
#include "fencing/error.hpp"
#include "fencing/metadata.hpp"

namespace holdfast::fencing {

// Where agents are looked for: $HOLDFAST_FENCE_AGENT_DIR, else /usr/sbin
// (the only place Pacemaker looks).
std::string agent_dir();
// The agent's executable: a name fence_[A-Za-z0-9_-]+ in agent_dir().
result<std::string> agent_path(const std::string& agent);
// Runs the agent's metadata action and parses it.
result<agent_metadata> read_metadata(const std::string& agent, int timeout_ms = 30000);

// Pacemaker's default stonith-timeout.
inline constexpr int default_stonith_timeout_ms = 60000;

enum class power_state { unknown, on, off };
const char* to_string(power_state s);

struct agent_run {
    int rc = 0;  // exit status (-1 when killed by a signal)
    int signal = 0;
    bool timed_out = false;
    int64_t elapsed_ms = 0;
    std::string out;
    std::string err;
};

struct action_request {
    std::string action;  // off on reboot status monitor list list-status validate-all metadata
    std::string target;  // node name, empty for device-wide actions
    uint32_t nodeid = 0;
    int stonith_timeout_ms = default_stonith_timeout_ms;
    int cancel_fd = -1;  // cancel.hpp: readable stops the agent and its retries; -1: none
};

struct action_outcome {
    std::string action;        // as requested
    std::string agent_action;  // what the agent was asked (pcmk_<action>_action, reboot without reboot: off)
    int timeout_ms = 0;
    std::vector<agent_run> runs;               // one per try
    power_state state = power_state::unknown;  // status: the answer
    std::vector<std::string> targets;          // list, list-status: the plugs named
    std::optional<error> failure;              // agent_failed or timed_out; empty on success
    bool ok() const { return !failure.has_value(); }
};

// Runs one operation against a device. An error when the operation cannot
// be run at all (bad options, no agent, an action the agent lacks); the
// agent's own failure is an outcome with failure set.
result<action_outcome> run_action(const device& d, const agent_metadata& md, const action_request& req);

// Can the device fence `target` (pcmk_host_check)? static-list and none are
// decided from the options; dynamic-list runs `list`, status runs `status`.
struct eligibility {
    bool can = false;
    host_check how = host_check::none;
    std::string detail;  // why, in words
};
result<eligibility> check_target(const device& d, const agent_metadata& md, const std::string& target,
                                 int stonith_timeout_ms = default_stonith_timeout_ms);

}  // namespace holdfast::fencing
