#include "tools/holdfast-lab/layout.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

namespace {

// FNV-1a: stable across builds and machines, unlike std::hash.
unsigned fnv1a(const std::string& s) {
    unsigned h = 2166136261u;
    for (unsigned char c : s) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

}  // namespace

lab_layout::lab_layout(std::filesystem::path dir) : dir_(std::move(dir)), hash_(fnv1a(dir_.string())) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "hf%08x", hash_);
    id_ = buf;
}

std::string lab_layout::address(int node) const {
    return "10." + std::to_string((hash_ >> 8) & 0xff) + "." + std::to_string(hash_ & 0xff) + "." +
           std::to_string(node);
}

std::string lab_layout::bmc_address(int node) const {
    auto a = address(node);
    return a.substr(0, a.rfind('.') + 1) + std::to_string(100 + node);
}

std::string lab_layout::lun_address() const {
    auto a = address(1);
    return a.substr(0, a.rfind('.') + 1) + "250";
}

std::string lab_layout::lun_url(int lun) const {
    return "iscsi://" + lun_address() + ":3260/" + lun_iqn() + "/" + std::to_string(lun);
}

std::filesystem::path lab_layout::node_path(int node, const std::filesystem::path& inside) const {
    return node_dir(node) / "root" / inside.relative_path();
}

std::vector<node_mount> lab_layout::node_mounts(int node, bool libvirt) const {
    std::vector<node_mount> m;
    for (const char* p : {"/etc/corosync", "/var/lib/corosync", "/var/log/corosync", "/var/lib/holdfast",
                          "/var/log/holdfast", "/var/lib/pacemaker", "/var/log/pacemaker"}) {
        m.push_back({node_path(node, p), p});
    }
    if (!libvirt) return m;
    for (const char* p : {"/etc/libvirt", "/var/lib/libvirt", "/var/log/libvirt", "/var/cache/libvirt"}) {
        m.push_back({node_path(node, p), p});
    }
    return m;
}

std::vector<node_mount> lab_layout::node_files(bool libvirt) const {
    std::vector<node_mount> m{{dir_ / "hosts", "/etc/hosts"}};
    if (libvirt) {
        m.push_back({dir_ / "passwd", "/etc/passwd"});
        m.push_back({dir_ / "group", "/etc/group"});
    }
    return m;
}

result<lab_config> load_config(const lab_layout& l) {
    auto text = read_file(l.config_file());
    if (!text) return fail(errc::state, "no lab at " + l.dir().string() + " (no lab.conf)");
    lab_config c;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        auto key = line.substr(0, eq);
        int value = 0;
        auto v = line.substr(eq + 1);
        if (key == "stack") c.stack = v;
        if (key == "libvirt") c.libvirt = v == "1";
        if (key == "bmc") c.bmc = v == "1";
        if (key == "lun") c.lun = v == "1";
        if (std::from_chars(v.data(), v.data() + v.size(), value).ec != std::errc()) continue;
        if (key == "nodes") c.nodes = value;
        if (key == "token") c.token_ms = value;
    }
    if (c.nodes < 1 || c.nodes > max_nodes) return fail(errc::state, "bad node count in " + l.config_file().string());
    if (c.stack != "holdfast" && c.stack != "pacemaker")
        return fail(errc::state, "bad stack in " + l.config_file().string());
    return c;
}

result<void> save_config(const lab_layout& l, const lab_config& c) {
    return write_file(l.config_file(), "# holdfast-lab\nnodes=" + std::to_string(c.nodes) +
                                           "\ntoken=" + std::to_string(c.token_ms) + "\nstack=" + c.stack +
                                           "\nlibvirt=" + (c.libvirt ? "1" : "0") + "\nbmc=" + (c.bmc ? "1" : "0") +
                                           "\nlun=" + (c.lun ? "1" : "0") + "\n");
}

result<int> parse_node(const std::string& arg, const lab_config& c) {
    std::string digits = arg.rfind("node", 0) == 0 ? arg.substr(4) : arg;
    int n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || p != digits.data() + digits.size() || n < 1 || n > c.nodes) {
        return fail(errc::usage, "no node '" + arg + "' in this lab (node1..node" + std::to_string(c.nodes) + ")");
    }
    return n;
}

std::optional<pid_record> load_pid_record(const lab_layout& l, int node) {
    auto text = read_file(l.pid_file(node));
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    pid_record r;
    if (!(in >> r.pid >> r.start_time >> r.pid_ns) || r.pid <= 0) return std::nullopt;
    return r;
}

result<void> save_pid_record(const lab_layout& l, int node, const pid_record& r) {
    return write_file(l.pid_file(node), std::to_string(r.pid) + " " + std::to_string(r.start_time) + " " +
                                            std::to_string(r.pid_ns) + "\n");
}

bool alive(const pid_record& r) {
    auto info = proc_stat(r.pid);
    return info && info->start_time == r.start_time;
}

}  // namespace holdfast::lab
