#include "tools/holdfast-lab/libvirt_conf.hpp"

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

namespace {

// A stable UUID per lab and node: the lab id's 8 hex digits and the node number.
std::string host_uuid(const lab_layout& l, int node) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s-0000-4000-8000-%012d", l.id().substr(2).c_str(), node);
    return buf;
}

}  // namespace

std::string libvirtd_conf(const lab_layout& l, int node) {
    return "# made by holdfast-lab: reachable only inside the lab's namespaces\n"
           "listen_tls = 0\n"
           "listen_tcp = 1\n"
           "listen_addr = \"" +
           l.address(node) +
           "\"\n"
           "auth_tcp = \"none\"\n"
           // No polkit in a node: the socket's permissions (root only) decide.
           "auth_unix_rw = \"none\"\n"
           "auth_unix_ro = \"none\"\n"
           "host_uuid = \"" +
           host_uuid(l, node) +
           "\"\n"
           "log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"\n";
}

std::string qemu_conf(const lab_layout& l, int node) {
    return "# made by holdfast-lab\n"
           "user = \"root\"\n"
           "group = \"root\"\n"
           "dynamic_ownership = 0\n"
           "security_driver = \"none\"\n"
           // A per-domain mount namespace would need a /dev the node does not make.
           "namespaces = [ ]\n"
           "migration_address = \"" +
           l.address(node) +
           "\"\n"
           "migration_host = \"" +
           l.address(node) + "\"\n";
}

result<void> write_libvirt_files(const lab_layout& l, const lab_config& c) {
    for (int i = 1; i <= c.nodes; ++i) {
        std::error_code ec;
        for (const char* d : {"/var/log/libvirt/qemu", "/var/lib/libvirt/qemu", "/var/cache/libvirt/qemu"}) {
            std::filesystem::create_directories(l.node_path(i, d), ec);
            if (ec) return fail(errc::io, "cannot create " + l.node_path(i, d).string() + ": " + ec.message());
        }
        const auto etc = l.node_path(i, "/etc/libvirt");
        if (auto r = write_file(etc / "libvirtd.conf", libvirtd_conf(l, i)); !r) return r;
        if (auto r = write_file(etc / "qemu.conf", qemu_conf(l, i)); !r) return r;
    }
    return write_account_files(l);
}

result<void> write_account_files(const lab_layout& l) {
    const std::pair<const char*, const char*> files[] = {
        {"/etc/passwd", "libvirt-qemu:x:64055:64055:libvirt (holdfast-lab):/var/lib/libvirt:/usr/sbin/nologin\n"},
        {"/etc/group", "libvirt-qemu:x:64055:\n"},
    };
    for (const auto& [path, entry] : files) {
        auto host = read_file(path);
        if (!host) return holdfast::unexpected(host.error());
        std::string text = *host;
        if (!text.empty() && text.back() != '\n') text += '\n';
        if (text.find("\nlibvirt-qemu:") == std::string::npos && text.rfind("libvirt-qemu:", 0) != 0) text += entry;
        if (auto r = write_file(l.dir() / std::filesystem::path(path).filename(), text); !r) return r;
    }
    return {};
}

result<void> write_hosts_file(const lab_layout& l, const lab_config& c) {
    auto host = read_file("/etc/hosts");
    std::string text = host ? *host : "127.0.0.1 localhost\n";
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += "# holdfast-lab " + l.dir().string() + "\n";
    for (int i = 1; i <= c.nodes; ++i) text += l.address(i) + " " + lab_layout::node_name(i) + "\n";
    return write_file(l.hosts_file(), text);
}

}  // namespace holdfast::lab
