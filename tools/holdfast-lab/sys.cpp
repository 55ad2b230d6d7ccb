#include "tools/holdfast-lab/sys.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <thread>

namespace holdfast::lab {

holdfast::unexpected<error> fail_errno(const std::string& what) {
    return fail(errc::system, what + ": " + std::strerror(errno));
}

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.release();
    }
    return *this;
}

unique_fd::~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
}

int unique_fd::release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
}

result<unique_fd> open_fd(const std::filesystem::path& p, int flags, mode_t mode) {
    int fd = ::open(p.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) return fail_errno("cannot open " + p.string());
    return unique_fd(fd);
}

result<std::string> read_file(const std::filesystem::path& p) {
    auto fd = open_fd(p, O_RDONLY);
    if (!fd) return holdfast::unexpected(fd.error());
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd->get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("cannot read " + p.string());
        if (n == 0) return text;
        text.append(buf, static_cast<size_t>(n));
    }
}

result<void> write_file(const std::filesystem::path& p, const std::string& text, mode_t mode) {
    auto tmp = p;
    tmp += ".tmp";
    {
        auto fd = open_fd(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
        if (!fd) return holdfast::unexpected(fd.error());
        size_t done = 0;
        while (done < text.size()) {
            ssize_t n = ::write(fd->get(), text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return fail_errno("cannot write " + tmp.string());
            done += static_cast<size_t>(n);
        }
        if (::fchmod(fd->get(), mode) != 0) return fail_errno("cannot chmod " + tmp.string());
    }
    if (::rename(tmp.c_str(), p.c_str()) != 0) return fail_errno("cannot rename to " + p.string());
    return {};
}

namespace {

volatile sig_atomic_t g_interrupted = 0;

void on_interrupt(int) { g_interrupted = 1; }

}  // namespace

bool interrupted() { return g_interrupted != 0; }

void catch_interrupts() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking wait returns EINTR and notices
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

void ignore_interrupts() {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_IGN);
    g_interrupted = 0;
}

bool sleep_for(std::chrono::milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (!interrupted()) {
        auto left = end - std::chrono::steady_clock::now();
        if (left <= std::chrono::milliseconds(0)) return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
    }
    return false;
}

result<node_namespaces> open_node_namespaces(pid_t pid1) {
    node_namespaces ns;
    std::string base = "/proc/" + std::to_string(pid1) + "/ns/";
    struct {
        const char* kind;
        unique_fd* fd;
    } wanted[] = {{"net", &ns.net}, {"uts", &ns.uts}, {"mnt", &ns.mnt}, {"pid", &ns.pid}};
    for (auto& w : wanted) {
        auto fd = open_fd(base + w.kind, O_RDONLY);
        if (!fd) return holdfast::unexpected(fd.error());
        *w.fd = std::move(*fd);
    }
    return ns;
}

namespace {

// exec() resets caught signals; ignored ones stay ignored, so a teardown's helpers keep ignoring
// Ctrl-C. A command that has the terminal (no capture) gets the terminal's signals back.
void reset_signals(bool interactive) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGCHLD}) ::signal(sig, SIG_DFL);
    if (interactive) {
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::signal(sig, SIG_DFL);
    }
}

// In the child: enter the node's namespaces. Entering a PID namespace only applies to children,
// so fork once more; this process stays as a relay that passes the command's status up.
void enter_node(const node_namespaces& ns) {
    if (::setns(ns.net.get(), CLONE_NEWNET) != 0 || ::setns(ns.uts.get(), CLONE_NEWUTS) != 0 ||
        ::setns(ns.pid.get(), CLONE_NEWPID) != 0 || ::setns(ns.mnt.get(), CLONE_NEWNS) != 0) {
        std::fprintf(stderr, "holdfast-lab: cannot enter the node's namespaces: %s\n", std::strerror(errno));
        ::_exit(126);
    }
    if (::chdir("/") != 0) ::_exit(126);
    pid_t child = ::fork();
    if (child < 0) ::_exit(126);
    if (child == 0) {
        // If the relay is killed (timeout), the command must not live on inside the node.
        // The relay is outside the node's PID namespace, so getppid() reads 0 while it lives.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != 0) ::_exit(126);
        return;
    }
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
    int st = 0;
    while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    ::_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const run_options& opt, int out_fd) {
    reset_signals(!opt.capture);
    if (out_fd >= 0) {
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(out_fd, 1);
        ::dup2(out_fd, 2);
    }
    if (opt.enter) enter_node(*opt.enter);
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    ::execvp(cargv[0], cargv.data());
    std::fprintf(stderr, "holdfast-lab: cannot run %s: %s\n", cargv[0], std::strerror(errno));
    ::_exit(127);
}

