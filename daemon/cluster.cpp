// This node's Corosync view (see cluster.hpp).
#include "daemon/cluster.hpp"

#include <algorithm>

#include "daemon/log.hpp"

namespace holdfast::daemon {

namespace {
constexpr usec retry_after{200'000};  // a join refused while Corosync syncs, or a send under flow control
}

cluster::cluster(token, event_loop& loop, cib_service& cib, callbacks cb)
    : loop_(loop), cib_(cib), cb_(std::move(cb)) {}

cluster::~cluster() {
    sources_.clear();
    if (replica_ && replica_joined_) (void)replica_->leave();
    if (ctl_ && ctl_joined_) (void)ctl_->leave();
}

expected<std::unique_ptr<cluster>, std::string> cluster::start(event_loop& loop, cib_service& cib, callbacks cb) {
    auto c = std::make_unique<cluster>(token{}, loop, cib, std::move(cb));
    if (auto r = c->open(); !r) return unexpected(r.error());
    return c;
}

expected<void, std::string> cluster::open() {
    auto cmap = membership::cmap_store::open();
    if (!cmap) return unexpected("corosync cmap: " + cmap.error().to_string());
    cmap_ = std::move(*cmap);
    auto nodes = membership::cluster_nodes(*cmap_);
    if (!nodes) return unexpected("corosync nodelist: " + nodes.error().to_string());
    nodes_ = std::move(*nodes);

    auto quorum = membership::votequorum_service::open({.quorum =
                                                            [this](const membership::vq_quorum_notification& n) {
                                                                quorate_ = n.quorate;
                                                                changed();
                                                            },
                                                        .expected_votes = {},
                                                        .nodelist = {}});
    if (!quorum) return unexpected("corosync votequorum: " + quorum.error().to_string());
    quorum_ = std::move(*quorum);
    if (auto info = quorum_->info(); info) {
        local_id_ = info->nodeid;
        quorate_ = info->quorate();
    }
    if (auto t = quorum_->track(); !t) return unexpected("votequorum tracking: " + t.error().to_string());
    local_name_ = name_of(local_id_);
    cib_.set_local_node(std::to_string(local_id_), local_name_);

    auto replica = membership::cib_replica::open(cib_, {}, [this] { changed(); });
    if (!replica) return unexpected("CIB replica: " + replica.error().to_string());
    replica_ = std::move(*replica);

    auto ctl = membership::cpg_group::open(
        {.deliver =
             [this](const membership::cpg_message& m) {
                 if (cb_.message)
                     cb_.message(m.nodeid,
                                 std::string_view(reinterpret_cast<const char*>(m.data.data()), m.data.size()));
             },
         .confchg = [this](const membership::cpg_confchg&) { changed(); },
         .totem = {}});
    if (!ctl) return unexpected("controller CPG group: " + ctl.error().to_string());
    ctl_ = std::move(*ctl);

    auto watch = [this](int fd, std::function<void()> fn) -> expected<void, std::string> {
        auto s = loop_.add_io(fd, EPOLLIN, [fn = std::move(fn)](int, uint32_t) { fn(); });
        if (!s) return unexpected(std::string("cannot watch a corosync fd"));
        sources_.push_back(std::move(*s));
        return {};
    };
    for (auto& [fd, fn] :
         std::vector<std::pair<int, std::function<void()>>>{{cmap_->fd(), [this] { (void)cmap_->dispatch(); }},
                                                            {quorum_->fd(), [this] { (void)quorum_->dispatch(); }},
                                                            {replica_->fd(), [this] { pump(); }},
                                                            {ctl_->fd(), [this] { (void)ctl_->dispatch(); }}}) {
        if (auto r = watch(fd, std::move(fn)); !r) return r;
    }
    auto t = timer::create(loop_, [this] {
        try_join();
        pump();
        flush_ctl();
    });
    if (!t) return unexpected(std::string("cannot create the join timer"));
    retry_ = std::move(*t);
    sender_.emplace(loop_, [this] {
        (void)replica_->flush();
        if (replica_->backlog() > 0 && !retry_->armed()) (void)retry_->arm(retry_after);
    });
    try_join();
    log_event(LOG_NOTICE, "cluster_started",
              {{"nodeid", std::to_string(local_id_)}, {"name", local_name_}, {"quorate", quorate_ ? "1" : "0"}});
    return {};
}

// Logs what moved (who joined or left, quorum, the CIB's sync round), then
// tells the daemon. Names, not ids, as an operator reads them.
void cluster::changed() {
    const auto now = members();
    if (now != logged_members_) {
        std::string left, joined, all;
        auto add = [this](std::string& to, membership::nodeid_t id) { to += (to.empty() ? "" : ",") + name_of(id); };
        for (auto id : logged_members_)
            if (!std::binary_search(now.begin(), now.end(), id)) add(left, id);
        for (auto id : now) {
            add(all, id);
            if (!std::binary_search(logged_members_.begin(), logged_members_.end(), id)) add(joined, id);
        }
        log_event(LOG_NOTICE, "membership_changed", {{"members", all}, {"left", left}, {"joined", joined}});
        logged_members_ = now;
    }
    if (quorate_ != logged_quorate_) {
        log_event(LOG_NOTICE, "quorum_changed", {{"quorate", quorate_ ? "1" : "0"}});
        logged_quorate_ = quorate_;
    }
    if (settled() != logged_settled_) {
        logged_settled_ = settled();
        log_event(LOG_INFO, "cib_sync", {{"settled", logged_settled_ ? "1" : "0"}});
    }
    if (cb_.changed) cb_.changed();
}

void cluster::try_join() {
    bool again = false;
    if (!replica_joined_) {
        auto r = replica_->join();
        replica_joined_ = r.has_value();
        again = again || !replica_joined_;
        if (!r && r.error().code != membership::errc::try_again)
            log_event(LOG_ERR, "cib_group_join_failed", {{"error", r.error().to_string()}});
    }
    if (!ctl_joined_) {
        auto r = ctl_->join("holdfast-ctl");
        ctl_joined_ = r.has_value();
        again = again || !ctl_joined_;
    }
    if (again) (void)retry_->arm(retry_after);
}

// Delivers what the replica has, then retries its backlog a little later
// while Corosync holds it back.
void cluster::pump() {
    const bool pending = replica_->own_changes_pending();
    if (auto r = replica_->dispatch(); !r && r.error().code == membership::errc::unavailable)
        log_event(LOG_ERR, "corosync_lost", {{"error", r.error().to_string()}});
    if (pending && !replica_->own_changes_pending() && cb_.own_changes_in) cb_.own_changes_in();
    if (replica_->backlog() > 0 && !retry_->armed()) (void)retry_->arm(retry_after);
}

std::string cluster::name_of(membership::nodeid_t id) const {
    for (const auto& n : nodes_)
        if (n.nodeid == id) return n.name;
    return std::to_string(id);
}

std::optional<membership::nodeid_t> cluster::id_of(const std::string& name) const {
    for (const auto& n : nodes_)
        if (n.name == name) return n.nodeid;
    return std::nullopt;
}

std::vector<membership::nodeid_t> cluster::members() const {
    std::vector<membership::nodeid_t> out;
    if (!replica_) return out;
    for (const auto& m : replica_->members()) out.push_back(m.nodeid);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool cluster::synced() const { return replica_ && replica_->synced(); }
bool cluster::settled() const { return replica_ && replica_->settled(); }
bool cluster::own_changes_pending() const { return replica_ && replica_->own_changes_pending(); }

std::optional<membership::nodeid_t> cluster::dc() const {
    auto m = members();
    if (m.empty()) return std::nullopt;
    return m.front();
}

// Queued, and sent when the loop has nothing else pending, with every other
// change submitted meanwhile (one message for corosync to order); never
// delivered here and now: a caller in the middle of handling one change must
// not see the next one arrive underneath it.
membership::result<void> cluster::submit(const cib::change& c) {
    auto r = replica_->enqueue(cib::serialize(c));
    if (!r) return r;
    sender_->poke();
    return r;
}

// Controller messages keep their order; under flow control they wait for
// the retry timer.
void cluster::send(std::string body) {
    ctl_outbox_.push_back(std::move(body));
    flush_ctl();
}

void cluster::flush_ctl() {
    while (!ctl_outbox_.empty() && ctl_joined_) {
        auto r = ctl_->send(ctl_outbox_.front());
        if (!r) {
            if (r.error().code != membership::errc::try_again) {
                log_event(LOG_ERR, "controller_message_lost", {{"error", r.error().to_string()}});
                ctl_outbox_.pop_front();
                continue;
            }
            break;
        }
        ctl_outbox_.pop_front();
    }
    if (!ctl_outbox_.empty() && !retry_->armed()) (void)retry_->arm(retry_after);
}

}  // namespace holdfast::daemon
