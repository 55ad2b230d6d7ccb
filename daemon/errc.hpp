#pragma once
// daemon's error values: the one enum for holdfastd, its IPC protocol and the
// IPC client. The numbers are on the wire (a response's status), so they are
// fixed: add new ones at the end, never renumber.
#include <cstdint>

namespace holdfast::daemon {

enum class errc : uint32_t {
    ok = 0,
    not_running = 1,          // no daemon serves the IPC name
    permission_denied = 2,    // the peer may not connect, or may not make this request
    server_untrusted = 3,     // the process serving the name is not root (nor ourselves)
    request_too_large = 4,    // over max_request_bytes
    response_too_large = 5,   // the answer does not fit the IPC buffer
    bad_request = 6,          // malformed encoding or payload
    unsupported_version = 7,  // the peer speaks another protocol version
    unknown_request = 8,      // a request type this daemon does not know
    not_supported = 9,        // a known request type this daemon does not serve yet
    io = 10,                  // the connection failed mid-way
    internal = 11,            // the daemon could not serve a valid request
    timeout = 12,             // no answer within the client's deadline
};

// Stable lower-case names ("permission_denied"), for logs and messages.
const char* to_string(errc e);
// One line for an operator ("permission denied: ...").
const char* describe(errc e);

}  // namespace holdfast::daemon
