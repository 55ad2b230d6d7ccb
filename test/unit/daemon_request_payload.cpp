// The client payloads holdfastd reads itself (daemon/request_payload.hpp).
#include <boost/test/unit_test.hpp>

#include "daemon/request_payload.hpp"

namespace hd = holdfast::daemon;

BOOST_AUTO_TEST_SUITE(daemon_request_payload)

BOOST_AUTO_TEST_CASE(fence_takes_a_node_and_an_optional_action) {
    auto plain = hd::parse_fence_payload("node2");
    BOOST_REQUIRE(plain);
    BOOST_TEST(plain->target == "node2");
    BOOST_TEST(plain->action == "reboot");
    auto off = hd::parse_fence_payload("node2 off");
    BOOST_REQUIRE(off);
    BOOST_TEST(off->action == "off");
    for (const char* bad : {"", " off", "node2 halt", "node2  off", "node2 off extra", "no\tde"})
        BOOST_TEST(!hd::parse_fence_payload(bad), bad);
}

BOOST_AUTO_TEST_CASE(node_names_are_one_word_and_errors_one_line) {
    auto every = hd::parse_node_payload("", true);
    BOOST_REQUIRE(every);
    BOOST_TEST(every->empty());
    BOOST_TEST(!hd::parse_node_payload("", false));
    BOOST_TEST(!hd::parse_node_payload(std::string(256, 'n'), false));
    BOOST_TEST(hd::parse_node_payload(std::string(255, 'n'), false).has_value());
    // a control character is named escaped, so the answer stays one line
    auto e = hd::parse_node_payload(std::string("a\nb"), false);
    BOOST_REQUIRE(!e);
    BOOST_TEST(e.error().find('\n') == std::string::npos);
    BOOST_TEST(e.error().find("a\\x0ab") != std::string::npos, e.error());
}

BOOST_AUTO_TEST_CASE(history_start_is_epoch_seconds_in_digits) {
    BOOST_TEST(hd::parse_history_payload("").value() == 0);
    BOOST_TEST(hd::parse_history_payload("1764700000").value() == 1764700000);
    // what strtoll took: blanks, a sign, trailing words, overflow
    for (const char* bad : {" 5", "+5", "-5", "5x", "12345678901234567890"})
        BOOST_TEST(!hd::parse_history_payload(bad), bad);
    auto e = hd::parse_history_payload("1\n2");
    BOOST_REQUIRE(!e);
    BOOST_TEST(e.error().find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
