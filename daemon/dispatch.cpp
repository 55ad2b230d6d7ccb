#include "daemon/dispatch.hpp"

namespace holdfast::daemon {

response error_response(errc e, std::string message) {
    return response{e, message.empty() ? std::string(describe(e)) : std::move(message)};
}

response serve_request(const dispatch_table& table, const peer& p, std::span<const std::byte> bytes) {
    if (bytes.size() > max_request_bytes) return error_response(errc::request_too_large);
    auto req = decode_request(bytes);
    if (!req) return error_response(req.error());
    if (!allowed(p.cls, req->type))
        return error_response(errc::permission_denied, std::string("permission denied: ") + to_string(req->type) +
                                                           " needs " + to_string(required_permission(req->type)));
    auto it = table.find(req->type);
    if (it == table.end()) return error_response(errc::not_supported);
    return it->second(*req, p);
}

}  // namespace holdfast::daemon
