#include "tools/holdfast/cluster_run.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>

namespace holdfast::tools::cluster {

namespace {

struct fd_closer {
    int fd = -1;
    ~fd_closer() {
        if (fd >= 0) ::close(fd);
    }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

[[noreturn]] void exec_child(const std::vector<std::string>& argv, int in, int out, int err) {
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::close_range(3, ~0u, 0);
    ::signal(SIGPIPE, SIG_DFL);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
}

// Feeds `input` and drains both outputs together, so neither side blocks on a full pipe.
void pump(int in, int out, int err, const std::string& input, run_result& r) {
    size_t sent = 0;
    fd_closer w{in};
    if (input.empty()) w.reset();
    pollfd fds[3] = {{out, POLLIN, 0}, {err, POLLIN, 0}, {w.fd, POLLOUT, 0}};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        fds[2].fd = w.fd;
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[8192];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0)
                (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR)
                fds[i].fd = -1;
        }
        if (w.fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = ::write(w.fd, input.data() + sent, input.size() - sent);
            if (n > 0) sent += static_cast<size_t>(n);
            if ((n < 0 && errno != EINTR && errno != EAGAIN) || sent == input.size()) w.reset();
        }
    }
}

}  // namespace

std::string run_result::why() const {
    auto line = err.substr(0, err.find('\n'));
    if (!line.empty()) return line;
    return "exit status " + std::to_string(status);
}

run_result run_process(const std::vector<std::string>& argv, const std::string& input) {
    run_result r;
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return {127, "", std::string("pipe: ") + std::strerror(errno)};
    fd_closer in_r{in[0]}, in_w{in[1]};
    if (::pipe2(out, O_CLOEXEC) != 0) return {127, "", std::string("pipe: ") + std::strerror(errno)};
    fd_closer out_r{out[0]}, out_w{out[1]};
    if (::pipe2(err, O_CLOEXEC) != 0) return {127, "", std::string("pipe: ") + std::strerror(errno)};
    fd_closer err_r{err[0]}, err_w{err[1]};
    // a remote side that stops reading must not kill us
    ::signal(SIGPIPE, SIG_IGN);
    pid_t pid = ::fork();
    if (pid < 0) return {127, "", std::string("fork: ") + std::strerror(errno)};
    if (pid == 0) exec_child(argv, in[0], out[1], err[1]);
    in_r.reset();
    out_w.reset();
    err_w.reset();
    const int w = in_w.fd;
    in_w.fd = -1;  // pump owns it now
    pump(w, out[0], err[0], input, r);
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

settings default_settings() {
    settings s;
    if (const char* d = std::getenv("HOLDFAST_COROSYNC_DIR"); d && *d) s.corosync_dir = d;
    if (const char* m = std::getenv("HOLDFAST_SERVICE_MANAGER"); m && *m) s.service_manager = m;
    if (const char* o = std::getenv("HOLDFAST_SSH")) {
        std::istringstream words(o);
        for (std::string w; words >> w;) s.ssh_options.push_back(w);
    }
    utsname u{};
    if (::uname(&u) == 0) s.node_name = u.nodename;
    return s;
}

run_result run_on(const settings& s, const std::string& host, const std::vector<std::string>& argv,
                  const std::string& input) {
    if (host.empty()) return run_process(argv, input);
    std::vector<std::string> ssh{"ssh", "-o", "BatchMode=yes"};
    ssh.insert(ssh.end(), s.ssh_options.begin(), s.ssh_options.end());
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + shell_quote(a);
    ssh.insert(ssh.end(), {"root@" + host, "--", command});
    auto r = run_process(ssh, input);
    if (r.status == 255) r.err = "ssh root@" + host + ": " + r.why();  // ssh's own failure, not the command's
    return r;
}

expected<void, std::string> write_file_on(const settings& s, const std::string& host, const std::filesystem::path& path,
                                          const std::string& content, unsigned mode) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    const std::string tmp = (path.parent_path() / ("." + path.filename().string() + ".holdfast-new")).string();
    const std::string script = "umask 077 && mkdir -p " + shell_quote(path.parent_path().string()) + " && cat > " +
                               shell_quote(tmp) + " && chmod " + octal + " " + shell_quote(tmp) + " && mv -f " +
                               shell_quote(tmp) + " " + shell_quote(path.string());
    auto r = run_on(s, host, {"sh", "-c", script}, content);
    if (!r.ok())
        return unexpected((host.empty() ? "" : host + ": ") + "cannot write " + path.string() + ": " + r.why());
    return {};
}

expected<std::string, std::string> read_file_on(const settings& s, const std::string& host,
                                                const std::filesystem::path& path) {
    auto r = run_on(s, host, {"cat", path.string()});
    if (!r.ok()) return unexpected((host.empty() ? "" : host + ": ") + "cannot read " + path.string() + ": " + r.why());
    return r.out;
}

expected<void, std::string> services_on(const settings& s, const std::string& host, const std::string& verb,
                                        const std::vector<std::string>& units) {
    for (const auto& unit : units) {
        auto r = run_on(s, host, {s.service_manager, verb, unit});
        if (!r.ok())
            return unexpected((host.empty() ? s.node_name : host) + ": " + s.service_manager + " " + verb + " " + unit +
                              ": " + r.why());
    }
    return {};
}

expected<std::string, std::string> resolve(const std::string& name) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0)
        return unexpected("cannot resolve '" + name + "': " + ::gai_strerror(rc) + " (give NODE=ADDR)");
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
    char text[INET6_ADDRSTRLEN] = {};
    const void* where = found->ai_family == AF_INET
                            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr)
                            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(found->ai_addr)->sin6_addr);
    if (!::inet_ntop(found->ai_family, where, text, sizeof text)) return unexpected("cannot resolve '" + name + "'");
    return std::string(text);
}

}  // namespace holdfast::tools::cluster
