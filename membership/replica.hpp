#pragma once
// cib_replica: the CIB replicated over one CPG group (virtual synchrony).
//
// The replica does not know the CIB: it moves opaque bytes and calls a
// replica_store, which the daemon implements over cib::document (and the tests
// over a map). Every change is multicast with agreed order and applied by every
// member, the sender included, in delivery order, so all members hold the same
// state with the same version.
//
// On every confchg (join, leave, merge after a partition) the members run one
// sync round (see README.md for why each step is safe):
//   1. each member multicasts its version and a digest of its snapshot, as of
//      the confchg;
//   2. once every current member's announcement is in, all pick the same
//      winner: the highest version, ties to the lowest nodeid, then pid;
//   3. if some member's (version, digest) differs from the winner's, the winner
//      multicasts its snapshot; those members install it and replay the changes
//      delivered between the decision and the snapshot;
//   4. every member multicasts its own_state; all merge each one.
// A newer confchg restarts the round. Between rounds changes flow as usual.
// A confchg in which members only left, after a finished round, needs no
// round: the survivors delivered the same messages, so they hold the same
// state and stay settled (a node's loss is not delayed by a round).
//
// Lifecycle: open() -> join() (retry on try_again) -> fd()/dispatch() from the
// daemon's loop, submit() once synced() -> leave() -> destruction. Pinned on
// the heap (libcpg's callbacks point at it). Single-threaded; the store and the
// callback are called from inside dispatch() only. No exception leaves it.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "membership/cpg.hpp"
#include "membership/error.hpp"

namespace holdfast::membership {

// The CIB's (admin_epoch, epoch, num_updates): compared lexicographically.
struct replica_version {
    std::uint64_t admin_epoch = 0, epoch = 0, num_updates = 0;
    auto operator<=>(const replica_version&) const = default;
};

std::string to_string(const replica_version& v);  // "admin_epoch.epoch.num_updates"

// The replicated state, as the replica sees it. Implemented by the daemon.
class replica_store {
public:
    virtual ~replica_store() = default;
    virtual replica_version version() const = 0;
    // The whole state as bytes. Equal states must give equal bytes (the round
    // compares digests of it to skip the transfer).
    virtual std::string snapshot() const = 0;
    // Take the cluster's copy (the whole state, version included). false: the
    // bytes cannot be read; the replica then stays unsynced.
    virtual bool install(std::string_view snapshot) = 0;
    // One change, in delivery order on every member. false = rejected (the
    // store logs it; the state is unchanged). Must be deterministic.
    virtual bool apply(std::string_view change) = 0;
    // What this node knows of itself (its status), re-announced every round.
    virtual std::string own_state() const = 0;
    // Another member's (or our own) own_state, in delivery order.
    virtual void merge_own_state(const cpg_member& from, std::string_view state) = 0;
};

struct replica_options {
    std::string group = "holdfast-cib";
    // Reassembled messages larger than this are malformed (a memory bound).
    std::size_t max_body = std::size_t{512} << 20;
};

struct replica_stats {
    std::uint64_t dropped = 0;   // malformed frames or bodies
    std::uint64_t stale = 0;     // well-formed sync messages of an older round
    std::uint64_t rejected = 0;  // changes the store refused
    std::uint64_t installs = 0;  // snapshots installed
    std::uint64_t install_failures = 0;
    std::uint64_t rounds = 0;          // confchgs seen
    std::uint64_t skipped_rounds = 0;  // of those, leaves after a finished round: no round needed
};

class replica_core;

class cib_replica {
    struct pass_key {};

public:
    // Opens the CPG connection (errc::unavailable without corosync). `changed`
    // runs (inside dispatch) whenever members(), synced() or settled() change.
    static result<std::unique_ptr<cib_replica>> open(replica_store& store, replica_options options,
                                                     std::function<void()> changed = {});
    cib_replica(pass_key, replica_store& store, replica_options options, std::function<void()> changed);
    ~cib_replica();
    cib_replica(const cib_replica&) = delete;
    cib_replica& operator=(const cib_replica&) = delete;

    // Joins the group; errc::try_again while corosync syncs (retry from the loop).
    result<void> join();
    result<void> leave();

    int fd() const;
    // Delivers queued CPG events, then sends what is queued (flush()).
    result<void> dispatch();
    // Multicasts one change. errc::not_synced before this member holds the
    // cluster's state. The change is applied when it comes back in delivery
    // order (by the store, here included), not now.
    result<void> submit(std::string_view change);
    // Like submit, but the change waits for flush(): changes enqueued between
    // two flushes go out as one message, applied in the order enqueued.
    result<void> enqueue(std::string_view change);
    // Sends queued changes and frames. errc::try_again under corosync's flow control: call
    // again (dispatch() does) from a short timer while backlog() > 0.
    result<void> flush();
    std::size_t backlog() const { return outbox_.size(); }

    // This member holds the cluster's state (the daemon acts only then).
    bool synced() const;
    // synced and the current round is over (every member's own_state merged).
    bool settled() const;
    // Changes submitted here that have not been delivered back yet.
    bool own_changes_pending() const;
    const std::vector<cpg_member>& members() const;
    replica_stats stats() const;

private:
    void take_outgoing();
    void notify_if_changed();

    replica_store& store_;
    replica_options options_;
    std::function<void()> changed_;
    std::unique_ptr<cpg_group> cpg_;
    std::unique_ptr<replica_core> core_;  // made at join(), when our nodeid and pid are known
    std::deque<std::string> outbox_;      // frames, oldest first
    bool last_synced_ = false, last_settled_ = false;
    std::vector<cpg_member> last_members_;
};

}  // namespace holdfast::membership
