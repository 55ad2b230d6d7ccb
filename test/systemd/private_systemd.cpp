// A systemd of the test's own in private namespaces (see private_systemd.hpp).
#include "test/systemd/private_systemd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace holdfast::test {

namespace fs = std::filesystem;

namespace {

constexpr const char* systemd_bin = "/lib/systemd/systemd";
constexpr const char* unshare_bin = "/usr/bin/unshare";
constexpr const char* setpriv_bin = "/usr/bin/setpriv";
constexpr const char* nsenter_bin = "/usr/bin/nsenter";
constexpr const char* systemctl_bin = "/usr/bin/systemctl";
const std::vector<std::string> plain_env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"};

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Where the cgroup2 hierarchy is mounted (/sys/fs/cgroup, or
// /sys/fs/cgroup/unified on a hybrid host); "" when nowhere.
std::string cgroup2_mount() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        const auto dash = line.find(" - ");
        if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
        std::istringstream fields(line.substr(0, dash));
        std::string id, parent, dev, root, point;
        fields >> id >> parent >> dev >> root >> point;
        return point;
    }
    return "";
}

// This process's cgroup in the unified hierarchy ("0::/path").
std::string own_cgroup() {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0) return line.substr(3);
    return "/";
}

bool exited(const ra::child_process& c) {
    pollfd p{c.pidfd(), POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

// Waits (bounded, for slow machines) until `ready` holds or the child is gone.
template <typename F>
bool wait_until(const ra::child_process& c, F ready) {
    for (int i = 0; i < 600; ++i) {
        if (ready()) return true;
        if (exited(c)) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

// Removes a cgroup and the ones below it once no process is left in them.
void remove_cgroup_tree(const fs::path& top) {
    if (!fs::exists(top)) return;
    // Killed processes leave their cgroups asynchronously
    for (int i = 0; i < 200 && read_file(top / "cgroup.events").find("populated 1") != std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::vector<fs::path> dirs{top};
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        if (it->is_directory()) dirs.push_back(it->path());
    std::sort(dirs.begin(), dirs.end(),
              [](const fs::path& a, const fs::path& b) { return a.string().size() > b.string().size(); });
    for (const auto& p : dirs) ::rmdir(p.c_str());
}

// What an earlier run killed outright (SIGKILL, a ctest timeout) left: its
// processes died with it, its cgroups and directory did not. Named after the
// PID of the run; only runs that are gone are swept.
void sweep_leftovers(const fs::path& cgroup_parent) {
    std::error_code ec;
    for (const auto& [parent, prefix] : {std::pair{cgroup_parent, std::string("holdfast-systemd-test-")},
                                         std::pair{fs::path("/tmp"), std::string("holdfast-systemd-")}}) {
        for (const auto& e : fs::directory_iterator(parent, ec)) {
            const std::string name = e.path().filename().string();
            if (name.rfind(prefix, 0) != 0) continue;
            const pid_t owner = std::atoi(name.c_str() + prefix.size());
            if (owner <= 0 || owner == getpid() || ::kill(owner, 0) == 0) continue;
            if (parent == "/tmp")
                fs::remove_all(e.path(), ec);
            else
                remove_cgroup_tree(e.path());
        }
    }
}

}  // namespace

std::string private_systemd::unavailable_reason() {
    if (geteuid() != 0) return "not root (a private systemd needs PID, mount and cgroup namespaces)";
    for (const char* bin : {systemd_bin, unshare_bin, setpriv_bin, nsenter_bin, systemctl_bin})
        if (access(bin, X_OK) != 0) return std::string(bin) + " is missing";
    if (cgroup2_mount().empty()) return "no cgroup2 hierarchy is mounted";
    return "";
}

private_systemd::private_systemd(const std::map<std::string, std::string>& units) {
    std::string tmpl = "/tmp/holdfast-systemd-" + std::to_string(getpid()) + "-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
        boot_error_ = "mkdtemp failed";
        return;
    }
    dir_ = tmpl;
    fs::create_directories(dir_ / "units");
    for (const auto& [name, text] : units) std::ofstream(dir_ / "units" / name) << text;
    boot_error_ = boot();
}

std::string private_systemd::boot() {
    static int serial = 0;
    const fs::path parent = fs::path(cgroup2_mount()) / fs::path(own_cgroup()).relative_path();
    sweep_leftovers(parent);
    cgroup_ = parent / ("holdfast-systemd-test-" + std::to_string(getpid()) + "-" + std::to_string(++serial));
    std::error_code ec;
    if (!fs::create_directory(cgroup_, ec)) return "cannot make cgroup " + cgroup_.string() + ": " + ec.message();
    const std::string d = dir_.string();
    // The shell joins the new cgroup, so the cgroup namespace unshare makes
    // is rooted there and systemd manages only that subtree. Should this
    // process die without its destructors (a ctest timeout), unshare dies
    // with it and takes systemd, and so the namespace, along.
    // systemd (PID 1) logs to the console only when it is a terminal; to
    // "kmsg" it just writes, so a file bound over /dev/kmsg is its log
    const std::string init =
        "set -e; mount -t tmpfs -o mode=0755 tmpfs /run; : > " + d + "/systemd.log; mount --bind " + d +
        "/systemd.log /dev/kmsg; umount -l /sys/fs/cgroup 2>/dev/null || true; "
        "mount -t cgroup2 cgroup2 /sys/fs/cgroup; exec env SYSTEMD_UNIT_PATH=/run/systemd/system:" +
        d + "/units container=holdfast-test " + systemd_bin +
        " --system --unit=holdfast-test.target --log-target=kmsg --log-level=info";
    const std::string outer = "echo $$ > " + (cgroup_ / "cgroup.procs").string() + " && exec " + setpriv_bin +
                              " --pdeathsig KILL " + unshare_bin +
                              " --kill-child=KILL --mount --pid --cgroup --fork --mount-proc --propagation private "
                              "/bin/sh -c '" +
                              init + "'";
    auto child = ra::child_process::spawn({"/bin/sh", "-c", outer}, plain_env);
    if (!child) return "cannot start unshare: " + child.error().message;
    child_.emplace(std::move(*child));
    const std::string children =
        "/proc/" + std::to_string(child_->pid()) + "/task/" + std::to_string(child_->pid()) + "/children";
    const bool forked = wait_until(*child_, [&] {
        init_pid_ = std::atoi(read_file(children).c_str());
        return init_pid_ > 0;
    });
    const bool up = forked && wait_until(*child_, [&] {
                        return fs::exists("/proc/" + std::to_string(init_pid_) + "/root/run/systemd/private");
                    });
    if (up) return enter_pid_namespace();
    std::string why = "systemd did not come up";
    if (exited(*child_)) {
        if (auto e = child_->reap()) why += " (unshare exited " + std::to_string(e->code) + ": " + e->err + ")";
        child_.reset();
    }
    return why + "; its log: " + log();
}

// systemd's private bus lets a peer in only when SO_PEERCRED names it, and
// the kernel reports no PID for a peer outside the receiver's PID namespace:
// the programs this process starts from now on (the executor's helpers) live
// in systemd's namespace, as they would on a host where systemd is PID 1.
std::string private_systemd::enter_pid_namespace() {
    host_pidns_ = ::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
    const int ns = ::open(("/proc/" + std::to_string(init_pid_) + "/ns/pid").c_str(), O_RDONLY | O_CLOEXEC);
    const bool ok = host_pidns_ >= 0 && ns >= 0 && ::setns(ns, CLONE_NEWPID) == 0;
    const int err = errno;
    if (ns >= 0) ::close(ns);
    return ok ? "" : std::string("cannot enter systemd's PID namespace: ") + std::strerror(err);
}

private_systemd::~private_systemd() {
    if (host_pidns_ >= 0) {
        ::setns(host_pidns_, CLONE_NEWPID);
        ::close(host_pidns_);
    }
    // cgroup.kill reaches everything systemd started, even what left the
    // PID namespace's process tree; SIGKILL of PID 1 ends the namespace
    if (!cgroup_.empty()) std::ofstream(cgroup_ / "cgroup.kill") << "1";
    if (init_pid_ > 0) ::kill(init_pid_, SIGKILL);
    child_.reset();  // kills unshare's group if need be, and reaps it
    if (!cgroup_.empty()) remove_cgroup_tree(cgroup_);
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string private_systemd::bus_address() const {
    return "unix:path=/proc/" + std::to_string(init_pid_) + "/root/run/systemd/private";
}

fs::path private_systemd::runtime_unit_dir() const {
    return "/proc/" + std::to_string(init_pid_) + "/root/run/systemd/system";
}

std::string private_systemd::log() const { return dir_.empty() ? "" : read_file(dir_ / "systemd.log"); }

std::pair<int, std::string> private_systemd::systemctl(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{nsenter_bin, "-t", std::to_string(init_pid_), "-m", "-p", systemctl_bin};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = ra::child_process::spawn(argv, plain_env);
    if (!child) return {-1, child.error().message};
    auto e = child->wait_for(30000);
    if (!e || !e->exited) return {-1, e ? e->err : e.error().message};
    return {e->code, e->out};
}

}  // namespace holdfast::test
