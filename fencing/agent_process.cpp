// Running a fence agent as a child process (agent_process.hpp).
#include "fencing/agent_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace holdfast::fencing {
namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// An owned file descriptor.
class fd_owner {
public:
    explicit fd_owner(int fd = -1) : fd_(fd) {}
    fd_owner(const fd_owner&) = delete;
    fd_owner& operator=(const fd_owner&) = delete;
    ~fd_owner() {
        if (fd_ >= 0) close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// A memory file that cannot grow past max_agent_output.
int bounded_file(const char* name) {
    const int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    if (ftruncate(fd, static_cast<off_t>(max_agent_output)) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// The options, readable from offset 0.
int input_file(const std::string& text) {
    const int fd = memfd_create("agent-stdin", MFD_CLOEXEC);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += static_cast<size_t>(n);
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

// The child shares our file offset: it ends where the agent's output ends.
std::string read_output(int fd) {
    std::string out;
    const off_t end = lseek(fd, 0, SEEK_CUR);
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

// Between vfork and exec: async-signal-safe calls only, no return (the
// child runs in the daemon's memory). Handlers go back to their defaults
// before anything is unblocked, so none of the daemon's can run here.
[[noreturn]] void become_agent(char* const argv[], int in, int out, int err) {
    setpgid(0, 0);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execve(argv[0], argv, environ);
    _exit(127);
}

enum class waited { exited, timed_out, cancelled };

// The agent's exit, its timeout, or the cancel fd (a negative fd is ignored by poll).
waited wait_agent(int pidfd, int cancel_fd, int ms) {
    pollfd p[2] = {{pidfd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
    int n;
    while ((n = poll(p, 2, ms)) < 0 && errno == EINTR) {
    }
    if (n == 0) return waited::timed_out;
    if (p[0].revents != 0 || n < 0) return waited::exited;
    return waited::cancelled;
}

bool exits_within(int pidfd, int ms) { return wait_agent(pidfd, -1, ms) == waited::exited; }

int reap(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace

result<process_exit> run_process(const process_request& req) {
    if (req.argv.empty() || req.argv[0].empty()) return unexpected(error{errc::spawn_failed, "no program to run"});
    const fd_owner in(input_file(req.input)), out(bounded_file("agent-stdout")), err(bounded_file("agent-stderr"));
    if (in.get() < 0 || out.get() < 0 || err.get() < 0)
        return unexpected(error{errc::spawn_failed, errno_text("memfd_create")});
    std::vector<char*> args;
    for (const auto& a : req.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const auto started = std::chrono::steady_clock::now();
    // vfork, as ra/process.cpp (the executor benchmark measured fork() at ten
    // times the CPU): the calling thread waits until the agent has exec'd,
    // with every signal blocked meanwhile; the child's setpgid has run by then
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t pid = vfork();
    if (pid == 0) become_agent(args.data(), in.get(), out.get(), err.get());
    const int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = saved;
    if (pid < 0) return unexpected(error{errc::spawn_failed, errno_text("vfork")});
    const fd_owner pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    process_exit r;
    if (pidfd.get() < 0) {
        kill(-pid, SIGKILL);
        reap(pid);
        return unexpected(error{errc::wait_failed, errno_text("pidfd_open")});
    }
    if (const auto w = wait_agent(pidfd.get(), req.cancel_fd, req.timeout_ms); w != waited::exited) {
        r.timed_out = w == waited::timed_out;
        r.cancelled = w == waited::cancelled;
        kill(-pid, SIGTERM);
        if (!exits_within(pidfd.get(), req.kill_grace_ms)) kill(-pid, SIGKILL);
    }
    // An agent that obeyed TERM may leave children that did not (ipmitool);
    // the unreaped leader keeps the group id ours until reap().
    if (r.timed_out || r.cancelled) kill(-pid, SIGKILL);
    const int status = reap(pid);
    r.elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    r.exited = WIFEXITED(status);
    r.code = r.exited ? WEXITSTATUS(status) : 0;
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    r.out = read_output(out.get());
    r.err = read_output(err.get());
    return r;
}

}  // namespace holdfast::fencing
