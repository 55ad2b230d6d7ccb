#pragma once
// background: blocking work off the event loop, its answer back on the loop.
//
// Fence agents block for seconds (a BMC that does not answer: twenty) and
// fencing/agent.hpp runs them synchronously, so device operations run on a
// thread of their own; what the work returns is a continuation that runs
// on the loop once the thread is done. One thread per job: a node runs a
// handful of fence-device operations at a time, never hundreds.
// Lifecycle: construct on the loop -> run()... -> destruction waits for the
// threads still working (their agents end at their timeouts) and drops
// their continuations.
#include <functional>
#include <list>
#include <memory>

#include "daemon/event_loop.hpp"

namespace holdfast::daemon {

class background {
public:
    using continuation = std::function<void()>;
    explicit background(event_loop& loop);
    ~background();
    background(const background&) = delete;
    background& operator=(const background&) = delete;

    // `work` runs on a new thread and must touch nothing the loop owns;
    // the continuation it returns runs on the loop. False when no thread or
    // wake-up could be made (the work did not run).
    bool run(std::function<continuation()> work);
    size_t busy() const { return jobs_.size(); }

private:
    struct job;
    void collect();

    int wake_fd_ = -1;
    event_source wake_;
    std::list<std::unique_ptr<job>> jobs_;
};

}  // namespace holdfast::daemon
