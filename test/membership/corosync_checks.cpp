// The membership wrappers against the single-node corosync that
// corosync_node.cpp starts (knet on 127.0.0.1, crypto, token 1000, votequorum,
// one node: node1, nodeid 1). One corosync serves every case.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "membership/cmap.hpp"
#include "membership/cpg.hpp"
#include "membership/nodes.hpp"
#include "membership/quorum.hpp"
#include "membership/votequorum.hpp"
#include "test/membership/corosync_node.hpp"
#include "test/membership/cpg_peer.hpp"
#include "test/membership/pump.hpp"

using namespace holdfast;
using namespace holdfast::membership;
using test::pump_until;
using test::source_of;

namespace {

template <typename T>
T& must(result<T>& r) {
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
    return *r;
}

template <typename T>
T must(result<T>&& r) {
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
    return std::move(*r);
}

void must_ok(const result<void>& r) { BOOST_REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string())); }

// join() is refused with try_again while corosync syncs; the daemon retries
// from its loop, the test retries here.
void join_retrying(cpg_group& g, const std::string& group) {
    std::string err = pump_until({source_of(g)}, [&] {
        auto r = g.join(group);
        BOOST_REQUIRE_MESSAGE(r || r.error().code == errc::try_again, (r ? "" : r.error().to_string()));
        return r.has_value();
    });
    BOOST_REQUIRE_MESSAGE(err.empty(), err);
}

bool has_member(const std::vector<cpg_member>& list, std::uint32_t pid) {
    return std::any_of(list.begin(), list.end(), [&](const cpg_member& m) { return m.pid == pid && m.nodeid == 1; });
}

