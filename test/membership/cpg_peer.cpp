#include "test/membership/cpg_peer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "membership/cpg.hpp"
#include "test/membership/pump.hpp"

namespace holdfast::test {

namespace {

using namespace holdfast::membership;

bool write_all(int fd, const std::string& s) {
    std::string_view rest = s;
    while (!rest.empty()) {
        ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n <= 0) return false;
        rest.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

// The peer's whole life; the return value is its exit code.
int peer_main(int fd, const std::string& group, std::size_t expect_members, const std::string& tag, int count,
              std::size_t total) {
    std::vector<std::string> lines;
    std::vector<cpg_member> members;
    auto g = cpg_group::open({.deliver =
                                  [&](const cpg_message& m) {
                                      lines.push_back(
                                          "D " + std::to_string(m.nodeid) + " " + std::to_string(m.pid) + " " +
                                          std::string(reinterpret_cast<const char*>(m.data.data()), m.data.size()));
                                  },
                              .confchg = [&](const cpg_confchg& c) { members = c.members; },
                              .totem = {}});
    if (!g) return 2;
    cpg_group& cpg = **g;
    auto retry = [&](auto op) {
        return pump_until({source_of(cpg)},
                          [&] {
                              auto r = op();
                              return r.has_value() || r.error().code != errc::try_again;
                          })
            .empty();
    };
    if (!retry([&] { return cpg.join(group); })) return 3;
    if (!pump_until({source_of(cpg)}, [&] { return members.size() >= expect_members; }).empty()) return 4;
    std::string m = "M";
    for (const auto& mem : members) m += " " + std::to_string(mem.pid);
    for (int i = 0; i < count; ++i)
        if (!retry([&] { return cpg.send(tag + std::to_string(i)); })) return 5;
    if (!pump_until({source_of(cpg)}, [&] { return lines.size() >= total; }).empty()) return 6;
    std::string report = m + "\n";
    for (const auto& l : lines) report += l + "\n";
    if (!write_all(fd, report)) return 7;
    if (!cpg.leave()) return 8;
    return 0;
}

}  // namespace

cpg_peer::cpg_peer(const std::string& group, std::size_t expect_members, const std::string& tag, int count,
                   std::size_t total) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
        close(fds[0]);
        // _exit: the forked Boost runner and the parent's handles must not
        // run their destructors in this process.
        _exit(peer_main(fds[1], group, expect_members, tag, count, total));
    }
    close(fds[1]);
    read_fd_ = fds[0];
}

cpg_peer::~cpg_peer() {
    if (read_fd_ >= 0) close(read_fd_);
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

std::vector<std::string> cpg_peer::finish() {
    std::string all;
    char buf[4096];
    ssize_t n;
    while (read_fd_ >= 0 && (n = ::read(read_fd_, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        all.append(buf, static_cast<size_t>(n));
    }
    if (pid_ > 0) {
        int status = 0;
        waitpid(pid_, &status, 0);
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
    }
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = all.find('\n', start)) != std::string::npos; start = nl + 1)
        lines.push_back(all.substr(start, nl - start));
    return lines;
}

}  // namespace holdfast::test
