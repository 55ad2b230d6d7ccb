#pragma once
// quorum_service: corosync's quorum state through libquorum (whichever quorum
// provider corosync.conf configures; Holdfast uses votequorum).
//
// Owns one libquorum handle (quorum_finalize in the destructor). Lifecycle:
// open() -> quorate() / track() ... -> destruction. Runs on the daemon's one
// event loop: watch fd(), call dispatch(); callbacks run inside dispatch().
// Heap-pinned (unique_ptr, no copy or move) because libquorum's context
// pointer points at it. Never destroy it from inside its own callback.
#include <corosync/quorum.h>

#include <functional>
#include <memory>
#include <vector>

#include "membership/cs_error.hpp"
#include "membership/error.hpp"
#include "membership/types.hpp"

namespace holdfast::membership {

// The quorum state after a membership change.
struct quorum_notification {
    bool quorate = false;
    ring_id ring;
    std::vector<nodeid_t> members;
};

// The node list after a membership change (no quorum information).
struct quorum_nodelist {
    ring_id ring;
    std::vector<nodeid_t> members;
    std::vector<nodeid_t> joined;
    std::vector<nodeid_t> left;
};

struct quorum_callbacks {
    std::function<void(const quorum_notification&)> quorum;
    std::function<void(const quorum_nodelist&)> nodelist;
};

class quorum_service {
    struct pass_key {};

public:
    static result<std::unique_ptr<quorum_service>> open(quorum_callbacks callbacks);

    quorum_service(pass_key, quorum_callbacks callbacks);
    ~quorum_service();
    quorum_service(const quorum_service&) = delete;
    quorum_service& operator=(const quorum_service&) = delete;

    // False when corosync.conf configures no quorum provider: then corosync
    // always reports quorate and the daemon must not trust it.
    bool has_provider() const { return has_provider_; }

    result<bool> quorate();

    // Start notifications: the current state once (if `current`), then every
    // change. Calling it again replaces the previous tracking.
    result<void> track(bool current = true);
    result<void> untrack();

    int fd() const { return fd_; }
    result<void> dispatch(dispatch_mode mode = dispatch_mode::all);

private:
    static void on_quorum(quorum_handle_t, uint32_t, quorum_ring_id, uint32_t, const uint32_t*);
    static void on_nodelist(quorum_handle_t, quorum_ring_id, uint32_t, const uint32_t*, uint32_t, const uint32_t*,
                            uint32_t, const uint32_t*);
    static quorum_service* self(quorum_handle_t h);

    quorum_callbacks callbacks_;
    quorum_handle_t handle_ = 0;
    bool open_ = false;
    bool has_provider_ = false;
    int fd_ = -1;
    detail::callback_guard guard_;
};

}  // namespace holdfast::membership
