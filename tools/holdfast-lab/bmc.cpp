#include "tools/holdfast-lab/bmc.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "tools/holdfast-lab/lab.hpp"
#include "tools/holdfast-lab/network.hpp"
#include "tools/holdfast-lab/node.hpp"
#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

namespace {

using namespace std::chrono_literals;

// ipmi_sim's serial port for the VM codec: without one, every chassis control fails with "Invalid
// data field in request". Nothing connects to it; it is on the switch's own loopback.
constexpr int serial_port_base = 9000;

std::string lan_conf(const lab_layout& l, int node) {
    auto dir = l.bmc_dir(node).string();
    return "name \"" + lab_layout::node_name(node) +
           "\"\n"
           "set_working_mc 0x20\n"
           "  startlan 1\n"
           "    addr " +
           l.bmc_address(node) +
           " 623\n"
           "    priv_limit admin\n"
           "    allowed_auths_callback none md2 md5 straight\n"
           "    allowed_auths_user none md2 md5 straight\n"
           "    allowed_auths_operator none md2 md5 straight\n"
           "    allowed_auths_admin none md2 md5 straight\n"
           "    guid a123456789abcdefa123456789abcdef\n"
           "  endlan\n"
           "  serial 15 127.0.0.1 " +
           std::to_string(serial_port_base + node) + " codec VM\n" + "  startcmd \"" + dir +
           "/power\"\n"
           "  startnow true\n"
           "  poweroff_wait 1\n"
           "  kill_wait 1\n"
           "  user 2 true \"" +
           bmc_user + "\" \"" + bmc_password + "\" admin 10 none md2 md5 straight\n";
}

const char* const emu_file =
    "mc_setbmc 0x20\n"
    "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\n"
    "mc_enable 0x20\n";

// Forks argv as a daemon in the switch's network namespace (its own session, output to `log`) and
// returns its PID. It stays in the host's other namespaces: it reaches the lab's directory.
result<pid_t> spawn_on_switch(const lab_layout& l, const std::vector<std::string>& argv,
                              const std::filesystem::path& log) {
    auto netns = open_fd(netns_path(l.switch_ns()), O_RDONLY);
    if (!netns) return holdfast::unexpected(netns.error());
    auto out = open_fd(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (!out) return holdfast::unexpected(out.error());
    std::vector<const char*> args;
    for (const auto& a : argv) args.push_back(a.c_str());
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return fail_errno("fork");
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
        ::setsid();
        if (::setns(netns->get(), CLONE_NEWNET) != 0) ::_exit(126);
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(out->get(), 1);
        ::dup2(out->get(), 2);
        ::close_range(3, ~0u, 0);
        ::execvp(args[0], const_cast<char* const*>(args.data()));
        std::fprintf(stderr, "holdfast-lab: cannot run %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    return pid;
}

result<void> save_daemon_pid(const std::filesystem::path& file, pid_t pid) {
    auto info = proc_stat(pid);
    if (!info) return fail(errc::command, "a device daemon died at once; see its log beside " + file.string());
    return write_file(file, std::to_string(pid) + " " + std::to_string(info->start_time) + " 0\n");
}

bool daemon_alive(const std::filesystem::path& file) {
    auto text = read_file(file);
    if (!text) return false;
    pid_record r;
    if (std::sscanf(text->c_str(), "%d %llu", &r.pid, &r.start_time) != 2) return false;
    return alive(r);
}

result<void> ip_switch(const lab_layout& l, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"ip", "-n", l.switch_ns()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_ok(argv);
    if (!r) return holdfast::unexpected(r.error());
    return {};
}

// Whether ADDR is configured on the switch's bridge.
bool on_bridge(const lab_layout& l, const std::string& addr) {
    auto out = run_ok({"ip", "-n", l.switch_ns(), "-o", "-4", "addr", "show", "dev", lab_layout::bridge()});
    return out && out->find(" " + addr + "/") != std::string::npos;
}

result<void> set_reachable(const lab_layout& l, const std::string& addr, bool reachable) {
    if (on_bridge(l, addr) == reachable) return {};
    auto cidr = addr + "/" + std::to_string(lab_layout::prefix_length());
    return ip_switch(l, {"addr", reachable ? "add" : "del", cidr, "dev", lab_layout::bridge()});
}

result<run_output> in_switch(const lab_layout& l, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"ip", "netns", "exec", l.switch_ns()});
    run_options opt;
    opt.timeout = 10s;
    return run(argv, opt);
}

result<run_output> ipmitool(const lab_layout& l, int node, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"ipmitool", "-I", "lanplus",           "-C", "3",      "-N", "1",         "-R",
                                  "2",        "-H", l.bmc_address(node), "-U", bmc_user, "-P", bmc_password};
    argv.insert(argv.end(), args.begin(), args.end());
    return in_switch(l, argv);
}

