#include "test/membership/replica_proc.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <sstream>

#include "membership/replica_wire.hpp"
#include "test/membership/test_store.hpp"

namespace holdfast::test {

namespace {

using namespace holdfast::membership;

bool write_all(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        s.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

// Every byte value, reproducibly (xorshift64).
std::string pseudo_random(std::size_t n) {
    std::string out(n, '\0');
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x & 0xff);
    }
    return out;
}

std::string report_line(const cib_replica& rep, const test_store& store) {
    std::ostringstream o;
    auto st = rep.stats();
    o << "synced=" << rep.synced() << " settled=" << rep.settled() << " a=" << store.ver.admin_epoch
      << " e=" << store.ver.epoch << " n=" << store.ver.num_updates << " digest=" << wire::digest(store.snapshot())
      << " keys=" << store.data.size() << " big=" << (store.data.contains("big") ? store.data.at("big").size() : 0)
      << " dropped=" << st.dropped << " stale=" << st.stale << " rejected=" << st.rejected
      << " installs=" << st.installs << " install_failures=" << st.install_failures << " rounds=" << st.rounds;
    auto order = store.data.find("_order");
    o << " order=" << (order == store.data.end() ? "-" : order->second) << " members=";
    for (const auto& m : rep.members()) o << m.pid << ",";
    o << " status=";
    for (const auto& [k, v] : store.data)
        if (k.starts_with("status/")) o << k.substr(7) << ":" << v << ",";
    o << " values=";
    for (const auto& [k, v] : store.data)
        if (k.size() == 2 && k[0] == 'k') o << k << ":" << v << ",";
    return o.str();
}

// One command; returns the reply, or nullopt to end the child.
std::optional<std::string> run_command(const std::string& line, cib_replica& rep, const test_store& store) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    if (verb == "state") return report_line(rep, store);
    if (verb == "submit") {
        int n = 0;
        std::string tag;
        in >> n >> tag;
        for (int i = 0; i < n; ++i)
            if (auto r = rep.submit("k" + std::to_string(i % 5) + "=" + tag + std::to_string(i)); !r)
                return "error " + r.error().to_string();
        return "ok";
    }
    if (verb == "put") {
        std::string key;
        std::size_t size = 0;
        in >> key >> size;
        auto r = rep.submit(key + "=" + pseudo_random(size));
        return r ? "ok" : "error " + r.error().to_string();
    }
    return std::nullopt;  // "leave" or anything unknown
}

// The child's loop; the return value is its exit code.
int child_main(int fd, const replica_config& cfg) {
    test_store store;
    store.ver = cfg.version;
    store.data = cfg.data;
    if (cfg.big) store.data["big"] = pseudo_random(cfg.big);
    store.own = "own-" + std::to_string(getpid());
    auto opened = cib_replica::open(store, replica_options{.group = cfg.group});
    if (!opened) return 2;
    cib_replica& rep = **opened;
    bool joined = false;
    std::string buffer;
    for (;;) {
        if (!joined) {
            auto r = rep.join();
            if (!r && r.error().code != errc::try_again) return 3;
            joined = r.has_value();
        }
        pollfd fds[2] = {{rep.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
        if (poll(fds, 2, joined && rep.backlog() == 0 ? 100 : 20) < 0 && errno != EINTR) return 4;
        if (auto r = rep.dispatch(); !r) return 5;  // also retries a backlog under flow control
        if (!(fds[1].revents & (POLLIN | POLLHUP))) continue;
        char chunk[4096];
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return 0;  // the test is gone
        buffer.append(chunk, static_cast<size_t>(n));
        for (std::size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            auto reply = run_command(line, rep, store);
            if (!reply) {
                bool left = rep.leave().has_value();
                write_all(fd, left ? "ok\n" : "error leave\n");
                return left ? 0 : 6;
            }
            if (!write_all(fd, *reply + "\n")) return 7;
        }
    }
}

std::uint64_t to_u64(const std::string& s) {
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

// "a:b,c:d," -> pairs
std::vector<std::pair<std::string, std::string>> pairs(const std::string& s) {
    std::vector<std::pair<std::string, std::string>> out;
    std::istringstream in(s);
    for (std::string item; std::getline(in, item, ',');) {
        auto colon = item.find(':');
        out.emplace_back(item.substr(0, colon), colon == std::string::npos ? "" : item.substr(colon + 1));
    }
    return out;
}

replica_report parse_report(const std::string& line) {
    std::map<std::string, std::string> f;
    std::istringstream in(line);
    for (std::string tok; in >> tok;) {
        auto eq = tok.find('=');
        if (eq != std::string::npos) f[tok.substr(0, eq)] = tok.substr(eq + 1);
    }
    replica_report r;
    r.synced = f["synced"] == "1";
    r.settled = f["settled"] == "1";
    r.version = {to_u64(f["a"]), to_u64(f["e"]), to_u64(f["n"])};
    r.digest = to_u64(f["digest"]);
    r.order = f["order"];
    r.keys = to_u64(f["keys"]);
    r.big = to_u64(f["big"]);
    r.stats = {to_u64(f["dropped"]),          to_u64(f["stale"]), to_u64(f["rejected"]), to_u64(f["installs"]),
               to_u64(f["install_failures"]), to_u64(f["rounds"])};
    for (const auto& [pid, _] : pairs(f["members"])) r.members.push_back(static_cast<std::uint32_t>(to_u64(pid)));
    for (const auto& [pid, v] : pairs(f["status"])) r.status[static_cast<std::uint32_t>(to_u64(pid))] = v;
    for (const auto& [k, v] : pairs(f["values"])) r.values[k] = v;
    return r;
}

}  // namespace

replica_proc::replica_proc(const replica_config& config) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
        close(sv[0]);
        // _exit: the forked Boost runner must not run its destructors here.
        _exit(child_main(sv[1], config));
    }
    close(sv[1]);
    fd_ = sv[0];
}

replica_proc::~replica_proc() {
    if (fd_ >= 0) close(fd_);
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

std::optional<std::string> replica_proc::ask(const std::string& command) {
    if (fd_ < 0 || !write_all(fd_, command + "\n")) return std::nullopt;
    // A generous hang guard: a 5 MB digest or a flow-controlled send is slow
    // on a loaded machine, but never this slow.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (buffer_.find('\n') == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 500) <= 0) continue;
        char chunk[4096];
        ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        buffer_.append(chunk, static_cast<size_t>(n));
    }
    auto nl = buffer_.find('\n');
    std::string line = buffer_.substr(0, nl);
    buffer_.erase(0, nl + 1);
    return line;
}

std::optional<replica_report> replica_proc::state() {
    auto line = ask("state");
    if (!line) return std::nullopt;
    return parse_report(*line);
}

bool replica_proc::leave() {
    auto reply = ask("leave");
    if (pid_ <= 0) return false;
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return reply == "ok" && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace holdfast::test
