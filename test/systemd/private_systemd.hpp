#pragma once
// private_systemd: a real systemd (/lib/systemd/systemd --system) of the
// test's own, as PID 1 of a new PID, mount and cgroup namespace, for the
// systemd resource class's tests on machines where systemd is not PID 1.
//
// Inside: a private /run (so the host's /run/systemd is untouched), a fresh
// cgroup2 mount rooted at a cgroup made for it under the test's own, a
// regular file bound over /dev/kmsg as its log (the host's stays clean), and
// only /run/systemd/system (drop-ins) and the test's unit directory as
// SYSTEMD_UNIT_PATH, booting
// holdfast-test.target, which pulls in nothing. The host reaches its private
// bus through /proc/PID/root/run/systemd/private; once it is up, this
// process's later children are born in its PID namespace (see
// enter_pid_namespace), or systemd would not accept their connections.
//
// Teardown (destructor, also after a failed check): SIGKILL to its PID 1,
// which takes the whole namespace with it, reap, remove the cgroups and the
// directory. A run killed outright takes systemd along (parent-death
// signals); the next run sweeps the cgroups and directory it left. Needs root, util-linux's unshare and nsenter, and
// cgroup2.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ra/process.hpp"

namespace holdfast::test {

class private_systemd {
public:
    // Why it cannot run on this machine ("" when it can), before trying.
    static std::string unavailable_reason();

    // Writes the units (file name -> text), then boots; boot_error() says
    // why when it did not come up.
    explicit private_systemd(const std::map<std::string, std::string>& units);
    ~private_systemd();
    private_systemd(const private_systemd&) = delete;
    private_systemd& operator=(const private_systemd&) = delete;

    const std::string& boot_error() const { return boot_error_; }
    pid_t init_pid() const { return init_pid_; }
    // unix:path=/proc/PID/root/run/systemd/private
    std::string bus_address() const;
    // Its /run/systemd/system as seen from the host (the drop-in directory).
    std::filesystem::path runtime_unit_dir() const;
    // What systemd logged.
    std::string log() const;
    // systemctl ARGS inside the namespace: its exit status and stdout.
    std::pair<int, std::string> systemctl(const std::vector<std::string>& args) const;

private:
    std::string boot();
    std::string enter_pid_namespace();

    std::filesystem::path dir_;
    std::filesystem::path cgroup_;
    std::optional<ra::child_process> child_;  // unshare, whose only child is systemd
    pid_t init_pid_ = -1;
    std::string boot_error_;
    int host_pidns_ = -1;  // this process's own PID namespace, restored at the end
};

}  // namespace holdfast::test
