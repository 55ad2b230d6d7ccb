#include "daemon/protocol.hpp"

#include <qb/qbipc_common.h>

#include <cstring>

namespace holdfast::daemon {
namespace {

constexpr size_t request_head = sizeof(qb_ipc_request_header) + sizeof(uint32_t);
constexpr size_t response_head = sizeof(qb_ipc_response_header) + 2 * sizeof(uint32_t);

template <typename T>
void put(std::string& out, size_t at, const T& v) {
    std::memcpy(out.data() + at, &v, sizeof v);
}

template <typename T>
T get(std::span<const std::byte> in, size_t at) {
    T v;
    std::memcpy(&v, in.data() + at, sizeof v);
    return v;
}

std::string_view tail(std::span<const std::byte> in, size_t from) {
    return {reinterpret_cast<const char*>(in.data()) + from, in.size() - from};
}

}  // namespace

const char* to_string(request_type t) {
    switch (t) {
        case request_type::ping: return "ping";
        case request_type::cib_query: return "cib_query";
        case request_type::cib_change: return "cib_change";
        case request_type::shutdown: return "shutdown";
        case request_type::fence: return "fence";
        case request_type::fence_history: return "fence_history";
        case request_type::fence_confirm: return "fence_confirm";
        case request_type::history: return "history";
    }
    return "unknown";
}

std::optional<request_type> request_type_from_wire(int32_t v) {
    for (request_type t : all_request_types)
        if (static_cast<int32_t>(t) == v) return t;
    return std::nullopt;
}

std::string encode_request(const request& r) {
    std::string out(request_head, '\0');
    qb_ipc_request_header h{};
    h.id = static_cast<int32_t>(r.type);
    h.size = static_cast<int32_t>(request_head + r.payload.size());
    put(out, 0, h);
    put(out, sizeof h, protocol_version);
    out += r.payload;
    return out;
}

int32_t peek_request_id(std::span<const std::byte> bytes) {
    if (bytes.size() < sizeof(qb_ipc_request_header)) return 0;
    return get<qb_ipc_request_header>(bytes, 0).id;
}

expected<request, errc> decode_request(std::span<const std::byte> bytes) {
    if (bytes.size() < request_head) return unexpected(errc::bad_request);
    auto h = get<qb_ipc_request_header>(bytes, 0);
    if (h.size < 0 || static_cast<size_t>(h.size) != bytes.size()) return unexpected(errc::bad_request);
    if (get<uint32_t>(bytes, sizeof h) != protocol_version) return unexpected(errc::unsupported_version);
    auto type = request_type_from_wire(h.id);
    if (!type) return unexpected(errc::unknown_request);
    std::string_view payload = tail(bytes, request_head);
    if (!valid_utf8(payload)) return unexpected(errc::bad_request);
    return request{*type, std::string(payload)};
}

std::string encode_response(int32_t id, const response& r) {
    std::string out(response_head, '\0');
    qb_ipc_response_header h{};
    h.id = id;
    h.size = static_cast<int32_t>(response_head + r.payload.size());
    h.error = 0;
    put(out, 0, h);
    put(out, sizeof h, protocol_version);
    put(out, sizeof h + sizeof(uint32_t), static_cast<uint32_t>(r.status));
    out += r.payload;
    return out;
}

expected<response, errc> decode_response(std::span<const std::byte> bytes) {
    if (bytes.size() < response_head) return unexpected(errc::io);
    auto h = get<qb_ipc_response_header>(bytes, 0);
    if (h.size < 0 || static_cast<size_t>(h.size) != bytes.size()) return unexpected(errc::io);
    if (get<uint32_t>(bytes, sizeof h) != protocol_version) return unexpected(errc::unsupported_version);
    auto status = get<uint32_t>(bytes, sizeof h + sizeof(uint32_t));
    if (status > static_cast<uint32_t>(errc::timeout)) status = static_cast<uint32_t>(errc::internal);
    std::string_view payload = tail(bytes, response_head);
    if (!valid_utf8(payload)) return unexpected(errc::io);
    return response{static_cast<errc>(status), std::string(payload)};
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (len == 0 || c > 0xF4 || i + len > s.size()) return false;
        auto b1 = static_cast<unsigned char>(s[i + 1]);
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        if (b1 < lo || b1 > hi) return false;
        for (int k = 2; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

}  // namespace holdfast::daemon
