// One synchronous connection to systemd's Manager (see manager.hpp).
#include "ra/systemd_op/manager.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace holdfast::systemd_op {

namespace {

constexpr const char* service = "org.freedesktop.systemd1";
constexpr const char* manager_path = "/org/freedesktop/systemd1";
constexpr const char* manager_iface = "org.freedesktop.systemd1.Manager";
constexpr const char* unit_iface = "org.freedesktop.systemd1.Unit";
constexpr const char* private_socket = "/run/systemd/private";

// sd_bus_error, freed on every path.
class bus_error {
public:
    bus_error() = default;
    bus_error(const bus_error&) = delete;
    bus_error& operator=(const bus_error&) = delete;
    ~bus_error() { sd_bus_error_free(&e_); }
    sd_bus_error* get() { return &e_; }
    call_error to_error(int r, const std::string& what) const {
        if (sd_bus_error_is_set(&e_)) return {e_.name, what + ": " + (e_.message ? e_.message : e_.name)};
        return {"", what + ": " + std::strerror(-r)};
    }

private:
    sd_bus_error e_ = SD_BUS_ERROR_NULL;
};

struct message_unref {
    void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using message_ptr = std::unique_ptr<sd_bus_message, message_unref>;

holdfast::unexpected<call_error> failed(int r, const std::string& what) {
    return holdfast::unexpected(call_error{"", what + ": " + std::strerror(-r)});
}

// Where systemd is: an explicit private socket, systemd's own private socket
// when root may use it, or "" for the system bus.
std::string direct_address() {
    if (const char* env = std::getenv("HOLDFAST_SYSTEMD_BUS"); env && *env) return env;
    if (geteuid() == 0 && access(private_socket, F_OK) == 0) return std::string("unix:path=") + private_socket;
    return "";
}

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
    uint32_t id = 0;
    const char *job = nullptr, *unit = nullptr, *outcome = nullptr;
    if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &outcome) >= 0)
        static_cast<std::map<std::string, std::string>*>(userdata)->insert_or_assign(job, outcome);
    return 0;
}

}  // namespace

result<systemd_manager> systemd_manager::connect(int64_t call_timeout_ms) {
    systemd_manager m;
    sd_bus* raw = nullptr;
    const std::string address = direct_address();
    int r = 0;
    if (address.empty()) {
        r = sd_bus_open_system(&raw);
        if (r < 0) return failed(r, "cannot connect to the system bus");
        m.bus_.reset(raw);
    } else {
        if ((r = sd_bus_new(&raw)) < 0) return failed(r, "sd_bus_new");
        m.bus_.reset(raw);
        if ((r = sd_bus_set_address(raw, address.c_str())) < 0 || (r = sd_bus_start(raw)) < 0)
            return failed(r, "cannot connect to systemd at " + address);
    }
    if (call_timeout_ms > 0) sd_bus_set_method_call_timeout(raw, static_cast<uint64_t>(call_timeout_ms) * 1000);
    // Signals only come from systemd itself on a direct connection; on the
    // system bus the sender must be systemd, or anyone could end our wait.
    sd_bus_slot* slot = nullptr;
    r = sd_bus_match_signal(raw, &slot, address.empty() ? service : nullptr, manager_path, manager_iface, "JobRemoved",
                            on_job_removed, &m.jobs_->removed);
    if (r < 0) return failed(r, "cannot watch systemd's jobs");
    m.job_removed_.reset(slot);
    // systemd sends job signals only to subscribed clients of the system bus
    bus_error err;
    r = sd_bus_call_method(raw, service, manager_path, manager_iface, "Subscribe", err.get(), nullptr, "");
    if (r < 0) return holdfast::unexpected(err.to_error(r, "Subscribe"));
    return m;
}

result<std::string> systemd_manager::load_unit(const std::string& unit) {
    bus_error err;
    sd_bus_message* raw = nullptr;
    int r = sd_bus_call_method(bus_.get(), service, manager_path, manager_iface, "LoadUnit", err.get(), &raw, "s",
                               unit.c_str());
    message_ptr reply(raw);
    if (r < 0) return holdfast::unexpected(err.to_error(r, "LoadUnit " + unit));
    const char* path = nullptr;
    if ((r = sd_bus_message_read(raw, "o", &path)) < 0) return failed(r, "LoadUnit " + unit + " reply");
    return std::string(path);
}

result<std::string> systemd_manager::unit_property(const std::string& path, const char* property) {
    bus_error err;
    char* value = nullptr;
    int r = sd_bus_get_property_string(bus_.get(), service, path.c_str(), unit_iface, property, err.get(), &value);
    if (r < 0) return holdfast::unexpected(err.to_error(r, std::string("reading ") + property));
    std::string out(value);
    std::free(value);
    return out;
}

result<std::string> systemd_manager::queue_job(const char* method, const std::string& unit) {
    bus_error err;
    sd_bus_message* raw = nullptr;
    int r = sd_bus_call_method(bus_.get(), service, manager_path, manager_iface, method, err.get(), &raw, "ss",
                               unit.c_str(), "replace");
    message_ptr reply(raw);
    if (r < 0) return holdfast::unexpected(err.to_error(r, std::string(method) + " " + unit));
    const char* job = nullptr;
    if ((r = sd_bus_message_read(raw, "o", &job)) < 0) return failed(r, std::string(method) + " reply");
    return std::string(job);
}

// Dispatches what has arrived, or when nothing has, waits up to wait_usec
// for more; the caller looks at what changed after every call.
result<bool> systemd_manager::pump(uint64_t wait_usec) {
    int r = sd_bus_process(bus_.get(), nullptr);
    if (r < 0) return failed(r, "lost the connection to systemd");
    if (r > 0) return true;
    r = sd_bus_wait(bus_.get(), wait_usec);
    if (r < 0 && r != -EINTR) return failed(r, "lost the connection to systemd");
    return true;
}

result<std::string> systemd_manager::wait_job(const std::string& job) {
    for (;;) {
        if (auto it = jobs_->removed.find(job); it != jobs_->removed.end()) return it->second;
        if (auto ok = pump(UINT64_MAX); !ok) return holdfast::unexpected(ok.error());
    }
}

result<std::string> systemd_manager::settled_state(const std::string& path) {
    for (;;) {
        auto state = unit_property(path, "ActiveState");
        if (!state || (*state != "activating" && *state != "deactivating")) return state;
        // Woken early by any signal; otherwise look again in a quarter second
        if (auto ok = pump(250000); !ok) return holdfast::unexpected(ok.error());
    }
}

result<bool> systemd_manager::reload() {
    bus_error err;
    int r = sd_bus_call_method(bus_.get(), service, manager_path, manager_iface, "Reload", err.get(), nullptr, "");
    if (r < 0) return holdfast::unexpected(err.to_error(r, "Reload"));
    return true;
}

}  // namespace holdfast::systemd_op
