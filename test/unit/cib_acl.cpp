// cib/: ACLs (cib/acl.hpp): parsing the <acls> section, what a user and its
// groups resolve to, the CIB a user may read, and which changes a user may
// make, as Pacemaker's CIB manager decides them.
#include <boost/test/unit_test.hpp>
#include <string>

#include "cib/acl.hpp"
#include "test/unit/cib_test_util.hpp"

namespace cib = holdfast::cib;
namespace acl = holdfast::cib::acl;
using holdfast::test::load_ok;

namespace {

// alice reads everything and writes crm_config; bob reads everything but the
// resource "secret"; carol has an entry and nothing in it; members of group
// operators read primitives and write d1; opal reads everything and writes
// the status section; frank writes only nvpairs named "site".
std::string acl_cib(const std::string& enable = "true") {
    return "<cib validate-with=\"pacemaker-3.9\" epoch=\"7\" num_updates=\"3\" admin_epoch=\"0\">\n"
           "  <configuration>\n"
           "    <crm_config>\n"
           "      <cluster_property_set id=\"cib-bootstrap-options\">\n"
           "        <nvpair id=\"cib-bootstrap-options-enable-acl\" name=\"enable-acl\" value=\"" +
           enable +
           "\"/>\n"
           "        <nvpair id=\"cib-bootstrap-options-stonith-enabled\" name=\"stonith-enabled\" value=\"false\"/>\n"
           "      </cluster_property_set>\n"
           "    </crm_config>\n"
           "    <nodes>\n"
           "      <node id=\"1\" uname=\"node1\"/>\n"
           "    </nodes>\n"
           "    <resources>\n"
           "      <primitive id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">\n"
           "        <meta_attributes id=\"d1-meta\">\n"
           "          <nvpair id=\"d1-meta-target-role\" name=\"target-role\" value=\"Started\"/>\n"
           "        </meta_attributes>\n"
           "      </primitive>\n"
           "      <primitive id=\"secret\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">\n"
           "        <instance_attributes id=\"secret-params\">\n"
           "          <nvpair id=\"secret-params-password\" name=\"password\" value=\"hunter2\"/>\n"
           "        </instance_attributes>\n"
           "      </primitive>\n"
           "    </resources>\n"
           "    <constraints/>\n"
           "    <acls>\n"
           "      <acl_target id=\"alice\"><role id=\"reader\"/><role id=\"config-writer\"/></acl_target>\n"
           "      <acl_target id=\"bob-entry\" name=\"bob\"><role id=\"reader\"/><role "
           "id=\"no-secret\"/></acl_target>\n"
           "      <acl_target id=\"carol\"/>\n"
           "      <acl_target id=\"opal\"><role id=\"reader\"/><role id=\"status-writer\"/></acl_target>\n"
           "      <acl_target id=\"frank\"><role id=\"site-writer\"/></acl_target>\n"
           "      <acl_group id=\"operators\"><role id=\"resource-writer\"/></acl_group>\n"
           "      <acl_role id=\"reader\"><acl_permission id=\"reader-all\" kind=\"read\" xpath=\"/cib\"/></acl_role>\n"
           "      <acl_role id=\"config-writer\">\n"
           "        <acl_permission id=\"config-writer-crm\" kind=\"write\" xpath=\"//crm_config\"/>\n"
           "      </acl_role>\n"
           "      <acl_role id=\"no-secret\">\n"
           "        <acl_permission id=\"no-secret-deny\" kind=\"deny\" reference=\"secret\"/>\n"
           "      </acl_role>\n"
           "      <acl_role id=\"status-writer\">\n"
           "        <acl_permission id=\"status-writer-w\" kind=\"write\" xpath=\"/cib/status\"/>\n"
           "      </acl_role>\n"
           "      <acl_role id=\"site-writer\">\n"
           "        <acl_permission id=\"site-writer-w\" kind=\"write\" xpath=\"//nvpair[@name='site']\"/>\n"
           "      </acl_role>\n"
           "      <acl_role id=\"resource-writer\">\n"
           "        <acl_permission id=\"rw-read\" kind=\"read\" object-type=\"primitive\"/>\n"
           "        <acl_permission id=\"rw-write\" kind=\"write\" xpath=\"//primitive[@id='d1']\"/>\n"
           "        <acl_permission id=\"rw-values\" kind=\"read\" object-type=\"nvpair\" attribute=\"value\"/>\n"
           "      </acl_role>\n"
           "    </acls>\n"
           "  </configuration>\n"
           "  <status/>\n"
           "</cib>\n";
}

acl::subject user(std::string name, std::vector<std::string> groups = {}) {
    return {std::move(name), std::move(groups)};
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// The change is allowed for `who` (and the CIB takes it).
void may(const cib::document& doc, const cib::change& c, const acl::subject& who) {
    auto r = acl::check_change(doc, c, who);
    BOOST_TEST(r.has_value(),
               who.user << " may make " << cib::to_string(c.op) << ": " << (r ? std::string() : r.error().to_string()));
}

// The change is refused for `who` as a permission error naming `element`.
void may_not(const cib::document& doc, const cib::change& c, const acl::subject& who, const std::string& element) {
    auto r = acl::check_change(doc, c, who);
    BOOST_REQUIRE_MESSAGE(!r, who.user << " was let make " << cib::to_string(c.op));
    BOOST_TEST(static_cast<int>(r.error().code) == static_cast<int>(cib::errc::permission_denied),
               r.error().to_string());
    BOOST_TEST(contains(r.error().message, element), r.error().message);
    BOOST_TEST(contains(r.error().message, who.user), r.error().message);
    BOOST_TEST(!contains(r.error().message, "\n"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cib_acl)

BOOST_AUTO_TEST_CASE(enabled_only_by_enable_acl_and_never_for_root_or_hacluster) {
    BOOST_TEST(acl::enabled(load_ok(acl_cib())));
    BOOST_TEST(!acl::enabled(load_ok(acl_cib("false"))));
    BOOST_TEST(!acl::enabled(load_ok(holdfast::test::two_node_cib())));
    BOOST_TEST(!acl::required("root"));
    BOOST_TEST(!acl::required("hacluster"));
    BOOST_TEST(!acl::required(""));
    BOOST_TEST(acl::required("alice"));
    auto doc = load_ok(acl_cib());
    BOOST_TEST(acl::restricted(doc, user("nobody")));
    BOOST_TEST(!acl::restricted(doc, user("root")));
    BOOST_TEST(!acl::restricted(load_ok(acl_cib("false")), user("nobody")));
}

BOOST_AUTO_TEST_CASE(resolves_roles_of_targets_and_groups_in_order) {
    auto doc = load_ok(acl_cib());
    auto alice = acl::resolve(doc, user("alice"));
    BOOST_TEST(alice.has_entry);
    BOOST_REQUIRE(alice.permissions.size() == 2u);
    BOOST_TEST(alice.permissions[0].id == "reader-all");
    BOOST_TEST(alice.permissions[0].xpath == "/cib");
    BOOST_TEST((alice.permissions[1].kind == acl::mode::write));
    BOOST_TEST(alice.permissions[1].xpath == "//crm_config");

    // acl_target's name wins over its id; reference becomes an id match
    auto bob = acl::resolve(doc, user("bob"));
    BOOST_REQUIRE(bob.permissions.size() == 2u);
    BOOST_TEST((bob.permissions[1].kind == acl::mode::deny));
    BOOST_TEST(bob.permissions[1].xpath == "//*[@id='secret']");
    BOOST_TEST(!acl::resolve(doc, user("bob-entry")).has_entry);

    auto carol = acl::resolve(doc, user("carol"));
    BOOST_TEST(carol.has_entry);
    BOOST_TEST(carol.permissions.empty());
    BOOST_TEST(!acl::resolve(doc, user("dave")).has_entry);

    // a group's entries apply to its members; object-type (+ attribute) become xpaths
    auto dave = acl::resolve(doc, user("dave", {"users", "operators"}));
    BOOST_TEST(dave.has_entry);
    BOOST_REQUIRE(dave.permissions.size() == 3u);
    BOOST_TEST(dave.permissions[0].xpath == "//primitive");
    BOOST_TEST(dave.permissions[1].xpath == "//primitive[@id='d1']");
    BOOST_TEST(dave.permissions[2].xpath == "//nvpair[@value]");
    // a user in a group and with its own entry gets both, entries in document order
    BOOST_TEST(acl::resolve(doc, user("alice", {"operators"})).permissions.size() == 5u);
    BOOST_TEST(acl::resolve(doc, user("root")).permissions.empty());
}

// Pacemaker 1.x's form: acl_user with read/write/deny entries (tag, ref)
// and role_ref; ACL entries without any selection are ignored.
BOOST_AUTO_TEST_CASE(resolves_the_legacy_form) {
    auto text = acl_cib();
    text.replace(text.find("<acls>") + 6, 0,
                 "<acl_user id=\"erin\"><read id=\"e1\" tag=\"nvpair\" attribute=\"value\"/>"
                 "<write id=\"e2\" xpath=\"//nodes\"/><role_ref id=\"legacy-role\"/><deny id=\"e3\"/></acl_user>"
                 "<acl_role id=\"legacy-role\"><deny id=\"e4\" ref=\"d1\"/></acl_role>");
    cib::load_options lo;
    lo.validate = false;
    auto doc = cib::load_string(text, lo);
    BOOST_REQUIRE(doc);
    auto erin = acl::resolve(*doc, user("erin"));
    BOOST_REQUIRE(erin.permissions.size() == 3u);
    BOOST_TEST(erin.permissions[0].xpath == "//nvpair[@value]");
    BOOST_TEST((erin.permissions[1].kind == acl::mode::write));
    BOOST_TEST((erin.permissions[2].kind == acl::mode::deny));
    BOOST_TEST(erin.permissions[2].xpath == "//*[@id='d1']");
}

BOOST_AUTO_TEST_CASE(unrestricted_users_read_everything) {
    auto doc = load_ok(acl_cib());
    BOOST_TEST(acl::readable_xml(doc, user("root")) == doc.to_string());
    BOOST_TEST(acl::readable_xml(doc, user("hacluster")) == doc.to_string());
    BOOST_TEST(acl::readable_xml(doc, user("alice")) == doc.to_string());  // read on /cib
    auto off = load_ok(acl_cib("false"));
    BOOST_TEST(acl::readable_xml(off, user("dave")) == off.to_string());
}

BOOST_AUTO_TEST_CASE(denied_elements_are_removed) {
    auto doc = load_ok(acl_cib());
    auto text = acl::readable_xml(doc, user("bob"));
    BOOST_TEST(!contains(text, "hunter2"));
    BOOST_TEST(!contains(text, "id=\"secret\""));
    BOOST_TEST(contains(text, "id=\"d1\""));
    BOOST_TEST(contains(text, "<acls>"));
    BOOST_TEST(text != doc.to_string());
}

BOOST_AUTO_TEST_CASE(a_user_without_an_entry_sees_only_the_cib_element) {
    auto doc = load_ok(acl_cib());
    for (const char* who : {"dave", "carol"}) {
        auto text = acl::readable_xml(doc, user(who));
        BOOST_TEST(contains(text,
                            "<cib validate-with=\"pacemaker-3.9\" epoch=\"7\" num_updates=\"3\" "
                            "admin_epoch=\"0\"/>"),
                   text);
        BOOST_TEST(!contains(text, "<configuration"), text);
        BOOST_TEST(!contains(text, "<status"), text);
    }
}

// Elements not readable stay only as the id-only way to a readable one.
BOOST_AUTO_TEST_CASE(readable_parts_keep_their_ancestors_bare) {
    auto doc = load_ok(acl_cib());
    auto text = acl::readable_xml(doc, user("dave", {"operators"}));
    BOOST_TEST(contains(text, "<configuration>"), text);
    BOOST_TEST(contains(text, "<resources>"), text);
    BOOST_TEST(contains(text, "hunter2"), text);  // the primitives are readable, whole
    BOOST_TEST(contains(text, "type=\"Dummy\""), text);
    // nvpairs with a value are readable, their sets only as scaffolding
    BOOST_TEST(contains(text, "name=\"stonith-enabled\""), text);
    BOOST_TEST(contains(text, "<cluster_property_set id=\"cib-bootstrap-options\">"), text);
    BOOST_TEST(!contains(text, "<nodes"), text);
    BOOST_TEST(!contains(text, "<acls"), text);
    BOOST_TEST(!contains(text, "<status"), text);
}

BOOST_AUTO_TEST_CASE(unrestricted_users_change_anything) {
    auto doc = load_ok(acl_cib());
    may(doc,
        cib::change::replace_configuration("<configuration><crm_config/><nodes/><resources/><constraints/>"
                                           "</configuration>"),
        user("root"));
    may(doc, cib::change::delete_element("secret-params-password"), user("hacluster"));
    auto off = load_ok(acl_cib("false"));
    may(off, cib::change::delete_element("secret-params-password"), user("dave"));
}

BOOST_AUTO_TEST_CASE(configuration_changes_need_write_where_they_land) {
    auto doc = load_ok(acl_cib());
    const auto alice = user("alice");
    may(doc, cib::change::set_property("stonith-enabled", "true"), alice);
    may(doc, cib::change::set_property("cluster-name", "hf"), alice);  // creates an nvpair
    may(doc, cib::change::delete_property("stonith-enabled"), alice);
    may_not(doc,
            cib::change::update_configuration("<primitive id=\"d1\" class=\"ocf\" provider=\"heartbeat\" "
                                              "type=\"Dummy\"/>"),
            alice, "<primitive id=\"d1\">");
    may_not(doc, cib::change::delete_element("d1-meta-target-role"), alice, "d1-meta-target-role");
    may_not(doc, cib::change::delete_element("secret-params-password"), alice, "secret-params-password");
    may_not(doc,
            cib::change::replace_configuration("<configuration><crm_config/><nodes/><resources/>"
                                               "<constraints/></configuration>"),
            alice, "delete");
    may_not(doc, cib::change::set_node_attribute("1", "node1", "site", "a", cib::attribute_lifetime::permanent), alice,
            "create");
    may_not(doc, cib::change::set_cib_attribute("have-quorum", "1"), alice, "<cib>");

    // group operators: write on d1 (and under it) only
    const auto dave = user("dave", {"operators"});
    may(doc,
        cib::change::update_configuration("<nvpair id=\"d1-meta-target-role\" name=\"target-role\" "
                                          "value=\"Stopped\"/>"),
        dave);
    may(doc, cib::change::delete_element("d1"), dave);
    may_not(doc, cib::change::delete_element("secret-params-password"), dave, "secret-params-password");
    may_not(doc, cib::change::set_property("stonith-enabled", "true"), dave, "stonith-enabled");
}

// deny beats write on the same element; a deny above wins over a write
// further up, and a read does not stop the walk to a write above it.
BOOST_AUTO_TEST_CASE(deny_beats_write_and_the_nearest_decision_wins) {
    auto text = acl_cib();
    text.replace(text.find("<acl_role id=\"reader\">"), 0,
                 "<acl_target id=\"gus\"><role id=\"gus-role\"/></acl_target>"
                 "<acl_role id=\"gus-role\">"
                 "<acl_permission id=\"gus-w\" kind=\"write\" xpath=\"//resources\"/>"
                 "<acl_permission id=\"gus-d\" kind=\"deny\" reference=\"secret-params\"/>"
                 "<acl_permission id=\"gus-r\" kind=\"read\" reference=\"d1-meta\"/>"
                 "<acl_permission id=\"gus-w2\" kind=\"write\" reference=\"d1\"/>"
                 "<acl_permission id=\"gus-d2\" kind=\"deny\" reference=\"d1\"/>"
                 "</acl_role>");
    auto doc = load_ok(text);
    const auto gus = user("gus");
    // d1: write and deny on the element itself: deny
    may_not(doc,
            cib::change::update_configuration("<primitive id=\"d1\" class=\"ocf\" provider=\"heartbeat\" "
                                              "type=\"Dummy\"/>"),
            gus, "<primitive id=\"d1\">");
    // under d1-meta (read only), the walk reaches d1's deny
    may_not(doc, cib::change::delete_element("d1-meta-target-role"), gus, "d1-meta-target-role");
    // secret-params denied under a writable <resources>
    may_not(doc, cib::change::delete_element("secret-params-password"), gus, "secret-params-password");
    may(doc,
        cib::change::update_configuration("<primitive id=\"secret\" class=\"ocf\" provider=\"heartbeat\" "
                                          "type=\"Dummy\"/>"),
        gus);
}

BOOST_AUTO_TEST_CASE(status_changes_need_write_on_the_status_section) {
    auto doc = load_ok(acl_cib());
    const auto opal = user("opal");
    const std::string state =
        "<node_state id=\"1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" "
        "expected=\"member\"/>";
    may(doc, cib::change::replace_node_state(state), opal);
    may(doc, cib::change::update_node_state(state), opal);
    may(doc, cib::change::set_node_attribute("1", "node1", "pingd", "1", cib::attribute_lifetime::transient), opal);
    may(doc,
        cib::change::record_operation("1", "node1",
                                      "<lrm_resource id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
                                      "<lrm_rsc_op id=\"d1_last_0\" operation=\"start\" call-id=\"3\" rc-code=\"0\" "
                                      "op-status=\"0\" interval=\"0\" on_node=\"node1\"/></lrm_resource>"),
        opal);
    may_not(doc, cib::change::set_property("stonith-enabled", "true"), opal, "stonith-enabled");
    may_not(doc, cib::change::set_cib_attribute("dc-uuid", "1"), opal, "<cib>");

    // with a node_state in place: its history and attributes go only with write there
    auto with_state = doc.clone();
    BOOST_REQUIRE(cib::apply(with_state, cib::change::replace_node_state(state)));
    BOOST_REQUIRE(cib::apply(
        with_state, cib::change::set_node_attribute("1", "node1", "pingd", "1", cib::attribute_lifetime::transient)));
    // a resource's history (cleanup/refresh) likewise
    BOOST_REQUIRE(cib::apply(
        with_state,
        cib::change::record_operation("1", "node1",
                                      "<lrm_resource id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
                                      "<lrm_rsc_op id=\"d1_last_0\" operation=\"start\" call-id=\"3\" rc-code=\"0\" "
                                      "op-status=\"0\" interval=\"0\" on_node=\"node1\"/></lrm_resource>")));
    may(with_state, cib::change::clear_resource_history("1", "d1", false), opal);
    may_not(with_state, cib::change::clear_resource_history("1", "d1", false), user("alice"), "lrm_resource");
    may(with_state, cib::change::clear_node_history("1"), opal);
    may(with_state, cib::change::delete_node_attribute("1", "pingd", cib::attribute_lifetime::transient), opal);
    may_not(with_state, cib::change::clear_node_history("1"), user("alice"), "delete");
    may_not(with_state, cib::change::update_node_state("<node_state id=\"1\" crmd=\"offline\"/>"), user("alice"),
            "node_state");
}

// A new element with only an id is scaffolding anyone may add on the way to
// an element they may write; what they may write is judged on the result.
BOOST_AUTO_TEST_CASE(created_elements_are_judged_after_the_change) {
    auto doc = load_ok(acl_cib());
    may(doc, cib::change::set_node_attribute("1", "node1", "site", "a", cib::attribute_lifetime::permanent),
        user("frank"));
    may_not(doc, cib::change::set_node_attribute("1", "node1", "rack", "a", cib::attribute_lifetime::permanent),
            user("frank"), "nodes-1-rack");
    auto with_site = doc.clone();
    BOOST_REQUIRE(cib::apply(
        with_site, cib::change::set_node_attribute("1", "node1", "site", "a", cib::attribute_lifetime::permanent)));
    may(with_site, cib::change::delete_node_attribute("1", "site", cib::attribute_lifetime::permanent), user("frank"));
}

BOOST_AUTO_TEST_CASE(users_without_permissions_change_nothing) {
    auto doc = load_ok(acl_cib());
    for (const auto& who : {user("carol"), user("dave"), user("bob")})
        may_not(doc, cib::change::set_property("stonith-enabled", "true"), who, "stonith-enabled");
    // a change that changes nothing needs no permission
    may(doc, cib::change::set_property("stonith-enabled", "false"), user("dave"));
    // the CIB's own refusal comes first, unchanged
    auto r = acl::check_change(doc, cib::change::delete_element("nope"), user("dave"));
    BOOST_REQUIRE(!r);
    BOOST_TEST(static_cast<int>(r.error().code) == static_cast<int>(cib::errc::not_found));
}

BOOST_AUTO_TEST_SUITE_END()
