#pragma once
// fencing/'s errors for running fence devices: one enum, carried as values.
// (The SCSI reservation library has its own, pr_errc, in scsi_pr.hpp.)
#include <string>

#include "cib/expected.hpp"

namespace holdfast::fencing {

enum class errc {
    bad_config,     // a device option that cannot be used (bad host map, delay, timeout...)
    unknown_agent,  // no such fence agent on this node
    bad_metadata,   // the agent's metadata does not parse
    spawn_failed,   // the agent could not be started (fork, exec, fds)
    wait_failed,    // the agent could not be waited for
    not_supported,  // the agent has no such action (per its metadata)
    not_eligible,   // the device cannot fence that target (pcmk_host_check)
    agent_failed,   // the agent ran and reported failure (exit status)
    timed_out,      // the agent was killed at its timeout
    cancelled,      // this node stopped fencing (it was fenced itself: cancel.hpp)
};
const char* to_string(errc e);

struct error {
    errc code;
    std::string message;
};

template <typename T>
using result = holdfast::expected<T, error>;
using holdfast::unexpected;

}  // namespace holdfast::fencing
