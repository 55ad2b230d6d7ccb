#include "daemon/ipc_server.hpp"

#include <qb/qbdefs.h>
#include <qb/qbipcs.h>
#include <sys/epoll.h>

#include <cerrno>

#include "daemon/log.hpp"

namespace holdfast::daemon {

// The one answer a request gets, shared by every copy of its reply_fn: the
// first send() answers, later ones are ignored, and the last copy dropped
// without an answer sends errc::internal, so a client never waits forever on
// a handler that lost its reply.
struct pending_reply {
    std::weak_ptr<int> server_alive;
    ipc_server* server;
    qb_ipcs_connection_t* conn;
    uint64_t serial;
    int32_t id;
    uid_t uid;
    bool answered = false;

    pending_reply(ipc_server* s, qb_ipcs_connection_t* c, uint64_t serial, int32_t id, uid_t uid)
        : server_alive(s->alive_), server(s), conn(c), serial(serial), id(id), uid(uid) {}
    pending_reply(const pending_reply&) = delete;
    pending_reply& operator=(const pending_reply&) = delete;
    ~pending_reply() {
        if (!answered) send(error_response(errc::internal, "the daemon dropped the request unanswered"));
    }

    void send(response r) {
        if (answered) return;
        answered = true;
        if (r.status != errc::ok)
            log_event(LOG_INFO, "ipc_request_failed",
                      {{"id", std::to_string(id)}, {"uid", std::to_string(uid)}, {"error", to_string(r.status)}});
        if (server_alive.expired()) return;  // the daemon is shutting down: nobody to answer
        server->send(conn, serial, id, r);
    }
};

// libqb's callbacks, as static functions of a friend so they reach the server.
struct qb_hooks {
    static ipc_server* current;

    static ipc_server* of(qb_ipcs_connection_t* c) {
        return static_cast<ipc_server*>(qb_ipcs_connection_service_context_get(c));
    }

    // libqb speaks poll(2) bits; the epoll ones sd-event takes are the same
    // values, minus those epoll does not have (POLLNVAL)
    static uint32_t to_epoll(int32_t events) {
        return static_cast<uint32_t>(events) & (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDHUP);
    }

    static int32_t dispatch_add(enum qb_loop_priority, int32_t fd, int32_t events, void* data,
                                qb_ipcs_dispatch_fn_t fn) {
        ipc_server* s = current;
        if (!s || s->fds_.count(fd)) return -EEXIST;
        auto src = s->loop_.add_io(fd, to_epoll(events), [s, fn, data](int fd, uint32_t revents) {
            // a negative return asks us to stop watching the fd
            if (fn(fd, static_cast<int32_t>(revents), data) < 0) s->fds_.erase(fd);
        });
        if (!src) return src.error();
        s->fds_.emplace(fd, std::move(*src));
        return 0;
    }

    static int32_t dispatch_mod(enum qb_loop_priority, int32_t fd, int32_t events, void*, qb_ipcs_dispatch_fn_t) {
        ipc_server* s = current;
        auto it = s ? s->fds_.find(fd) : decltype(s->fds_.end()){};
        if (!s || it == s->fds_.end()) return -ENOENT;
        auto r = s->loop_.set_io_events(it->second, to_epoll(events));
        return r ? 0 : r.error();
    }

    static int32_t dispatch_del(int32_t fd) {
        if (current) current->fds_.erase(fd);
        return 0;
    }

    static int32_t job_add(enum qb_loop_priority, void* data, qb_loop_job_dispatch_fn fn) {
        ipc_server* s = current;
        if (!s) return -ENOENT;
        s->jobs_.emplace_back();
        auto it = std::prev(s->jobs_.end());
        auto src = s->loop_.add_defer([s, it, fn, data] {
            fn(data);
            s->jobs_.erase(it);
        });
        if (!src) {
            s->jobs_.erase(it);
            return src.error();
        }
        *it = std::move(*src);
        return 0;
    }

    static int32_t accept(qb_ipcs_connection_t* c, uid_t uid, gid_t gid) {
        ipc_server* s = of(c);
        peer p{uid, gid, 0, classify_peer(uid, gid, s->haclient_, system_groups)};
        if (p.cls == peer_class::refused) {
            log_event(LOG_WARNING, "ipc_refused", {{"uid", std::to_string(uid)}, {"gid", std::to_string(gid)}});
            return -EACCES;
        }
        s->peers_[c] = ipc_server::connection{p, ++s->next_serial_};
        return 0;
    }

