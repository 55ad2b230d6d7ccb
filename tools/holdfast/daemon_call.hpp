#pragma once
#include <chrono>
// How CLI commands reach holdfastd: one request over the IPC, and the single
// mapping from daemon::errc to the CLI's exit codes (man/holdfast.8, EXIT
// STATUS):
//   0 success              1 the request or its input is bad, or the daemon failed it
//   2 bad usage            4 permission denied
//   5 holdfastd not reachable (not running, connection lost, no answer)
//   6 protocol mismatch (other version, untrusted server, garbled answer)
#include <string>

#include "cib/expected.hpp"
#include "daemon/errc.hpp"
#include "daemon/protocol.hpp"
#include "tools/holdfast/commands.hpp"

namespace holdfast::tools {

constexpr int exit_permission = 4;
constexpr int exit_unreachable = 5;
constexpr int exit_protocol = 6;

int exit_code(daemon::errc e);

// The IPC name: --socket NAME (or --socket=NAME) when given, else
// $HOLDFAST_IPC_NAME, else "holdfastd". Consumes the option from a at i.
bool take_ipc_option(const args& a, size_t& i, std::string& name);
std::string default_ipc_name();

// The payload of a successful answer; any failure as its errc.
struct daemon_failure {
    daemon::errc code;
    std::string message;  // the daemon's explanation, else describe(code)
};
// `timeout`: how long to wait for the answer (a fencing takes its agents' time).
expected<std::string, daemon_failure> ask_daemon(const std::string& ipc_name, daemon::request_type type,
                                                 const std::string& payload = {},
                                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Prints "holdfast CMD: message" and returns the exit code for it.
int report(const char* cmd, const daemon_failure& f);

}  // namespace holdfast::tools
