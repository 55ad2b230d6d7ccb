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
// from elsewhere), so that after a merge the winner's copy learns what this
// node really ran meanwhile.
// Runs on the daemon's loop; not thread-safe.
#include <functional>
#include <string>
#include <vector>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "membership/replica.hpp"

namespace holdfast::daemon {

class cib_service final : public membership::replica_store {
public:
    cib_service(cib::document doc, std::string state_dir);

    void set_local_node(std::string id, std::string uname);
    const cib::document& document() const { return doc_; }

    // After each effective change (in delivery order), and after an install
    // (then `change` is null).
    using listener = std::function<void(const cib::change* change, const cib::applied* result)>;
    void add_listener(listener l) { listeners_.push_back(std::move(l)); }

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

    cib::document doc_;
    std::string state_dir_;
    std::string node_id_;
    std::string uname_;
    bool fresh_ = true;
    std::string own_node_state_;  // our <node_state> as our partition last applied it
    uint64_t rejected_ = 0;
    std::vector<listener> listeners_;
};

}  // namespace holdfast::daemon
