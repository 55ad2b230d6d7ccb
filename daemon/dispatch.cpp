#include "daemon/dispatch.hpp"

namespace holdfast::daemon {

response error_response(errc e, std::string message) {
    return response{e, message.empty() ? std::string(describe(e)) : std::move(message)};
}

namespace {

// Everything before a handler runs: the request, or the answer refusing it.
expected<request, response> admit(const peer& p, std::span<const std::byte> bytes) {
    if (bytes.size() > max_request_bytes) return unexpected(error_response(errc::request_too_large));
    auto req = decode_request(bytes);
    if (!req) return unexpected(error_response(req.error()));
    if (!allowed(p.cls, req->type))
        return unexpected(error_response(errc::permission_denied, std::string("permission denied: ") +
                                                                      to_string(req->type) + " needs " +
                                                                      to_string(required_permission(req->type))));
    return std::move(*req);
}

}  // namespace

response serve_request(const dispatch_table& table, const peer& p, std::span<const std::byte> bytes) {
    auto req = admit(p, bytes);
    if (!req) return std::move(req.error());
    auto it = table.find(req->type);
    if (it == table.end()) return error_response(errc::not_supported);
    return it->second(*req, p);
}

void serve_request(const dispatch_table& now, const deferred_table& later, const peer& p,
                   std::span<const std::byte> bytes, const reply_fn& reply) {
    auto req = admit(p, bytes);
    if (!req) return reply(std::move(req.error()));
    if (auto it = later.find(req->type); it != later.end()) return it->second(*req, p, reply);
    auto it = now.find(req->type);
    reply(it == now.end() ? error_response(errc::not_supported) : it->second(*req, p));
}

}  // namespace holdfast::daemon
