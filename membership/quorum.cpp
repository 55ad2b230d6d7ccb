#include "membership/quorum.hpp"

namespace holdfast::membership {

namespace {

std::vector<nodeid_t> ids(const uint32_t* list, uint32_t n) { return std::vector<nodeid_t>(list, list + n); }

}  // namespace

quorum_service::quorum_service(pass_key, quorum_callbacks callbacks) : callbacks_(std::move(callbacks)) {}

quorum_service::~quorum_service() {
    if (open_) quorum_finalize(handle_);
}

result<std::unique_ptr<quorum_service>> quorum_service::open(quorum_callbacks callbacks) {
    auto q = std::make_unique<quorum_service>(pass_key{}, std::move(callbacks));
    quorum_model_v1_data_t model{};
    model.model = QUORUM_MODEL_V1;
    model.quorum_notify_fn = &quorum_service::on_quorum;
    model.nodelist_notify_fn = &quorum_service::on_nodelist;
    uint32_t type = 0;
    cs_error_t cs = quorum_model_initialize(&q->handle_, QUORUM_MODEL_V1,
                                            reinterpret_cast<quorum_model_data_t*>(&model), &type, q.get());
    if (cs != CS_OK) return unexpected(detail::cs_failure("quorum_model_initialize", cs));
    q->open_ = true;
    q->has_provider_ = type == QUORUM_SET;
    if (auto r = detail::check("quorum_fd_get", quorum_fd_get(q->handle_, &q->fd_)); !r) return unexpected(r.error());
    return q;
}

quorum_service* quorum_service::self(quorum_handle_t h) {
    const void* ctx = nullptr;
    if (quorum_context_get(h, &ctx) != CS_OK) return nullptr;
    return static_cast<quorum_service*>(const_cast<void*>(ctx));
}

result<bool> quorum_service::quorate() {
    int q = 0;
    if (auto r = detail::check("quorum_getquorate", quorum_getquorate(handle_, &q)); !r) return unexpected(r.error());
    return q != 0;
}

result<void> quorum_service::track(bool current) {
    unsigned flags = CS_TRACK_CHANGES | (current ? CS_TRACK_CURRENT : 0);
    return detail::check("quorum_trackstart", quorum_trackstart(handle_, flags));
}

result<void> quorum_service::untrack() { return detail::check("quorum_trackstop", quorum_trackstop(handle_)); }

result<void> quorum_service::dispatch(dispatch_mode mode) {
    guard_.reset();
    auto flags = mode == dispatch_mode::all ? CS_DISPATCH_ALL : CS_DISPATCH_ONE_NONBLOCKING;
    auto r = detail::check("quorum_dispatch", quorum_dispatch(handle_, flags));
    if (auto cb = guard_.take("quorum_dispatch"); !cb) return cb;
    return r;
}

void quorum_service::on_quorum(quorum_handle_t h, uint32_t quorate, quorum_ring_id ring, uint32_t n,
                               const uint32_t* members) {
    quorum_service* q = self(h);
    if (!q || !q->callbacks_.quorum) return;
    q->guard_.run([&] {
        quorum_notification note{quorate != 0, ring_id{ring.nodeid, ring.seq}, ids(members, n)};
        q->callbacks_.quorum(note);
    });
}

void quorum_service::on_nodelist(quorum_handle_t h, quorum_ring_id ring, uint32_t n_members, const uint32_t* members,
                                 uint32_t n_joined, const uint32_t* joined, uint32_t n_left, const uint32_t* left) {
    quorum_service* q = self(h);
    if (!q || !q->callbacks_.nodelist) return;
    q->guard_.run([&] {
        quorum_nodelist note{ring_id{ring.nodeid, ring.seq}, ids(members, n_members), ids(joined, n_joined),
                             ids(left, n_left)};
        q->callbacks_.nodelist(note);
    });
}

}  // namespace holdfast::membership
