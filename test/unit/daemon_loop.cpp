// daemon/: the sd-event wrapper's timers, debouncer, deferred calls and io.
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "daemon/event_loop.hpp"

using namespace holdfast::daemon;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(debouncer_coalesces_a_burst_into_one_call) {
    auto loop = event_loop::create();
    BOOST_REQUIRE(loop);
    int calls = 0;
    auto d = debouncer::create(*loop, 20ms, [&] { ++calls; });
    BOOST_REQUIRE(d);
    d->poke();
    d->poke();
    d->poke();
    BOOST_TEST(d->pending());
    // stop the loop once the debounced call has run (a later timer, by a wide margin)
    auto stop = timer::create(*loop, [&] { loop->exit(0); });
    BOOST_REQUIRE(stop);
    stop->arm(500ms);
    BOOST_TEST(loop->run() == 0);
    BOOST_TEST(calls == 1);
    BOOST_TEST(!d->pending());
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
