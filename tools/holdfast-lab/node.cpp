#include "tools/holdfast-lab/node.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>

#include "tools/holdfast-lab/network.hpp"
#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

namespace {

using namespace std::chrono_literals;

// In the first child: join the node's network, make the other namespaces, and fork the node's
// PID 1 (only children enter a new PID namespace). Reports PID 1's host PID through `report`.
[[noreturn]] void spawn_init(int netns, int log, int report, const std::string& exe, const lab_layout& l, int node) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
    ::setsid();
    if (::setns(netns, CLONE_NEWNET) != 0 || ::unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID) != 0) {
        std::fprintf(stderr, "holdfast-lab: cannot make the node's namespaces: %s\n", std::strerror(errno));
        ::_exit(1);
    }
    pid_t init = ::fork();
    if (init == 0) {
        // The node outlives this command: it must hold none of our descriptors (pipes, locks).
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::close_range(3, ~0u, 0);
        auto dir = l.dir().string();
        auto n = std::to_string(node);
        const char* argv[] = {"holdfast-lab", "__node-init", "--dir", dir.c_str(), "--node", n.c_str(), nullptr};
        ::execv(exe.c_str(), const_cast<char* const*>(argv));
        std::fprintf(stderr, "holdfast-lab: cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    bool ok = init > 0 && ::write(report, &init, sizeof init) == static_cast<ssize_t>(sizeof init);
    ::_exit(ok ? 0 : 1);
}

// Forks spawn_init() and returns the host PID of the node's PID 1.
result<pid_t> fork_node(const lab_layout& l, int node) {
    auto netns = open_fd(netns_path(l.node_ns(node)), O_RDONLY);
    if (!netns) return holdfast::unexpected(netns.error());
    auto log = open_fd(l.init_log(node), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (!log) return holdfast::unexpected(log.error());
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return fail(errc::system, "cannot find this program: " + ec.message());
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe");
    unique_fd rd(p[0]), wr(p[1]);
    pid_t child = ::fork();
    if (child < 0) return fail_errno("fork");
    if (child == 0) spawn_init(netns->get(), log->get(), wr.get(), exe.string(), l, node);
    wr = unique_fd();
    pid_t init = 0;
    ssize_t n;
    while ((n = ::read(rd.get(), &init, sizeof init)) < 0 && errno == EINTR) {
    }
    int st = 0;
    while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof init) || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        return fail(errc::system, "cannot start " + lab_layout::node_name(node) + "'s PID 1");
    }
    return init;
}

}  // namespace

std::optional<pid_record> running_node(const lab_layout& l, int node) {
    auto r = load_pid_record(l, node);
    if (r && alive(*r)) return r;
    return std::nullopt;
}

result<void> boot_node(const lab_layout& l, int node) {
    if (running_node(l, node)) return fail(errc::state, lab_layout::node_name(node) + " is already running");
    auto init = fork_node(l, node);
    if (!init) return holdfast::unexpected(init.error());
    auto info = proc_stat(*init);
    ino_t pid_ns = ns_inode(*init, "pid");
    if (!info || pid_ns == 0) {
        return fail(errc::system,
                    lab_layout::node_name(node) + "'s PID 1 died at once; see " + l.init_log(node).string());
    }
    return save_pid_record(l, node, pid_record{*init, info->start_time, pid_ns});
}

std::vector<pid_t> node_processes(const pid_record& r) { return processes_in("pid", {r.pid_ns}); }

result<void> kill_and_wait(const std::vector<pid_t>& pids, const std::vector<ino_t>& pid_namespaces,
                           const std::vector<ino_t>& net_namespaces) {
    for (pid_t p : pids) ::kill(p, SIGKILL);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
        auto left = processes_in("pid", pid_namespaces);
        auto more = processes_in("net", net_namespaces);
        left.insert(left.end(), more.begin(), more.end());
        left.insert(left.end(), pids.begin(), pids.end());
        // a zombie is dead and holds no namespace: its parent (a subreaper such as a test driver,
        // for what `exec` started in the node) reaps it in its own time
        std::erase_if(left, [](pid_t p) {
            auto st = proc_stat(p);
            return !st || st->state == 'Z' || st->state == 'X';
        });
        reap_children();
        if (left.empty()) return {};
        if (std::chrono::steady_clock::now() > deadline) {
            return fail(errc::timeout, "processes still alive after SIGKILL (first: " + std::to_string(left[0]) + ")");
        }
        for (pid_t p : left) ::kill(p, SIGKILL);
        std::this_thread::sleep_for(20ms);
    }
}

result<void> kill_node(const lab_layout& l, int node) {
    auto r = running_node(l, node);
    if (!r) return fail(errc::state, lab_layout::node_name(node) + " is not running");
    auto done = kill_and_wait({r->pid}, {r->pid_ns}, {});
    std::error_code ec;
    std::filesystem::remove(l.pid_file(node), ec);
    return done;
}

bool node_frozen(const pid_record& r) {
    auto procs = node_processes(r);
    if (procs.empty()) return false;
    for (pid_t p : procs) {
        auto info = proc_stat(p);
        if (info && info->state != 'T' && info->state != 't') return false;
    }
    return true;
}

result<void> freeze_node(const lab_layout& l, int node) {
    auto r = running_node(l, node);
    if (!r) return fail(errc::state, lab_layout::node_name(node) + " is not running");
    // PID 1 first, so nothing new is started; then repeat for processes forked meanwhile.
    ::kill(r->pid, SIGSTOP);
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!node_frozen(*r)) {
        if (std::chrono::steady_clock::now() > deadline) return fail(errc::timeout, "the node did not stop");
        for (pid_t p : node_processes(*r)) ::kill(p, SIGSTOP);
        std::this_thread::sleep_for(10ms);
    }
    return {};
}

result<void> thaw_node(const lab_layout& l, int node) {
    auto r = running_node(l, node);
    if (!r) return fail(errc::state, lab_layout::node_name(node) + " is not running");
    for (pid_t p : node_processes(*r)) ::kill(p, SIGCONT);
    return {};
}

}  // namespace holdfast::lab
