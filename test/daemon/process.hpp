#pragma once
// Test helpers for driving real processes: a child killed by PID when its
// handle goes away (also when a check fails), running a command to
// completion with its output, and a NOTIFY_SOCKET the test reads.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace holdfast::test {

struct credentials {
    uid_t uid;
    gid_t gid;
};

// A running child. The destructor SIGKILLs and reaps it if still running.
class child {
public:
    static child spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                       const std::string& stderr_file = "/dev/null", std::optional<credentials> as = std::nullopt);
    static child adopt(pid_t p) { return child(p); }  // take over an already forked pid
    child(child&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
    child& operator=(child&&) = delete;
    ~child();
    pid_t pid() const { return pid_; }
    // The exit status (or 128+signal) once it ends, nullopt at the deadline.
    std::optional<int> wait(std::chrono::seconds deadline);

private:
    explicit child(pid_t p) : pid_(p) {}
    pid_t pid_ = -1;
};

struct run_result {
    int status = -1;  // exit status, 128+signal, or -1 when it did not end in time
    std::string out;
    std::string err;  // its standard error
};

// Runs argv to completion (as `as` when given: setgroups({}), setgid, setuid).
run_result run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
               std::optional<credentials> as = std::nullopt);

// Runs fn in a forked child as `as`; returns the child's exit status (fn's value).
int run_as(credentials as, int (*fn)(const std::string&), const std::string& arg);

// A datagram socket at a fresh path, as systemd's notify socket.
class notify_listener {
public:
    notify_listener();
    ~notify_listener();
    const std::string& path() const { return path_; }
    // Reads messages until one holds `line` (e.g. "READY=1"); false at the deadline.
    bool wait_for(const std::string& line, std::chrono::seconds deadline);

private:
    int fd_ = -1;
    std::string path_;
    std::vector<std::string> seen_;
};

}  // namespace holdfast::test
