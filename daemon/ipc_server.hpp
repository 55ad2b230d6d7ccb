#pragma once
// holdfastd's IPC server: a libqb IPC service (shared memory, set up over an
// abstract Unix socket named after the IPC name) whose fds run on the daemon's
// event loop. Authorization happens here and only here: peers are classified
// at accept from their SO_PEERCRED uid/gid (refused ones never get a
// connection), and every message goes through serve_request(), which checks
// the permission table before any handler runs.
//
// Lifecycle: start() -> serves on the loop -> stop() (or destruction)
// disconnects every client. A deferred handler's reply may outlive its
// connection and the server: it then sends nothing (see deferred_table). One per process: libqb's poll hooks carry no
// context pointer, so they find the server through a process-wide pointer.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cib/expected.hpp"
#include "daemon/dispatch.hpp"
#include "daemon/event_loop.hpp"

struct qb_ipcs_service;
struct qb_ipcs_connection;

namespace holdfast::daemon {

class ipc_server {
public:
    // haclient: gid of group haclient (nullopt: only root may connect).
    // Error: -errno (-EADDRINUSE when another process serves the name).
    static expected<std::unique_ptr<ipc_server>, int> start(event_loop& loop, const std::string& name,
                                                            std::optional<gid_t> haclient, dispatch_table table,
                                                            deferred_table later = {});
    struct token {  // only start() makes servers
    private:
        friend class ipc_server;
        token() = default;
    };
    ipc_server(token, event_loop& loop, std::optional<gid_t> haclient, dispatch_table table, deferred_table later);
    ~ipc_server();
    ipc_server(const ipc_server&) = delete;
    ipc_server& operator=(const ipc_server&) = delete;

    void stop();
    bool serving() const { return service_ != nullptr; }
    size_t connections() const { return peers_.size(); }

private:
    friend struct qb_hooks;
    friend struct pending_reply;

    // A connection as we know it; serial tells a reused pointer from the
    // connection a deferred reply was meant for.
    struct connection {
        peer who;
        uint64_t serial = 0;
    };
    void send(qb_ipcs_connection* c, uint64_t serial, int32_t id, const response& r);

    event_loop& loop_;
    std::optional<gid_t> haclient_;
    dispatch_table table_;
    deferred_table later_;
    qb_ipcs_service* service_ = nullptr;
    std::map<int, event_source> fds_;
    std::list<event_source> jobs_;
    std::map<qb_ipcs_connection*, connection> peers_;
    uint64_t next_serial_ = 0;
    // Deferred replies hold a weak_ptr to this: expired = the server is gone.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace holdfast::daemon
