// A private tgtd for one test run (tgtd_target.hpp).
#include "test/scsi/tgtd_target.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace holdfast::test {
namespace {

constexpr const char* tgtd_bin = "/usr/sbin/tgtd";
constexpr const char* tgtadm_bin = "/usr/sbin/tgtadm";

// A port the kernel just handed out on loopback; tgtd binds it right after.
int free_port() {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    close(s);
    return port;
}

// A control port number no running tgtd uses (its socket file is absent).
int free_control_port() {
    for (int n = 100 + getpid() % 800, tries = 0; tries < 800; ++tries, n = 100 + (n - 99) % 800) {
        const std::string sock = "/var/run/tgtd/socket." + std::to_string(n);
        if (access(sock.c_str(), F_OK) != 0) return n;
    }
    return -1;
}

int run_quiet(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

}  // namespace

std::string tgtd_target::unavailable_reason() {
    if (geteuid() != 0) return "needs root (tgtd); CI runs as root";
    if (access(tgtd_bin, X_OK) != 0 || access(tgtadm_bin, X_OK) != 0) return "tgtd/tgtadm not installed (package tgt)";
    return {};
}

bool tgtd_target::tgtadm(const std::string& args) const {
    return run_quiet(std::string(tgtadm_bin) + " -C " + std::to_string(control_) + " --lld iscsi " + args) == 0;
}

std::unique_ptr<tgtd_target> tgtd_target::start(std::string* why) {
    auto t = std::make_unique<tgtd_target>();
    t->control_ = free_control_port();
    t->port_ = free_port();
    t->iqn_ = "iqn.2026-12.org.holdfast.test:pr" + std::to_string(getpid());
    char tmpl[] = "/tmp/holdfast-tgtd-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (t->control_ < 0 || t->port_ < 0 || fd < 0 || ftruncate(fd, 8 << 20) != 0) {
        *why = "no free port, control port or backing file";
        if (fd >= 0) close(fd), unlink(tmpl);
        return nullptr;
    }
    close(fd);
    t->backing_ = tmpl;
    const std::string portal = "portal=127.0.0.1:" + std::to_string(t->port_);
    const std::string control = std::to_string(t->control_);
    const pid_t parent = getpid();
    t->pid_ = fork();
    if (t->pid_ == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        const int null = open("/dev/null", O_RDWR);
        dup2(null, 0), dup2(null, 1), dup2(null, 2);
        execl(tgtd_bin, tgtd_bin, "-f", "-C", control.c_str(), "--iscsi", portal.c_str(), nullptr);
        _exit(127);
    }
    if (t->pid_ < 0) {
        *why = "fork failed";
        return nullptr;
    }
    // tgtd answers on its control socket within about 0.2 s; generous deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!t->tgtadm("--mode system --op show")) {
        if (std::chrono::steady_clock::now() > deadline || waitpid(t->pid_, nullptr, WNOHANG) == t->pid_) {
            *why = "tgtd did not come up on control port " + control;
            return nullptr;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!t->tgtadm("--mode target --op new --tid 1 --targetname " + t->iqn_) ||
        !t->tgtadm("--mode logicalunit --op new --tid 1 --lun 1 --backing-store " + t->backing_) ||
        !t->tgtadm("--mode target --op bind --tid 1 --initiator-address ALL")) {
        *why = "tgtadm could not set up the target";
        return nullptr;
    }
    return t;
}

tgtd_target::~tgtd_target() {
    if (pid_ > 0) {
        if (waitpid(pid_, nullptr, WNOHANG) == 0) {
            tgtadm("--mode target --op delete --tid 1 --force");
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        const std::string sock = "/var/run/tgtd/socket." + std::to_string(control_);
        unlink(sock.c_str());
        unlink((sock + ".lock").c_str());
    }
    if (!backing_.empty()) unlink(backing_.c_str());
}

std::string tgtd_target::url() const { return "iscsi://127.0.0.1:" + std::to_string(port_) + "/" + iqn_ + "/1"; }

}  // namespace holdfast::test
