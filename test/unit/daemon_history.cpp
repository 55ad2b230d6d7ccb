// daemon/history.hpp and history_events.hpp: the journal's line format (a
// round trip, torn lines refused), its bound (rotation by size), masking on
// the way in, and which CIB changes and records become which events.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "cib/change.hpp"
#include "daemon/history.hpp"
#include "daemon/history_events.hpp"
#include "daemon/log.hpp"

namespace d = holdfast::daemon;
namespace cib = holdfast::cib;
namespace fs = std::filesystem;

namespace {

struct temp_file_dir {
    fs::path path;
    temp_file_dir() {
        char tmpl[] = "/tmp/history-test-XXXXXX";
        BOOST_REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~temp_file_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(daemon_history)

BOOST_AUTO_TEST_CASE(json_line_round_trip) {
    const d::history_event e{1764676984123, "failure", {{"rsc", "vm\"1"}, {"reason", "a\\b\nc\td"}, {"rc", "1"}}};
    const std::string line = d::to_json_line(e);
    BOOST_TEST(line.back() == '\n');
    BOOST_TEST(line.find('\n') == line.size() - 1);  // one line whatever the values hold
    auto back = d::parse_json_line(line);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST((*back == e));
    for (const char* bad : {"", "{}", "{\"time-ms\":1,\"kind\":\"cib\"", "{\"time-ms\":1,\"kind\":\"cib\",\"a\":",
                            "{\"kind\":\"cib\"}", "[1]", "{\"time-ms\":1,\"kind\":\"cib\"} x"})
        BOOST_TEST(!d::parse_json_line(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(journal_reads_since_and_skips_a_torn_line) {
    temp_file_dir dir;
    d::history_journal j(dir.path / "history.jsonl");
    j.record({1000, "cib", {{"op", "a"}}});
    j.record({2000, "cib", {{"op", "b"}}});
    std::ofstream(dir.path / "history.jsonl", std::ios::app) << "{\"time-ms\":3000,\"kind\":\"ci";  // a crash mid-write
    BOOST_TEST(j.read(0).size() == 2u);
    const auto later = j.read(1500);
    BOOST_REQUIRE(later.size() == 1u);
    BOOST_TEST(later[0].get("op") == "b");
    BOOST_TEST(j.read(2001).empty());
}

BOOST_AUTO_TEST_CASE(journal_rotates_by_size_and_keeps_one_older_file) {
    temp_file_dir dir;
    const auto file = dir.path / "history.jsonl";
    d::history_journal j(file, 1000);
    for (int i = 0; i < 100; ++i)
        j.record({1000 + i, "cib", {{"n", std::to_string(i)}, {"pad", std::string(40, 'x')}}});
    BOOST_TEST(fs::exists(file.string() + ".1"));
    BOOST_TEST(fs::file_size(file.string() + ".1") < 1200u);
    BOOST_TEST(fs::file_size(file) < 1000u);
    const auto all = j.read(0);
    BOOST_REQUIRE(!all.empty());
    BOOST_TEST(all.size() < 100u);                                                            // the oldest went
    BOOST_TEST(all.back().get("n") == "99");                                                  // the newest stayed
    for (size_t i = 1; i < all.size(); ++i) BOOST_TEST(all[i - 1].time_ms < all[i].time_ms);  // in order
}

BOOST_AUTO_TEST_CASE(journal_masks_secrets) {
    temp_file_dir dir;
    d::history_journal j(dir.path / "history.jsonl");
    j.record({1, "failure", {{"reason", "login failed: passwd=hunter2 user=admin"}, {"password", "x"}}});
    std::ifstream in(dir.path / "history.jsonl");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(text.find("hunter2") == std::string::npos, text);
    BOOST_TEST(text.find("user=admin") != std::string::npos, text);
    BOOST_TEST(j.read(0).at(0).get("password") == "*****");
}

BOOST_AUTO_TEST_CASE(log_lines_mask_secrets) {
    // what log_event writes to stderr, syslog and the blackbox
    const std::string line =
        d::format_event("fencing_failed", {{"target", "node2"},
                                           {"reason", "fence_ipmilan -P x --password=hunter2 failed"},
                                           {"passwd", "hunter3"},
                                           {"rsc", "<nvpair name=\"password\" value=\"hunter4\"/>"}});
    for (const char* secret : {"hunter2", "hunter3", "hunter4"})
        BOOST_TEST(line.find(secret) == std::string::npos, line);
    BOOST_TEST(line.find("target=node2") != std::string::npos, line);
    BOOST_TEST(line.find("passwd=*****") != std::string::npos, line);
}

BOOST_AUTO_TEST_CASE(changes_as_events) {
    cib::change c = cib::change::update_configuration("<primitive id=\"vm1\" class=\"ocf\" type=\"Dummy\"/>");
    c.origin = "node1";
    c.client = "holdfast";
    c.user = "root";
    auto ev = d::events_of_change(c, {0, 41, 0});
    BOOST_REQUIRE(ev.size() == 1u);
    BOOST_TEST(ev[0].kind == "cib");
    BOOST_TEST(ev[0].get("what") == "changed primitive vm1");
    BOOST_TEST(ev[0].get("epoch") == "41");
    BOOST_TEST(ev[0].get("section") == "resources");
    BOOST_TEST(d::events_of_change(cib::change::set_property("stonith-enabled", "true"), {}).at(0).get("section") ==
               "crm_config");
    BOOST_TEST(ev[0].get("user") == "root");
    // the cluster's own bookkeeping is no event
    BOOST_TEST(d::events_of_change(cib::change::set_cib_attribute("have-quorum", "1"), {}).empty());
    BOOST_TEST(d::events_of_change(cib::change::set_node_attribute("1", "node1", "fail-count-vm1#start_0", "1",
                                                                   cib::attribute_lifetime::transient),
                                   {})
                   .empty());
    // a failure record is a failure; a successful one is nothing
    const std::string failed =
        "<lrm_resource id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
        "<lrm_rsc_op id=\"vm1_last_failure_0\" operation=\"monitor\" interval=\"10000\" rc-code=\"7\" "
        "op-status=\"0\" on_node=\"node2\" exit-reason=\"gone\"/></lrm_resource>";
    ev = d::events_of_change(cib::change::record_operation("2", "node2", failed), {});
    BOOST_REQUIRE(ev.size() == 1u);
    BOOST_TEST(ev[0].kind == "failure");
    BOOST_TEST(ev[0].get("rsc") == "vm1");
    BOOST_TEST(ev[0].get("node") == "node2");
    BOOST_TEST(ev[0].get("rc") == "7");
    BOOST_TEST(ev[0].get("interval-ms") == "10000");
    BOOST_TEST(ev[0].get("reason") == "gone");
    const std::string ok =
        "<lrm_resource id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
        "<lrm_rsc_op id=\"vm1_last_0\" operation=\"start\" interval=\"0\" rc-code=\"0\" "
        "op-status=\"0\"/></lrm_resource>";
    BOOST_TEST(d::events_of_change(cib::change::record_operation("2", "node2", ok), {}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
