// Running agents as child processes (see process.hpp).
#include "ra/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
        case errc::unimplemented: return "not implemented by the agent's class";
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

// In the child, between vfork and exec: only async-signal-safe calls, and
// no return (the child runs on the parent's stack, in its memory). Signal
// handlers go back to their defaults before anything is unblocked, so none of
// the daemon's handlers can run in the child.
[[noreturn]] void become(char* const argv[], char* const envp[], int out, int err) {
    setpgid(0, 0);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execve(argv[0], argv, envp);
    _exit(127);
}

// vfork, not fork: the child borrows the daemon's memory until its exec
// (the parent waits that long), so the daemon's page tables are neither
// copied nor write-protected for each agent; with fork() that cost grew with
// the daemon's memory and every page it wrote afterwards faulted once. Nor
// posix_spawn: glibc maps and unmaps a stack for each child, and the unmap's
// TLB shootdown cost a third more CPU per agent. The executor benchmark
// (test/bench/exec_bench.py) measured all three. All signals stay blocked
// in the calling thread until the child has exec'd.
pid_t vfork_exec(char* const argv[], char* const envp[], int out, int err) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t pid = vfork();
    if (pid == 0) become(argv, envp, out, err);
    const int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = saved;
    return pid;
}

// The child wrote through a duplicate of our descriptor, so the shared file
// offset is where its output ends (the file itself is max_output_bytes long).
std::string read_all(int fd) {
    std::string out;
    const off_t end = fd < 0 ? -1 : lseek(fd, 0, SEEK_CUR);
    if (end <= 0) return out;
    out.resize(static_cast<size_t>(end));
    size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(got));
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

// A memory file that cannot grow past max_output_bytes (sparse until written).
int bounded_output_file(const char* name) {
    const int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    if (ftruncate(fd, static_cast<off_t>(max_output_bytes)) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

}  // namespace

result<child_process> child_process::spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    if (argv.empty() || argv[0].empty()) return unexpected(error{errc::bad_request, "no program to run"});
    const int out = bounded_output_file("agent-stdout");
    const int err = bounded_output_file("agent-stderr");
    if (out < 0 || err < 0) {
        const std::string why = errno_text("memfd_create");
        if (out >= 0) close(out);
        if (err >= 0) close(err);
        return unexpected(error{errc::spawn_failed, why});
    }
    auto args = c_strings(argv);
    auto envp = c_strings(env);
    // the child is in its own group once vfork returns here, so kill_for_timeout never misses it
    const pid_t pid = vfork_exec(args.data(), envp.data(), out, err);
    if (pid < 0) {
        const std::string why = errno_text("vfork");
        close(out);
        close(err);
        return unexpected(error{errc::spawn_failed, why});
    }
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
    ::kill(-pid_, SIGTERM);
    ::kill(pid_, SIGTERM);
}

void child_process::kill_now() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
}

result<exit_info> child_process::reap() {
    if (pid_ <= 0) return unexpected(error{errc::wait_failed, "the agent was already reaped"});
    // the group outlives a leader that obeyed TERM when its children did not
    if (timed_out_) ::kill(-pid_, SIGKILL);
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

namespace {

// true when the child exited within ms
bool exits_within(int pidfd, int ms) {
    pollfd p{pidfd, POLLIN, 0};
    int n;
    while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR) {
    }
    return n != 0;
}

}  // namespace

result<exit_info> child_process::wait_for(int timeout_ms) {
    if (!exits_within(pidfd_, timeout_ms)) {
        kill_for_timeout();
        if (!exits_within(pidfd_, kill_grace_ms)) kill_now();
    }
    return reap();
}

}  // namespace holdfast::ra
