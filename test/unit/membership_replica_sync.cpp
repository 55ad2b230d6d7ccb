// replica_core (the replica's state machine, membership/replica_sync.hpp)
// driven without corosync: a bus plays CPG's total order for the nodes of one
// partition, so the test decides exactly where changes and confchgs fall
// (partition, merge, a change between the sync decision and the snapshot).
#include <boost/test/unit_test.hpp>

#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "membership/replica_sync.hpp"
#include "membership/replica_wire.hpp"
#include "test/membership/test_store.hpp"

using namespace holdfast::membership;
using holdfast::test::test_store;

namespace {

struct sim_node {
    cpg_member id;
    test_store store;
    replica_core core;
    sim_node(std::uint32_t nodeid, std::uint32_t pid, std::size_t max_frame)
        : id{nodeid, pid, cpg_reason::undefined}, core(store, id, max_frame, 64u << 20) {
        store.own = "own-" + std::to_string(pid);
    }
};

// One partition's total order: every event goes to the members it had when
// it was ordered, in order.
class bus {
public:
    void confchg(std::vector<sim_node*> members) {
        members_ = std::move(members);
        std::vector<cpg_member> ids;
        for (auto* n : members_) ids.push_back(n->id);
        queue_.push_back(event{members_, {}, {}, ids, true});
    }
    // Orders what the given nodes (all members by default) have queued, in that order.
    void collect(std::vector<sim_node*> order = {}) {
        if (order.empty()) order = members_;
        for (auto* n : order)
            for (auto& f : n->core.take_frames()) queue_.push_back(event{members_, n->id, std::move(f), {}, false});
    }
    bool step() {
        collect();
        if (queue_.empty()) return false;
        event e = std::move(queue_.front());
        queue_.pop_front();
        for (auto* n : e.to) {
            if (e.is_confchg)
                n->core.on_confchg(e.members);
            else
                n->core.on_frame(e.from, e.frame);
        }
        return true;
    }
    void run() {
        for (int i = 0; i < 100000 && step(); ++i) {
        }
    }

private:
    struct event {
        std::vector<sim_node*> to;
        cpg_member from;
        std::string frame;
        std::vector<cpg_member> members;
        bool is_confchg;
    };
    std::vector<sim_node*> members_;
    std::deque<event> queue_;
};

void submit(sim_node& n, const std::string& change) { BOOST_REQUIRE(n.core.submit(change).has_value()); }

void check_same(const std::vector<sim_node*>& nodes) {
    for (auto* n : nodes) {
        BOOST_CHECK(n->core.settled());
        BOOST_CHECK(n->store.data == nodes[0]->store.data);
        BOOST_CHECK(n->store.ver == nodes[0]->store.ver);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(membership_replica_sync)

// Small frames (64 bytes) so every sync message is fragmented as well.
BOOST_AUTO_TEST_CASE(partition_then_merge_keeps_the_higher_side_and_changes_during_sync) {
    sim_node a(1, 10, 64), b(2, 20, 64), c(3, 30, 64);
    bus all;
    all.confchg({&a, &b, &c});
    all.run();
    check_same({&a, &b, &c});
    submit(a, "k0=before");
    all.run();

    // Partition: {a, b} and {c} go on, each side with its own changes.
    bus ab, lone;
    ab.confchg({&a, &b});
    lone.confchg({&c});
    ab.run();
    lone.run();
    for (int i = 0; i < 5; ++i) submit(b, "k1=ab" + std::to_string(i));
    submit(c, "k2=lone");
    ab.run();
    lone.run();
    BOOST_REQUIRE(a.store.ver > c.store.ver);

    // Merge. Right after the decision (c learns it must install: unsynced),
    // b submits a change that is ordered before a's snapshot: c must replay it
    // after installing.
    bus merged;
    merged.confchg({&a, &b, &c});
    while (c.core.synced() && merged.step()) {
    }
    BOOST_REQUIRE(!c.core.synced());
    submit(b, "k3=during-sync");
    merged.collect({&b, &a, &c});
    merged.run();
    check_same({&a, &b, &c});
    BOOST_CHECK_EQUAL(c.store.data["k3"], "during-sync");
    BOOST_CHECK_EQUAL(c.store.data["k1"], "ab4");
    BOOST_CHECK(!c.store.data.contains("k2"));  // the lower side's change is gone, as in Pacemaker
    for (auto pid : {10, 20, 30})
        BOOST_CHECK_EQUAL(c.store.data["status/" + std::to_string(pid)], "own-" + std::to_string(pid));
    BOOST_CHECK_EQUAL(c.core.stats().installs, 1u);
    BOOST_CHECK_EQUAL(a.core.stats().installs, 0u);
}

BOOST_AUTO_TEST_CASE(a_confchg_during_a_round_restarts_it) {
    sim_node a(1, 10, 1024), b(1, 20, 1024), c(1, 30, 1024);
    bus g;
    g.confchg({&a});
    g.run();
    submit(a, "k0=x");
    g.run();
    g.confchg({&a, &b});
    g.step();  // the confchg only: the answers are queued when c joins
    g.confchg({&a, &b, &c});
    g.run();
    check_same({&a, &b, &c});
    BOOST_CHECK_GT(a.core.stats().stale, 0u);  // the answers to {a, b} were recognized as old
    BOOST_CHECK_EQUAL(c.store.data["k0"], "x");
}

// A node's loss after a finished round: the survivors hold the same state
// already (virtual synchrony), so they stay settled and send nothing; the
// recovery does not wait for a round. A leave during a round is a full round.
BOOST_AUTO_TEST_CASE(a_leave_after_a_finished_round_needs_no_round) {
    sim_node a(1, 10, 1024), b(2, 20, 1024), c(3, 30, 1024);
    bus all;
    all.confchg({&a, &b, &c});
    all.run();
    submit(c, "k0=from-c");
    all.run();
    check_same({&a, &b, &c});

    bus ab;
    ab.confchg({&a, &b});
    BOOST_REQUIRE(ab.step());  // the confchg alone
    for (auto* n : {&a, &b}) {
        BOOST_CHECK(n->core.settled());
        BOOST_CHECK(n->core.take_frames().empty());
        BOOST_CHECK_EQUAL(n->core.stats().skipped_rounds, 1u);
        BOOST_CHECK_EQUAL(n->core.members().size(), 2u);
    }
    submit(a, "k1=after");
    BOOST_CHECK(a.core.own_changes_pending());  // queued
    ab.collect();
    BOOST_CHECK(a.core.own_changes_pending());  // sent, not back yet
    BOOST_CHECK(!b.core.own_changes_pending());
    ab.run();
    BOOST_CHECK(!a.core.own_changes_pending());
    check_same({&a, &b});
    BOOST_CHECK_EQUAL(b.store.data["k1"], "after");
    BOOST_CHECK_EQUAL(b.store.data["status/30"], "own-30");  // the lost node's status stays as it was

    // c joins again and a leaves before the round is over: the leave does not skip it.
    bus abc;
    abc.confchg({&a, &b, &c});
    BOOST_REQUIRE(abc.step());
    bus bc;
    bc.confchg({&b, &c});
    bc.run();
    check_same({&b, &c});
    BOOST_CHECK_EQUAL(b.core.stats().skipped_rounds, 1u);
    BOOST_CHECK_EQUAL(c.store.data["k1"], "after");
}

BOOST_AUTO_TEST_CASE(garbage_never_breaks_the_core) {
    sim_node a(1, 10, 256), b(1, 20, 256);
    bus g;
    g.confchg({&a, &b});
    g.run();
    submit(a, "k0=kept");
    g.run();
    // Valid frames with random corruption, then pure noise.
    auto valid = wire::fragment(wire::kind::snapshot, 99, std::string(600, 's'), 256);
    std::mt19937 rng(42);
    cpg_member stranger{1, 20, cpg_reason::undefined};
    for (int i = 0; i < 20000; ++i) {
        std::string f = valid[static_cast<std::size_t>(i) % valid.size()];
        if (i % 2) f.resize(rng() % 40);
        for (auto& ch : f)
            if (rng() % 8 == 0) ch = static_cast<char>(rng());
        a.core.on_frame(stranger, f);
    }
    g.run();
    BOOST_CHECK(a.core.settled());
    BOOST_CHECK_EQUAL(a.store.data["k0"], "kept");
    BOOST_CHECK_GT(a.core.stats().dropped, 0u);
}

BOOST_AUTO_TEST_CASE(changes_submitted_together_travel_as_one_message_in_order) {
    sim_node a(1, 10, 1024), b(2, 20, 1024);
    bus g;
    g.confchg({&a, &b});
    g.run();
    for (const char* v : {"1", "2", "3"}) submit(a, std::string("k=") + v);
    auto frames = a.core.take_frames();
    BOOST_REQUIRE_EQUAL(frames.size(), 1u);
    BOOST_CHECK_EQUAL(static_cast<int>(frames[0][1]), static_cast<int>(wire::kind::changes));
    for (auto* n : {&a, &b}) n->core.on_frame(a.id, frames[0]);
    for (auto* n : {&a, &b}) BOOST_CHECK_EQUAL(n->store.data["k"], "3");  // applied in submission order
    // one change alone keeps the plain form
    submit(a, "k=4");
    frames = a.core.take_frames();
    BOOST_REQUIRE_EQUAL(frames.size(), 1u);
    BOOST_CHECK_EQUAL(static_cast<int>(frames[0][1]), static_cast<int>(wire::kind::change));
}

BOOST_AUTO_TEST_CASE(a_malformed_batch_is_dropped_whole) {
    const std::string body = wire::encode_changes({"k=1", "k=2"});
    auto ok = wire::decode_changes(body);
    BOOST_REQUIRE(ok);
    BOOST_CHECK_EQUAL(ok->size(), 2u);
    BOOST_CHECK(!wire::decode_changes(body.substr(0, body.size() - 1)));     // truncated
    BOOST_CHECK(!wire::decode_changes(body + "x"));                          // trailing bytes
    BOOST_CHECK(!wire::decode_changes(std::string("\xff\xff\xff\x7f", 4)));  // a count nothing can hold
    sim_node a(1, 10, 1024);
    bus g;
    g.confchg({&a});
    g.run();
    const auto dropped = a.core.stats().dropped;
    for (auto& f : wire::fragment(wire::kind::changes, 7, body.substr(0, body.size() - 1), 1024))
        a.core.on_frame(a.id, f);
    BOOST_CHECK_EQUAL(a.core.stats().dropped, dropped + 1);
    BOOST_CHECK(!a.store.data.contains("k"));
}

BOOST_AUTO_TEST_SUITE_END()
