#pragma once
// systemd_manager: one synchronous D-Bus connection to systemd's Manager
// (org.freedesktop.systemd1), owned by holdfast-systemd-op for one operation.
//
// The connection is direct to systemd's private socket when
// $HOLDFAST_SYSTEMD_BUS names one (tests: a systemd of their own) or when
// running as root and /run/systemd/private exists (as systemctl does: it
// needs no D-Bus daemon, which may be gone while a node shuts down), and the
// system bus otherwise. Every call blocks; the executor bounds the whole run
// with the operation's timeout by killing the helper.
#include <systemd/sd-bus.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "cib/expected.hpp"

namespace holdfast::systemd_op {

// A failed call: the D-Bus error name (org.freedesktop.systemd1.NoSuchUnit,
// ...) or "" when there was no answer at all, and the message.
struct call_error {
    std::string name;
    std::string message;
};

template <typename T>
using result = holdfast::expected<T, call_error>;

class systemd_manager {
public:
    static result<systemd_manager> connect(int64_t call_timeout_ms);

    // The unit's object path; loads the unit if systemd has not yet (a name
    // without a unit file still gets a path, its LoadState "not-found").
    result<std::string> load_unit(const std::string& unit);
    // A string property of org.freedesktop.systemd1.Unit (ActiveState, ...).
    result<std::string> unit_property(const std::string& path, const char* property);
    // StartUnit/StopUnit/RestartUnit(unit, "replace"): the job's path.
    result<std::string> queue_job(const char* method, const std::string& unit);
    // Blocks until systemd reports the job removed: its result (done,
    // failed, canceled, timeout, dependency, skipped).
    result<std::string> wait_job(const std::string& job);
    // The unit's ActiveState once it is no longer activating or deactivating.
    result<std::string> settled_state(const std::string& path);
    // daemon-reload, for a drop-in just written or removed.
    result<bool> reload();

private:
    struct bus_unref {
        void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
    };
    struct slot_unref {
        void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
    };
    // Owned apart from the object so its address, the signal callback's
    // user data, survives moves.
    struct jobs {
        std::map<std::string, std::string> removed;  // job path -> result
    };

    systemd_manager() = default;
    result<bool> pump(uint64_t wait_usec);

    std::unique_ptr<jobs> jobs_ = std::make_unique<jobs>();
    std::unique_ptr<sd_bus, bus_unref> bus_;
    std::unique_ptr<sd_bus_slot, slot_unref> job_removed_;
};

}  // namespace holdfast::systemd_op
