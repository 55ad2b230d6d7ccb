#pragma once
// Serving one request, transport aside: decode, authorize from the permission
// table, then run the handler from the dispatch table. Pure with respect to
// libqb, so unit tests drive it with bytes.
#include <sys/types.h>
#include <functional>
#include <map>
#include <span>
#include <string>

#include "daemon/permissions.hpp"
#include "daemon/protocol.hpp"

namespace holdfast::daemon {

struct peer {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    peer_class cls = peer_class::refused;
};

using request_handler = std::function<response(const request&, const peer&)>;
// One row per served request type (in this table or the deferred one below).
// A type without a row answers not_supported.
using dispatch_table = std::map<request_type, request_handler>;

// A request answered later (a CIB change answers once it is applied, which in
// a cluster is after replication delivered it): the handler calls reply once,
// now or later, on the loop's thread. The server guarantees an answer: a reply
// dropped uncalled answers errc::internal; a reply after the client left (or
// the server stopped) goes nowhere.
using reply_fn = std::function<void(response)>;
using deferred_handler = std::function<void(const request&, const peer&, reply_fn reply)>;
using deferred_table = std::map<request_type, deferred_handler>;

// The only path from bytes to a handler. Size limit, then decoding, then
// allowed(peer.cls, type), and only then the handler.
response serve_request(const dispatch_table& table, const peer& p, std::span<const std::byte> bytes);
// The same path, where a type with a row in `later` is answered through its
// deferred handler; every other outcome calls reply before returning.
void serve_request(const dispatch_table& now, const deferred_table& later, const peer& p,
                   std::span<const std::byte> bytes, const reply_fn& reply);

response error_response(errc e, std::string message = {});

}  // namespace holdfast::daemon
