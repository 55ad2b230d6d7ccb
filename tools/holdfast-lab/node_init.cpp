#include "tools/holdfast-lab/node_init.hpp"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <system_error>

#include "tools/holdfast-lab/boot_sequence.hpp"
#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

namespace {

// init.log lines: "TIME node-init EVENT key=value..." (stdout is the log, opened by boot_node).
void note(const std::string& event) {
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%FT%T", std::localtime(&now));
    std::printf("%s node-init %s\n", stamp, event.c_str());
    std::fflush(stdout);
}

result<void> mount_fs(const char* source, const char* target, const char* type, unsigned long flags,
                      const char* data = nullptr) {
    if (::mount(source, target, type, flags, data) != 0) return fail_errno(std::string("mount ") + target);
    return {};
}

result<void> bind_node_dirs(const lab_layout& l, int node) {
    auto c = load_config(l);
    if (!c) return holdfast::unexpected(c.error());
    for (const auto& m : l.node_mounts(node, c->libvirt)) {
        std::error_code ec;
        std::filesystem::create_directories(m.source, ec);
        // The mount point must exist on the shared root; create it as a package would.
        std::filesystem::create_directories(m.target, ec);
        if (ec) return fail(errc::io, "cannot create " + m.target.string() + ": " + ec.message());
        if (auto r = mount_fs(m.source.c_str(), m.target.c_str(), nullptr, MS_BIND); !r) return r;
    }
    // Node names resolve inside the lab (libvirt's migration URIs name the target node), libvirtd
    // finds its user. A lab made by an older holdfast-lab has none of these files: keep the host's.
    for (const auto& f : l.node_files(c->libvirt)) {
        if (!std::filesystem::exists(f.source)) continue;
        if (auto r = mount_fs(f.source.c_str(), f.target.c_str(), nullptr, MS_BIND); !r) return r;
    }
    return {};
}

// Runs in the node's fresh mount namespace: nothing done here is seen by the host.
result<void> prepare_mounts(const lab_layout& l, int node) {
    if (auto r = mount_fs(nullptr, "/", nullptr, MS_REC | MS_PRIVATE); !r) return r;
    // Copies of the host's /run/netns mounts would keep other labs' namespaces alive.
    ::umount2("/run/netns", MNT_DETACH);
    // Bind first: the lab directory may itself live under /run.
    if (auto r = bind_node_dirs(l, node); !r) return r;
    if (auto r = mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC); !r) return r;
    // A /sys that shows the node's own interfaces, as `ip netns exec` gives. Nothing the node runs
    // needs it, so where the kernel refuses (some containers) the node boots without it.
    if (::umount2("/sys", MNT_DETACH) != 0 ||
        ::mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
        note(std::string("sysfs-failed error=\"") + std::strerror(errno) + "\"");
    }
    if (auto r = mount_fs("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"); !r) return r;
    // What resource-agents' tmpfiles.d rule makes at a host's boot (HA_RSCTMP): the agents' state.
    if (::mkdir("/run/resource-agents", 01755) != 0) return fail_errno("cannot make /run/resource-agents");
    // libqb's IPC lives in /dev/shm and names its files after PIDs, which repeat across nodes.
    return mount_fs("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

pid_t start_service(const service& s, const sigset_t& old_mask) {
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    ::setsid();
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    std::vector<char*> argv;
    for (const auto& a : s.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "node-init: cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
}

// Reaps every exited child, naming the services among them.
void reap(std::map<pid_t, std::string>& services) {
    int st = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0) {
        auto it = services.find(pid);
        if (it == services.end()) continue;
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        note("service-exited name=" + it->second + " pid=" + std::to_string(pid) + " status=" + std::to_string(code));
        services.erase(it);
    }
}

// An orderly stop (SIGTERM to PID 1): services in reverse order, then everything else.
void shut_down(std::map<pid_t, std::string>& services) {
    note("shutdown");
    for (auto it = services.rbegin(); it != services.rend(); ++it) ::kill(it->first, SIGTERM);
    for (int i = 0; i < 100 && !services.empty(); ++i) {
        ::usleep(100 * 1000);
        reap(services);
    }
    ::kill(-1, SIGKILL);
}

}  // namespace

int node_init_main(const lab_layout& l, int node) {
    if (::getpid() != 1) {
        std::fprintf(stderr, "holdfast-lab: __node-init is started by 'holdfast-lab up' or 'boot'\n");
        return 2;
    }
    auto name = lab_layout::node_name(node);
    if (auto r = prepare_mounts(l, node); !r) {
        note("failed error=\"" + r.error().message + "\"");
        return 1;
    }
    if (::sethostname(name.c_str(), name.size()) != 0) {
        note(std::string("failed error=\"sethostname: ") + std::strerror(errno) + "\"");
        return 1;
    }
    sigset_t wanted, old_mask;
    sigemptyset(&wanted);
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&wanted, sig);
    ::sigprocmask(SIG_BLOCK, &wanted, &old_mask);
    note("boot node=" + name);
    std::map<pid_t, std::string> services;
    for (const auto& s : boot_sequence(l, node)) {
        pid_t pid = start_service(s, old_mask);
        if (pid < 0) note("service-failed name=" + s.name + " error=fork");
        if (pid > 0) services[pid] = s.name;
        if (pid > 0) note("service-started name=" + s.name + " pid=" + std::to_string(pid));
    }
    for (;;) {
        int sig = ::sigwaitinfo(&wanted, nullptr);
        if (sig == SIGCHLD) reap(services);
        if (sig == SIGTERM) break;
    }
    shut_down(services);
    return 0;
}

}  // namespace holdfast::lab