result<void> start_bmc(const lab_layout& l, int node, const std::filesystem::path& exe) {
    auto dir = l.bmc_dir(node);
    std::error_code ec;
    std::filesystem::create_directories(dir / "state", ec);
    if (ec) return fail(errc::io, "cannot create " + dir.string() + ": " + ec.message());
    auto power = "#!/bin/sh\n# " + lab_layout::node_name(node) + "'s power, as its BMC switches it\nexec " +
                 exe.string() + " --dir " + l.dir().string() + " __bmc-power --node " + std::to_string(node) + "\n";
    for (auto r : {write_file(dir / "lan.conf", lan_conf(l, node)), write_file(dir / "node.emu", emu_file),
                   write_file(dir / "power", power, 0755)}) {
        if (!r) return r;
    }
    if (auto r = set_reachable(l, l.bmc_address(node), true); !r) return r;
    auto pid = spawn_on_switch(l,
                               {"ipmi_sim", "-c", (dir / "lan.conf").string(), "-f", (dir / "node.emu").string(), "-s",
                                (dir / "state").string(), "-n"},
                               dir / "ipmi_sim.log");
    if (!pid) return holdfast::unexpected(pid.error());
    return save_daemon_pid(dir / "pid", *pid);
}

}  // namespace

result<void> start_bmcs(const lab_layout& l, int nodes) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return fail(errc::system, "cannot find this program: " + ec.message());
    // ipmi_sim's serial ports are on the switch's loopback.
    if (auto r = ip_switch(l, {"link", "set", "lo", "up"}); !r) return r;
    for (int i = 1; i <= nodes; ++i) {
        if (auto r = start_bmc(l, i, exe); !r) return r;
    }
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (int i = 1; i <= nodes; ++i) {
        while (bmc_state(l, i) != "on") {
            if (std::chrono::steady_clock::now() > deadline) {
                return fail(errc::timeout, lab_layout::node_name(i) + "'s BMC did not answer; see " +
                                               (l.bmc_dir(i) / "ipmi_sim.log").string());
            }
            if (!sleep_for(200ms)) return fail(errc::interrupted, "interrupted");
        }
    }
    return {};
}

