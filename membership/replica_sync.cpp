#include "membership/replica_sync.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace holdfast::membership {

namespace {

bool before(const cpg_member& a, const cpg_member& b) { return std::tie(a.nodeid, a.pid) < std::tie(b.nodeid, b.pid); }

}  // namespace

std::string to_string(const replica_version& v) {
    return std::to_string(v.admin_epoch) + "." + std::to_string(v.epoch) + "." + std::to_string(v.num_updates);
}

replica_core::replica_core(replica_store& store, cpg_member self, std::size_t max_frame, std::size_t max_body)
    : store_(store), self_(self), max_frame_(max_frame), reassembler_(max_body) {
    self_.reason = cpg_reason::undefined;
}

replica_stats replica_core::stats() const {
    replica_stats s = stats_;
    s.dropped += reassembler_.dropped();
    return s;
}

bool replica_core::is_member(const cpg_member& m) const {
    return std::binary_search(round_.begin(), round_.end(), m, before);
}

void replica_core::send(wire::kind k, const std::string& body) {
    send_batch();  // what was submitted before goes out before
    for (auto& f : wire::fragment(k, next_msg_id_++, body, max_frame_)) out_.push_back(std::move(f));
}

// Corosync's cost is per message (and per token rotation), not per byte:
// changes submitted in one turn of the loop share one message.
void replica_core::send_batch() {
    if (batch_.empty()) return;
    auto changes = std::exchange(batch_, {});
    batch_bytes_ = 0;
    const bool one = changes.size() == 1;
    const std::string body = one ? std::move(changes.front()) : wire::encode_changes(changes);
    const auto k = one ? wire::kind::change : wire::kind::changes;
    ++own_sent_;
    for (auto& f : wire::fragment(k, next_msg_id_++, body, max_frame_)) out_.push_back(std::move(f));
}

std::vector<std::string> replica_core::take_frames() {
    send_batch();
    return std::exchange(out_, {});
}

result<void> replica_core::submit(std::string_view change) {
    if (phase_ == phase::idle) return unexpected(error{errc::invalid_argument, 0, "replica submit: not joined"});
    if (!synced_)
        return unexpected(error{errc::not_synced, 0, "replica submit: this member does not hold the cluster's state"});
    batch_.emplace_back(change);
    batch_bytes_ += change.size();
    if (batch_.size() >= max_batch_changes || batch_bytes_ >= max_batch_bytes) send_batch();
    return {};
}

// Every confchg starts a round. All members see the same confchgs and
// messages in the same order, so they all restart at the same point; our
// answers carry the member list so that answers to an older confchg, still in
// flight, are recognized and ignored.
void replica_core::on_confchg(const std::vector<cpg_member>& members) {
    ++stats_.rounds;
    const std::vector<cpg_member> previous = std::exchange(round_, {});
    for (auto m : members) {
        m.reason = cpg_reason::undefined;
        round_.push_back(m);
    }
    std::sort(round_.begin(), round_.end(), before);
    reassembler_.forget_all_but(round_);
    versions_.clear();
    own_states_.clear();
    // A member still waiting for a snapshot stays unsynced: the new round
    // brings one (its changes held so far are in it).
    held_.clear();
    need_install_ = false;
    // Only members left, and the last round was over: virtual synchrony gave
    // every survivor the same messages up to this confchg, so they hold the
    // same state and statuses already. Another round would only delay the
    // recovery of what the lost members ran. Every survivor decides this
    // alike: same previous round, same phase at the same point of the order.
    const bool only_left = is_member(self_) && round_.size() < previous.size() &&
                           std::includes(previous.begin(), previous.end(), round_.begin(), round_.end(), before);
    if (only_left && phase_ == phase::done && synced_) {
        ++stats_.skipped_rounds;
        return;
    }
    if (!is_member(self_)) {
        batch_.clear();  // we are out: nothing more goes to this group
        batch_bytes_ = 0;
        own_sent_ = own_delivered_ = 0;
        phase_ = phase::idle;
        synced_ = false;
        return;
    }
    phase_ = phase::versions;
    send(wire::kind::version, wire::encode_version(round_, store_.version(), wire::digest(store_.snapshot())));
}

