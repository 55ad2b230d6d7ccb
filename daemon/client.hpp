#pragma once
// The CLI's side of the IPC: one libqb connection to holdfastd.
// Lifecycle: connect() -> call()* -> destructor disconnects. Blocking, no
// event loop: each call sends one request and waits for its response.
// connect() refuses a server that is neither root nor our own user (a
// process squatting on the name must not feed us a CIB).
#include <chrono>
#include <memory>
#include <string>

#include "cib/expected.hpp"
#include "daemon/errc.hpp"
#include "daemon/protocol.hpp"

struct qb_ipcc_connection;

namespace holdfast::daemon {

class client {
public:
    // buffer_bytes: the largest message either way on this connection
    // (protocol.hpp: small_ipc_buffer_bytes .. ipc_buffer_bytes).
    static expected<client, errc> connect(const std::string& ipc_name, size_t buffer_bytes = ipc_buffer_bytes);

    // The daemon's answer; a response whose status is not ok is still a value
    // here (the caller decides), transport failures are errors.
    expected<response, errc> call(const request& r, std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Sends bytes exactly as given (tests use it for malformed requests).
    expected<response, errc> call_raw(const std::string& encoded, std::chrono::milliseconds timeout);

    struct disconnect {
        void operator()(qb_ipcc_connection* c) const;
    };

private:
    explicit client(qb_ipcc_connection* c) : conn_(c) {}
    std::unique_ptr<qb_ipcc_connection, disconnect> conn_;
};

}  // namespace holdfast::daemon
