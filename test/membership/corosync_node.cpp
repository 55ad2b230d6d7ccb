#include "test/membership/corosync_node.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "membership/cmap.hpp"
#include "membership/votequorum.hpp"

namespace fs = std::filesystem;

namespace holdfast::test {

namespace {

corosync_node the_node;

constexpr int skip_code = 77;
constexpr auto start_deadline = std::chrono::seconds(90);

// With two_node, the nodelist also names node2 (127.0.0.2, never started) and
// votequorum gets two_node (which implies wait_for_all).
std::string corosync_conf(bool two_node) {
    std::string conf = R"(totem {
    version: 2
    cluster_name: holdfast-test
    transport: knet
    token: 1000
    crypto_cipher: aes256
    crypto_hash: sha256
}

nodelist {
    node {
        nodeid: 1
        name: node1
        ring0_addr: 127.0.0.1
    }
)";
    if (two_node) conf += "    node {\n        nodeid: 2\n        name: node2\n        ring0_addr: 127.0.0.2\n    }\n";
    conf += "}\n\nquorum {\n    provider: corosync_votequorum\n";
    if (two_node) conf += "    two_node: 1\n";
    conf += R"(}

logging {
    to_stderr: yes
    to_logfile: no
    to_syslog: no
    timestamp: on
}
)";
    return conf;
}

bool fail(const std::string& what) {
    std::cerr << "membership_corosync: " << what << ": " << std::strerror(errno) << "\n";
    return false;
}

// Fork and exec argv with stdout/stderr appended to `log` ("" = inherit).
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    if (!log.empty()) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(127);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
}

int wait_status(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool bind_private(const fs::path& source, const char* target) {
    std::error_code ec;
    fs::create_directories(source, ec);
    if (mount(source.c_str(), target, nullptr, MS_BIND, nullptr) != 0) return fail(std::string("bind ") + target);
    return true;
}

// Everything corosync writes lands in the temp dir or on private tmpfs.
bool private_mounts(const fs::path& dir) {
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return fail("make / private");
    for (const char* t : {"/run", "/dev/shm"})
        if (mount("tmpfs", t, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) return fail(std::string("tmpfs ") + t);
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) return fail("mount /proc");
    return bind_private(dir / "etc", "/etc/corosync") && bind_private(dir / "lib", "/var/lib/corosync") &&
           bind_private(dir / "log", "/var/log/corosync");
}

bool loopback_up() {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return fail("socket");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    bool ok = ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    close(s);
    return ok || fail("bring lo up");
}

bool write_config() {
    std::error_code ec;
    fs::create_directories("/etc/corosync/uidgid.d", ec);
    std::ofstream("/etc/corosync/corosync.conf") << corosync_conf(false);
    if (run_tool({"/usr/sbin/corosync-keygen", "-k", "/etc/corosync/authkey"}) != 0) {
        std::cerr << "membership_corosync: corosync-keygen failed\n";
        return false;
    }
    return true;
}

// Corosync has formed its first ring and votequorum has synced once it counts
// this node's vote: from then on membership and quorum state are settled.
bool votes_counted() {
    auto v = membership::votequorum_service::open({});
    if (!v) return false;
    auto info = (*v)->info();
    return info && info->total_votes >= 1 && info->state == membership::vq_node_state::member;
}

// Corosync answers once cmap initializes and votes are counted; give it a
// generous deadline.
bool wait_until_ready(pid_t pid) {
    auto deadline = std::chrono::steady_clock::now() + start_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(pid, nullptr, WNOHANG) == pid) {
            std::cerr << "membership_corosync: corosync exited during start\n";
            the_node.pid = -1;
            return false;
        }
        if (membership::cmap_store::open() && votes_counted()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::cerr << "membership_corosync: corosync did not answer in time\n";
    return false;
}

}  // namespace

void stop_corosync() {
    if (the_node.pid <= 0) return;
    kill(the_node.pid, SIGTERM);
    // Orderly exit first; SIGKILL if it hangs (PID 1's exit would also kill it).
    for (int i = 0; i < 200; ++i) {
        if (waitpid(the_node.pid, nullptr, WNOHANG) == the_node.pid) {
            the_node.pid = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(the_node.pid, SIGKILL);
    waitpid(the_node.pid, nullptr, 0);
    the_node.pid = -1;
}

bool start_corosync() {
    the_node.pid = spawn({"/usr/sbin/corosync", "-f"}, the_node.dir + "/corosync.log");
    if (the_node.pid < 0) return fail("fork corosync");
    return wait_until_ready(the_node.pid);
}

bool restart_corosync(bool two_node) {
    stop_corosync();
    std::ofstream("/etc/corosync/corosync.conf") << corosync_conf(two_node);
    return start_corosync();
}

namespace {

void dump_log() {
    std::ifstream log(the_node.dir + "/corosync.log");
    std::cerr << "---- corosync output ----\n" << log.rdbuf() << "-------------------------\n";
}

// PID 1 of the new PID namespace: set up, start corosync, run the tests.
int inside(int (*tests)(int, char**), int argc, char** argv) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // the outer process died: take the namespace down
    if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        std::cerr << "membership_corosync: SKIP: cannot create namespaces: " << std::strerror(errno) << "\n";
        return skip_code;
    }
    if (!private_mounts(the_node.dir) || !loopback_up() || !write_config()) return 1;
    if (!start_corosync()) {
        stop_corosync();
        dump_log();
        return 1;
    }
    int rc = tests(argc, argv);
    stop_corosync();
    if (rc != 0) dump_log();
    return rc;
}

}  // namespace

const corosync_node& node() { return the_node; }

int run_tool(const std::vector<std::string>& argv) {
    pid_t pid = spawn(argv, the_node.dir.empty() ? "" : the_node.dir + "/tools.log");
    return pid < 0 ? -1 : wait_status(pid);
}

int with_isolated_corosync(int (*tests)(int, char**), int argc, char** argv) {
    if (geteuid() != 0) {
        std::cerr << "membership_corosync: SKIP: needs root (namespaces, corosync)\n";
        return skip_code;
    }
    char tmpl[] = "/tmp/holdfast-membership-XXXXXX";
    if (!mkdtemp(tmpl)) {
        fail("mkdtemp");
        return 1;
    }
    the_node.dir = tmpl;
    std::cout.flush();
    int rc = 1;
    if (pid_t pid = fork(); pid == 0) {
        // The PID namespace is made in this intermediate process: a process
        // that unshared CLONE_NEWPID can no longer create threads, which
        // LeakSanitizer needs at exit (the outer process, under ASan builds).
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (unshare(CLONE_NEWPID) != 0) {
            std::cerr << "membership_corosync: SKIP: cannot create a PID namespace: " << std::strerror(errno) << "\n";
            _exit(skip_code);
        }
        pid_t init = fork();
        if (init == 0) std::exit(inside(tests, argc, argv));  // exit(): leak checks and flushes run in PID 1
        int code = init < 0 ? -1 : wait_status(init);
        if (code < 0) std::cerr << "membership_corosync: the namespace's PID 1 died abnormally\n";
        _exit(code < 0 ? 1 : code);
    } else if (pid > 0) {
        rc = wait_status(pid);
        if (rc < 0) rc = 1;
    } else {
        fail("fork");
    }
    std::error_code ec;
    fs::remove_all(the_node.dir, ec);
    return rc;
}

}  // namespace holdfast::test