result<void> start_lun(const lab_layout& l) {
    auto control = std::to_string(l.tgtd_control());
    if (std::filesystem::exists("/var/run/tgtd/socket." + control)) {
        return fail(errc::state, "tgtd control port " + control + " is taken (another lab's or a stale tgtd)");
    }
    for (int n = 1; n <= lab_layout::lun_count; ++n) {
        auto f = open_fd(l.lun_file(n), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (!f) return holdfast::unexpected(f.error());
        if (::ftruncate(f->get(), 16 << 20) != 0) return fail_errno("cannot size " + l.lun_file(n).string());
    }
    if (auto r = ip_switch(l, {"link", "set", "lo", "up"}); !r) return r;
    if (auto r = set_reachable(l, l.lun_address(), true); !r) return r;
    auto pid = spawn_on_switch(l, {"tgtd", "-f", "-C", control, "--iscsi", "portal=" + l.lun_address() + ":3260"},
                               l.dir() / "tgtd.log");
    if (!pid) return holdfast::unexpected(pid.error());
    if (auto r = save_daemon_pid(l.dir() / "tgtd.pid", *pid); !r) return r;
    auto adm = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"tgtadm", "-C", control, "--lld", "iscsi"});
        return run_ok(args);
    };
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!adm({"--mode", "system", "--op", "show"})) {
        if (std::chrono::steady_clock::now() > deadline || !daemon_alive(l.dir() / "tgtd.pid")) {
            return fail(errc::timeout, "tgtd did not come up; see " + (l.dir() / "tgtd.log").string());
        }
        if (!sleep_for(50ms)) return fail(errc::interrupted, "interrupted");
    }
    std::vector<std::vector<std::string>> steps{
        {"--mode", "target", "--op", "new", "--tid", "1", "--targetname", l.lun_iqn()}};
    for (int n = 1; n <= lab_layout::lun_count; ++n) {
        steps.push_back({"--mode", "logicalunit", "--op", "new", "--tid", "1", "--lun", std::to_string(n),
                         "--backing-store", l.lun_file(n).string()});
    }
    steps.push_back({"--mode", "target", "--op", "bind", "--tid", "1", "--initiator-address", "ALL"});
    for (const auto& step : steps) {
        if (auto r = adm(step); !r) return holdfast::unexpected(r.error());
    }
    return {};
}

void cleanup_lun(const lab_layout& l) {
    std::error_code ec;
    auto socket = "/var/run/tgtd/socket." + std::to_string(l.tgtd_control());
    // Only ours: the lab that made it records tgtd's PID (the socket name is derived from the lab).
    if (!std::filesystem::exists(l.dir() / "tgtd.pid")) return;
    std::filesystem::remove(socket, ec);
    std::filesystem::remove(socket + ".lock", ec);
}

result<void> set_bmc_reachable(const lab_layout& l, int node, bool reachable) {
    return set_reachable(l, l.bmc_address(node), reachable);
}

result<void> set_lun_reachable(const lab_layout& l, bool reachable) {
    return set_reachable(l, l.lun_address(), reachable);
}

std::string bmc_state(const lab_layout& l, int node) {
    if (!daemon_alive(l.bmc_dir(node) / "pid")) return "dead";
    if (!on_bridge(l, l.bmc_address(node))) return "unreachable";
    auto out = ipmitool(l, node, {"chassis", "power", "status"});
    if (!out || out->status != 0) return "unknown";
    if (out->text.find("is on") != std::string::npos) return "on";
    if (out->text.find("is off") != std::string::npos) return "off";
    return "unknown";
}

std::string lun_state(const lab_layout& l) {
    if (!daemon_alive(l.dir() / "tgtd.pid")) return "dead";
    return on_bridge(l, l.lun_address()) ? "up" : "unreachable";
}

int bmc_power_main(const lab_layout& l, int node) {
    // The node's PID 1 is orphaned by boot_node's intermediate child: we reap it.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, nullptr);
    if (!running_node(l, node)) {
        auto lock = lock_lab(l);
        if (!lock) return 1;
        if (!running_node(l, node)) {
            if (auto r = boot_node(l, node); !r) {
                std::fprintf(stderr, "holdfast-lab: power on: %s\n", r.error().message.c_str());
                return 1;
            }
        }
    }
    for (;;) {
        timespec tick{0, 200'000'000};
        if (::sigtimedwait(&term, nullptr, &tick) == SIGTERM) {
            // Power off: like `holdfast-lab kill`.
            auto lock = lock_lab(l);
            if (running_node(l, node)) {
                if (auto r = kill_node(l, node); !r) {
                    std::fprintf(stderr, "holdfast-lab: power off: %s\n", r.error().message.c_str());
                    return 1;
                }
            }
            return 0;
        }
        reap_children();
        // Killed from outside (`holdfast-lab kill`): the power reads off from now on.
        if (!running_node(l, node)) return 0;
    }
}

}  // namespace holdfast::lab
