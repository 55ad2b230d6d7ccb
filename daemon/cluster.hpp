#pragma once
// cluster: this node's Corosync view, on the daemon's loop.
//
// Owns the CIB replica (CPG group "holdfast-cib"), a second CPG group for
// controller messages ("holdfast-ctl": action requests from the coordinator),
// votequorum tracking and the cmap node list. Registers their fds on the
// event loop, retries joins while Corosync syncs, and flushes the replica's
// backlog under flow control. `changed` runs whenever membership, quorum or
// the replica's sync state moved.
//
// The coordinator (DC) is the lowest node id among the daemons in this
// partition: every member computes the same answer from the same CPG
// membership, so losing the DC costs no election, only the membership change.
// Lifecycle: start() -> (loop runs) -> destruction leaves the groups.
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cib/change.hpp"
#include "daemon/cib_service.hpp"
#include "daemon/event_loop.hpp"
#include "membership/cmap.hpp"
#include "membership/cpg.hpp"
#include "membership/nodes.hpp"
#include "membership/replica.hpp"
#include "membership/votequorum.hpp"

namespace holdfast::daemon {

class cluster {
public:
    struct callbacks {
        std::function<void()> changed;
        // A controller message (from any member, ourselves included).
        std::function<void(membership::nodeid_t from, std::string_view body)> message;
        // Every change this node submitted has come back (applied or not: a
        // change that alters nothing is not reported to the CIB's listeners).
        std::function<void()> own_changes_in;
    };

    static expected<std::unique_ptr<cluster>, std::string> start(event_loop& loop, cib_service& cib, callbacks cb);
    ~cluster();
    cluster(const cluster&) = delete;
    cluster& operator=(const cluster&) = delete;

    membership::nodeid_t local_id() const { return local_id_; }
    const std::string& local_name() const { return local_name_; }
    const std::vector<membership::node_info>& nodes() const { return nodes_; }
    std::string name_of(membership::nodeid_t id) const;
    std::optional<membership::nodeid_t> id_of(const std::string& name) const;

    // Node ids with a daemon in our CPG groups (this partition), sorted.
    std::vector<membership::nodeid_t> members() const;
    bool quorate() const { return quorate_; }
    bool synced() const;
    bool settled() const;
    // CIB changes submitted here and not applied yet (see cib_replica).
    bool own_changes_pending() const;
    std::optional<membership::nodeid_t> dc() const;
    bool is_dc() const { return dc() == local_id_; }

    // A CIB change, applied by every member when it comes back in order.
    membership::result<void> submit(const cib::change& c);
    // A controller message to every member (queued while Corosync holds back).
    void send(std::string body);

    struct token {
    private:
        friend class cluster;
        token() = default;
    };
    cluster(token, event_loop& loop, cib_service& cib, callbacks cb);

private:
    expected<void, std::string> open();
    void try_join();
    void pump();
    void flush_ctl();
    void changed();

    event_loop& loop_;
    cib_service& cib_;
    callbacks cb_;
    std::unique_ptr<membership::cmap_store> cmap_;
    std::unique_ptr<membership::votequorum_service> quorum_;
    std::unique_ptr<membership::cib_replica> replica_;
    std::unique_ptr<membership::cpg_group> ctl_;
    std::vector<event_source> sources_;
    std::optional<timer> retry_;
    std::optional<idle_batch> sender_;  // sends the changes submitted in a turn, as one message
    std::vector<membership::node_info> nodes_;
    std::deque<std::string> ctl_outbox_;
    membership::nodeid_t local_id_ = 0;
    std::string local_name_;
    bool quorate_ = false;
    // what changed() logged last
    std::vector<membership::nodeid_t> logged_members_;
    bool logged_quorate_ = false, logged_settled_ = false;
    bool replica_joined_ = false;
    bool ctl_joined_ = false;
};

}  // namespace holdfast::daemon
