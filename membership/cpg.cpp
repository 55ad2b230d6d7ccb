#include "membership/cpg.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>

namespace holdfast::membership {

namespace {

std::vector<cpg_member> members_of(const cpg_address* list, size_t n) {
    std::vector<cpg_member> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i)
        out.push_back(cpg_member{list[i].nodeid, list[i].pid, static_cast<cpg_reason>(list[i].reason)});
    return out;
}

std::string_view view_of(const cpg_name* name) {
    return std::string_view(name->value, std::min<size_t>(name->length, CPG_MAX_NAME_LENGTH));
}

cs_dispatch_flags_t flags_of(dispatch_mode mode) {
    return mode == dispatch_mode::all ? CS_DISPATCH_ALL : CS_DISPATCH_ONE_NONBLOCKING;
}

}  // namespace

const char* to_string(cpg_reason r) {
    switch (r) {
        case cpg_reason::undefined: return "undefined";
        case cpg_reason::join: return "join";
        case cpg_reason::leave: return "leave";
        case cpg_reason::node_down: return "node_down";
        case cpg_reason::node_up: return "node_up";
        case cpg_reason::proc_down: return "proc_down";
    }
    return "unknown";
}

cpg_group::cpg_group(pass_key, cpg_callbacks callbacks) : callbacks_(std::move(callbacks)) {}

cpg_group::~cpg_group() {
    // Finalizing without leaving is fine: corosync reports a PROCDOWN leave.
    if (open_) cpg_finalize(handle_);
}

result<std::unique_ptr<cpg_group>> cpg_group::open(cpg_callbacks callbacks) {
    auto g = std::make_unique<cpg_group>(pass_key{}, std::move(callbacks));
    cpg_model_v1_data_t model{};
    model.model = CPG_MODEL_V1;
    model.cpg_deliver_fn = &cpg_group::on_deliver;
    model.cpg_confchg_fn = &cpg_group::on_confchg;
    model.cpg_totem_confchg_fn = &cpg_group::on_totem;
    model.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF;
    cs_error_t cs =
        cpg_model_initialize(&g->handle_, CPG_MODEL_V1, reinterpret_cast<cpg_model_data_t*>(&model), g.get());
    if (cs != CS_OK) return unexpected(detail::cs_failure("cpg_model_initialize", cs));
    g->open_ = true;
    if (auto r = detail::check("cpg_fd_get", cpg_fd_get(g->handle_, &g->fd_)); !r) return unexpected(r.error());
    uint32_t max = 0;
    if (auto r = detail::check("cpg_max_atomic_msgsize_get", cpg_max_atomic_msgsize_get(g->handle_, &max)); !r)
        return unexpected(r.error());
    g->max_message_size_ = max;
    return g;
}

cpg_group* cpg_group::self(cpg_handle_t h) {
    void* ctx = nullptr;
    if (cpg_context_get(h, &ctx) != CS_OK) return nullptr;
    return static_cast<cpg_group*>(ctx);
}

result<cpg_name> cpg_group::name_of(std::string_view group) const {
    if (group.empty() || group.size() > CPG_MAX_NAME_LENGTH)
        return unexpected(error{errc::invalid_argument, 0,
                                "cpg group name must have 1 to " + std::to_string(CPG_MAX_NAME_LENGTH) + " bytes"});
    cpg_name name{};
    name.length = static_cast<uint32_t>(group.size());
    std::memcpy(name.value, group.data(), group.size());
    return name;
}

result<void> cpg_group::join(std::string_view group) {
    if (joined_) return unexpected(error{errc::invalid_argument, 0, "already joined group " + group_});
    auto name = name_of(group);
    if (!name) return unexpected(name.error());
    std::string op = "cpg_join(" + std::string(group) + ")";
    if (auto r = detail::check(op, cpg_join(handle_, &*name)); !r) return r;
    group_ = std::string(group);
    joined_ = true;
    return {};
}

result<void> cpg_group::leave() {
    if (!joined_) return unexpected(error{errc::invalid_argument, 0, "cpg_leave: not joined"});
    auto name = name_of(group_);
    if (!name) return unexpected(name.error());
    if (auto r = detail::check("cpg_leave(" + group_ + ")", cpg_leave(handle_, &*name)); !r) return r;
    joined_ = false;
    return {};
}

result<void> cpg_group::send(std::span<const std::byte> payload) {
    if (!joined_) return unexpected(error{errc::invalid_argument, 0, "cpg send: not joined"});
    if (payload.size() > max_message_size_)
        return unexpected(error{
            errc::message_too_large, 0,
            "cpg send: " + std::to_string(payload.size()) + " bytes, limit " + std::to_string(max_message_size_)});
    iovec iov{const_cast<std::byte*>(payload.data()), payload.size()};  // libcpg only reads it
    return detail::check("cpg_mcast_joined", cpg_mcast_joined(handle_, CPG_TYPE_AGREED, &iov, 1));
}

result<nodeid_t> cpg_group::local_nodeid() {
    unsigned int id = 0;
    if (auto r = detail::check("cpg_local_get", cpg_local_get(handle_, &id)); !r) return unexpected(r.error());
    return nodeid_t{id};
}

result<std::vector<cpg_member>> cpg_group::members() {
    if (!joined_) return unexpected(error{errc::invalid_argument, 0, "cpg_membership_get: not joined"});
    auto name = name_of(group_);
    if (!name) return unexpected(name.error());
    std::vector<cpg_address> list(CPG_MEMBERS_MAX);
    int n = CPG_MEMBERS_MAX;
    if (auto r = detail::check("cpg_membership_get", cpg_membership_get(handle_, &*name, list.data(), &n)); !r)
        return unexpected(r.error());
    return members_of(list.data(), static_cast<size_t>(n));
}

result<void> cpg_group::dispatch(dispatch_mode mode) {
    guard_.reset();
    auto r = detail::check("cpg_dispatch", cpg_dispatch(handle_, flags_of(mode)));
    if (auto cb = guard_.take("cpg_dispatch"); !cb) return cb;
    return r;
}

void cpg_group::on_deliver(cpg_handle_t h, const cpg_name* group, uint32_t nodeid, uint32_t pid, void* msg,
                           size_t len) {
    cpg_group* g = self(h);
    if (!g || !g->callbacks_.deliver) return;
    g->guard_.run([&] {
        cpg_message m{view_of(group), nodeid, pid, std::span(static_cast<const std::byte*>(msg), len)};
        g->callbacks_.deliver(m);
    });
}

void cpg_group::on_confchg(cpg_handle_t h, const cpg_name* group, const cpg_address* members, size_t n_members,
                           const cpg_address* left, size_t n_left, const cpg_address* joined, size_t n_joined) {
    cpg_group* g = self(h);
    if (!g || !g->callbacks_.confchg) return;
    g->guard_.run([&] {
        cpg_confchg c{std::string(view_of(group)), members_of(members, n_members), members_of(left, n_left),
                      members_of(joined, n_joined)};
        g->callbacks_.confchg(c);
    });
}

void cpg_group::on_totem(cpg_handle_t h, cpg_ring_id ring, uint32_t n, const uint32_t* members) {
    cpg_group* g = self(h);
    if (!g || !g->callbacks_.totem) return;
    g->guard_.run([&] {
        totem_confchg t{ring_id{ring.nodeid, ring.seq}, std::vector<nodeid_t>(members, members + n)};
        g->callbacks_.totem(t);
    });
}

}  // namespace holdfast::membership
