#include "tools/holdfast/daemon_call.hpp"

#include <algorithm>

#include <cstdio>
#include <cstdlib>

#include "cib/secrets.hpp"
#include "daemon/client.hpp"

namespace holdfast::tools {

exit_status exit_code(daemon::errc e) {
    using daemon::errc;
    switch (e) {
        case errc::ok: return exit_ok;
        case errc::permission_denied: return exit_permission;
        case errc::not_running:
        case errc::io:
        case errc::timeout: return exit_unreachable;
        case errc::server_untrusted:
        case errc::unsupported_version: return exit_protocol;
        case errc::request_too_large:
        case errc::response_too_large:
        case errc::bad_request:
        case errc::unknown_request:
        case errc::not_supported:
        case errc::internal: return exit_error;
    }
    return exit_error;
}

// pcmk_rc2exitc's choices for the errno values Pacemaker's tools meet in the same cases
crm_exit crm_exit_code(daemon::errc e) {
    using daemon::errc;
    switch (e) {
        case errc::ok: return crm_ex_ok;
        case errc::permission_denied: return crm_ex_insufficient_priv;
        case errc::not_running:
        case errc::io: return crm_ex_disconnect;
        case errc::timeout: return crm_ex_timeout;
        case errc::server_untrusted:
        case errc::unsupported_version: return crm_ex_protocol;
        case errc::request_too_large:
        case errc::response_too_large:
        case errc::bad_request:
        case errc::unknown_request:
        case errc::not_supported:
        case errc::internal: return crm_ex_error;
    }
    return crm_ex_error;
}

int flushed_stdout() { return std::fflush(stdout) == 0 ? exit_ok : exit_error; }

const char* fix_for(daemon::errc e) {
    using daemon::errc;
    switch (e) {
        case errc::not_running: return "start it with systemctl start holdfastd";
        case errc::permission_denied: return "run the command as root or as a member of group haclient";
        case errc::unsupported_version:
            return "run the holdfast that came with the running holdfastd (or restart holdfastd after an upgrade)";
        case errc::server_untrusted: return "stop the process serving that name and start holdfastd as root";
        case errc::timeout:
        case errc::io: return "check holdfastd with systemctl status holdfastd";
        case errc::response_too_large: return "the CIB is too large for the IPC buffer; trim its operation history";
        default: return nullptr;
    }
}

std::string default_ipc_name() {
    const char* env = std::getenv("HOLDFAST_IPC_NAME");
    return env && *env ? env : daemon::default_ipc_name;
}

bool take_ipc_option(const args& a, size_t& i, std::string& name) {
    const std::string& flag = a[i];
    if (flag.rfind("--socket=", 0) == 0) {
        name = flag.substr(9);
        return true;
    }
    if (flag == "--socket" && i + 1 < a.size()) {
        name = a[++i];
        return true;
    }
    return false;
}

namespace {

expected<daemon::response, daemon_failure> call_with(const std::string& ipc_name, size_t buffer,
                                                     const daemon::request& r, std::chrono::milliseconds timeout) {
    auto conn = daemon::client::connect(ipc_name, buffer);
    if (!conn) return unexpected(daemon_failure{conn.error(), daemon::describe(conn.error())});
    auto resp = conn->call(r, timeout);
    if (!resp) return unexpected(daemon_failure{resp.error(), daemon::describe(resp.error())});
    return std::move(*resp);
}

}  // namespace

// Small buffers connect fast; an answer that does not fit them (a big CIB)
// is asked again over the large ones.
expected<std::string, daemon_failure> ask_daemon(const std::string& ipc_name, daemon::request_type type,
                                                 const std::string& payload, std::chrono::milliseconds timeout) {
    const daemon::request req{type, payload};
    const size_t small = std::max(daemon::small_ipc_buffer_bytes, payload.size() + (64u << 10));
    auto r = call_with(ipc_name, small, req, timeout);
    if (r && r->status == daemon::errc::response_too_large && type == daemon::request_type::cib_query)
        r = call_with(ipc_name, daemon::ipc_buffer_bytes, req, timeout);
    if (!r) return unexpected(r.error());
    if (r->status != daemon::errc::ok) return unexpected(daemon_failure{r->status, r->payload});
    return std::move(r->payload);
}

namespace {

std::string failure_line(const daemon_failure& f) {
    std::string msg = f.message.empty() ? daemon::describe(f.code) : f.message;
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    // the CIB's refusal may quote the offending element, a password in it
    msg = cib::mask_secrets(msg);
    if (const char* fix = fix_for(f.code)) msg += std::string(": ") + fix;
    return msg;
}

}  // namespace

int report(const char* cmd, const daemon_failure& f) {
    std::fprintf(stderr, "holdfast %s: %s\n", cmd, failure_line(f).c_str());
    return exit_code(f.code);
}

int report_as_tool(const char* tool, const daemon_failure& f) {
    std::fprintf(stderr, "%s: %s\n", tool, failure_line(f).c_str());
    return crm_exit_code(f.code);
}

}  // namespace holdfast::tools
