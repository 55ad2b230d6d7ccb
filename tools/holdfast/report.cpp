// holdfast report --since T [--dest FILE.tar.gz]: a support bundle, like
// crm report / pcs cluster report for one node: the CIB, configuration,
// status, history, fencing history, verify's findings, Corosync's
// configuration and state, holdfastd's log and blackbox, versions. Every
// file goes through cib::mask_secrets before it is written; Corosync's
// authkey is never read.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cib/secrets.hpp"
#include "cib/xml.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/history.hpp"

namespace holdfast::tools {
namespace {

namespace fs = std::filesystem;

constexpr const char* report_usage =
    "usage: holdfast report --since T [--dest FILE.tar.gz] [--state-dir DIR] [--log FILE]\n"
    "                       [--corosync-conf FILE] [--socket NAME]\n"
    "       T as for holdfast history (2h, 1d, yesterday, 2026-12-02T12:00:00Z ...)\n";

int usage_error(const std::string& why) {
    std::fprintf(stderr, "holdfast report: %s\n%s", why.c_str(), report_usage);
    return exit_usage;
}

struct fd_guard {
    int fd = -1;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

struct captured {
    int status = -1;  // exit status, -1 when it could not run or was killed
    std::string output;
};

// argv run with stdout and stderr into one pipe, read to its end (killed
// after `limit`). No shell: arguments are never re-parsed.
captured capture(const std::vector<std::string>& argv, std::chrono::seconds limit = std::chrono::seconds(60)) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return {-1, std::string("pipe: ") + std::strerror(errno) + "\n"};
    fd_guard rd{p[0]}, wr{p[1]};
    std::vector<char*> cargv;
    for (const auto& s : argv) cargv.push_back(const_cast<char*>(s.c_str()));
    cargv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return {-1, std::string("fork: ") + std::strerror(errno) + "\n"};
    if (pid == 0) {
        ::dup2(wr.fd, 1);
        ::dup2(wr.fd, 2);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::execvp(cargv[0], cargv.data());
        std::fprintf(stderr, "cannot run %s: %s\n", cargv[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(wr.fd);
    wr.fd = -1;
    captured c;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[65536];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd pfd{rd.fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) == 0) {
            ::kill(pid, SIGKILL);
            c.output += "(killed after " + std::to_string(limit.count()) + " s)\n";
            break;
        }
        const ssize_t n = ::read(rd.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        c.output.append(buf, static_cast<size_t>(n));
    }
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    c.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    return c;
}

std::string self_exe() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("holdfast") : p.string();
}

std::string host_name() {
    char buf[HOST_NAME_MAX + 1] = {};
    return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : std::string("localhost");
}

std::string stamp(std::time_t t, const char* format) {
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

// The bundle's directory while it is built: every file masked, and a line
// in MANIFEST saying where each came from.
class bundle {
public:
    explicit bundle(fs::path dir) : dir_(std::move(dir)) {}
    void add(const std::string& name, const std::string& text, const std::string& source) {
        std::ofstream(dir_ / name, std::ios::binary) << cib::mask_secrets(text);
        manifest_ += name + ": " + source + "\n";
    }
    void add_run(const std::string& name, const std::vector<std::string>& argv) {
        const captured c = capture(argv);
        std::string cmd;
        for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
        add(name, c.output, cmd + " (exit status " + std::to_string(c.status) + ")");
    }
    void missing(const std::string& name, const std::string& why) {
        manifest_ += name + ": not included: " + why + "\n";
    }
    void finish() { std::ofstream(dir_ / "MANIFEST") << manifest_; }
    const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
    std::string manifest_;
};

struct report_options {
    std::string ipc = default_ipc_name();
    std::time_t since = 0;
    std::string dest;
    std::string state_dir = "/var/lib/holdfast";
    std::string log_file;
    std::string corosync_conf = "/etc/corosync/corosync.conf";
};

}  // namespace

namespace {

std::string utc_iso(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// What the daemon says, through this very binary's own commands.
void add_daemon_views(bundle& b, const report_options& o) {
    const std::string self = self_exe();
    b.add_run("cib.xml", {self, "cib", "show", "--xml", "--socket", o.ipc});
    b.add_run("configuration.crm", {self, "configure", "show", "--socket", o.ipc});
    b.add_run("status.txt", {self, "status", "--socket", o.ipc});
    b.add_run("history.txt", {self, "history", "--since", utc_iso(o.since), "--socket", o.ipc});
    b.add_run("fence-history.txt", {self, "fence", "history", "--socket", o.ipc});
    b.add_run("verify.txt", {self, "configure", "verify", "--socket", o.ipc});
    std::string versions = capture({self, "--version"}).output;
    auto ping = ask_daemon(o.ipc, daemon::request_type::ping);
    versions += "holdfastd: " + (ping ? *ping : ping.error().message + "\n");
    versions += "uname: " + capture({"uname", "-a"}).output;
    versions += capture({"dpkg-query", "-W", "holdfast", "corosync", "libqb100", "pacemaker-common", "fence-agents",
                         "resource-agents"})
                    .output;
    b.add("versions.txt", versions, "holdfast --version, holdfastd's ping, uname -a, dpkg-query -W");
}

void add_corosync(bundle& b, const report_options& o) {
    // corosync.conf only: the authkey next to it is the cluster's secret
    if (fs::exists(o.corosync_conf))
        b.add("corosync.conf", read_file(o.corosync_conf), o.corosync_conf);
    else
        b.missing("corosync.conf", o.corosync_conf + " does not exist");
    for (const auto& [file, tool] : {std::pair{"corosync-cfgtool.txt", "corosync-cfgtool"},
                                     std::pair{"corosync-quorumtool.txt", "corosync-quorumtool"}}) {
        const std::string path = std::string("/usr/sbin/") + tool;
        if (::access(path.c_str(), X_OK) == 0)
            b.add_run(file, {path, "-s"});
        else
            b.missing(file, path + " is not installed");
    }
}

// holdfastd's log for the period: --log FILE (whole), else the journal,
// else the syslog file's holdfastd lines.
void add_log(bundle& b, const report_options& o) {
    if (!o.log_file.empty()) {
        if (fs::exists(o.log_file))
            b.add("holdfastd.log", read_file(o.log_file), o.log_file + " (the whole file)");
        else
            b.missing("holdfastd.log", o.log_file + " does not exist");
        return;
    }
    const std::vector<std::string> journal = {"journalctl", "-u", "holdfastd", "--since", "@" + std::to_string(o.since),
                                              "--no-pager", "-o", "short-iso"};
    const captured j = capture(journal);
    if (j.status == 0 && j.output.find("-- No entries --") == std::string::npos && !j.output.empty()) {
        b.add("holdfastd.log", j.output, "journalctl -u holdfastd --since @" + std::to_string(o.since));
        return;
    }
    for (const char* syslog : {"/var/log/syslog", "/var/log/messages"}) {
        std::ifstream in(syslog);
        if (!in) continue;
        std::string line, out;
        while (std::getline(in, line))
            if (line.find("holdfastd") != std::string::npos) out += line + "\n";
        b.add("holdfastd.log", out, std::string(syslog) + ", the lines naming holdfastd (all of them, not only since)");
        return;
    }
    b.missing("holdfastd.log", "no journal entries for holdfastd and no syslog file");
}

std::vector<fs::path> blackbox_dumps(const fs::path& dir, const std::string& pid) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename().string().rfind("blackbox-" + pid + "-", 0) == 0) out.push_back(e.path());
    return out;
}

// SIGUSR1 makes holdfastd write its blackbox into its state dir (daemon/log.hpp);
// qb-blackbox reads it out as text.
void add_blackbox(bundle& b, const report_options& o) {
    auto ping = ask_daemon(o.ipc, daemon::request_type::ping);
    if (!ping) return b.missing("blackbox.txt", "holdfastd does not answer: " + ping.error().message);
    cib::xml::doc_ptr doc(xmlReadMemory(ping->data(), static_cast<int>(ping->size()), "ping", nullptr,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    const std::string pid = doc ? cib::xml::attr(xmlDocGetRootElement(doc.get()), "pid") : std::string();
    if (pid.empty()) return b.missing("blackbox.txt", "holdfastd did not say its pid");
    const auto before = blackbox_dumps(o.state_dir, pid);
    if (::kill(static_cast<pid_t>(std::atoi(pid.c_str())), SIGUSR1) != 0)
        return b.missing("blackbox.txt", "cannot signal holdfastd (pid " + pid + "): " + std::strerror(errno));
    for (int i = 0; i < 50; ++i) {
        for (const auto& p : blackbox_dumps(o.state_dir, pid)) {
            if (std::find(before.begin(), before.end(), p) != before.end()) continue;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its writer finishes
            if (::access("/usr/sbin/qb-blackbox", X_OK) != 0)
                return b.missing("blackbox.txt",
                                 "qb-blackbox (libqb-tools) is not installed; the dump is " + p.string());
            return b.add("blackbox.txt", capture({"/usr/sbin/qb-blackbox", p.string()}).output,
                         "qb-blackbox " + p.string());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    b.missing("blackbox.txt", "no new dump in " + o.state_dir + " (is it holdfastd's --state-dir?)");
}

std::optional<report_options> parse_options(const args& a, int& rc) {
    report_options o;
    bool have_since = false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto value = [&](const char* opt) -> std::optional<std::string> {
            const std::string eq = std::string(opt) + "=";
            if (a[i].rfind(eq, 0) == 0) return a[i].substr(eq.size());
            if (a[i] == opt && i + 1 < a.size()) return a[++i];
            return std::nullopt;
        };
        if (auto v = value("--since")) {
            auto t = parse_since(*v, std::time(nullptr));
            if (!t) return rc = usage_error("cannot read the time '" + *v + "'"), std::nullopt;
            o.since = *t;
            have_since = true;
        } else if (auto d = value("--dest")) {
            o.dest = *d;
        } else if (auto s = value("--state-dir")) {
            o.state_dir = *s;
        } else if (auto l = value("--log")) {
            o.log_file = *l;
        } else if (auto c = value("--corosync-conf")) {
            o.corosync_conf = *c;
        } else if (!take_ipc_option(a, i, o.ipc)) {
            return rc = usage_error("unknown or incomplete option '" + a[i] + "'"), std::nullopt;
        }
    }
    if (!have_since) return rc = usage_error("--since T is required"), std::nullopt;
    return o;
}

}  // namespace

int run_report(const args& a) {
    int rc = 0;
    auto o = parse_options(a, rc);
    if (!o) return rc;
    const std::time_t now = std::time(nullptr);
    const std::string name = "holdfast-report-" + host_name() + "-" + stamp(now, "%Y%m%d-%H%M%S");
    if (o->dest.empty()) o->dest = name + ".tar.gz";
    if (o->dest.size() < 7 || o->dest.compare(o->dest.size() - 7, 7, ".tar.gz") != 0)
        return usage_error("--dest must end in .tar.gz: '" + o->dest + "'");
    char tmpl[] = "/tmp/holdfast-report-XXXXXX";
    if (!::mkdtemp(tmpl)) {
        std::fprintf(stderr, "holdfast report: cannot make a temporary directory: %s\n", std::strerror(errno));
        return exit_error;
    }
    const fs::path tmp = tmpl;
    const std::string top =
        fs::path(o->dest).filename().string().substr(0, fs::path(o->dest).filename().string().size() - 7);
    bundle b(tmp / top);
    fs::create_directory(b.dir());
    b.add("since.txt", utc_iso(o->since) + " to " + utc_iso(now) + " (node " + host_name() + ")\n", "the period");
    add_daemon_views(b, *o);
    add_corosync(b, *o);
    add_log(b, *o);
    add_blackbox(b, *o);
    b.finish();
    const std::string dest = fs::absolute(o->dest).string();
    const captured tar = capture({"tar", "-czf", dest, "-C", tmp.string(), top});
    std::error_code ec;
    fs::remove_all(tmp, ec);
    if (tar.status != 0) {
        std::fprintf(stderr, "holdfast report: cannot write %s: %s", dest.c_str(), tar.output.c_str());
        return exit_error;
    }
    std::printf("%s\n", dest.c_str());
    return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace holdfast::tools
