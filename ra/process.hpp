#pragma once
// child_process: one run of an external program (an agent), owned.
//
// The child gets its own process group (so a timeout kills whatever it
// started too), stdin from /dev/null, every signal unblocked and at its
// default, and no inherited fds but stdout/stderr, which go to anonymous
// memory files read once it has exited: nothing to drain while it runs, so
// the event loop only watches pidfd(), which turns readable at exit.
// Lifecycle: spawn() -> (watch pidfd() | wait_for()) -> reap(). Destroying a
// child that still runs kills its group and reaps it.
#include <sys/types.h>

#include <string>
#include <vector>

#include "ra/error.hpp"

namespace holdfast::ra {

// What an agent may write to stdout and to stderr each; past it, its writes
// fail (the memory file is sealed at that size), so a runaway agent cannot
// fill the node's memory. Meta-data, the largest legitimate output, is tens
// of kilobytes.
inline constexpr size_t max_output_bytes = size_t{4} << 20;

struct exit_info {
    bool exited = false;  // false: killed by a signal
    int code = 0;         // exit status when exited
    int signal = 0;       // the signal otherwise
    bool timed_out = false;
    std::string out;
    std::string err;
};

class child_process {
public:
    static result<child_process> spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env);

    child_process(child_process&& o) noexcept;
    child_process& operator=(child_process&& o) noexcept;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    ~child_process();

    pid_t pid() const { return pid_; }
    int pidfd() const { return pidfd_; }
    // A timed-out agent: SIGTERM to its whole process group, so that it can
    // clean up; whoever waits sends kill_now() if it is still there after
    // kill_grace_ms. reap() then reports timed_out.
    void kill_for_timeout();
    void kill_now();  // SIGKILL to the group
    bool timed_out() const { return timed_out_; }
    static constexpr int kill_grace_ms = 2000;
    // The exit status and output. Blocks until the child has exited; after a
    // timeout, what is left of its process group is killed first.
    result<exit_info> reap();
    // Waits up to timeout_ms, then TERM, kill_grace_ms, KILL; then reaps.
    result<exit_info> wait_for(int timeout_ms);

private:
    child_process(pid_t pid, int pidfd, int out, int err) : pid_(pid), pidfd_(pidfd), out_(out), err_(err) {}
    void release();

    pid_t pid_ = -1;
    int pidfd_ = -1;
    int out_ = -1;
    int err_ = -1;
    bool timed_out_ = false;
};

}  // namespace holdfast::ra
