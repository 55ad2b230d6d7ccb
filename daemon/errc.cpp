#include "daemon/errc.hpp"

namespace holdfast::daemon {

const char* to_string(errc e) {
    switch (e) {
        case errc::ok: return "ok";
        case errc::not_running: return "not_running";
        case errc::permission_denied: return "permission_denied";
        case errc::server_untrusted: return "server_untrusted";
        case errc::request_too_large: return "request_too_large";
        case errc::response_too_large: return "response_too_large";
        case errc::bad_request: return "bad_request";
        case errc::unsupported_version: return "unsupported_version";
        case errc::unknown_request: return "unknown_request";
        case errc::not_supported: return "not_supported";
        case errc::io: return "io";
        case errc::internal: return "internal";
        case errc::timeout: return "timeout";
    }
    return "unknown_error";
}

const char* describe(errc e) {
    switch (e) {
        case errc::ok: return "success";
        case errc::not_running: return "holdfastd is not running (or serves another IPC name)";
        case errc::permission_denied: return "permission denied (root or members of group haclient only)";
        case errc::server_untrusted: return "the process serving the IPC name is not running as root; refusing it";
        case errc::request_too_large: return "request too large";
        case errc::response_too_large: return "the daemon's answer is too large for the IPC buffer";
        case errc::bad_request: return "malformed request";
        case errc::unsupported_version: return "holdfast and holdfastd speak different protocol versions";
        case errc::unknown_request: return "the daemon does not know this request";
        case errc::not_supported: return "the daemon does not serve this request yet";
        case errc::io: return "the connection to holdfastd failed";
        case errc::internal: return "holdfastd failed to serve the request";
        case errc::timeout: return "holdfastd did not answer in time";
    }
    return "unknown error";
}

}  // namespace holdfast::daemon
