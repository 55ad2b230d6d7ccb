#include "tools/holdfast-lab/lab.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "tools/holdfast-lab/bmc.hpp"
#include "tools/holdfast-lab/corosync_conf.hpp"
#include "tools/holdfast-lab/libvirt_conf.hpp"
#include "tools/holdfast-lab/network.hpp"
#include "tools/holdfast-lab/node.hpp"
#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

namespace {

using namespace std::chrono_literals;

result<void> make_node_dirs(const lab_layout& l, int node, bool libvirt) {
    std::error_code ec;
    for (const auto& m : l.node_mounts(node, libvirt)) {
        std::filesystem::create_directories(m.source, ec);
        if (ec) return fail(errc::io, "cannot create " + m.source.string() + ": " + ec.message());
    }
    return {};
}

// True once every node is in one quorate membership of all nodes; an error when a node has died
// (its PID 1 failed to boot, or corosync could not start), since waiting longer would not help.
result<bool> converged(const lab_layout& l, int nodes) {
    std::vector<int> all;
    for (int i = 1; i <= nodes; ++i) all.push_back(i);
    bool ok = true;
    for (int i = 1; i <= nodes; ++i) {
        auto v = query_node(l, i);
        if (!v.running) {
            return fail(errc::state, lab_layout::node_name(i) + " died while booting; see " + l.init_log(i).string());
        }
        ok = ok && v.quorate == true && v.members == all;
    }
    return ok;
}

result<void> wait_converged(const lab_layout& l, const up_options& opt) {
    auto deadline = std::chrono::steady_clock::now() + opt.wait_timeout;
    for (;;) {
        auto done = converged(l, opt.config.nodes);
        if (!done) return holdfast::unexpected(done.error());
        if (*done) return {};
        if (std::chrono::steady_clock::now() > deadline) {
            return fail(errc::timeout, "the nodes did not form one quorate membership in time");
        }
        if (!sleep_for(250ms)) return fail(errc::interrupted, "interrupted");
    }
}

result<void> build_lab(const lab_layout& l, const up_options& opt) {
    int n = opt.config.nodes;
    if (auto r = create_switch(l); !r) return r;
    for (int i = 1; i <= n; ++i) {
        if (interrupted()) return fail(errc::interrupted, "interrupted");
        if (auto r = create_node_network(l, i); !r) return r;
        if (auto r = make_node_dirs(l, i, opt.config.libvirt); !r) return r;
    }
    if (auto r = write_corosync_files(l, opt.config); !r) return r;
    if (auto r = write_hosts_file(l, opt.config); !r) return r;
    if (opt.config.libvirt)
        if (auto r = write_libvirt_files(l, opt.config); !r) return r;
    for (int i = 1; i <= n; ++i) {
        if (interrupted()) return fail(errc::interrupted, "interrupted");
        if (auto r = boot_node(l, i); !r) return r;
    }
    if (opt.config.lun)
        if (auto r = start_lun(l); !r) return r;
    if (opt.config.bmc)
        if (auto r = start_bmcs(l, n); !r) return r;
    return opt.wait ? wait_converged(l, opt) : result<void>{};
}

bool dir_is_empty(const std::filesystem::path& dir) {
    std::error_code ec;
    return std::filesystem::directory_iterator(dir, ec) == std::filesystem::directory_iterator();
}

// Every node whose pid file names a live PID 1 (also nodes beyond a lost lab.conf).
std::vector<pid_record> live_nodes(const lab_layout& l) {
    std::vector<pid_record> live;
    for (int i = 1; i <= max_nodes; ++i) {
        if (auto r = load_pid_record(l, i); r && alive(*r)) live.push_back(*r);
    }
    return live;
}

}  // namespace

// Holds the lab's lock (flock on DIR/lock) for one verb, so verbs on one lab do not interleave.
result<unique_fd> lock_lab(const lab_layout& l) {
    auto fd = open_fd(l.lock_file(), O_RDWR | O_CREAT, 0600);
    if (!fd) return fd;
    while (::flock(fd->get(), LOCK_EX) != 0) {
        if (errno != EINTR || interrupted()) return fail_errno("cannot lock " + l.lock_file().string());
    }
    return fd;
}

result<void> lab_up(const lab_layout& l, const up_options& opt) {
    if (std::filesystem::exists(l.config_file()) || !lab_namespaces(l).empty()) {
        return fail(errc::state, "a lab already exists at " + l.dir().string() + " (run 'down' first)");
    }
    std::error_code ec;
    std::filesystem::create_directories(l.dir(), ec);
    if (ec) return fail(errc::io, "cannot create " + l.dir().string() + ": " + ec.message());
    if (!dir_is_empty(l.dir())) return fail(errc::state, l.dir().string() + " is not empty");
    // lab.conf first: it is what marks the directory as a lab that `down` may remove.
    if (auto r = save_config(l, opt.config); !r) return r;
    auto lock = lock_lab(l);
    if (!lock) return holdfast::unexpected(lock.error());
    auto built = build_lab(l, opt);
    if (built) return built;
    std::fprintf(stderr, "holdfast-lab: %s; tearing down what was made\n", built.error().message.c_str());
    lock = unique_fd();
    if (auto r = lab_down(l); !r) std::fprintf(stderr, "holdfast-lab: %s\n", r.error().message.c_str());
    return built;
}

result<void> lab_down(const lab_layout& l) {
    ignore_interrupts();
    unique_fd lock;
    if (std::filesystem::exists(l.config_file())) {
        auto fd = lock_lab(l);
        if (fd) lock = std::move(*fd);
    }
    std::vector<pid_t> pids;
    std::vector<ino_t> pid_ns, net_ns;
    for (const auto& r : live_nodes(l)) {
        pids.push_back(r.pid);
        pid_ns.push_back(r.pid_ns);
    }
    auto names = lab_namespaces(l);
    for (const auto& name : names) net_ns.push_back(ns_inode(netns_path(name)));
    if (auto r = kill_and_wait(pids, pid_ns, net_ns); !r) return r;
    // The BMCs and tgtd live in the switch namespace: they died above; tgtd's sockets did not.
    cleanup_lun(l);
    result<void> outcome;
    for (const auto& name : names) {
        if (auto r = delete_namespace(name); !r && outcome) outcome = r;
    }
    if (!outcome) return outcome;
    std::error_code ec;
    if (std::filesystem::exists(l.config_file())) std::filesystem::remove_all(l.dir(), ec);
    if (ec) return fail(errc::io, "cannot remove " + l.dir().string() + ": " + ec.message());
    return {};
}

result<int> exec_in_node(const lab_layout& l, int node, const std::vector<std::string>& argv) {
    auto r = running_node(l, node);
    if (!r) return fail(errc::state, lab_layout::node_name(node) + " is not running");
    auto ns = open_node_namespaces(r->pid);
    if (!ns) return holdfast::unexpected(ns.error());
    // Like system(3): the terminal's signals are for the command, not for us.
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
    run_options opt;
    opt.capture = false;
    opt.enter = &*ns;
    auto out = run(argv, opt);
    if (!out) return holdfast::unexpected(out.error());
    return out->status;
}

}  // namespace holdfast::lab
