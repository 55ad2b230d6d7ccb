// Blocking work on threads, continuations on the loop (see background.hpp).
#include "daemon/background.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <system_error>
#include <thread>

namespace holdfast::daemon {

struct background::job {
    std::thread worker;
    std::atomic<bool> finished{false};
    continuation then;
};

background::background(event_loop& loop) {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) return;
    auto w = loop.add_io(wake_fd_, EPOLLIN, [this](int, uint32_t) { collect(); });
    if (w) wake_ = std::move(*w);
}

background::~background() {
    for (auto& j : jobs_)
        if (j->worker.joinable()) j->worker.join();
    wake_.reset();
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool background::run(std::function<continuation()> work) {
    if (wake_fd_ < 0) return false;
    auto j = std::make_unique<job>();
    job& ref = *j;
    try {
        ref.worker = std::thread([this, &ref, work = std::move(work)] {
            ref.then = work();
            ref.finished = true;
            const uint64_t one = 1;
            (void)!::write(wake_fd_, &one, sizeof one);
        });
    } catch (const std::system_error&) {
        return false;  // no thread to be had: the caller reports the work as failed
    }
    jobs_.push_back(std::move(j));
    return true;
}

void background::collect() {
    uint64_t n = 0;
    (void)!::read(wake_fd_, &n, sizeof n);
    std::list<std::unique_ptr<job>> done;
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        if ((*it)->finished) {
            (*it)->worker.join();
            auto next = std::next(it);
            done.splice(done.end(), jobs_, it);
            it = next;
        } else {
            ++it;
        }
    }
    // continuations may start new jobs: they run after the list is settled
    for (auto& j : done)
        if (j->then) j->then();
}

}  // namespace holdfast::daemon
