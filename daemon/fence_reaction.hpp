#pragma once
// What a node does when it learns that it was fenced while it kept running:
// fabric fencing (SCSI reservations) cuts a node off its LUNs without
// stopping it, and a node frozen past the token timeout, fenced that way,
// wakes up with its resources still running while the survivors have
// started them again. Pacemaker's cluster option fence-reaction says what
// then: "stop" (its default: the daemon stops and stays stopped) or "panic"
// (the node reboots at once). Pure functions; node_daemon carries them out.
//
// How the node learns it: the outcome of a fencing is sent to every member;
// a node out of the membership at that moment is sent it again when it
// rejoins (controller::share_fencings), by every member whose history has it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/ctl_message.hpp"

namespace holdfast::daemon {

enum class fence_reaction { stop, panic };

// The value of fence-reaction; anything but "panic" (case-insensitive) is
// "stop", as in Pacemaker.
fence_reaction parse_fence_reaction(const std::string& value);
const char* to_string(fence_reaction r);

// True when `e` is a successful "off" of `self` completed while this daemon
// ran (it started at `started`, epoch seconds), more than clock_margin_s
// after its start. A reboot is not one: the node is meant to come back, and
// may be back before the outcome is recorded. A node that booted after an
// "off" (powered on again) started later than the fencing completed.
constexpr int64_t clock_margin_s = 5;
bool fenced_while_running(const fencing_event& e, const std::string& self, int64_t started);

// The newest successful off or reboot of `target` in a history, if any.
std::optional<fencing_event> last_fencing_of(const std::vector<fencing_event>& history, const std::string& target);

}  // namespace holdfast::daemon
