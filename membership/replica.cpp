#include "membership/replica.hpp"

#include <unistd.h>

#include <exception>

#include "membership/replica_sync.hpp"

namespace holdfast::membership {

namespace {

error not_joined(const char* op) { return error{errc::invalid_argument, 0, std::string(op) + ": not joined"}; }

}  // namespace

cib_replica::cib_replica(pass_key, replica_store& store, replica_options options, std::function<void()> changed)
    : store_(store), options_(std::move(options)), changed_(std::move(changed)) {}

cib_replica::~cib_replica() = default;

result<std::unique_ptr<cib_replica>> cib_replica::open(replica_store& store, replica_options options,
                                                       std::function<void()> changed) {
    auto r = std::make_unique<cib_replica>(pass_key{}, store, std::move(options), std::move(changed));
    cib_replica* self = r.get();  // pinned: the callbacks may keep this pointer
    auto cpg = cpg_group::open(
        {.deliver =
             [self](const cpg_message& m) {
                 if (!self->core_) return;
                 self->core_->on_frame(cpg_member{m.nodeid, m.pid, cpg_reason::undefined},
                                       std::string_view(reinterpret_cast<const char*>(m.data.data()), m.data.size()));
                 self->take_outgoing();
                 self->notify_if_changed();
             },
         .confchg =
             [self](const cpg_confchg& c) {
                 if (!self->core_) return;
                 self->core_->on_confchg(c.members);
                 self->take_outgoing();
                 self->notify_if_changed();
             },
         .totem = {}});
    if (!cpg) return unexpected(cpg.error());
    r->cpg_ = std::move(*cpg);
    if (r->cpg_->max_message_size() <= wire::header_size)
        return unexpected(error{errc::corosync, 0, "cpg: maximum message size too small for the replica's frames"});
    return r;
}

result<void> cib_replica::join() {
    if (!core_) {
        auto nodeid = cpg_->local_nodeid();
        if (!nodeid) return unexpected(nodeid.error());
        cpg_member self{*nodeid, static_cast<std::uint32_t>(getpid()), cpg_reason::undefined};
        core_ = std::make_unique<replica_core>(store_, self, cpg_->max_message_size(), options_.max_body);
    }
    return cpg_->join(options_.group);
}

result<void> cib_replica::leave() {
    if (!core_) return unexpected(not_joined("replica leave"));
    outbox_.clear();  // nothing more can be sent once we are out
    return cpg_->leave();
}

int cib_replica::fd() const { return cpg_->fd(); }

result<void> cib_replica::dispatch() {
    auto r = cpg_->dispatch();
    if (!r) return r;
    auto f = flush();
    if (!f && f.error().code != errc::try_again) return f;
    return {};
}

result<void> cib_replica::enqueue(std::string_view change) {
    if (!core_) return unexpected(not_joined("replica submit"));
    if (change.size() > options_.max_body)
        return unexpected(error{errc::message_too_large, 0,
                                "replica submit: change of " + std::to_string(change.size()) + " bytes, limit " +
                                    std::to_string(options_.max_body)});
    return core_->submit(change);
}

result<void> cib_replica::submit(std::string_view change) {
    if (auto r = enqueue(change); !r) return r;
    auto f = flush();
    if (!f && f.error().code != errc::try_again) return f;
    return {};
}

result<void> cib_replica::flush() {
    if (core_) take_outgoing();
    while (!outbox_.empty()) {
        if (auto r = cpg_->send(outbox_.front()); !r) return r;
        outbox_.pop_front();
    }
    return {};
}

bool cib_replica::synced() const { return core_ && core_->synced(); }
bool cib_replica::settled() const { return core_ && core_->settled(); }
bool cib_replica::own_changes_pending() const { return core_ && core_->own_changes_pending(); }

const std::vector<cpg_member>& cib_replica::members() const {
    static const std::vector<cpg_member> none;
    return core_ ? core_->members() : none;
}

replica_stats cib_replica::stats() const { return core_ ? core_->stats() : replica_stats{}; }

// Frames are queued, not sent, inside libcpg's callbacks; dispatch() and
// submit() send them once the callback has returned.
void cib_replica::take_outgoing() {
    for (auto& f : core_->take_frames()) outbox_.push_back(std::move(f));
}

// Runs inside a cpg callback: an exception from `changed_` is caught by
// cpg_group's guard and reported by dispatch() as errc::callback_failed.
void cib_replica::notify_if_changed() {
    bool s = synced(), st = settled();
    if (s == last_synced_ && st == last_settled_ && members() == last_members_) return;
    last_synced_ = s;
    last_settled_ = st;
    last_members_ = members();
    if (changed_) changed_();
}

}  // namespace holdfast::membership
