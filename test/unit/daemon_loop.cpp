// daemon/: the sd-event wrapper's timers, idle batches, deferred calls and io.
#include <unistd.h>

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "daemon/event_loop.hpp"

using namespace holdfast::daemon;
using namespace std::chrono_literals;

// The controller plans through one: a burst of changes handled in one turn
// (pokes from an io callback and from the batch's own run) gives one call
// per idle moment, after the pending io, not one per poke.
BOOST_AUTO_TEST_CASE(idle_batch_runs_once_per_burst_after_pending_io) {
    auto loop = event_loop::create();
    BOOST_REQUIRE(loop);
    int fds[2];
    BOOST_REQUIRE(pipe(fds) == 0);
    std::vector<std::string> seen;
    idle_batch batch(*loop, [&] { seen.push_back("batch"); });
    auto src = loop->add_io(fds[0], EPOLLIN, [&](int fd, uint32_t) {
        char c;
        BOOST_REQUIRE(read(fd, &c, 1) == 1);
        seen.push_back(std::string(1, c));
        batch.poke();
    });
    BOOST_REQUIRE(src);
    BOOST_REQUIRE(write(fds[1], "ab", 2) == 2);
    batch.poke();
    BOOST_TEST(batch.due());
    auto stop = timer::create(*loop, [&] { loop->exit(0); });
    BOOST_REQUIRE(stop);
    stop->arm(100ms);
    BOOST_TEST(loop->run() == 0);
    // both bytes were read before the idle source ran, and it ran once for the three pokes
    BOOST_TEST((seen == std::vector<std::string>{"a", "b", "batch"}));
    BOOST_TEST(!batch.due());
    close(fds[0]);
    close(fds[1]);
}

BOOST_AUTO_TEST_CASE(defer_and_io_sources_fire_and_can_remove_themselves) {
    auto loop = event_loop::create();
    BOOST_REQUIRE(loop);
    int fds[2];
    BOOST_REQUIRE(pipe(fds) == 0);
    event_source io;
    std::string got;
    auto src = loop->add_io(fds[0], EPOLLIN, [&](int fd, uint32_t) {
        char buf[16];
        ssize_t n = read(fd, buf, sizeof buf);
        got.assign(buf, n > 0 ? static_cast<size_t>(n) : 0);
        io.reset();  // a source may destroy itself from its own callback
        loop->exit(7);
    });
    BOOST_REQUIRE(src);
    io = std::move(*src);
    auto later = loop->add_defer([&] { BOOST_REQUIRE(write(fds[1], "ping", 4) == 4); });
    BOOST_REQUIRE(later);
    BOOST_TEST(loop->run() == 7);
    BOOST_TEST(got == "ping");
    BOOST_TEST(!io.active());
    close(fds[0]);
    close(fds[1]);
}

BOOST_AUTO_TEST_CASE(idle_batch_runs_once_for_all_pokes_when_the_loop_is_idle) {
    auto loop = event_loop::create();
    BOOST_REQUIRE(loop);
    int runs = 0;
    idle_batch batch(*loop, [&] { ++runs; });
    batch.poke();
    batch.poke();
    BOOST_TEST(batch.due());
    BOOST_TEST(runs == 0);  // not before the loop is idle
    auto stop = timer::create(*loop, [&] { loop->exit(0); });
    BOOST_REQUIRE(stop);
    stop->arm(100ms);
    BOOST_TEST(loop->run() == 0);
    BOOST_TEST(runs == 1);
    BOOST_TEST(!batch.due());
    batch.poke();
    batch.run_if_due();  // at once (shutdown), and not again later
    batch.run_if_due();
    BOOST_TEST(runs == 2);
}
