#pragma once
// Where a lab keeps its state and what its kernel objects are called. Everything is derived from
// the lab directory, so two labs with different directories never share a name or an address.
//
// DIR/lab.conf                        nodes, token and stack (written first by `up`, removed last by `down`)
// DIR/authkey                         the corosync key, copied into every node
// DIR/hosts                           every node's /etc/hosts: the host's, plus the nodes' names
// DIR/passwd, DIR/group               with --libvirt, every node's: the host's, plus libvirt-qemu
// DIR/nodes/nodeI/pid                 "PID STARTTIME PIDNS" of the node's PID 1 while it runs
// DIR/nodes/nodeI/init.log            what the node's PID 1 reports
// DIR/nodes/nodeI/root/...            bind-mounted over the same paths inside the node
// DIR/bmc/nodeI/                      with --bmc: the node's ipmi_sim configuration, state and log
// DIR/lun.img, DIR/lun2.img, tgtd.log with --lun: the shared LUNs' backing files (LUNs 1 and 2: one per VM
//                                     disk in the VM lab), tgtd's output
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tools/holdfast-lab/error.hpp"

namespace holdfast::lab {

inline constexpr int max_nodes = 32;

struct lab_config {
    int nodes = 0;
    int token_ms = 1000;
    // What runs on corosync: "holdfast" (holdfastd) or "pacemaker" (Pacemaker's daemons, the
    // reference the benchmarks compare against).
    std::string stack = "holdfast";
    // Also run virtlogd and libvirtd in every node (`up --libvirt`), for agents that manage qemu
    // domains; see libvirt_conf.hpp.
    bool libvirt = false;
    // One ipmi_sim BMC per node and a tgtd LUN on the switch (`up --bmc`, `up --lun`); see bmc.hpp.
    bool bmc = false;
    bool lun = false;
};

// A host directory bind-mounted at `target` inside a node.
struct node_mount {
    std::filesystem::path source;
    std::filesystem::path target;
};

class lab_layout {
public:
    explicit lab_layout(std::filesystem::path dir);

    const std::filesystem::path& dir() const { return dir_; }
    // "hf" + 8 hex digits of a hash of the directory: prefix of every namespace name.
    const std::string& id() const { return id_; }

    std::string switch_ns() const { return id_ + "-sw"; }
    std::string node_ns(int node) const { return id_ + "-n" + std::to_string(node); }
    static std::string node_name(int node) { return "node" + std::to_string(node); }
    // The switch-side end of a node's cable (inside the switch namespace).
    static std::string switch_port(int node) { return "v" + std::to_string(node); }
    static std::string bridge() { return "br0"; }
    static std::string node_link() { return "eth0"; }
    // 10.A.B.node/24, with A.B from the hash: only ever configured inside the lab's namespaces.
    std::string address(int node) const;
    static int prefix_length() { return 24; }
    // On the switch's bridge: node I's BMC at .(100+I), the LUN's target at .250.
    std::string bmc_address(int node) const;
    std::string lun_address() const;
    // The target serves LUNs 1 and 2 (lun_count): iscsi://LUN_ADDRESS:3260/IQN/N
    static constexpr int lun_count = 2;
    std::string lun_url(int lun = 1) const;
    std::string lun_iqn() const { return "iqn.2026-12.org.holdfast.lab:" + id_; }
    // tgtd's control port (-C): its socket files are the one thing outside the lab's namespaces.
    int tgtd_control() const { return 1000 + static_cast<int>(hash_ % 8000); }
    std::filesystem::path bmc_dir(int node) const { return dir_ / "bmc" / node_name(node); }
    std::filesystem::path lun_file(int lun = 1) const {
        return dir_ / (lun == 1 ? std::string("lun.img") : "lun" + std::to_string(lun) + ".img");
    }

    std::filesystem::path config_file() const { return dir_ / "lab.conf"; }
    std::filesystem::path lock_file() const { return dir_ / "lock"; }
    std::filesystem::path authkey() const { return dir_ / "authkey"; }
    std::filesystem::path hosts_file() const { return dir_ / "hosts"; }
    // Files the node's PID 1 bind-mounts over the host's (when they exist in DIR): /etc/hosts, and
    // with `libvirt` /etc/passwd and /etc/group.
    std::vector<node_mount> node_files(bool libvirt) const;
    std::filesystem::path node_dir(int node) const { return dir_ / "nodes" / node_name(node); }
    std::filesystem::path pid_file(int node) const { return node_dir(node) / "pid"; }
    std::filesystem::path init_log(int node) const { return node_dir(node) / "init.log"; }
    // The node's view of PATH (an absolute path) as a host path under the node's directory.
    std::filesystem::path node_path(int node, const std::filesystem::path& inside) const;
    // What the node's PID 1 bind-mounts: corosync's configuration, state and logs, and the
    // per-node state and log directories of Holdfast's daemon and of Pacemaker's; with `libvirt`
    // also libvirt's configuration, state, cache and log directories.
    std::vector<node_mount> node_mounts(int node, bool libvirt) const;

private:
    std::filesystem::path dir_;
    std::string id_;
    unsigned hash_ = 0;
};

result<lab_config> load_config(const lab_layout& l);
result<void> save_config(const lab_layout& l, const lab_config& c);

// "node2" or "2" -> 2, checked against the lab's size.
result<int> parse_node(const std::string& arg, const lab_config& c);

// The node's PID 1 as recorded at boot. The start time tells a reused PID apart; the PID
// namespace inode finds every process of the node, also after PID 1 has died.
struct pid_record {
    pid_t pid = 0;
    unsigned long long start_time = 0;
    ino_t pid_ns = 0;
};
std::optional<pid_record> load_pid_record(const lab_layout& l, int node);
result<void> save_pid_record(const lab_layout& l, int node, const pid_record& r);
// True when the recorded PID 1 still runs (same start time, not a zombie).
bool alive(const pid_record& r);

}  // namespace holdfast::lab
