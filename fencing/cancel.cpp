#include "fencing/cancel.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace holdfast::fencing {

cancel_source::cancel_source() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

cancel_source::~cancel_source() {
    if (fd_ >= 0) close(fd_);
}

void cancel_source::cancel() {
    const uint64_t one = 1;
    if (fd_ >= 0) (void)!write(fd_, &one, sizeof one);
}

bool cancel_source::cancelled() const { return is_cancelled(fd_); }

bool sleep_unless_cancelled(std::chrono::milliseconds d, int cancel_fd) {
    const auto end = std::chrono::steady_clock::now() + d;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return true;
        pollfd p{cancel_fd, POLLIN, 0};
        // with no fd, poll() just sleeps (a negative fd is ignored)
        const int n = poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) return false;
        if (n < 0 && errno != EINTR) return true;
    }
}

bool is_cancelled(int cancel_fd) {
    if (cancel_fd < 0) return false;
    pollfd p{cancel_fd, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

}  // namespace holdfast::fencing
