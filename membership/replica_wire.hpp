#pragma once
// Internal to the CIB replica: the bytes it puts on CPG.
//
// Every CPG message is one frame: a 16-byte header, then a piece of a body.
//   u8 format (1) | u8 kind | u16 reserved (0) | u32 msg_id | u32 index | u32 count
// all little-endian. A body longer than one frame is cut into `count` frames
// with the same msg_id and kind, sent back to back; CPG keeps one sender's
// messages in order, so the receiver reassembles per sender (nodeid, pid) and
// needs only one unfinished body per sender. Anything that does not fit this
// is malformed: dropped and counted, never trusted.
//
// Bodies (after reassembly):
//   change     the opaque change bytes
//   changes    u32 n | n x (u32 length | change bytes): changes submitted in
//              one turn of the sender's loop, applied in this order
//   version    round | u64 admin_epoch | u64 epoch | u64 num_updates | u64 digest
//   snapshot   round | u64 admin_epoch | u64 epoch | u64 num_updates | snapshot bytes
//   own_state  round | the node's own state bytes
// round = u32 n | n x (u32 nodeid, u32 pid): the sorted member list of the
// confchg the message answers, so answers to an older confchg are recognized.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "membership/cpg.hpp"
#include "membership/replica.hpp"

namespace holdfast::membership::wire {

constexpr std::uint8_t format = 1;
constexpr std::size_t header_size = 16;

enum class kind : std::uint8_t { change = 1, version = 2, snapshot = 3, own_state = 4, changes = 5 };

// FNV-1a, 64 bits: detects that two snapshots differ (not an adversary).
std::uint64_t digest(std::string_view bytes);

// Cuts a body into frames of at most max_frame bytes (header included).
std::vector<std::string> fragment(kind k, std::uint32_t msg_id, std::string_view body, std::size_t max_frame);

struct message {
    kind k = kind::change;
    std::string body;
};

// Per-sender reassembly. feed() returns true with `out` set when a body is
// complete; false while it is incomplete or when the frame is malformed, which
// dropped() counts (the sender's unfinished body is dropped with it).
class reassembler {
public:
    explicit reassembler(std::size_t max_body) : max_body_(max_body) {}
    bool feed(const cpg_member& from, std::string_view frame, message& out);
    std::uint64_t dropped() const { return dropped_; }
    // A sender left: its unfinished body can never complete.
    void forget(const cpg_member& from) { partial_.erase(key(from)); }
    void forget_all_but(const std::vector<cpg_member>& members);

private:
    struct partial {
        std::uint32_t msg_id = 0, next = 0, count = 0;
        kind k = kind::change;
        std::string body;
    };
    static std::uint64_t key(const cpg_member& m) { return (std::uint64_t{m.nodeid} << 32) | m.pid; }
    std::size_t max_body_;
    std::uint64_t dropped_ = 0;
    std::map<std::uint64_t, partial> partial_;
};

// Body codecs. decode_* return nothing on malformed input.
struct version_body {
    std::vector<cpg_member> round;
    replica_version version;
    std::uint64_t digest = 0;
};
struct snapshot_body {
    std::vector<cpg_member> round;
    replica_version version;
    std::string_view bytes;  // points into the decoded body
};
struct own_state_body {
    std::vector<cpg_member> round;
    std::string_view bytes;
};

std::string encode_version(const std::vector<cpg_member>& round, const replica_version& v, std::uint64_t digest);
std::string encode_snapshot(const std::vector<cpg_member>& round, const replica_version& v, std::string_view bytes);
std::string encode_own_state(const std::vector<cpg_member>& round, std::string_view bytes);
std::string encode_changes(const std::vector<std::string>& changes);
std::optional<std::vector<std::string_view>> decode_changes(std::string_view body);  // views into body
std::optional<version_body> decode_version(std::string_view body);
std::optional<snapshot_body> decode_snapshot(std::string_view body);
std::optional<own_state_body> decode_own_state(std::string_view body);

}  // namespace holdfast::membership::wire
