// cib_replica against the single-node corosync of corosync_node.cpp. Each
// replica is a forked process (one CPG join per process and group) with an
// in-memory test_store; the test drives them over their command sockets and
// waits, with generous deadlines, for states. Each case uses its own group.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include "membership/cpg.hpp"
#include "membership/replica_wire.hpp"
#include "test/membership/pump.hpp"
#include "test/membership/replica_proc.hpp"

using namespace holdfast;
using namespace holdfast::membership;
using test::replica_config;
using test::replica_proc;
using test::replica_report;

namespace {

using procs = std::vector<replica_proc*>;

replica_config in(std::string group, replica_version version = {}, std::map<std::string, std::string> data = {},
                  std::size_t big = 0) {
    replica_config c;
    c.group = std::move(group);
    c.version = version;
    c.data = std::move(data);
    c.big = big;
    return c;
}

// Polls every replica's state until `ok` holds for all of them together.
// Returns the last reports; fails the test case after the deadline.
std::vector<replica_report> wait_for(const procs& ps, const std::function<bool(const std::vector<replica_report>&)>& ok,
                                     const char* what) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    std::vector<replica_report> last;
    while (std::chrono::steady_clock::now() < deadline) {
        last.clear();
        for (auto* p : ps) {
            auto r = p->state();
            BOOST_REQUIRE_MESSAGE(r, "replica " << p->pid() << " is gone (" << what << ")");
            last.push_back(*r);
        }
        if (ok(last)) return last;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_FAIL("not reached before the deadline: " << what);
    return last;
}

// Every replica settled, seeing exactly the given processes as members.
bool all_settled_with(const std::vector<replica_report>& rs, const procs& ps) {
    std::set<std::uint32_t> want;
    for (auto* p : ps) want.insert(static_cast<std::uint32_t>(p->pid()));
    return std::all_of(rs.begin(), rs.end(), [&](const replica_report& r) {
        return r.settled && std::set<std::uint32_t>(r.members.begin(), r.members.end()) == want;
    });
}

std::string value(const replica_report& r, const std::string& key) {
    auto it = r.values.find(key);
    return it == r.values.end() ? "" : it->second;
}

bool all_equal(const std::vector<replica_report>& rs) {
    return std::all_of(rs.begin(), rs.end(),
                       [&](const replica_report& r) { return r.digest == rs[0].digest && r.version == rs[0].version; });
}

std::vector<replica_report> settle(const procs& ps, const char* what) {
    return wait_for(
        ps, [&](const auto& rs) { return all_settled_with(rs, ps) && all_equal(rs); }, what);
}

// Each member's own_state ("own-<pid>") is merged in every member's store.
void check_own_states(const std::vector<replica_report>& rs, const procs& ps) {
    for (const auto& r : rs)
        for (auto* p : ps) {
            auto pid = static_cast<std::uint32_t>(p->pid());
            BOOST_CHECK_MESSAGE(r.status.contains(pid) && r.status.at(pid) == "own-" + std::to_string(pid),
                                "own_state of " << pid << " missing");
        }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(replica)

BOOST_AUTO_TEST_CASE(concurrent_changes_agree) {
    replica_proc a(in("rep-concurrent")), b(in("rep-concurrent")), c(in("rep-concurrent"));
    procs all{&a, &b, &c};
    auto rs = settle(all, "three replicas settle");
    check_own_states(rs, all);
    const auto base = rs[0].version.num_updates;
    // Every change overwrites one of five keys: the end state depends on the
    // order, which the "_order" fold records as well.
    for (auto [p, tag] : {std::pair{&a, "A"}, std::pair{&b, "B"}, std::pair{&c, "C"}})
        BOOST_REQUIRE_EQUAL(p->ask("submit 60 " + std::string(tag)).value_or("gone"), "ok");
    rs = wait_for(
        all, [&](const auto& v) { return all_equal(v) && v[0].version.num_updates == base + 180; },
        "180 changes applied everywhere");
    for (const auto& r : rs) {
        BOOST_CHECK_EQUAL(r.order, rs[0].order);
        BOOST_CHECK(r.values == rs[0].values);
        BOOST_CHECK_EQUAL(r.values.size(), 5u);
        BOOST_CHECK_EQUAL(r.stats.rejected, 0u);
        BOOST_CHECK(r.synced && r.settled);
    }
}

BOOST_AUTO_TEST_CASE(late_joiner_receives_the_state) {
    replica_proc a(in("rep-late")), b(in("rep-late"));
    settle({&a, &b}, "two replicas settle");
    BOOST_REQUIRE_EQUAL(a.ask("submit 20 A").value_or("gone"), "ok");
    auto before = wait_for(
        {&a, &b}, [](const auto& v) { return all_equal(v) && v[0].values.size() == 5; }, "changes applied");
    replica_proc c(in("rep-late"));  // empty, version 0.0.0
    procs all{&a, &b, &c};
    auto rs = settle(all, "the late joiner settles");
    check_own_states(rs, all);
    BOOST_CHECK_EQUAL(rs[2].stats.installs, 1u);
    BOOST_CHECK_EQUAL(rs[0].stats.installs, before[0].stats.installs);  // the cluster keeps its state
    BOOST_CHECK(rs[2].values == rs[0].values);
    // The joiner takes part in replication afterwards.
    BOOST_REQUIRE_EQUAL(c.ask("submit 5 C").value_or("gone"), "ok");
    rs = wait_for(
        all, [](const auto& v) { return all_equal(v) && value(v[0], "k0") == "C0"; }, "C's changes");
}

BOOST_AUTO_TEST_CASE(higher_version_wins) {
    replica_proc a(in("rep-higher")), b(in("rep-higher"));
    settle({&a, &b}, "two replicas settle");
    BOOST_REQUIRE_EQUAL(a.ask("submit 10 A").value_or("gone"), "ok");
    auto before = wait_for(
        {&a, &b}, [](const auto& v) { return all_equal(v) && v[0].values.size() == 5; }, "changes applied");
    // A node starting with a newer CIB (higher admin_epoch) than the cluster.
    replica_proc c(in("rep-higher", {1, 0, 0}, {{"k0", "from-c"}}));
    procs all{&a, &b, &c};
    auto rs = settle(all, "all take the higher version");
    check_own_states(rs, all);
    for (const auto& r : rs) {
        BOOST_CHECK_EQUAL(r.version.admin_epoch, 1u);
        BOOST_CHECK_EQUAL(r.values.size(), 1u);  // A's k1..k4 are gone with A's state
        BOOST_CHECK_EQUAL(value(r, "k0"), "from-c");
    }
    BOOST_CHECK_EQUAL(rs[0].stats.installs, before[0].stats.installs + 1);
    BOOST_CHECK_EQUAL(rs[1].stats.installs, before[1].stats.installs + 1);
    BOOST_CHECK_EQUAL(rs[2].stats.installs, 0u);
}

BOOST_AUTO_TEST_CASE(large_snapshot_and_change_are_fragmented) {
    const std::size_t five_mb = 5u << 20;
    replica_proc a(in("rep-large", {0, 1, 0}, {}, five_mb));
    settle({&a}, "one replica with 5 MB settles");
    replica_proc b(in("rep-large"));
    auto rs = settle({&a, &b}, "the joiner receives 5 MB");
    BOOST_CHECK_EQUAL(rs[1].big, five_mb);
    BOOST_CHECK_EQUAL(rs[1].digest, rs[0].digest);
    BOOST_CHECK_EQUAL(rs[1].stats.installs, 1u);
    // A change above one CPG message goes through too.
    BOOST_REQUIRE_EQUAL(b.ask("put big " + std::to_string(2u << 20)).value_or("gone"), "ok");
    rs = wait_for(
        {&a, &b}, [](const auto& v) { return all_equal(v) && v[0].big == (2u << 20); }, "2 MB change");
    BOOST_CHECK_EQUAL(rs[0].stats.dropped, 0u);
}

namespace {

std::string frame(std::uint8_t fmt, std::uint8_t kind, std::uint32_t msg_id, std::uint32_t index, std::uint32_t count,
                  const std::string& body) {
    std::string f;
    f.push_back(static_cast<char>(fmt));
    f.push_back(static_cast<char>(kind));
    f.append(2, '\0');
    for (std::uint32_t v : {msg_id, index, count})
        for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return f + body;
}

// A plain CPG member that multicasts garbage (plus one change the store
// rejects), waits until its last message came back, and leaves. Returns the
// exit code of the forked process.
int send_garbage(const std::string& group) {
    pid_t pid = fork();
    if (pid == 0) {
        int delivered = 0;
        auto g = cpg_group::open({.deliver =
                                      [&](const cpg_message& m) {
                                          if (m.pid == static_cast<std::uint32_t>(getpid())) ++delivered;
                                      },
                                  .confchg = {},
                                  .totem = {}});
        if (!g) _exit(2);
        cpg_group& cpg = **g;
        auto retry = [&](auto op) {
            return test::pump_until({test::source_of(cpg)},
                                    [&] {
                                        auto r = op();
                                        return r.has_value() || r.error().code != errc::try_again;
                                    })
                .empty();
        };
        if (!retry([&] { return cpg.join(group); })) _exit(3);
        std::string huge_round = "\xe8\x03\0\0";  // 1000 members: more than CPG allows
        std::vector<std::string> garbage = {
            "x",                                     // shorter than a header
            frame(9, 1, 1, 0, 1, "k0=bad-format"),   // unknown format
            frame(1, 77, 2, 0, 1, "k0=bad-kind"),    // unknown kind
            frame(1, 1, 3, 1, 2, "k0=no-first"),     // fragment without its start
            frame(1, 2, 4, 0, 1, "abc"),             // version body cut short
            frame(1, 1, 5, 0, 3, "k0=part"),         // a start ...
            frame(1, 1, 6, 1, 3, "k0=other"),        // ... then another msg_id
            frame(1, 3, 7, 0, 1, huge_round),        // snapshot with a bad round
            frame(1, 1, 8, 0, 1, "no equals sign"),  // well formed, store rejects
        };
        for (const auto& m : garbage)
            if (!retry([&] { return cpg.send(m); })) _exit(4);
        if (!test::pump_until({test::source_of(cpg)}, [&] {
                 return delivered == static_cast<int>(garbage.size());
             }).empty())
            _exit(5);
        _exit(cpg.leave() ? 0 : 6);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(malformed_messages_are_dropped) {
    replica_proc a(in("rep-garbage")), b(in("rep-garbage"));
    settle({&a, &b}, "two replicas settle");
    BOOST_REQUIRE_EQUAL(a.ask("submit 5 A").value_or("gone"), "ok");
    auto before = wait_for(
        {&a, &b}, [](const auto& v) { return all_equal(v) && v[0].values.size() == 5; }, "changes applied");
    BOOST_REQUIRE_EQUAL(send_garbage("rep-garbage"), 0);
    auto rs = settle({&a, &b}, "settled again after the garbage sender left");
    for (const auto& r : rs) {
        BOOST_CHECK_EQUAL(r.stats.dropped, 7u);
        BOOST_CHECK_EQUAL(r.stats.rejected, 1u);
        BOOST_CHECK(r.values == before[0].values);
    }
    BOOST_REQUIRE_EQUAL(b.ask("submit 1 B").value_or("gone"), "ok");
    wait_for(
        {&a, &b}, [](const auto& v) { return all_equal(v) && value(v[0], "k0") == "B0"; }, "works on");
}

BOOST_AUTO_TEST_CASE(a_leaving_replica_is_seen) {
    replica_proc a(in("rep-leave")), b(in("rep-leave")), c(in("rep-leave"));
    settle({&a, &b, &c}, "three replicas settle");
    BOOST_REQUIRE(c.leave());
    auto rs = settle({&a, &b}, "two remain, settled");
    for (const auto& r : rs) BOOST_CHECK(r.synced);
    BOOST_REQUIRE_EQUAL(a.ask("submit 3 A").value_or("gone"), "ok");
    wait_for(
        {&a, &b}, [](const auto& v) { return all_equal(v) && value(v[0], "k0") == "A0"; }, "works on");
}

BOOST_AUTO_TEST_SUITE_END()
