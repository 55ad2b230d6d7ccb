#pragma once
// One run of a fence agent: its options on stdin, its output captured, a
// timeout that kills its whole process group.
//
// Why not ra/process.hpp's child_process: fencing/ may use cib/ only (ra/
// itself uses fencing/), and a fence agent reads its options on stdin where
// child_process gives /dev/null. This runner is the same design, smaller:
// stdin is a memory file holding the options (nothing to feed while the
// agent runs), stdout/stderr are memory files sealed at max_agent_output,
// the child leads its own process group, a pidfd says when it exits; at the
// timeout SIGTERM goes to the group, SIGKILL after a grace, and whatever is
// left of the group is killed once the leader is gone.
//
// Blocking: run() returns when the agent (and, after a timeout, its group)
// is gone. Not for the event loop; the fencer will run it on a worker or
// grow a start()/finish() pair like ra::child_process.
#include <cstdint>
#include <string>
#include <vector>

#include "fencing/error.hpp"

namespace holdfast::fencing {

inline constexpr size_t max_agent_output = size_t{4} << 20;

struct process_exit {
    bool exited = false;  // false: killed by a signal
    int code = 0;         // exit status when exited
    int signal = 0;       // the signal otherwise
    bool timed_out = false;
    bool cancelled = false;  // killed because the cancel fd became readable
    int64_t elapsed_ms = 0;
    std::string out;
    std::string err;
};

struct process_request {
    std::vector<std::string> argv;  // argv[0] is the program's path
    std::string input;              // what the agent reads on stdin
    int timeout_ms = 60000;
    int kill_grace_ms = 2000;  // between SIGTERM and SIGKILL
    int cancel_fd = -1;        // readable: kill the agent now (cancel.hpp); -1: none
};

result<process_exit> run_process(const process_request& req);

}  // namespace holdfast::fencing
