#pragma once
// holdfastd's command line.
#include <optional>
#include <string>
#include <vector>

#include "cib/expected.hpp"
#include "daemon/protocol.hpp"

namespace holdfast::daemon {

struct daemon_options {
    std::string state_dir = "/var/lib/holdfast";
    std::string ipc_name = default_ipc_name;
    bool foreground = false;  // stay attached; log to stderr instead of syslog
    bool standalone = false;  // no Corosync: this node alone, changes applied locally (tests, tools)
    bool debug = false;
    bool help = false;
    bool version = false;
};

// Error: a one-line message naming the bad option.
expected<daemon_options, std::string> parse_options(const std::vector<std::string>& args);
extern const char* const daemon_usage;

}  // namespace holdfast::daemon
