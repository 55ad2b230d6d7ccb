#pragma once
// Small value types shared by the Corosync wrappers.
#include <cstdint>

namespace holdfast::membership {

using nodeid_t = std::uint32_t;

// How much one dispatch() call handles; neither mode ever blocks.
enum class dispatch_mode {
    all,  // every event already queued (CS_DISPATCH_ALL): the usual choice for an fd-ready callback
    one,  // at most one event (CS_DISPATCH_ONE_NONBLOCKING): lets the loop interleave other work
};

// A totem ring: the node that formed it and its sequence number. Every
// membership change makes a new ring.
struct ring_id {
    nodeid_t nodeid = 0;
    std::uint64_t seq = 0;
    bool operator==(const ring_id&) const = default;
};

}  // namespace holdfast::membership
