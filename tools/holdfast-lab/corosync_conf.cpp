#include "tools/holdfast-lab/corosync_conf.hpp"

#include <filesystem>
#include <system_error>

#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

// Every '{' ends its line: corosync's parser wants it so.
std::string corosync_conf(const lab_layout& l, const lab_config& c) {
    std::string s = "# made by holdfast-lab for the lab in " + l.dir().string() +
                    "\n"
                    "totem {\n"
                    "    version: 2\n"
                    "    cluster_name: " +
                    l.id() +
                    "\n"
                    "    transport: knet\n"
                    "    token: " +
                    std::to_string(c.token_ms) +
                    "\n"
                    "    crypto_cipher: aes256\n"
                    "    crypto_hash: sha256\n"
                    "}\n\n"
                    "nodelist {\n";
    for (int i = 1; i <= c.nodes; ++i) {
        s += "    node {\n        name: " + lab_layout::node_name(i) + "\n        nodeid: " + std::to_string(i) +
             "\n        ring0_addr: " + l.address(i) + "\n    }\n";
    }
    s += "}\n\n"
         "quorum {\n"
         "    provider: corosync_votequorum\n";
    // Two nodes cannot outvote each other: votequorum's two_node mode (it implies wait_for_all).
    if (c.nodes == 2) s += "    two_node: 1\n";
    s += "}\n\n"
         "logging {\n"
         "    to_stderr: no\n"
         "    to_syslog: no\n"
         "    to_logfile: yes\n"
         "    logfile: /var/log/corosync/corosync.log\n"
         "    timestamp: on\n"
         "}\n";
    return s;
}

result<void> write_corosync_files(const lab_layout& l, const lab_config& c) {
    if (auto r = run_ok({"corosync-keygen", "-k", l.authkey().string()}); !r) return holdfast::unexpected(r.error());
    auto conf = corosync_conf(l, c);
    for (int i = 1; i <= c.nodes; ++i) {
        auto etc = l.node_path(i, "/etc/corosync");
        std::error_code ec;
        std::filesystem::copy_file(l.authkey(), etc / "authkey", std::filesystem::copy_options::overwrite_existing, ec);
        if (ec) return fail(errc::io, "cannot copy the key to " + etc.string() + ": " + ec.message());
        std::filesystem::permissions(etc / "authkey", std::filesystem::perms::owner_read, ec);
        if (auto r = write_file(etc / "corosync.conf", conf); !r) return r;
    }
    return {};
}

}  // namespace holdfast::lab
