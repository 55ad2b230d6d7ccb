#include "daemon/notify.hpp"

#include <systemd/sd-daemon.h>

namespace holdfast::daemon {

void notify(const std::string& assignments) { sd_notify(0, assignments.c_str()); }

std::optional<usec> watchdog_interval() {
    uint64_t us = 0;
    if (sd_watchdog_enabled(0, &us) <= 0 || us == 0) return std::nullopt;
    return usec(static_cast<int64_t>(us));
}

}  // namespace holdfast::daemon
