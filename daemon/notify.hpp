#pragma once
// Talking to the service manager (libsystemd's sd_notify): readiness,
// stopping, status text, watchdog keep-alives. Without NOTIFY_SOCKET (not
// started by systemd) every call is a no-op.
#include <optional>
#include <string>

#include "daemon/event_loop.hpp"

namespace holdfast::daemon {

void notify(const std::string& assignments);  // e.g. "READY=1\nSTATUS=serving"

// WATCHDOG_USEC when the service manager expects keep-alives for us.
std::optional<usec> watchdog_interval();

}  // namespace holdfast::daemon
