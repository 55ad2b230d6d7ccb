// fence_reaction: when a node takes an announced fencing as its own, still
// running, and which outcome a rejoining node is told again.
#include <boost/test/unit_test.hpp>

#include "daemon/fence_reaction.hpp"

namespace d = holdfast::daemon;

namespace {

d::fencing_event event(std::string target, std::string action, bool ok, int64_t completed) {
    return {std::move(target), std::move(action), ok, "scsi", {}, "node2", completed, 5};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fence_reaction)

BOOST_AUTO_TEST_CASE(only_a_successful_off_of_ourselves_while_we_ran) {
    const int64_t started = 1000;
    BOOST_TEST(d::fenced_while_running(event("node1", "off", true, 1500), "node1", started));
    BOOST_TEST(d::fenced_while_running(event("node1", "off", true, started + d::clock_margin_s + 1), "node1", started));
    // booted after the fencing (powered on again), or so close to it that the clocks cannot tell
    BOOST_TEST(!d::fenced_while_running(event("node1", "off", true, 999), "node1", started));
    BOOST_TEST(!d::fenced_while_running(event("node1", "off", true, 1000), "node1", started));
    BOOST_TEST(!d::fenced_while_running(event("node1", "off", true, started + d::clock_margin_s), "node1", started));
    BOOST_TEST(!d::fenced_while_running(event("node1", "off", false, 1500), "node1", started));
    BOOST_TEST(!d::fenced_while_running(event("node2", "off", true, 1500), "node1", started));
    // a reboot's target comes back by design, maybe before the outcome is recorded
    BOOST_TEST(!d::fenced_while_running(event("node1", "reboot", true, 1500), "node1", started));
    BOOST_TEST(!d::fenced_while_running(event("node1", "on", true, 1500), "node1", started));
}

BOOST_AUTO_TEST_CASE(the_newest_successful_fencing_is_shared) {
    const std::vector<d::fencing_event> h{event("node1", "off", true, 10), event("node2", "off", true, 11),
                                          event("node1", "reboot", true, 12), event("node1", "on", true, 13),
                                          event("node1", "off", false, 14)};
    const auto last = d::last_fencing_of(h, "node1");
    BOOST_TEST_REQUIRE(last.has_value());
    BOOST_TEST(last->completed == 12);
    BOOST_TEST(last->action == "reboot");
    BOOST_TEST(!d::last_fencing_of(h, "node3").has_value());
}

BOOST_AUTO_TEST_CASE(fence_reaction_values_as_pacemaker) {
    const auto parsed = [](const char* v) { return std::string(d::to_string(d::parse_fence_reaction(v))); };
    BOOST_TEST(parsed("panic") == "panic");
    BOOST_TEST(parsed("PANIC") == "panic");
    BOOST_TEST(parsed("stop") == "stop");
    BOOST_TEST(parsed("") == "stop");
    BOOST_TEST(parsed("reboot") == "stop");
}

BOOST_AUTO_TEST_SUITE_END()
