// libFuzzer target: arbitrary bytes as an IPC message, through the decoders
// holdfastd applies to every request (daemon::decode_request) and the CLI to
// every answer (daemon::decode_response). Any crash, hang or sanitizer report
// fails; so does a decoded message that does not decode the same after
// encoding it again, or a status outside the errc enum.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/protocol.hpp"

namespace hd = holdfast::daemon;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto bytes = hd::as_bytes(text);
    const int32_t id = hd::peek_request_id(bytes);
    if (auto req = hd::decode_request(bytes)) {
        if (static_cast<int32_t>(req->type) != id || !hd::valid_utf8(req->payload)) std::abort();
        // (the header's alignment padding is not read, so compare decoded values, not bytes)
        const std::string again_bytes = hd::encode_request(*req);
        const auto again = hd::decode_request(hd::as_bytes(again_bytes));
        if (!again || again->type != req->type || again->payload != req->payload) std::abort();
    } else if (req.error() != hd::errc::bad_request && req.error() != hd::errc::unsupported_version &&
               req.error() != hd::errc::unknown_request) {
        std::abort();
    }
    if (auto resp = hd::decode_response(bytes)) {
        if (static_cast<uint32_t>(resp->status) > static_cast<uint32_t>(hd::errc::timeout)) std::abort();
        if (!hd::valid_utf8(resp->payload)) std::abort();
        // an out-of-range status decodes as internal, so only in-range ones round-trip
        const auto again = hd::decode_response(hd::as_bytes(hd::encode_response(id, *resp)));
        if (!again || again->status != resp->status || again->payload != resp->payload) std::abort();
    } else if (resp.error() != hd::errc::io && resp.error() != hd::errc::unsupported_version) {
        std::abort();
    }
    return 0;
}
