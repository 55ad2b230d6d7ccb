// tools/holdfast/history.hpp: --since's forms, the daemon's answers read
// back, fencing merged without duplicates, and the lines as operators read them.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <ctime>
#include <string>

#include "tools/holdfast/history.hpp"

namespace t = holdfast::tools;

BOOST_AUTO_TEST_SUITE(tools_history)

BOOST_AUTO_TEST_CASE(since_forms) {
    setenv("TZ", "UTC", 1);
    tzset();
    const std::time_t midnight = 1764633600;  // 2025-12-02 00:00:00 UTC
    const std::time_t now = midnight + 12 * 3600 + 3 * 60;
    BOOST_TEST(*t::parse_since("30m", now) == now - 1800);
    BOOST_TEST(*t::parse_since("2h", now) == now - 7200);
    BOOST_TEST(*t::parse_since("1d", now) == now - 86400);
    BOOST_TEST(*t::parse_since("1w", now) == now - 7 * 86400);
    BOOST_TEST(*t::parse_since("90s", now) == now - 90);
    BOOST_TEST(*t::parse_since("today", now) == midnight);
    BOOST_TEST(*t::parse_since("yesterday", now) == midnight - 86400);
    BOOST_TEST(*t::parse_since("2025-12-02T12:00:00Z", now) == midnight + 12 * 3600);
    BOOST_TEST(*t::parse_since("2025-12-02 12:00:00", now) == midnight + 12 * 3600);
    for (const char* bad : {"", "2", "30", "2x", "h", "-2h", "soon", "2025-13-40", "P1D"})
        BOOST_TEST(!t::parse_since(bad, now).has_value(), bad);
    unsetenv("TZ");
    tzset();
}

BOOST_AUTO_TEST_CASE(answers_merged_and_worded) {
    setenv("TZ", "UTC", 1);
    tzset();
    const std::string journal =
        "<history node=\"node1\">\n"
        "<event time-ms=\"1764676984000\" kind=\"cib\" op=\"update_configuration\" what=\"changed primitive vm1\" "
        "epoch=\"41\" origin=\"node1\" client=\"holdfast\" user=\"root\"/>\n"
        "<event time-ms=\"1764676990000\" kind=\"action\" transition=\"7\" task=\"start\" rsc=\"vm1\" node=\"node2\" "
        "interval-ms=\"0\" result=\"ok\"/>\n"
        "<event time-ms=\"1764677000000\" kind=\"fencing\" target=\"node3\" action=\"off\" result=\"ok\" "
        "device=\"ipmi\" origin=\"node1\" completed=\"1764677000\" reason=\"\"/>\n"
        "</history>\n";
    const std::string fencing =
        "<fencing-history>\n"
        "<fencing target=\"node3\" action=\"off\" state=\"success\" device=\"ipmi\" origin=\"node1\" "
        "completed=\"1764677000\" elapsed-ms=\"10\" reason=\"\"/>\n"
        "<fencing target=\"node2\" action=\"reboot\" state=\"failed\" device=\"\" origin=\"node3\" "
        "completed=\"1764676000\" elapsed-ms=\"10\" reason=\"timed out\"/>\n"
        "</fencing-history>\n";
    const auto all = t::merge_history(t::parse_history_xml(journal), t::parse_fencing_xml(fencing));
    BOOST_REQUIRE(all.size() == 4u);  // node3's fencing once, node2's added (and first: oldest)
    BOOST_TEST(t::history_line(all[0]) == "2025-12-02 11:46:40 fencing node2 (reboot) by node3 failed: timed out\n");
    BOOST_TEST(t::history_line(all[1]) ==
               "2025-12-02 12:03:04 node1 root via holdfast changed primitive vm1 (epoch 41)\n");
    BOOST_TEST(t::history_line(all[2]) == "2025-12-02 12:03:10 transition 7: started vm1 on node2 (ok)\n");
    BOOST_TEST(t::history_line(all[3]) == "2025-12-02 12:03:20 fenced node3 (off) by node1 with ipmi: ok\n");
    const std::string json = t::history_json(all);
    BOOST_TEST(json.find("\"time\": \"2025-12-02T12:03:04Z\"") != std::string::npos, json);
    BOOST_TEST(t::parse_history_xml(t::history_xml(all)).size() == 4u);
    // a change without a user came from holdfastd itself, not through its IPC
    const t::history_item own{1764676984000, "cib", {{"what", "changed primitive vm1"}, {"epoch", "5"}}};
    BOOST_TEST(t::history_line(own) == "2025-12-02 12:03:04 holdfastd changed primitive vm1 (epoch 5)\n");
    const t::history_item confirmed{
        1764676984000,
        "fencing",
        {{"target", "node3"}, {"action", "off"}, {"device", "operator"}, {"origin", "node1"}}};
    BOOST_TEST(t::history_line(confirmed) == "2025-12-02 12:03:04 node3 confirmed down by an operator on node1\n");
    unsetenv("TZ");
    tzset();
}

BOOST_AUTO_TEST_CASE(failure_words) {
    setenv("TZ", "UTC", 1);
    tzset();
    const t::history_item f{1764676984000,
                            "failure",
                            {{"rsc", "vm1"},
                             {"task", "monitor"},
                             {"interval-ms", "10000"},
                             {"node", "node2"},
                             {"rc", "7"},
                             {"status", "0"},
                             {"reason", "passwd=x rejected"}}};
    BOOST_TEST(t::history_line(f) ==
               "2025-12-02 12:03:04 vm1 failed: 10s-interval monitor on node2 returned 7 (not running): "
               "passwd=***** rejected\n");
    unsetenv("TZ");
    tzset();
}

BOOST_AUTO_TEST_SUITE_END()
