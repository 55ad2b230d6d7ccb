#pragma once
// Internal to the CIB replica: the replication and sync-round state machine,
// without I/O. It is fed what CPG delivers (confchgs and frames, in delivery
// order) and produces the frames to multicast; cib_replica does the CPG part.
// Being pure, it can also be driven by a test that plays the total order.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "membership/cpg.hpp"
#include "membership/replica.hpp"
#include "membership/replica_wire.hpp"

namespace holdfast::membership {

class replica_core {
public:
    static constexpr std::size_t max_batch_changes = 256;
    static constexpr std::size_t max_batch_bytes = std::size_t{1} << 20;

    // self: our (nodeid, pid) as CPG reports them; frames are cut to max_frame.
    replica_core(replica_store& store, cpg_member self, std::size_t max_frame, std::size_t max_body);

    void on_confchg(const std::vector<cpg_member>& members);
    void on_frame(const cpg_member& from, std::string_view frame);
    // Queues the change; changes queued together go out as one message.
    result<void> submit(std::string_view change);
    // Frames to multicast, in order (queued changes first become frames); the
    // caller sends them all, in order.
    std::vector<std::string> take_frames();

    bool synced() const { return synced_; }
    // Changes this member submitted that have not come back yet (queued,
    // in flight, or held by flow control): the state does not show them yet.
    bool own_changes_pending() const { return !batch_.empty() || own_delivered_ < own_sent_; }
    bool settled() const { return synced_ && phase_ == phase::done; }
    const std::vector<cpg_member>& members() const { return round_; }
    replica_stats stats() const;

private:
    enum class phase { idle, versions, snapshot, own_states, done };
    struct announcement {
        replica_version version;
        std::uint64_t digest = 0;
    };

    void send(wire::kind k, const std::string& body);
    void send_batch();
    void on_change(std::string_view change);
    void on_changes(std::string_view body);
    void on_version(const cpg_member& from, std::string_view body);
    void on_snapshot(const cpg_member& from, std::string_view body);
    void on_own_state(const cpg_member& from, std::string_view body);
    void decide();
    void start_own_states();
    bool is_member(const cpg_member& m) const;
    static std::uint64_t key(const cpg_member& m) { return (std::uint64_t{m.nodeid} << 32) | m.pid; }

    replica_store& store_;
    cpg_member self_;
    std::size_t max_frame_;
    wire::reassembler reassembler_;
    std::vector<std::string> out_;
    std::vector<std::string> batch_;  // changes submitted, not yet frames
    std::size_t batch_bytes_ = 0;
    std::uint32_t next_msg_id_ = 0;
    std::uint64_t own_sent_ = 0, own_delivered_ = 0;  // change messages (CPG keeps a sender's order)

    std::vector<cpg_member> round_;  // sorted members of the last confchg: the round's tag
    phase phase_ = phase::idle;
    bool synced_ = false;
    std::map<std::uint64_t, announcement> versions_;
    std::map<std::uint64_t, bool> own_states_;
    cpg_member winner_;
    bool need_install_ = false;
    std::vector<std::string> held_;  // changes after the decision, replayed after the install
    replica_stats stats_;
};

}  // namespace holdfast::membership