    static void created(qb_ipcs_connection_t* c) {
        ipc_server* s = of(c);
        // clients choose their buffer size; one beyond the protocol's bound
        // would only cost this daemon memory
        if (qb_ipcs_connection_get_buffer_size(c) > static_cast<int32_t>(ipc_buffer_bytes)) {
            log_event(LOG_WARNING, "ipc_buffer_refused",
                      {{"bytes", std::to_string(qb_ipcs_connection_get_buffer_size(c))}});
            qb_ipcs_disconnect(c);
            return;
        }
        qb_ipcs_connection_stats st{};
        if (qb_ipcs_connection_stats_get(c, &st, QB_FALSE) == 0) s->peers_[c].who.pid = st.client_pid;
        const peer& p = s->peers_[c].who;
        log_event(LOG_DEBUG, "ipc_connected",
                  {{"uid", std::to_string(p.uid)}, {"pid", std::to_string(p.pid)}, {"class", to_string(p.cls)}});
    }

    static int32_t message(qb_ipcs_connection_t* c, void* data, size_t size) {
        ipc_server* s = of(c);
        std::span<const std::byte> bytes(static_cast<const std::byte*>(data), size);
        const ipc_server::connection& conn = s->peers_[c];
        auto pending = std::make_shared<pending_reply>(s, c, conn.serial, peek_request_id(bytes), conn.who.uid);
        serve_request(s->table_, s->later_, conn.who, bytes, [pending](response r) { pending->send(std::move(r)); });
        return 0;
    }

    static int32_t closed(qb_ipcs_connection_t*) { return 0; }

    static void destroyed(qb_ipcs_connection_t* c) { of(c)->peers_.erase(c); }
};

ipc_server* qb_hooks::current = nullptr;

ipc_server::ipc_server(token, event_loop& loop, std::optional<gid_t> haclient, dispatch_table table,
                       deferred_table later)
    : loop_(loop), haclient_(haclient), table_(std::move(table)), later_(std::move(later)) {}

void ipc_server::send(qb_ipcs_connection* c, uint64_t serial, int32_t id, const response& r) {
    auto it = peers_.find(c);
    if (it == peers_.end() || it->second.serial != serial) {
        // the client left while its request was being served; libqb freed it
        log_event(LOG_INFO, "ipc_reply_dropped", {{"id", std::to_string(id)}});
        return;
    }
    std::string out = encode_response(id, r);
    int32_t limit = qb_ipcs_connection_get_buffer_size(c);
    if (limit > 0 && out.size() > static_cast<size_t>(limit))
        out = encode_response(id, error_response(errc::response_too_large));
    ssize_t sent = qb_ipcs_response_send(c, out.data(), out.size());
    if (sent < 0) log_event(LOG_WARNING, "ipc_send_failed", {{"errno", std::to_string(-sent)}});
}

expected<std::unique_ptr<ipc_server>, int> ipc_server::start(event_loop& loop, const std::string& name,
                                                             std::optional<gid_t> haclient, dispatch_table table,
                                                             deferred_table later) {
    if (qb_hooks::current) return unexpected(-EBUSY);
    auto s = std::make_unique<ipc_server>(token{}, loop, haclient, std::move(table), std::move(later));
    static qb_ipcs_service_handlers handlers{qb_hooks::accept, qb_hooks::created, qb_hooks::message, qb_hooks::closed,
                                             qb_hooks::destroyed};
    static qb_ipcs_poll_handlers poll{qb_hooks::job_add, qb_hooks::dispatch_add, qb_hooks::dispatch_mod,
                                      qb_hooks::dispatch_del};
    s->service_ = qb_ipcs_create(name.c_str(), 0, QB_IPC_SHM, &handlers);
    if (!s->service_) return unexpected(-errno);
    qb_hooks::current = s.get();
    qb_ipcs_poll_handlers_set(s->service_, &poll);
    qb_ipcs_service_context_set(s->service_, s.get());
    if (int32_t r = qb_ipcs_run(s->service_); r < 0) {
        s->service_ = nullptr;  // a failed qb_ipcs_run has already released the service
        s->stop();
        return unexpected(r);
    }
    return s;
}

void ipc_server::stop() {
    if (service_) {
        qb_ipcs_destroy(service_);
        service_ = nullptr;
    }
    fds_.clear();
    jobs_.clear();
    peers_.clear();
    if (qb_hooks::current == this) qb_hooks::current = nullptr;
}

ipc_server::~ipc_server() { stop(); }

}  // namespace holdfast::daemon
