#pragma once
// How `holdfast cluster` touches the nodes: a program run here or on a member
// over the system's ssh (BatchMode, as root), with its output captured, and
// the node's files written atomically. Every path and program can be
// overridden for tests; the defaults are the real system's.
#include <filesystem>
#include <string>
#include <vector>

#include "cib/expected.hpp"

namespace holdfast::tools::cluster {

struct run_result {
    int status = 0;  // the exit code; 128+N for signal N; 127 when it could not be run
    std::string out;
    std::string err;
    bool ok() const { return status == 0; }
    std::string why() const;  // the first line of stderr, else "exit status N"
};

// Runs argv (PATH searched), feeding `input` on its stdin.
run_result run_process(const std::vector<std::string>& argv, const std::string& input = {});

// A word quoted for a POSIX shell (ssh passes the remote command to one).
std::string shell_quote(const std::string& s);

struct settings {
    std::filesystem::path corosync_dir = "/etc/corosync";  // --corosync-dir, $HOLDFAST_COROSYNC_DIR
    std::vector<std::string> ssh_options;                  // $HOLDFAST_SSH, split at blanks
    std::string service_manager = "systemctl";             // --service-manager, $HOLDFAST_SERVICE_MANAGER
    std::string node_name;                                 // --node-name, else this host's name
    std::string ipc;                                       // holdfastd's IPC name (--socket)
    std::filesystem::path conf() const { return corosync_dir / "corosync.conf"; }
    std::filesystem::path authkey() const { return corosync_dir / "authkey"; }
};

// Settings from the environment and the host; options may change them after.
settings default_settings();

// Runs argv on `host` ("" = here): over `ssh -o BatchMode=yes OPTIONS root@HOST`.
run_result run_on(const settings& s, const std::string& host, const std::vector<std::string>& argv,
                  const std::string& input = {});

// Writes `content` to `path` on `host` ("" = here) with `mode`, atomically
// (a temporary file in the same directory, then a rename).
expected<void, std::string> write_file_on(const settings& s, const std::string& host, const std::filesystem::path& path,
                                          const std::string& content, unsigned mode);
expected<std::string, std::string> read_file_on(const settings& s, const std::string& host,
                                                const std::filesystem::path& path);

// `SERVICE_MANAGER VERB UNIT` on host for each unit in order, stopping at the first failure.
expected<void, std::string> services_on(const settings& s, const std::string& host, const std::string& verb,
                                        const std::vector<std::string>& units);

// The first address `name` resolves to (IPv4 or IPv6), as text.
expected<std::string, std::string> resolve(const std::string& name);

}  // namespace holdfast::tools::cluster
