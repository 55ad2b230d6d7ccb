#pragma once
// The request/response encoding between `holdfast` and holdfastd, carried by
// libqb IPC. Local only (same host, same byte order), versioned:
//
//   request  = qb_ipc_request_header{id = request_type, size = whole message}
//              u32 protocol_version
//              payload (UTF-8 text, usually XML)
//   response = qb_ipc_response_header{id = request_type, size, error = 0}
//              u32 protocol_version, u32 status (errc)
//              payload (UTF-8; on an error, a one-line explanation)
//
// A peer rejects another version with errc::unsupported_version rather than
// guessing. Pure functions: no libqb calls, only its header layouts.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cib/expected.hpp"
#include "daemon/errc.hpp"

namespace holdfast::daemon {

constexpr uint32_t protocol_version = 1;
// Largest request the daemon reads (a whole configuration fits easily);
// larger ones get errc::request_too_large.
constexpr size_t max_request_bytes = 1u << 20;
// libqb's per-connection buffer: bounds one message either way, so the
// largest CIB a query can return is a little under this.
constexpr size_t ipc_buffer_bytes = 8u << 20;
// A connection's buffers are the client's choice (up to ipc_buffer_bytes):
// libqb maps three of them per connection, so a small request that expects a
// small answer (a change, a ping) asks for this much and connects in a
// fraction of the time a whole-CIB query needs.
constexpr size_t small_ipc_buffer_bytes = 256u << 10;
// The daemon's IPC name unless told otherwise (an abstract Unix socket).
constexpr const char* default_ipc_name = "holdfastd";

// Wire values: fixed, add at the end.
enum class request_type : int32_t {
    ping = 1,           // -> <holdfastd version= state= .../>
    cib_query = 2,      // -> the whole CIB as XML
    cib_change = 3,     // cib::serialize(change) -> "admin_epoch.epoch.num_updates" once applied
    shutdown = 4,       // the orderly shutdown SIGTERM starts
    fence = 5,          // "TARGET ACTION" -> <fencing .../> once this node's fencer is done (ok or not)
    fence_history = 6,  // "" or "TARGET" -> <fencing-history><fencing .../>...</fencing-history>
    fence_confirm = 7,  // "TARGET": an operator's word that it is down -> <fencing .../>
    history = 8,        // "" or "SINCE" (epoch ms) -> <history><event .../>...</history> (daemon/history.hpp)
};
constexpr request_type all_request_types[] = {
    request_type::ping,  request_type::cib_query,     request_type::cib_change,    request_type::shutdown,
    request_type::fence, request_type::fence_history, request_type::fence_confirm, request_type::history};

const char* to_string(request_type t);  // "ping", "cib_query", ...
std::optional<request_type> request_type_from_wire(int32_t v);

struct request {
    request_type type = request_type::ping;
    std::string payload;
};

struct response {
    errc status = errc::ok;
    std::string payload;
};

std::string encode_request(const request& r);
// Checks, in order: framing (sizes agree) -> bad_request; version ->
// unsupported_version; type -> unknown_request; payload UTF-8 -> bad_request.
expected<request, errc> decode_request(std::span<const std::byte> bytes);
// The id field of a request's header, so even a request that fails to decode
// gets an answer tagged the way the client expects; 0 if too short.
int32_t peek_request_id(std::span<const std::byte> bytes);

std::string encode_response(int32_t id, const response& r);
expected<response, errc> decode_response(std::span<const std::byte> bytes);

bool valid_utf8(std::string_view s);

inline std::span<const std::byte> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace holdfast::daemon
