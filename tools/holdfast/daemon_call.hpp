#pragma once
#include <chrono>
// How CLI commands reach holdfastd: one request over the IPC; its failures
// map to exit statuses in one place (exit_codes.hpp).
#include <string>

#include "cib/expected.hpp"
#include "daemon/errc.hpp"
#include "daemon/protocol.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/exit_codes.hpp"

namespace holdfast::tools {

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

// What the operator can do about e ("start it with systemctl start
// holdfastd"), nullptr when nothing but the message helps.
const char* fix_for(daemon::errc e);

// Prints "holdfast CMD: message[: fix]" and returns the exit status for it.
int report(const char* cmd, const daemon_failure& f);
// The same line for the agent tools ("crm_attribute: ..."), with crm_exit_t's status.
int report_as_tool(const char* tool, const daemon_failure& f);

}  // namespace holdfast::tools