int decode_status(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

// Kills and reaps a child we gave up on.
void abandon(pid_t pid) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

result<run_output> run(const std::vector<std::string>& argv, const run_options& opt) {
    unique_fd rd, wr;
    if (opt.capture) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe");
        rd = unique_fd(p[0]);
        wr = unique_fd(p[1]);
    }
    pid_t pid = ::fork();
    if (pid < 0) return fail_errno("fork");
    if (pid == 0) exec_child(argv, opt, wr.get());
    wr = unique_fd();
    unique_fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) {
        abandon(pid);
        return fail_errno("pidfd_open");
    }
    run_output out;
    auto deadline = std::chrono::steady_clock::now() + opt.timeout.value_or(std::chrono::hours(24 * 365));
    bool exited = false;
    while (!exited) {
        if (interrupted()) {
            abandon(pid);
            return fail(errc::interrupted, "interrupted while running " + argv[0]);
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            abandon(pid);
            return fail(errc::timeout, argv[0] + " did not finish in time");
        }
        pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {rd.get(), POLLIN, 0}};
        int n = ::poll(fds, rd ? 2 : 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (n < 0 && errno != EINTR) {
            abandon(pid);
            return fail_errno("poll");
        }
        if (n <= 0) continue;
        if (rd && (fds[1].revents & (POLLIN | POLLHUP))) {
            char buf[4096];
            ssize_t r = ::read(rd.get(), buf, sizeof buf);
            if (r > 0) out.text.append(buf, static_cast<size_t>(r));
            if (r == 0) rd = unique_fd();
            continue;  // drain output before looking at the exit
        }
        exited = fds[0].revents & POLLIN;
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    out.status = decode_status(st);
    return out;
}

result<std::string> run_ok(const std::vector<std::string>& argv) {
    auto r = run(argv);
    if (!r) return holdfast::unexpected(r.error());
    if (r->status != 0) {
        std::string cmd;
        for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
        auto text = r->text;
        while (!text.empty() && text.back() == '\n') text.pop_back();
        return fail(errc::command, "'" + cmd + "' failed (" + std::to_string(r->status) + "): " + text);
    }
    return std::move(r->text);
}

void reap_children() {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
}

std::optional<proc_info> proc_stat(pid_t pid) {
    auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (!text) return std::nullopt;
    auto close = text->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream in(text->substr(close + 1));
    proc_info info;
    std::string field;
    in >> info.state;
    // After the state (field 3) come fields 4..21; field 22 is the start time.
    for (int i = 4; i <= 21 && in >> field; ++i) {
    }
    if (!(in >> info.start_time)) return std::nullopt;
    if (info.state == 'Z' || info.state == 'X') return std::nullopt;
    return info;
}

ino_t ns_inode(const std::filesystem::path& ns_file) {
    struct stat st {};
    if (::stat(ns_file.c_str(), &st) != 0) return 0;
    return st.st_ino;
}

ino_t ns_inode(pid_t pid, const char* kind) { return ns_inode("/proc/" + std::to_string(pid) + "/ns/" + kind); }

std::vector<pid_t> processes_in(const char* kind, const std::vector<ino_t>& inodes) {
    std::vector<pid_t> found;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
        auto name = e.path().filename().string();
        char* end = nullptr;
        long pid = std::strtol(name.c_str(), &end, 10);
        if (pid <= 0 || *end != '\0' || pid == ::getpid()) continue;
        ino_t ino = ns_inode(static_cast<pid_t>(pid), kind);
        if (ino == 0) continue;
        for (ino_t want : inodes) {
            if (ino == want && proc_stat(static_cast<pid_t>(pid))) found.push_back(static_cast<pid_t>(pid));
        }
    }
    return found;
}

}  // namespace holdfast::lab
