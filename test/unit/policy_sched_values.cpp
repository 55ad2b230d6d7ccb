// Interval parsing in the scheduler saturates rather than overflowing (found by the fuzzer).
#include <boost/test/unit_test.hpp>
#include <cstdint>

#include "policy/sched.hpp"

using holdfast::policy::sched::parse_interval_ms;

BOOST_AUTO_TEST_CASE(intervals_parse_in_pacemaker_units) {
    BOOST_TEST(parse_interval_ms("10") == 10000);
    BOOST_TEST(parse_interval_ms("10s") == 10000);
    BOOST_TEST(parse_interval_ms("500ms") == 500);
    BOOST_TEST(parse_interval_ms("2m") == 120000);
    BOOST_TEST(parse_interval_ms("PT1M") == 60000);
    BOOST_TEST(parse_interval_ms("P10S") == 10000);  // Pacemaker accepts seconds outside the time part
    BOOST_TEST(parse_interval_ms("bogus") == -1);
}

BOOST_AUTO_TEST_CASE(huge_intervals_saturate) {
    BOOST_TEST(parse_interval_ms("9223372036854775807") > 0);
    BOOST_TEST(parse_interval_ms("99999999999999999999h") > 0);
}

BOOST_AUTO_TEST_CASE(overflowing_durations_are_invalid) {
    // Pacemaker's duration parser rejects a number that does not fit, so the op is invalid
    BOOST_TEST(parse_interval_ms("P99999999999999999Y") == -1);
}
