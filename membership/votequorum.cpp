#include "membership/votequorum.hpp"

#include <cstring>

namespace holdfast::membership {

votequorum_service::votequorum_service(pass_key, votequorum_callbacks callbacks) : callbacks_(std::move(callbacks)) {}

votequorum_service::~votequorum_service() {
    if (open_) votequorum_finalize(handle_);
}

result<std::unique_ptr<votequorum_service>> votequorum_service::open(votequorum_callbacks callbacks) {
    auto v = std::make_unique<votequorum_service>(pass_key{}, std::move(callbacks));
    votequorum_callbacks_t cbs{};
    cbs.votequorum_quorum_notify_fn = &votequorum_service::on_quorum;
    cbs.votequorum_expectedvotes_notify_fn = &votequorum_service::on_expected;
    cbs.votequorum_nodelist_notify_fn = &votequorum_service::on_nodelist;
    cs_error_t cs = votequorum_initialize(&v->handle_, &cbs);
    if (cs != CS_OK) return unexpected(detail::cs_failure("votequorum_initialize", cs));
    v->open_ = true;
    // No callback can run before this: they only run inside dispatch().
    if (auto r = detail::check("votequorum_context_set", votequorum_context_set(v->handle_, v.get())); !r)
        return unexpected(r.error());
    if (auto r = detail::check("votequorum_fd_get", votequorum_fd_get(v->handle_, &v->fd_)); !r)
        return unexpected(r.error());
    return v;
}

votequorum_service* votequorum_service::self(votequorum_handle_t h) {
    void* ctx = nullptr;
    if (votequorum_context_get(h, &ctx) != CS_OK) return nullptr;
    return static_cast<votequorum_service*>(ctx);
}

result<vq_info> votequorum_service::info(nodeid_t nodeid) {
    votequorum_info raw{};
    if (auto r = detail::check("votequorum_getinfo", votequorum_getinfo(handle_, nodeid, &raw)); !r)
        return unexpected(r.error());
    vq_info i;
    i.nodeid = raw.node_id;
    i.state = static_cast<vq_node_state>(raw.node_state);
    i.votes = raw.node_votes;
    i.expected_votes = raw.node_expected_votes;
    i.highest_expected = raw.highest_expected;
    i.total_votes = raw.total_votes;
    i.quorum = raw.quorum;
    i.flags = raw.flags;
    i.qdevice_votes = raw.qdevice_votes;
    i.qdevice_name.assign(raw.qdevice_name, strnlen(raw.qdevice_name, sizeof raw.qdevice_name));
    return i;
}

result<void> votequorum_service::track(bool current) {
    unsigned flags = CS_TRACK_CHANGES | (current ? CS_TRACK_CURRENT : 0);
    return detail::check("votequorum_trackstart", votequorum_trackstart(handle_, 0, flags));
}

result<void> votequorum_service::untrack() {
    return detail::check("votequorum_trackstop", votequorum_trackstop(handle_));
}

result<void> votequorum_service::dispatch(dispatch_mode mode) {
    guard_.reset();
    auto flags = mode == dispatch_mode::all ? CS_DISPATCH_ALL : CS_DISPATCH_ONE_NONBLOCKING;
    auto r = detail::check("votequorum_dispatch", votequorum_dispatch(handle_, flags));
    if (auto cb = guard_.take("votequorum_dispatch"); !cb) return cb;
    return r;
}

void votequorum_service::on_quorum(votequorum_handle_t h, uint64_t, uint32_t quorate, uint32_t n,
                                   votequorum_node_t nodes[]) {
    votequorum_service* v = self(h);
    if (!v || !v->callbacks_.quorum) return;
    v->guard_.run([&] {
        vq_quorum_notification note{quorate != 0, {}};
        for (uint32_t i = 0; i < n; ++i)
            note.nodes.push_back(vq_node{nodes[i].nodeid, static_cast<vq_node_state>(nodes[i].state)});
        v->callbacks_.quorum(note);
    });
}

void votequorum_service::on_expected(votequorum_handle_t h, uint64_t, uint32_t expected) {
    votequorum_service* v = self(h);
    if (!v || !v->callbacks_.expected_votes) return;
    v->guard_.run([&] { v->callbacks_.expected_votes(expected); });
}

void votequorum_service::on_nodelist(votequorum_handle_t h, uint64_t, votequorum_ring_id_t ring, uint32_t n,
                                     uint32_t members[]) {
    votequorum_service* v = self(h);
    if (!v || !v->callbacks_.nodelist) return;
    v->guard_.run([&] {
        vq_nodelist_notification note{ring_id{ring.nodeid, ring.seq}, std::vector<nodeid_t>(members, members + n)};
        v->callbacks_.nodelist(note);
    });
}

}  // namespace holdfast::membership
