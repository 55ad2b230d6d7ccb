#pragma once
// cancel_source: a one-way "stop fencing" switch that blocking fencing work
// (agents, pcmk_delay_base sleeps) can wait on together with what it waits for.
//
// A node that learns it was itself fenced must not go on fencing others: a
// fencing it began (a delay still running, an agent still connecting to a BMC)
// would otherwise complete after the node was shot. The switch is an eventfd
// that stays readable once cancel() wrote to it, so a worker polls it next to
// an agent's pidfd, and every later fencing on this node fails at once.
// Thread-safe: cancel() from the loop, cancelled()/fd() from workers.
// Lifecycle: constructed once per fencer; outlives the work given its fd().
#include <chrono>

namespace holdfast::fencing {

class cancel_source {
public:
    cancel_source();
    ~cancel_source();
    cancel_source(const cancel_source&) = delete;
    cancel_source& operator=(const cancel_source&) = delete;

    void cancel();
    bool cancelled() const;
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

// Sleeps `d`, or less when `cancel_fd` (-1: none) becomes readable first.
// False when cancelled.
bool sleep_unless_cancelled(std::chrono::milliseconds d, int cancel_fd);
// True when `cancel_fd` (-1: none) is readable now.
bool is_cancelled(int cancel_fd);

}  // namespace holdfast::fencing
