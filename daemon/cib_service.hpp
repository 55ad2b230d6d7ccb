#pragma once
// cib_service: the CIB this node holds, as the replica's store.
//
// Owns the cib::document. Changes arrive as serialized cib::change values in
// delivery order (apply), or as a whole snapshot when this node takes the
// cluster's copy (install); each accepted one is saved to <state-dir> (atomic,
// with digest) and reported to the listeners (the controller, pending IPC
// replies). Deterministic: every member applies the same bytes in the same
// order and ends with the same document, so snapshots of equal states are
// equal bytes.
//
// own_state: a freshly started daemon knows nothing of what its node runs
// (the agents may have been stopped by a reboot, or still run after a daemon
// restart), so its first announcement clears its node's history; the
// scheduler then probes. Later it announces its node_state as its own
// partition last saw it (changes applied here, never a snapshot installed
// from elsewhere: an install keeps the copy it replaced, and the changes
// applied after it, until this node's announcement is merged), so that after
// a merge the winner's copy learns what this node really ran meanwhile.
//
// Saving: a node without a loop (tests) saves each change before telling the
// listeners. On the daemon's loop (save_on), the listeners hear first and the
// save runs once per loop turn for every change applied in it: a change is
// committed when the cluster has delivered it (every member holds it in
// memory, in the same order), so the disk write needs not delay the answer,
// and changes that arrive together share one write and its fsyncs. A crash
// before that write loses nothing the other members do not hold; flush()
// writes at once (shutdown).
// Runs on the daemon's loop; not thread-safe.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "daemon/event_loop.hpp"
#include "membership/replica.hpp"

namespace holdfast::daemon {

class cib_service final : public membership::replica_store {
public:
    cib_service(cib::document doc, std::string state_dir);
    ~cib_service() override;
    cib_service(const cib_service&) = delete;
    cib_service& operator=(const cib_service&) = delete;

    void set_local_node(std::string id, std::string uname);
    void save_on(event_loop& loop) {
        saver_.emplace(loop, [this] { save_now(); });
    }
    void flush();
    const cib::document& document() const { return doc_; }

    // After each effective change (in delivery order), and after an install
    // (then `change` is null).
    using listener = std::function<void(const cib::change* change, const cib::applied* result)>;
    void add_listener(listener l) { listeners_.push_back(std::move(l)); }
    // A delivered change the CIB refused (every node refuses it alike: a
    // stale if_epoch precondition, a conflict with a change delivered first):
    // the node that sent it answers its client with the reason.
    std::function<void(const cib::change& change, const cib::error& why)> on_rejected;

    // What applying the change would answer; the CIB is left as it was.
    expected<cib::applied, cib::error> try_change(const cib::change& c) { return cib::dry_run(doc_, c); }

    // For a node without a cluster (--standalone): applied, saved (all or
    // nothing) and told to the listeners at once.
    expected<cib::applied, cib::error> apply_local(const cib::change& c);

    membership::replica_version version() const override;
    std::string snapshot() const override;
    bool install(std::string_view snapshot) override;
    bool apply(std::string_view change) override;
    std::string own_state() const override;
    void merge_own_state(const membership::cpg_member& from, std::string_view state) override;

    uint64_t rejected() const { return rejected_; }

private:
    void saved_and_told(const cib::change* c, const cib::applied* r);
    void save_now();

    cib::document doc_;
    std::string state_dir_;
    std::string node_id_;
    std::string uname_;
    bool fresh_ = true;
    void refresh_own_state() const;
    mutable std::string own_node_state_;    // our <node_state> as our partition last applied it
    mutable bool own_state_stale_ = false;  // a status change since own_node_state_ was taken
    // After an install, until our own_state is merged: the copy the install
    // replaced, with every change applied since. Our node_state is read from
    // it, not from the installed copy (another partition's stale view of us).
    std::optional<cib::document> own_view_;
    uint64_t rejected_ = 0;
    std::vector<listener> listeners_;
    std::optional<idle_batch> saver_;  // on a loop: saves once it is idle
};

}  // namespace holdfast::daemon