std::string text(std::span<const std::byte> data) {
    return std::string(reinterpret_cast<const char*>(data.data()), data.size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(corosync)

BOOST_AUTO_TEST_CASE(cmap_reads_nodelist_and_totem) {
    auto cmap = cmap_store::open();
    auto& c = *must(cmap);
    auto nodes = cluster_nodes(c);
    BOOST_REQUIRE_EQUAL(must(nodes).size(), 1u);
    BOOST_CHECK_EQUAL((*nodes)[0].nodeid, 1u);
    BOOST_CHECK_EQUAL((*nodes)[0].name, "node1");
    BOOST_CHECK_EQUAL((*nodes)[0].ring0_addr, "127.0.0.1");

    auto token = c.get_u32("totem.token");
    BOOST_CHECK_EQUAL(must(token), 1000u);
    auto name = c.get_string("totem.cluster_name");
    BOOST_CHECK_EQUAL(must(name), "holdfast-test");
    auto two_node = c.get_u8("runtime.votequorum.two_node");
    BOOST_CHECK_EQUAL(must(two_node), 0u);

    auto keys = c.keys("nodelist.node.0.");
    BOOST_CHECK_EQUAL(must(keys).size(), 3u);
    auto wrong = c.get_u32("totem.cluster_name");
    BOOST_REQUIRE(!wrong);
    BOOST_CHECK(wrong.error().code == errc::wrong_type);
    auto missing = c.get_string("holdfast.no.such.key");
    BOOST_REQUIRE(!missing);
    BOOST_CHECK(missing.error().code == errc::not_found);
}

BOOST_AUTO_TEST_CASE(cmap_tracks_a_prefix) {
    auto cmap = cmap_store::open();
    auto& c = *must(cmap);
    std::vector<cmap_change> seen, marks;
    auto id = c.track("holdfast.test.", true, [&](const cmap_change& ch) { seen.push_back(ch); });
    must(id);
    must(c.track("holdfast.mark", false, [&](const cmap_change& ch) { marks.push_back(ch); }));

    // A change from another client: corosync-cmapctl.
    BOOST_REQUIRE_EQUAL(test::run_tool({"/usr/sbin/corosync-cmapctl", "-s", "holdfast.test.value", "u32", "7"}), 0);
    BOOST_REQUIRE_EQUAL(pump_until({source_of(c)}, [&] { return !seen.empty(); }), "");
    BOOST_CHECK(seen[0].event == cmap_event::added);
    BOOST_CHECK_EQUAL(seen[0].key, "holdfast.test.value");
    BOOST_REQUIRE(seen[0].new_value);
    BOOST_CHECK(seen[0].new_value->as_u32() == 7u);

    must_ok(c.set_string("holdfast.other", "outside the prefix"));
    must_ok(c.set_u32("holdfast.test.value", 8));
    BOOST_REQUIRE_EQUAL(pump_until({source_of(c)}, [&] { return seen.size() >= 2; }), "");
    BOOST_CHECK(seen[1].event == cmap_event::modified);
    BOOST_REQUIRE(seen[1].old_value && seen[1].new_value);
    BOOST_CHECK(seen[1].old_value->as_u32() == 7u);
    BOOST_CHECK(seen[1].new_value->as_u32() == 8u);

    must_ok(c.erase("holdfast.test.value"));
    BOOST_REQUIRE_EQUAL(pump_until({source_of(c)}, [&] { return seen.size() >= 3; }), "");
    BOOST_CHECK(seen[2].event == cmap_event::deleted);
    BOOST_CHECK(!seen[2].new_value);

    // After untrack, nothing more arrives: the marker, set later, comes first.
    must_ok(c.untrack(*id));
    must_ok(c.set_u8("holdfast.test.after", 1));
    must_ok(c.set_u8("holdfast.mark", 1));
    BOOST_REQUIRE_EQUAL(pump_until({source_of(c)}, [&] { return !marks.empty(); }), "");
    BOOST_CHECK_EQUAL(seen.size(), 3u);
    auto after = c.get_u8("holdfast.test.after");
    BOOST_CHECK_EQUAL(must(after), 1u);
}

BOOST_AUTO_TEST_CASE(quorum_is_quorate) {
    std::vector<quorum_notification> notes;
    auto q =
        quorum_service::open({.quorum = [&](const quorum_notification& n) { notes.push_back(n); }, .nodelist = {}});
    auto& qs = *must(q);
    BOOST_CHECK(qs.has_provider());
    auto quorate = qs.quorate();
    BOOST_CHECK(must(quorate));
    must_ok(qs.track());
    BOOST_REQUIRE_EQUAL(pump_until({source_of(qs)}, [&] { return !notes.empty(); }), "");
    BOOST_CHECK(notes[0].quorate);
    BOOST_CHECK(notes[0].members == std::vector<nodeid_t>{1});
    BOOST_CHECK(notes[0].ring.seq > 0);
    must_ok(qs.untrack());
}

BOOST_AUTO_TEST_CASE(votequorum_info_and_tracking) {
    std::vector<vq_quorum_notification> notes;
    auto v = votequorum_service::open(
        {.quorum = [&](const vq_quorum_notification& n) { notes.push_back(n); }, .expected_votes = {}, .nodelist = {}});
    auto& vq = *must(v);
    auto info = vq.info();
    auto& i = must(info);
    BOOST_CHECK_EQUAL(i.nodeid, 1u);
    BOOST_CHECK(i.state == vq_node_state::member);
    BOOST_CHECK_EQUAL(i.votes, 1u);
    BOOST_CHECK_EQUAL(i.expected_votes, 1u);
    BOOST_CHECK_EQUAL(i.highest_expected, 1u);
    BOOST_CHECK_EQUAL(i.total_votes, 1u);
    BOOST_CHECK_EQUAL(i.quorum, 1u);
    BOOST_CHECK(i.quorate());
    BOOST_CHECK(!i.two_node());
    BOOST_CHECK(!i.wait_for_all());
    auto by_id = vq.info(1);
    BOOST_CHECK_EQUAL(must(by_id).total_votes, 1u);
    auto unknown = vq.info(42);
    BOOST_CHECK(!unknown);

    must_ok(vq.track());
    BOOST_REQUIRE_EQUAL(pump_until({source_of(vq)}, [&] { return !notes.empty(); }), "");
    BOOST_CHECK(notes[0].quorate);
    BOOST_REQUIRE_EQUAL(notes[0].nodes.size(), 1u);
    BOOST_CHECK_EQUAL(notes[0].nodes[0].nodeid, 1u);
    BOOST_CHECK(notes[0].nodes[0].state == vq_node_state::member);
    must_ok(vq.untrack());
}

BOOST_AUTO_TEST_CASE(cpg_local_node_and_totem_ring) {
    std::vector<totem_confchg> rings;
    std::vector<cpg_confchg> changes;
    auto g = cpg_group::open({.deliver = {},
                              .confchg = [&](const cpg_confchg& c) { changes.push_back(c); },
                              .totem = [&](const totem_confchg& t) { rings.push_back(t); }});
    auto& cpg = *must(g);
    auto id = cpg.local_nodeid();
    BOOST_CHECK_EQUAL(must(id), 1u);
    join_retrying(cpg, "holdfast-ring");
    BOOST_REQUIRE_EQUAL(pump_until({source_of(cpg)}, [&] { return !rings.empty() && !changes.empty(); }), "");
    BOOST_CHECK(rings[0].members == std::vector<nodeid_t>{1});
    BOOST_CHECK(rings[0].ring.seq > 0);
    BOOST_CHECK_EQUAL(changes[0].group, "holdfast-ring");
    BOOST_REQUIRE(has_member(changes[0].joined, getpid()));
    BOOST_CHECK(changes[0].joined[0].reason == cpg_reason::join);
    auto members = cpg.members();
    BOOST_CHECK(has_member(must(members), getpid()));
}

BOOST_AUTO_TEST_CASE(cpg_argument_errors) {
    auto g = cpg_group::open({});
    auto& cpg = *must(g);
    auto r = cpg.send(std::string_view("not joined"));
    BOOST_REQUIRE(!r);
    BOOST_CHECK(r.error().code == errc::invalid_argument);
    r = cpg.join(std::string(CPG_MAX_NAME_LENGTH + 1, 'x'));
    BOOST_REQUIRE(!r);
    BOOST_CHECK(r.error().code == errc::invalid_argument);
    r = cpg.leave();
    BOOST_CHECK(!r);
}

BOOST_AUTO_TEST_CASE(cpg_large_and_oversize_messages) {
    std::vector<std::vector<std::byte>> got;
    auto g = cpg_group::open({.deliver = [&](const cpg_message& m) { got.emplace_back(m.data.begin(), m.data.end()); },
                              .confchg = {},
                              .totem = {}});
    auto& cpg = *must(g);
    join_retrying(cpg, "holdfast-large");
    const std::size_t max = cpg.max_message_size();
    BOOST_REQUIRE_GT(max, 64 * 1024u);

    std::vector<std::byte> big(max + 1);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = std::byte(i * 7 % 251);
    auto r = cpg.send(big);
    BOOST_REQUIRE(!r);
    BOOST_CHECK(r.error().code == errc::message_too_large);

    big.pop_back();  // exactly the limit: goes through whole
    BOOST_REQUIRE_EQUAL(pump_until({source_of(cpg)},
                                   [&] {
                                       auto s = cpg.send(big);
                                       BOOST_REQUIRE(s || s.error().code == errc::try_again);
                                       return s.has_value();
                                   }),
                        "");
    BOOST_REQUIRE_EQUAL(pump_until({source_of(cpg)}, [&] { return !got.empty(); }), "");
    BOOST_CHECK(got[0] == big);
}

BOOST_AUTO_TEST_CASE(cpg_callback_exception_stops_at_dispatch) {
    std::vector<std::string> got;
    auto g = cpg_group::open({.deliver =
                                  [&](const cpg_message& m) {
                                      got.push_back(text(m.data));
                                      if (got.back() == "boom") throw std::runtime_error("listener failed");
                                  },
                              .confchg = {},
                              .totem = {}});
    auto& cpg = *must(g);
    join_retrying(cpg, "holdfast-throw");
    must_ok(cpg.send(std::string_view("boom")));
    must_ok(cpg.send(std::string_view("after")));
    bool failed = false;
    std::string err = pump_until({test::source{cpg.fd(),
                                               [&]() -> result<void> {
                                                   auto r = cpg.dispatch();
                                                   if (!r && r.error().code == errc::callback_failed) failed = true;
                                                   return r.has_value() || failed ? result<void>{} : r;
                                               }}},
                                 [&] { return got.size() >= 2; });
    BOOST_REQUIRE_EQUAL(err, "");
    BOOST_CHECK(failed);
    BOOST_CHECK(got == (std::vector<std::string>{"boom", "after"}));
}

// Two clients (this process and a forked peer, since corosync allows one
// membership per process and group) see each other join, agree on one total
// order of everything both send, and the peer's leave is reported as a leave.
BOOST_AUTO_TEST_CASE(cpg_two_clients_agree_on_order) {
    const std::string group = "holdfast-agreed";
    std::vector<std::string> order;
    std::vector<cpg_confchg> changes;
    auto g = cpg_group::open({.deliver =
                                  [&](const cpg_message& m) {
                                      order.push_back("D " + std::to_string(m.nodeid) + " " + std::to_string(m.pid) +
                                                      " " + text(m.data));
                                  },
                              .confchg = [&](const cpg_confchg& c) { changes.push_back(c); },
                              .totem = {}});
    auto& cpg = *must(g);
    const auto self = static_cast<std::uint32_t>(getpid());
    join_retrying(cpg, group);
    BOOST_REQUIRE_EQUAL(pump_until({source_of(cpg)}, [&] { return !changes.empty(); }), "");

    test::cpg_peer peer(group, 2, "b", 5, 10);
    BOOST_REQUIRE_GT(peer.pid(), 0);
    const auto other = static_cast<std::uint32_t>(peer.pid());
    auto joined = [&] {
        return std::any_of(changes.begin(), changes.end(), [&](const cpg_confchg& c) {
            return has_member(c.joined, other) && c.joined[0].reason == cpg_reason::join && c.members.size() == 2;
        });
    };
    BOOST_REQUIRE_EQUAL(pump_until({source_of(cpg)}, joined), "");

    for (int i = 0; i < 5; ++i) {
        std::string msg = "a" + std::to_string(i);
        BOOST_REQUIRE_EQUAL(pump_until({source_of(cpg)},
                                       [&] {
                                           auto r = cpg.send(msg);
                                           BOOST_REQUIRE(r || r.error().code == errc::try_again);
                                           return r.has_value();
                                       }),
                            "");
    }
    BOOST_REQUIRE_EQUAL(pump_until({source_of(cpg)}, [&] { return order.size() >= 10; }), "");

    auto report = peer.finish();
    BOOST_REQUIRE_EQUAL(peer.exit_code(), 0);
    BOOST_REQUIRE_EQUAL(report.size(), 11u);
    // The peer saw this process as a member when it joined.
    BOOST_CHECK(report[0] == "M " + std::to_string(self) + " " + std::to_string(other) ||
                report[0] == "M " + std::to_string(other) + " " + std::to_string(self));
    std::vector<std::string> peer_order(report.begin() + 1, report.end());
    BOOST_CHECK(peer_order == order);

    // Every message once, with its sender's nodeid and pid, each sender's in FIFO order.
    std::vector<std::string> expected, from_a, from_b;
    for (int i = 0; i < 5; ++i) {
        expected.push_back("D 1 " + std::to_string(self) + " a" + std::to_string(i));
        expected.push_back("D 1 " + std::to_string(other) + " b" + std::to_string(i));
    }
    BOOST_CHECK(std::set<std::string>(order.begin(), order.end()) ==
                std::set<std::string>(expected.begin(), expected.end()));
    for (const auto& d : order) (d[d.size() - 2] == 'a' ? from_a : from_b).push_back(d);
    BOOST_CHECK(std::is_sorted(from_a.begin(), from_a.end()));
    BOOST_CHECK(std::is_sorted(from_b.begin(), from_b.end()));

    auto left = [&] {
        return std::any_of(changes.begin(), changes.end(), [&](const cpg_confchg& c) {
            return has_member(c.left, other) && c.left[0].reason == cpg_reason::leave && c.members.size() == 1;
        });
    };
    BOOST_REQUIRE_EQUAL(pump_until({source_of(cpg)}, left), "");
}

// two_node (which implies wait_for_all) as votequorum reports it, on a cluster
// whose node2 never starts: node1 alone is not quorate, since it has never
// seen all nodes. The single-node configuration is restored afterwards.
BOOST_AUTO_TEST_CASE(votequorum_two_node_flags) {
    BOOST_REQUIRE(test::restart_corosync(true));
    {
        auto v = votequorum_service::open({});
        auto info = must(v)->info();
        auto& i = must(info);
        BOOST_CHECK(i.two_node());
        BOOST_CHECK(i.wait_for_all());
        BOOST_CHECK(!i.quorate());
        BOOST_CHECK_EQUAL(i.expected_votes, 2u);
        BOOST_CHECK_EQUAL(i.total_votes, 1u);
        BOOST_CHECK_EQUAL(i.quorum, 1u);
        auto q = quorum_service::open({});
        auto quorate = must(q)->quorate();
        BOOST_CHECK(!must(quorate));
        auto cmap = cmap_store::open();
        auto nodes = cluster_nodes(*must(cmap));
        BOOST_REQUIRE_EQUAL(must(nodes).size(), 2u);
        BOOST_CHECK_EQUAL((*nodes)[1].nodeid, 2u);
        BOOST_CHECK_EQUAL((*nodes)[1].name, "node2");
    }
    BOOST_REQUIRE(test::restart_corosync(false));
}

// When corosync goes away the handles report errc::unavailable (the daemon's
// cue to stop) instead of hanging or crashing; new handles work once it is back.
// Last in the suite: it restarts corosync.
BOOST_AUTO_TEST_CASE(corosync_gone_and_back) {
    auto g = cpg_group::open({});
    auto& cpg = *must(g);
    join_retrying(cpg, "holdfast-gone");
    auto cmap = cmap_store::open();
    auto& c = *must(cmap);

    test::stop_corosync();
    // The fd wakes the loop; dispatch then reports the lost connection.
    std::optional<error> lost;
    std::string err = pump_until({test::source{cpg.fd(),
                                               [&]() -> result<void> {
                                                   if (auto r = cpg.dispatch(); !r) lost = r.error();
                                                   return {};
                                               }}},
                                 [&] { return lost.has_value(); });
    BOOST_REQUIRE_EQUAL(err, "");
    BOOST_CHECK_MESSAGE(lost->code == errc::unavailable, lost->to_string());
    auto token = c.get_u32("totem.token");
    BOOST_REQUIRE(!token);
    BOOST_CHECK_MESSAGE(token.error().code == errc::unavailable, token.error().to_string());
    auto again = cpg_group::open({});
    BOOST_REQUIRE(!again);
    BOOST_CHECK_MESSAGE(again.error().code == errc::unavailable, again.error().to_string());

    BOOST_REQUIRE(test::start_corosync());
    auto fresh = cmap_store::open();
    auto t2 = must(fresh)->get_u32("totem.token");
    BOOST_CHECK_EQUAL(must(t2), 1000u);
}

BOOST_AUTO_TEST_SUITE_END()
