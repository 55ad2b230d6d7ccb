#pragma once
// cpg_group: one process's membership of one Corosync closed process group.
//
// Owns one libcpg handle (cpg_finalize in the destructor; corosync then reports
// us as left with reason PROCDOWN if we had not left). Lifecycle: open() ->
// join() -> send()/callbacks ... -> leave() -> destruction. Single-threaded: it
// runs on the daemon's one event loop, which watches fd() for readability and
// calls dispatch(); every callback runs inside dispatch(), on that loop. Never
// destroy the object from inside one of its own callbacks.
//
// The object is pinned on the heap (open() returns a unique_ptr, no copy or
// move) because libcpg's context pointer points at it.
//
// Message size: send() accepts payloads up to max_message_size(), the largest
// message libcpg sends as one piece (cpg_max_atomic_msgsize_get; about 1 MB
// on corosync 3.1 with default IPC buffers). Larger payloads are refused with
// errc::message_too_large rather than handed to libcpg's own fragmentation;
// splitting big CIBs is the replication layer's job.
#include <corosync/cpg.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "membership/cs_error.hpp"
#include "membership/error.hpp"
#include "membership/types.hpp"

namespace holdfast::membership {

enum class cpg_reason {
    undefined = CPG_REASON_UNDEFINED,
    join = CPG_REASON_JOIN,           // the process called cpg_join
    leave = CPG_REASON_LEAVE,         // the process called cpg_leave
    node_down = CPG_REASON_NODEDOWN,  // its node left the totem membership
    node_up = CPG_REASON_NODEUP,      // its node (re)joined the totem membership
    proc_down = CPG_REASON_PROCDOWN,  // the process exited or finalized without leaving
};

const char* to_string(cpg_reason r);

struct cpg_member {
    nodeid_t nodeid = 0;
    std::uint32_t pid = 0;
    cpg_reason reason = cpg_reason::undefined;  // meaningful in left/joined lists only
    bool operator==(const cpg_member& o) const { return nodeid == o.nodeid && pid == o.pid; }
};

// A message in agreed order. data points into libcpg's buffer: valid only
// during the callback, copy what you keep.
struct cpg_message {
    std::string_view group;
    nodeid_t nodeid = 0;
    std::uint32_t pid = 0;
    std::span<const std::byte> data;
};

// The group's membership changed (virtual synchrony: all members see the
// same sequence of messages and confchgs).
struct cpg_confchg {
    std::string group;
    std::vector<cpg_member> members;  // after the change
    std::vector<cpg_member> left;
    std::vector<cpg_member> joined;
};

// The totem (node-level) membership changed.
struct totem_confchg {
    ring_id ring;
    std::vector<nodeid_t> members;
};

struct cpg_callbacks {
    std::function<void(const cpg_message&)> deliver;
    std::function<void(const cpg_confchg&)> confchg;
    std::function<void(const totem_confchg&)> totem;  // also once right after join (initial ring)
};

class cpg_group {
    struct pass_key {};

public:
    // Connects to corosync's CPG service. Fails with errc::unavailable when
    // corosync does not run.
    static result<std::unique_ptr<cpg_group>> open(cpg_callbacks callbacks);

    cpg_group(pass_key, cpg_callbacks callbacks);
    ~cpg_group();
    cpg_group(const cpg_group&) = delete;
    cpg_group& operator=(const cpg_group&) = delete;

    // Join one group (at most CPG_MAX_NAME_LENGTH bytes). One group per object;
    // corosync also allows one membership per process and group (a second
    // object of the same process joining the same group gets errc::exists).
    // errc::try_again while corosync syncs; the caller retries from its loop.
    result<void> join(std::string_view group);
    result<void> leave();
    const std::string& group() const { return group_; }

    // Multicast to the joined group with agreed (total) order. The message is
    // also delivered to ourselves. errc::try_again under flow control.
    result<void> send(std::span<const std::byte> payload);
    result<void> send(std::string_view payload) { return send(std::as_bytes(std::span(payload))); }
    std::size_t max_message_size() const { return max_message_size_; }

    result<nodeid_t> local_nodeid();
    // The group's current members as corosync knows them (needs join()).
    result<std::vector<cpg_member>> members();

    int fd() const { return fd_; }
    result<void> dispatch(dispatch_mode mode = dispatch_mode::all);

private:
    static void on_deliver(cpg_handle_t, const cpg_name*, uint32_t, uint32_t, void*, size_t);
    static void on_confchg(cpg_handle_t, const cpg_name*, const cpg_address*, size_t, const cpg_address*, size_t,
                           const cpg_address*, size_t);
    static void on_totem(cpg_handle_t, cpg_ring_id, uint32_t, const uint32_t*);
    static cpg_group* self(cpg_handle_t h);
    result<cpg_name> name_of(std::string_view group) const;

    cpg_callbacks callbacks_;
    cpg_handle_t handle_ = 0;
    bool open_ = false;
    int fd_ = -1;
    std::size_t max_message_size_ = 0;
    std::string group_;
    bool joined_ = false;
    detail::callback_guard guard_;
};

}  // namespace holdfast::membership
