// tools/: the pure parts of `holdfast resource` (tools/holdfast/resource_edit.hpp):
// crm_resource's ids and constraint XML, lifetimes, the status section for
// move/ban constraints, fail-count attribute names and sums. The XML is
// applied to a CIB as the daemon would, so the schema and model see it.
#include <boost/test/unit_test.hpp>
#include <string>

#include "cib/change.hpp"
#include "test/unit/cib_test_util.hpp"
#include "tools/holdfast/resource_edit.hpp"

namespace cib = holdfast::cib;
namespace edit = holdfast::tools::resource_edit;
using holdfast::test::load_ok;
using holdfast::test::two_node_cib;

namespace {

constexpr std::time_t dec1_0630 = 1796106600;  // 2026-12-01 06:30:00 UTC

const cib::resource& rsc(const cib::document& doc, const std::string& id) {
    for (const auto& r : doc.model().resources)
        if (r.id == id) return r;
    BOOST_FAIL("no resource " << id);
    return doc.model().resources.front();
}

void apply_ok(cib::document& doc, const cib::change& c) {
    auto r = cib::apply(doc, c);
    BOOST_REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
}

}  // namespace

BOOST_AUTO_TEST_CASE(resource_lifetime_ends_as_crm_resource_writes_them) {
    BOOST_TEST(*edit::lifetime_end("PT1H", dec1_0630, 0) == "2026-12-01 07:30:00Z");
    BOOST_TEST(*edit::lifetime_end("P1D", dec1_0630, 3600) == "2026-12-02 07:30:00 +01:00");
    BOOST_TEST(*edit::lifetime_end("PT90M", dec1_0630, -5 * 3600) == "2026-12-01 03:00:00 -05:00");
    for (const char* bad : {"1h", "", "P", "PT", "PXT", "tomorrow", "PT-1H x"}) {
        auto e = edit::lifetime_end(bad, dec1_0630, 0);
        BOOST_TEST(!e, bad);
        if (!e) BOOST_TEST(e.error().find(std::string("'") + bad + "'") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(resource_constraint_xml_has_crm_resources_ids) {
    BOOST_TEST(edit::prefer_xml("vm", "node2") ==
               "<rsc_location id=\"cli-prefer-vm\" rsc=\"vm\" role=\"Started\" node=\"node2\" score=\"INFINITY\"/>");
    BOOST_TEST(edit::ban_xml("vm", "node1") ==
               "<rsc_location id=\"cli-ban-vm-on-node1\" rsc=\"vm\" role=\"Started\" node=\"node1\" "
               "score=\"-INFINITY\"/>");
    BOOST_TEST(edit::ban_xml("vm", "node1", "2026-12-01 07:30:00Z") ==
               "<rsc_location id=\"cli-ban-vm-on-node1\" rsc=\"vm\" role=\"Started\"><rule "
               "id=\"cli-ban-vm-on-node1-rule\" score=\"-INFINITY\" boolean-op=\"and\"><expression "
               "id=\"cli-ban-vm-on-node1-expr\" attribute=\"#uname\" operation=\"eq\" value=\"node1\" "
               "type=\"string\"/><date_expression id=\"cli-ban-vm-on-node1-lifetime\" operation=\"lt\" "
               "end=\"2026-12-01 07:30:00Z\"/></rule></rsc_location>");
    BOOST_TEST(edit::prefer_xml("vm", "n2", "E").find("<rule id=\"cli-prefer-rule-vm\" score=\"INFINITY\"") !=
               std::string::npos);
    BOOST_TEST(edit::prefer_xml("vm", "n2", "E").find("id=\"cli-prefer-expr-vm\"") != std::string::npos);
    BOOST_TEST(edit::prefer_xml("vm", "n2", "E").find("id=\"cli-prefer-lifetime-end-vm\"") != std::string::npos);
    BOOST_TEST(edit::ban_id("db:0", "node#1") == "cli-ban-db.0-on-node.1");
    BOOST_TEST(edit::sanitize_id("a b/c") == "a.b.c");
}

BOOST_AUTO_TEST_CASE(resource_constraints_load_and_show_in_status) {
    auto doc = load_ok(two_node_cib());
    apply_ok(doc, cib::change::update_configuration(edit::prefer_xml("d1", "node2", "2026-12-01 07:30:00Z")));
    apply_ok(doc, cib::change::update_configuration(edit::ban_xml("d2", "node1")));
    apply_ok(doc, cib::change::update_configuration(edit::ban_xml("d1", "node1", "2026-12-01 06:00:00Z")));
    auto all = edit::cli_constraints(doc.model());
    BOOST_REQUIRE(all.size() == 3u);
    BOOST_TEST(all[0].id == "cli-prefer-d1");
    BOOST_TEST(all[0].node == "node2");
    BOOST_TEST(!all[0].ban);
    BOOST_TEST(all[0].until == "2026-12-01 07:30:00Z");
    BOOST_TEST(all[1].ban);
    BOOST_TEST(all[1].node == "node1");
    BOOST_TEST(all[1].until == "");
    BOOST_TEST(edit::format_cli_constraints(doc.model(), dec1_0630) ==
               "\nConstraints left by move/ban (holdfast resource clear RSC removes them):\n"
               "  * cli-prefer-d1\tprefers node2 for d1 (until 2026-12-01 07:30:00Z)\n"
               "  * cli-ban-d2-on-node1\tprevents d2 from running on node1\n"
               "  * cli-ban-d1-on-node1\tprevents d1 from running on node1 (expired 2026-12-01 06:00:00Z)\n");
    BOOST_TEST(edit::format_cli_constraints(load_ok(two_node_cib()).model(), dec1_0630) == "");
}

BOOST_AUTO_TEST_CASE(resource_meta_attribute_reuses_what_is_there) {
    auto doc = load_ok(two_node_cib());
    auto t = edit::meta_attribute(rsc(doc, "d1"), "target-role");  // existing pair
    BOOST_TEST(t.exists);
    BOOST_TEST(t.set_id == "d1-meta");
    BOOST_TEST(t.pair_id == "d1-meta-target-role");
    BOOST_TEST(t.value == "Started");
    t = edit::meta_attribute(rsc(doc, "d1"), "is-managed");  // existing set
    BOOST_TEST(!t.exists);
    BOOST_TEST(t.pair_id == "d1-meta-is-managed");
    t = edit::meta_attribute(rsc(doc, "d2"), "target-role");  // nothing yet: crm_resource's ids
    BOOST_TEST(t.set_id == "d2-meta_attributes");
    BOOST_TEST(t.pair_id == "d2-meta_attributes-target-role");
    apply_ok(doc,
             cib::change::update_configuration(edit::meta_update_xml(rsc(doc, "d2"), t, "target-role", "Stopped")));
    t = edit::meta_attribute(rsc(doc, "d2"), "target-role");
    BOOST_TEST(t.exists);
    BOOST_TEST(t.value == "Stopped");
}

BOOST_AUTO_TEST_CASE(resource_failure_attributes_and_counts) {
    auto f = edit::parse_failure_attribute("fail-count-vm#monitor_10000");
    BOOST_REQUIRE(f);
    BOOST_TEST(f->fail_count);
    BOOST_TEST(f->rsc == "vm");
    f = edit::parse_failure_attribute("last-failure-db:1#start_0");
    BOOST_REQUIRE(f);
    BOOST_TEST(!f->fail_count);
    BOOST_TEST(f->rsc == "db:1");
    BOOST_TEST(edit::parse_failure_attribute("fail-count-vm")->rsc == "vm");
    BOOST_TEST(!edit::parse_failure_attribute("standby"));
    BOOST_TEST(!edit::parse_failure_attribute("fail-count-#start_0"));
    BOOST_TEST(edit::history_of("db:1", "db"));
    BOOST_TEST(edit::history_of("db", "db"));
    BOOST_TEST(!edit::history_of("db2", "db"));
    BOOST_TEST(!edit::history_of("db:x", "db"));
    BOOST_TEST(!edit::history_of("db:", "db"));
    BOOST_TEST(edit::fail_count_value("3") == 3);
    BOOST_TEST(edit::fail_count_value("INFINITY") == 1000000);
    BOOST_TEST(edit::fail_count_value("99999999999") == 1000000);
    BOOST_TEST(edit::fail_count_value("junk") == 0);
    BOOST_TEST(edit::fail_count_text(1000000) == "INFINITY");
    BOOST_TEST(edit::fail_count_text(2) == "2");
}
