#pragma once
// Drives membership objects the way the daemon's loop will: poll their fds,
// dispatch the ready ones, until a condition holds or a generous deadline
// passes (the deadline is a hang guard, never an assertion on timing).
#include <poll.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "membership/error.hpp"

namespace holdfast::test {

struct source {
    int fd;
    std::function<membership::result<void>()> dispatch;
};

template <typename T>
source source_of(T& obj) {
    return source{obj.fd(), [&obj] { return obj.dispatch(); }};
}

// Returns "" when `done` became true, else what went wrong.
inline std::string pump_until(const std::vector<source>& sources, const std::function<bool()>& done,
                              std::chrono::seconds deadline = std::chrono::seconds(60)) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return "condition not reached before the deadline";
        std::vector<pollfd> fds;
        for (const auto& s : sources) fds.push_back(pollfd{s.fd, POLLIN, 0});
        if (poll(fds.data(), fds.size(), 100) < 0) return "poll failed";
        for (size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            if (auto r = sources[i].dispatch(); !r) return r.error().to_string();
        }
    }
    return "";
}

}  // namespace holdfast::test
