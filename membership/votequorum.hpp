#pragma once
// votequorum_service: votes, expected votes and the quorum flags (two_node,
// wait_for_all, ...) through libvotequorum.
//
// Owns one libvotequorum handle (votequorum_finalize in the destructor).
// Lifecycle: open() -> info() / track() ... -> destruction. Runs on the
// daemon's one event loop: watch fd(), call dispatch(); callbacks run inside
// dispatch(). Heap-pinned (unique_ptr, no copy or move) because the handle's
// context pointer points at it. Never destroy it from inside its own callback.
#include <corosync/votequorum.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "membership/cs_error.hpp"
#include "membership/error.hpp"
#include "membership/types.hpp"

namespace holdfast::membership {

enum class vq_node_state {
    member = VOTEQUORUM_NODESTATE_MEMBER,
    dead = VOTEQUORUM_NODESTATE_DEAD,
    leaving = VOTEQUORUM_NODESTATE_LEAVING
};

// votequorum_getinfo for one node, with the cluster-wide numbers.
struct vq_info {
    nodeid_t nodeid = 0;
    vq_node_state state = vq_node_state::dead;
    unsigned votes = 0;             // this node's votes
    unsigned expected_votes = 0;    // this node's idea of expected votes
    unsigned highest_expected = 0;  // highest expected votes in the cluster
    unsigned total_votes = 0;       // votes of the current members
    unsigned quorum = 0;            // votes needed for quorum
    unsigned flags = 0;             // VOTEQUORUM_INFO_* bits
    std::string qdevice_name;
    unsigned qdevice_votes = 0;

    bool quorate() const { return flags & VOTEQUORUM_INFO_QUORATE; }
    bool two_node() const { return flags & VOTEQUORUM_INFO_TWONODE; }
    bool wait_for_all() const { return flags & VOTEQUORUM_INFO_WAIT_FOR_ALL; }
    bool last_man_standing() const { return flags & VOTEQUORUM_INFO_LAST_MAN_STANDING; }
    bool auto_tie_breaker() const { return flags & VOTEQUORUM_INFO_AUTO_TIE_BREAKER; }
};

struct vq_node {
    nodeid_t nodeid = 0;
    vq_node_state state = vq_node_state::dead;
};

struct vq_quorum_notification {
    bool quorate = false;
    std::vector<vq_node> nodes;
};

struct vq_nodelist_notification {
    ring_id ring;
    std::vector<nodeid_t> members;
};

struct votequorum_callbacks {
    std::function<void(const vq_quorum_notification&)> quorum;
    std::function<void(unsigned expected_votes)> expected_votes;
    std::function<void(const vq_nodelist_notification&)> nodelist;
};

class votequorum_service {
    struct pass_key {};

public:
    static result<std::unique_ptr<votequorum_service>> open(votequorum_callbacks callbacks);

    votequorum_service(pass_key, votequorum_callbacks callbacks);
    ~votequorum_service();
    votequorum_service(const votequorum_service&) = delete;
    votequorum_service& operator=(const votequorum_service&) = delete;

    // nodeid 0 means this node.
    result<vq_info> info(nodeid_t nodeid = 0);

    // Start notifications: the current state once (if `current`), then every change.
    result<void> track(bool current = true);
    result<void> untrack();

    int fd() const { return fd_; }
    result<void> dispatch(dispatch_mode mode = dispatch_mode::all);

private:
    static void on_quorum(votequorum_handle_t, uint64_t, uint32_t, uint32_t, votequorum_node_t[]);
    static void on_expected(votequorum_handle_t, uint64_t, uint32_t);
    static void on_nodelist(votequorum_handle_t, uint64_t, votequorum_ring_id_t, uint32_t, uint32_t[]);
    static votequorum_service* self(votequorum_handle_t h);

    votequorum_callbacks callbacks_;
    votequorum_handle_t handle_ = 0;
    bool open_ = false;
    int fd_ = -1;
    detail::callback_guard guard_;
};

}  // namespace holdfast::membership