void replica_core::on_frame(const cpg_member& from, std::string_view frame) {
    wire::message m;
    if (!reassembler_.feed(from, frame, m) || phase_ == phase::idle) return;
    cpg_member sender{from.nodeid, from.pid, cpg_reason::undefined};
    // counted before they are applied, so the store's listeners see them as arrived
    if (sender == self_ && (m.k == wire::kind::change || m.k == wire::kind::changes)) ++own_delivered_;
    switch (m.k) {
        case wire::kind::change: on_change(m.body); break;
        case wire::kind::changes: on_changes(m.body); break;
        case wire::kind::version: on_version(sender, m.body); break;
        case wire::kind::snapshot: on_snapshot(sender, m.body); break;
        case wire::kind::own_state: on_own_state(sender, m.body); break;
    }
}

void replica_core::on_change(std::string_view change) {
    // Between the decision and the snapshot, a member that installs keeps the
    // changes: the snapshot is the winner's state at the decision, these come
    // after it.
    if (need_install_ && phase_ == phase::snapshot) {
        held_.emplace_back(change);
        return;
    }
    if (!store_.apply(change)) ++stats_.rejected;
}

void replica_core::on_changes(std::string_view body) {
    auto changes = wire::decode_changes(body);
    if (!changes) {
        ++stats_.dropped;
        return;
    }
    for (auto c : *changes) on_change(c);
}

void replica_core::on_version(const cpg_member& from, std::string_view body) {
    auto v = wire::decode_version(body);
    if (!v) {
        ++stats_.dropped;
        return;
    }
    if (phase_ != phase::versions || v->round != round_ || !is_member(from) || versions_.contains(key(from))) {
        ++stats_.stale;
        return;
    }
    versions_[key(from)] = announcement{v->version, v->digest};
    if (versions_.size() == round_.size()) decide();
}

// Every member runs this at the same point of the delivery order with the
// same announcements, so all agree on the winner and on who installs.
void replica_core::decide() {
    winner_ = round_.front();
    for (const auto& m : round_)  // ascending (nodeid, pid): ties keep the lowest
        if (versions_[key(m)].version > versions_[key(winner_)].version) winner_ = m;
    const announcement& best = versions_[key(winner_)];
    auto same = [&](const announcement& a) { return a.version == best.version && a.digest == best.digest; };
    bool anyone = std::any_of(versions_.begin(), versions_.end(), [&](const auto& e) { return !same(e.second); });
    need_install_ = !same(versions_[key(self_)]);
    synced_ = !need_install_;
    if (!anyone) {
        start_own_states();
        return;
    }
    phase_ = phase::snapshot;
    if (winner_ == self_)
        send(wire::kind::snapshot, wire::encode_snapshot(round_, store_.version(), store_.snapshot()));
}

void replica_core::on_snapshot(const cpg_member& from, std::string_view body) {
    auto s = wire::decode_snapshot(body);
    if (!s) {
        ++stats_.dropped;
        return;
    }
    if (phase_ != phase::snapshot || s->round != round_ || !(from == winner_)) {
        ++stats_.stale;
        return;
    }
    if (need_install_) {
        if (store_.install(s->bytes)) {
            ++stats_.installs;
            synced_ = true;
            for (const auto& c : held_)
                if (!store_.apply(c)) ++stats_.rejected;
        } else {
            ++stats_.install_failures;  // stays unsynced; the next round retries
        }
        held_.clear();
        need_install_ = false;
    }
    start_own_states();
}

// The status part is rebuilt from what each member says of itself: every
// member announces, every member merges every announcement in delivery order.
void replica_core::start_own_states() {
    phase_ = phase::own_states;
    send(wire::kind::own_state, wire::encode_own_state(round_, store_.own_state()));
}

void replica_core::on_own_state(const cpg_member& from, std::string_view body) {
    auto o = wire::decode_own_state(body);
    if (!o) {
        ++stats_.dropped;
        return;
    }
    if (phase_ != phase::own_states || o->round != round_ || !is_member(from) || own_states_.contains(key(from))) {
        ++stats_.stale;
        return;
    }
    store_.merge_own_state(from, o->bytes);
    own_states_[key(from)] = true;
    if (own_states_.size() == round_.size()) phase_ = phase::done;
}

}  // namespace holdfast::membership
