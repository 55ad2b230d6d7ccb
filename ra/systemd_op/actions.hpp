#pragma once
// The operations of holdfast-systemd-op, as Pacemaker's systemd class does
// them (lib/services/systemd.c with pacemaker-execd's follow-up monitors),
// but synchronous: start and stop wait for systemd's job and then for the
// unit to settle, instead of re-polling from the executor.
#include <cstdint>
#include <string>

namespace holdfast::systemd_op {

struct outcome {
    int exit_code = 0;   // OCF code, or ra::systemd_exit_call_failed
    std::string reason;  // the exit reason, "" when none
    std::string output;  // meta-data
};

// ACTION (start, stop, restart, monitor, status, meta-data) on the unit TYPE
// names; timeout_ms bounds each D-Bus call (0: sd-bus's default).
outcome run(const std::string& action, const std::string& type, int64_t timeout_ms);

// The OCF meta-data of a unit (Description as its long description).
std::string meta_data(const std::string& type, const std::string& description);

}  // namespace holdfast::systemd_op
