#include "daemon/client.hpp"

#include <algorithm>

#include <qb/qbipcc.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace holdfast::daemon {
namespace {

errc from_connect_errno(int e) {
    switch (e) {
        case EACCES:
        case EPERM: return errc::permission_denied;
        case ECONNREFUSED:
        case ENOENT: return errc::not_running;
        default: return errc::io;
    }
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

void client::disconnect::operator()(qb_ipcc_connection* c) const { qb_ipcc_disconnect(c); }

expected<client, errc> client::connect(const std::string& ipc_name, size_t buffer_bytes) {
    qb_ipcc_connection_t* c = qb_ipcc_connect(ipc_name.c_str(), std::min(buffer_bytes, ipc_buffer_bytes));
    if (!c) return unexpected(from_connect_errno(errno));
    client cl(c);
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    if (qb_ipcc_auth_get(c, &pid, &uid, &gid) != 0) return unexpected(errc::io);
    if (uid != 0 && uid != geteuid()) return unexpected(errc::server_untrusted);
    return cl;
}

expected<response, errc> client::call(const request& r, std::chrono::milliseconds timeout) {
    return call_raw(encode_request(r), timeout);
}

expected<response, errc> client::call_raw(const std::string& encoded, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    ssize_t sent;
    // -EAGAIN: the server's flow control asks us to wait a moment
    while ((sent = qb_ipcc_send(conn_.get(), encoded.data(), encoded.size())) == -EAGAIN) {
        if (remaining_ms(deadline) == 0) return unexpected(errc::timeout);
        usleep(1000);
    }
    if (sent == -EMSGSIZE) return unexpected(errc::request_too_large);
    if (sent < 0) return unexpected(sent == -ENOTCONN ? errc::not_running : errc::io);

    int size = qb_ipcc_get_buffer_size(conn_.get());
    std::vector<std::byte> buf(size > 0 ? static_cast<size_t>(size) : ipc_buffer_bytes);
    for (;;) {
        ssize_t got = qb_ipcc_recv(conn_.get(), buf.data(), buf.size(), remaining_ms(deadline));
        if (got >= 0) return decode_response(std::span<const std::byte>(buf.data(), static_cast<size_t>(got)));
        if (got != -EAGAIN && got != -ETIMEDOUT) return unexpected(errc::io);
        if (remaining_ms(deadline) == 0) return unexpected(errc::timeout);
    }
}

}  // namespace holdfast::daemon
