// Running agents as child processes (see process.hpp).
#include "ra/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace holdfast::ra {

const char* to_string(errc e) {
    switch (e) {
        case errc::unknown_agent: return "unknown agent";
        case errc::bad_request: return "bad request";
        case errc::spawn_failed: return "cannot start the agent";
        case errc::wait_failed: return "cannot wait for the agent";
    }
    return "error";
}

namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void become(char* const argv[], char* const envp[], int out, int err) {
    setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    const int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execve(argv[0], argv, envp);
    _exit(127);
}

std::string read_all(int fd) {
    std::string out;
    if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) return out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
}

void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

}  // namespace

result<child_process> child_process::spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    if (argv.empty() || argv[0].empty()) return unexpected(error{errc::bad_request, "no program to run"});
    const int out = memfd_create("agent-stdout", MFD_CLOEXEC);
    const int err = memfd_create("agent-stderr", MFD_CLOEXEC);
    if (out < 0 || err < 0) {
        const std::string why = errno_text("memfd_create");
        if (out >= 0) close(out);
        if (err >= 0) close(err);
        return unexpected(error{errc::spawn_failed, why});
    }
    auto args = c_strings(argv);
    auto envp = c_strings(env);
    const pid_t pid = fork();
    if (pid < 0) {
        const std::string why = errno_text("fork");
        close(out);
        close(err);
        return unexpected(error{errc::spawn_failed, why});
    }
    if (pid == 0) become(args.data(), envp.data(), out, err);
    setpgid(pid, pid);  // also from here, so kill_for_timeout never races the child's own call
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    child_process c(pid, pidfd, out, err);
    if (pidfd < 0) {
        const std::string why = errno_text("pidfd_open");
        return unexpected(error{errc::spawn_failed, why});  // c's destructor kills and reaps
    }
    return c;
}

child_process::child_process(child_process&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      pidfd_(std::exchange(o.pidfd_, -1)),
      out_(std::exchange(o.out_, -1)),
      err_(std::exchange(o.err_, -1)),
      timed_out_(o.timed_out_) {}

child_process& child_process::operator=(child_process&& o) noexcept {
    if (this != &o) {
        release();
        pid_ = std::exchange(o.pid_, -1);
        pidfd_ = std::exchange(o.pidfd_, -1);
        out_ = std::exchange(o.out_, -1);
        err_ = std::exchange(o.err_, -1);
        timed_out_ = o.timed_out_;
    }
    return *this;
}

child_process::~child_process() { release(); }

void child_process::release() {
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }
    close_fd(pidfd_);
    close_fd(out_);
    close_fd(err_);
}

void child_process::kill_for_timeout() {
    if (pid_ <= 0) return;
    timed_out_ = true;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
}

result<exit_info> child_process::reap() {
    if (pid_ <= 0) return unexpected(error{errc::wait_failed, "the agent was already reaped"});
    int status = 0;
    pid_t r;
    while ((r = waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r < 0) return unexpected(error{errc::wait_failed, errno_text("waitpid")});
    pid_ = -1;
    // What the agent left running (a daemon it started) is not ours to kill
    exit_info info;
    info.exited = WIFEXITED(status);
    info.code = info.exited ? WEXITSTATUS(status) : 0;
    info.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    info.timed_out = timed_out_;
    info.out = read_all(out_);
    info.err = read_all(err_);
    close_fd(pidfd_);
    close_fd(out_);
    close_fd(err_);
    return info;
}

result<exit_info> child_process::wait_for(int timeout_ms) {
    pollfd p{pidfd_, POLLIN, 0};
    int n;
    while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
    }
    if (n == 0) kill_for_timeout();
    return reap();
}

}  // namespace holdfast::ra
