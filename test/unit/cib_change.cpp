// cib/: changes (cib/change.hpp): each operation's effect on the model and
// the version, refusals leaving the document untouched, the wire form, and
// Pacemaker's crm_verify accepting the result of a sequence of changes.
#include <boost/test/unit_test.hpp>
#include <ostream>
#include <string>

#include "cib/change.hpp"
#include "test/unit/cib_test_util.hpp"
#include "test/unit/status_compare.hpp"

namespace holdfast::cib {
// So that Boost.Test can print versions it compares
inline std::ostream& operator<<(std::ostream& os, const cib_version& v) { return os << v.to_string(); }
}  // namespace holdfast::cib

namespace cib = holdfast::cib;
using holdfast::test::cib_attr;
using holdfast::test::load_ok;
using holdfast::test::two_node_cib;

namespace {

// What a model says of the configuration, as text: enough to tell a model
// refreshed in place from one built anew.
std::string configuration_summary(const cib::cib_model& m) {
    std::string out = m.validate_with + " " + m.admin_epoch + "." + m.epoch + "." + m.num_updates + " " +
                      m.have_quorum + " " + m.dc_uuid + "\n";
    for (const auto& set : m.crm_config)
        for (const auto& p : set.pairs) out += "property " + p.id + " " + p.name + "=" + p.value + "\n";
    for (const auto& n : m.nodes) {
        out += "node " + n.id + " " + n.uname + "\n";
        for (const auto& set : n.attributes)
            for (const auto& p : set.pairs) out += "  " + p.name + "=" + p.value + "\n";
    }
    for (const auto& r : m.resources) out += "resource " + r.id + " " + r.type + "\n";
    for (const auto& l : m.locations) out += "location " + l.id + " " + l.rsc + " " + l.score + "\n";
    for (const auto& o : m.orders) out += "order " + o.id + "\n";
    for (const auto& c : m.colocations) out += "colocation " + c.id + "\n";
    return out + (m.has_acls ? "acls\n" : "");
}

// The model apply() refreshed in place is the one a fresh load of the
// document's XML builds, and that XML is still valid (apply() skips the
// schema check where an edit cannot break it).
void model_matches_xml(const cib::document& doc) {
    auto fresh = cib::load_string(doc.to_string(), {}, "reloaded");
    BOOST_REQUIRE_MESSAGE(fresh, (fresh ? "" : fresh.error().to_string()));
    BOOST_TEST(holdfast::test::first_status_difference(doc.model(), fresh->model()) == "");
    BOOST_TEST(configuration_summary(doc.model()) == configuration_summary(fresh->model()));
}

cib::applied apply_ok(cib::document& doc, const cib::change& c) {
    // a dry run answers the same and leaves the document as it was
    const std::string before = doc.to_string();
    auto tried = cib::dry_run(doc, c);
    BOOST_REQUIRE_MESSAGE(tried, (tried ? "" : tried.error().to_string()));
    BOOST_TEST(doc.to_string() == before);
    auto r = cib::apply(doc, c);
    BOOST_REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    BOOST_TEST(r->after == tried->after);
    BOOST_TEST(r->changed == tried->changed);
    model_matches_xml(doc);
    return *r;
}

// The change is refused with `code`, and the document is byte-identical
// (its model too).
void refused(cib::document& doc, const cib::change& c, cib::errc code) {
    const std::string before = doc.to_string();
    const std::string summary = configuration_summary(doc.model());
    auto r = cib::apply(doc, c);
    BOOST_REQUIRE_MESSAGE(!r, "change " << cib::to_string(c.op) << " was accepted");
    BOOST_TEST(static_cast<int>(r.error().code) == static_cast<int>(code), r.error().to_string());
    BOOST_TEST(doc.to_string() == before);
    BOOST_TEST(configuration_summary(doc.model()) == summary);
    model_matches_xml(doc);
    BOOST_TEST(!cib::dry_run(doc, c));
}

const cib::nvpair* pair_named(const std::vector<cib::nvset>& sets, const std::string& name) {
    for (const auto& s : sets)
        for (const auto& p : s.pairs)
            if (p.name == name) return &p;
    return nullptr;
}

const cib::node_def* node(const cib::document& doc, const std::string& id) {
    for (const auto& n : doc.model().nodes)
        if (n.id == id) return &n;
    return nullptr;
}

const cib::node_state* state(const cib::document& doc, const std::string& id) {
    for (const auto& n : doc.model().node_states)
        if (n.id == id) return &n;
    return nullptr;
}

const cib::resource* resource(const cib::document& doc, const std::string& id) {
    for (const auto& r : doc.model().resources)
        if (r.id == id) return &r;
    return nullptr;
}

const cib::cib_version v7_3{0, 7, 3};

cib::document empty_ok() {
    auto doc = cib::empty_cib();
    BOOST_REQUIRE_MESSAGE(doc, (doc ? "" : doc.error().to_string()));
    return std::move(*doc);
}

}  // namespace

BOOST_AUTO_TEST_CASE(empty_cib_is_pacemakers_starting_point) {
    auto doc = cib::empty_cib();
    BOOST_REQUIRE_MESSAGE(doc, (doc ? "" : doc.error().to_string()));
    BOOST_TEST(cib::version(*doc) == (cib::cib_version{0, 0, 0}));
    BOOST_TEST(doc->model().validate_with == "pacemaker-3.9");
    auto again = cib::load_string(doc->to_string());
    BOOST_REQUIRE_MESSAGE(again, (again ? "" : again.error().to_string()));
    BOOST_TEST(again->to_string() == doc->to_string());
    BOOST_TEST(!cib::empty_cib("pacemaker-99.0"));
}

BOOST_AUTO_TEST_CASE(versions_order_admin_epoch_then_epoch_then_updates) {
    BOOST_TEST((cib::cib_version{1, 0, 0} > cib::cib_version{0, 99, 99}));
    BOOST_TEST((cib::cib_version{0, 2, 0} > cib::cib_version{0, 1, 99}));
    BOOST_TEST((cib::cib_version{0, 1, 2} > cib::cib_version{0, 1, 1}));
    BOOST_TEST((cib::cib_version{0, 1, 2}.to_string() == "0.1.2"));
    auto doc = load_ok(two_node_cib());
    BOOST_TEST(cib::version(doc) == v7_3);
}

BOOST_AUTO_TEST_CASE(clone_is_deep) {
    auto doc = load_ok(two_node_cib());
    auto copy = doc.clone();
    apply_ok(copy, cib::change::set_property("no-quorum-policy", "freeze"));
    BOOST_TEST(!pair_named(doc.model().crm_config, "no-quorum-policy"));
    BOOST_TEST(pair_named(copy.model().crm_config, "no-quorum-policy")->value == "freeze");
    BOOST_TEST(cib::version(doc) == v7_3);
}

BOOST_AUTO_TEST_CASE(set_property_creates_pacemakers_set_and_stamps_the_write) {
    auto doc = empty_ok();
    auto c = cib::change::set_property("stonith-enabled", "false");
    c.now = "Tue Jan  2 10:00:00 2024";
    c.origin = "node1";
    c.client = "holdfast";
    auto r = apply_ok(doc, c);
    BOOST_TEST(r.changed);
    BOOST_TEST(r.config_changed);
    BOOST_TEST(r.before == (cib::cib_version{0, 0, 0}));
    BOOST_TEST(r.after == (cib::cib_version{0, 1, 0}));
    BOOST_TEST(cib::version(doc) == r.after);
    BOOST_REQUIRE(doc.model().crm_config.size() == 1u);
    BOOST_TEST(doc.model().crm_config[0].id == "cib-bootstrap-options");
    const auto* p = pair_named(doc.model().crm_config, "stonith-enabled");
    BOOST_REQUIRE(p);
    BOOST_TEST(p->id == "cib-bootstrap-options-stonith-enabled");
    BOOST_TEST(p->value == "false");
    BOOST_TEST(cib_attr(doc, "cib-last-written") == "Tue Jan  2 10:00:00 2024");
    BOOST_TEST(cib_attr(doc, "update-origin") == "node1");
    BOOST_TEST(cib_attr(doc, "update-client") == "holdfast");
    BOOST_TEST(cib_attr(doc, "admin_epoch") == "0");
}

BOOST_AUTO_TEST_CASE(set_property_updates_the_existing_pair_wherever_it_is) {
    auto text = two_node_cib();
    text.replace(text.find("    </crm_config>"), 0,
                 "      <cluster_property_set id=\"extra\">\n"
                 "        <nvpair id=\"extra-nqp\" name=\"no-quorum-policy\" value=\"stop\"/>\n"
                 "      </cluster_property_set>\n");
    auto doc = load_ok(text);
    apply_ok(doc, cib::change::set_property("no-quorum-policy", "ignore"));
    BOOST_REQUIRE(doc.model().crm_config.size() == 2u);
    BOOST_TEST(doc.model().crm_config[1].pairs.size() == 1u);
    BOOST_TEST(doc.model().crm_config[1].pairs[0].id == "extra-nqp");
    BOOST_TEST(doc.model().crm_config[1].pairs[0].value == "ignore");
    BOOST_TEST(doc.model().crm_config[0].pairs.size() == 1u);
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 8, 0}));
}

BOOST_AUTO_TEST_CASE(a_change_to_what_is_already_there_bumps_nothing) {
    auto doc = load_ok(two_node_cib());
    const std::string before = doc.to_string();
    auto r = apply_ok(doc, cib::change::set_property("stonith-enabled", "false"));
    BOOST_TEST(!r.changed);
    BOOST_TEST(r.after == v7_3);
    BOOST_TEST(doc.to_string() == before);
    r = apply_ok(doc, cib::change::delete_property("not-there"));
    BOOST_TEST(!r.changed);
    r = apply_ok(doc, cib::change::delete_node_attribute("1", "standby", cib::attribute_lifetime::permanent));
    BOOST_TEST(!r.changed);
    BOOST_TEST(doc.to_string() == before);
}

BOOST_AUTO_TEST_CASE(delete_property_removes_it) {
    auto doc = load_ok(two_node_cib());
    auto r = apply_ok(doc, cib::change::delete_property("stonith-enabled"));
    BOOST_TEST(r.config_changed);
    BOOST_TEST(!pair_named(doc.model().crm_config, "stonith-enabled"));
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 8, 0}));
}

BOOST_AUTO_TEST_CASE(permanent_node_attribute_goes_into_nodes_with_pacemakers_ids) {
    auto doc = load_ok(two_node_cib());
    apply_ok(doc, cib::change::set_node_attribute("1", "node1", "standby", "on", cib::attribute_lifetime::permanent));
    const auto* n = node(doc, "1");
    BOOST_REQUIRE(n && n->attributes.size() == 1u);
    BOOST_TEST(n->attributes[0].id == "nodes-1");
    BOOST_TEST(n->attributes[0].pairs.at(0).id == "nodes-1-standby");
    BOOST_TEST(n->attributes[0].pairs.at(0).value == "on");
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 8, 0}));
    apply_ok(doc, cib::change::set_node_attribute("1", "", "standby", "off", cib::attribute_lifetime::permanent));
    BOOST_TEST(node(doc, "1")->attributes[0].pairs.size() == 1u);
    BOOST_TEST(node(doc, "1")->attributes[0].pairs[0].value == "off");
    apply_ok(doc, cib::change::delete_node_attribute("1", "standby", cib::attribute_lifetime::permanent));
    BOOST_TEST(!pair_named(node(doc, "1")->attributes, "standby"));
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 10, 0}));
}

BOOST_AUTO_TEST_CASE(permanent_node_attribute_for_an_unknown_node) {
    auto doc = load_ok(two_node_cib());
    // without a name the node cannot be created
    refused(doc, cib::change::set_node_attribute("3", "", "maintenance", "true", cib::attribute_lifetime::permanent),
            cib::errc::not_found);
    apply_ok(doc,
             cib::change::set_node_attribute("3", "node3", "maintenance", "true", cib::attribute_lifetime::permanent));
    const auto* n = node(doc, "3");
    BOOST_REQUIRE(n);
    BOOST_TEST(n->uname == "node3");
    BOOST_TEST(pair_named(n->attributes, "maintenance")->id == "nodes-3-maintenance");
}

BOOST_AUTO_TEST_CASE(transient_node_attribute_goes_into_status) {
    auto doc = load_ok(two_node_cib());
    auto c =
        cib::change::set_node_attribute("2", "node2", "fail-count-d1#start_0", "1", cib::attribute_lifetime::transient);
    c.now = "Tue Jan  2 10:00:00 2024";
    auto r = apply_ok(doc, c);
    BOOST_TEST(r.changed);
    BOOST_TEST(!r.config_changed);
    BOOST_TEST(r.after == (cib::cib_version{0, 7, 4}));
    BOOST_TEST(cib_attr(doc, "cib-last-written").empty());  // written on configuration changes only
    const auto* s = state(doc, "2");
    BOOST_REQUIRE(s);
    BOOST_TEST(s->uname == "node2");
    BOOST_REQUIRE(s->transient_attributes.size() == 1u);
    BOOST_TEST(s->transient_attributes[0].id == "status-2");
    BOOST_TEST(s->transient_attributes[0].pairs.at(0).id == "status-2-fail-count-d1.start_0");
    apply_ok(doc, cib::change::delete_node_attribute("2", "fail-count-d1#start_0", cib::attribute_lifetime::transient));
    BOOST_TEST(state(doc, "2")->transient_attributes[0].pairs.empty());
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 7, 5}));
}

BOOST_AUTO_TEST_CASE(update_merges_by_id_and_adds_new_objects) {
    auto doc = load_ok(two_node_cib());
    auto r = apply_ok(doc, cib::change::update_configuration(
                               "<configuration><resources>"
                               "<primitive id=\"d1\" description=\"first\">"
                               "<meta_attributes id=\"d1-meta\">"
                               "<nvpair id=\"d1-meta-target-role\" name=\"target-role\" value=\"Stopped\"/>"
                               "<nvpair id=\"d1-meta-stickiness\" name=\"resource-stickiness\" value=\"5\"/>"
                               "</meta_attributes>"
                               "<operations><op id=\"d1-mon\" name=\"monitor\" interval=\"10s\"/></operations>"
                               "</primitive>"
                               "<primitive id=\"d3\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>"
                               "</resources>"
                               "<rsc_defaults><meta_attributes id=\"rd\">"
                               "<nvpair id=\"rd-s\" name=\"resource-stickiness\" value=\"1\"/>"
                               "</meta_attributes></rsc_defaults>"
                               "</configuration>"));
    BOOST_TEST(r.config_changed);
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 8, 0}));
    const auto* d1 = resource(doc, "d1");
    BOOST_REQUIRE(d1);
    BOOST_TEST(d1->type == "Dummy");  // attributes not in the update stay
    BOOST_TEST(d1->description == "first");
    BOOST_TEST(pair_named(d1->meta, "target-role")->value == "Stopped");
    BOOST_TEST(pair_named(d1->meta, "resource-stickiness")->value == "5");
    BOOST_TEST(d1->meta.size() == 1u);
    BOOST_REQUIRE(d1->ops.size() == 1u);
    BOOST_TEST(d1->ops[0].interval == "10s");
    BOOST_TEST(resource(doc, "d3"));
    BOOST_TEST(doc.model().resources.size() == 3u);
    BOOST_TEST(pair_named(doc.model().rsc_defaults, "resource-stickiness")->value == "1");
}

BOOST_AUTO_TEST_CASE(update_takes_a_bare_element_or_a_whole_cib) {
    auto doc = load_ok(two_node_cib());
    apply_ok(doc, cib::change::update_configuration(
                      "<?xml version=\"1.0\"?>\n"
                      "<rsc_location id=\"d1-prefers-1\" rsc=\"d1\" node=\"node1\" score=\"100\"/>"));
    BOOST_REQUIRE(doc.model().locations.size() == 1u);
    BOOST_TEST(doc.model().locations[0].score == "100");
    apply_ok(doc, cib::change::update_configuration("<cib><configuration><constraints>"
                                                    "<rsc_location id=\"d1-prefers-1\" score=\"200\"/>"
                                                    "</constraints></configuration></cib>"));
    BOOST_TEST(doc.model().locations.size() == 1u);
    BOOST_TEST(doc.model().locations[0].score == "200");
    BOOST_TEST(doc.model().locations[0].node == "node1");
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 9, 0}));
}

BOOST_AUTO_TEST_CASE(bad_updates_change_nothing) {
    auto doc = load_ok(two_node_cib());
    // schema-invalid: a primitive without a type
    refused(doc, cib::change::update_configuration("<primitive id=\"d9\" class=\"ocf\" provider=\"pacemaker\"/>"),
            cib::errc::schema_invalid);
    // the same id as another kind of element
    refused(doc, cib::change::update_configuration("<group id=\"d1\"/>"), cib::errc::not_unique);
    // a constraint naming a resource that does not exist (the schema's IDREF refuses it)
    refused(doc, cib::change::update_configuration("<rsc_location id=\"l\" rsc=\"nope\" node=\"node1\" score=\"1\"/>"),
            cib::errc::schema_invalid);
    // a score that is not one
    refused(doc, cib::change::update_configuration("<rsc_location id=\"l\" rsc=\"d1\" node=\"node1\" score=\"lots\"/>"),
            cib::errc::schema_invalid);
    // an element of no known section, and a payload that is not XML
    refused(doc, cib::change::update_configuration("<meta_attributes id=\"m\"/>"), cib::errc::bad_change);
    refused(doc, cib::change::update_configuration("<primitive id="), cib::errc::bad_change);
    BOOST_TEST(cib::version(doc) == v7_3);
}

// What the schema cannot see (here: validate-with="none"), check_semantics
// does; the errors a CIB already had do not block other changes.
BOOST_AUTO_TEST_CASE(semantic_errors_a_change_would_add_are_refused) {
    auto text = two_node_cib();
    text.replace(text.find("pacemaker-3.9"), 13, "none");
    text.replace(text.find("    </constraints>"), 0, "      <rsc_order id=\"old-bad\" first=\"gone\" then=\"d1\"/>\n");
    auto doc = load_ok(text);
    refused(doc, cib::change::update_configuration("<rsc_location id=\"l\" rsc=\"nope\" node=\"node1\" score=\"1\"/>"),
            cib::errc::dangling_reference);
    apply_ok(doc, cib::change::set_property("cluster-name", "hf"));
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 8, 0}));
}

BOOST_AUTO_TEST_CASE(replace_configuration_from_configuration_or_cib) {
    auto doc = load_ok(two_node_cib());
    apply_ok(doc, cib::change::record_operation("1", "node1",
                                                "<lrm_resource id=\"d1\" class=\"ocf\" provider=\"pacemaker\" "
                                                "type=\"Dummy\"><lrm_rsc_op id=\"d1_last_0\" operation=\"start\" "
                                                "call-id=\"2\" rc-code=\"0\" op-status=\"0\" interval=\"0\"/>"
                                                "</lrm_resource>"));
    auto r = apply_ok(doc, cib::change::replace_configuration(
                               "<configuration><crm_config/><nodes><node id=\"1\" uname=\"node1\"/></nodes>"
                               "<resources><primitive id=\"x\" class=\"ocf\" provider=\"heartbeat\" "
                               "type=\"IPaddr2\"/></resources><constraints/></configuration>"));
    BOOST_TEST(r.config_changed);
    BOOST_TEST(r.after == (cib::cib_version{0, 8, 0}));
    BOOST_TEST(doc.model().resources.size() == 1u);
    BOOST_TEST(doc.model().resources[0].id == "x");
    BOOST_TEST(doc.model().nodes.size() == 1u);
    BOOST_TEST(doc.model().colocations.empty());
    BOOST_REQUIRE(state(doc, "1"));  // status is left alone
    BOOST_TEST(state(doc, "1")->resources.size() == 1u);

    r = apply_ok(doc, cib::change::replace_configuration(two_node_cib()));
    BOOST_TEST(r.after == (cib::cib_version{0, 9, 0}));  // the incoming CIB's counters do not count
    BOOST_TEST(doc.model().resources.size() == 2u);
    refused(doc, cib::change::replace_configuration("<resources/>"), cib::errc::bad_change);
    refused(doc, cib::change::replace_configuration("<configuration><bogus/></configuration>"),
            cib::errc::schema_invalid);
}

BOOST_AUTO_TEST_CASE(delete_element_by_id) {
    auto doc = load_ok(two_node_cib());
    refused(doc, cib::change::delete_element("no-such-id"), cib::errc::not_found);
    refused(doc, cib::change::delete_element("d2-with-d1", "rsc_location"), cib::errc::not_found);
    // d2 is still named by a constraint
    refused(doc, cib::change::delete_element("d2"), cib::errc::schema_invalid);
    auto r = apply_ok(doc, cib::change::delete_element("d2-with-d1", "rsc_colocation"));
    BOOST_TEST(r.config_changed);
    BOOST_TEST(doc.model().colocations.empty());
    apply_ok(doc, cib::change::delete_element("d2"));
    BOOST_TEST(!resource(doc, "d2"));
    apply_ok(doc, cib::change::delete_element("d1-meta-target-role"));
    BOOST_TEST(resource(doc, "d1")->meta.at(0).pairs.empty());
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 10, 0}));
}

BOOST_AUTO_TEST_CASE(replace_node_state_is_a_status_change) {
    auto doc = load_ok(two_node_cib());
    const std::string node_state =
        "<node_state id=\"1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>";
    auto r = apply_ok(doc, cib::change::replace_node_state(node_state));
    BOOST_TEST(!r.config_changed);
    BOOST_TEST(r.after == (cib::cib_version{0, 7, 4}));
    BOOST_TEST(state(doc, "1")->crmd == "online");
    r = apply_ok(doc, cib::change::replace_node_state(node_state));
    BOOST_TEST(!r.changed);
    apply_ok(doc, cib::change::replace_node_state("<node_state id=\"1\" uname=\"node1\" in_ccm=\"false\" "
                                                  "crmd=\"offline\" join=\"down\" expected=\"down\"/>"));
    BOOST_TEST(doc.model().node_states.size() == 1u);
    BOOST_TEST(state(doc, "1")->join == "down");
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 7, 5}));
    refused(doc, cib::change::replace_node_state("<node_state uname=\"x\"/>"), cib::errc::bad_change);
    refused(doc, cib::change::replace_node_state("<node id=\"1\"/>"), cib::errc::bad_change);
}

BOOST_AUTO_TEST_CASE(record_operation_replaces_the_entry_with_the_same_id) {
    auto doc = load_ok(two_node_cib());
    auto op = [](const std::string& id, const std::string& operation, const std::string& call, const std::string& rc) {
        return "<lrm_resource id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><lrm_rsc_op id=\"" + id +
               "\" operation=\"" + operation + "\" call-id=\"" + call + "\" rc-code=\"" + rc +
               "\" op-status=\"0\" interval=\"0\" on_node=\"node2\"/></lrm_resource>";
    };
    auto r = apply_ok(doc, cib::change::record_operation("2", "node2", op("d1_last_0", "start", "3", "0")));
    BOOST_TEST(r.after == (cib::cib_version{0, 7, 4}));
    const auto* s = state(doc, "2");
    BOOST_REQUIRE(s && s->has_lrm);
    BOOST_TEST(s->uname == "node2");
    BOOST_REQUIRE(s->resources.size() == 1u);
    BOOST_TEST(s->resources[0].type == "Dummy");
    BOOST_TEST(s->resources[0].ops.size() == 1u);
    apply_ok(doc, cib::change::record_operation("2", "node2", op("d1_last_0", "stop", "4", "0")));
    apply_ok(doc, cib::change::record_operation("2", "node2", op("d1_last_failure_0", "monitor", "5", "7")));
    s = state(doc, "2");
    BOOST_REQUIRE(s->resources.size() == 1u);
    BOOST_REQUIRE(s->resources[0].ops.size() == 2u);
    BOOST_TEST(s->resources[0].ops[0].operation == "stop");
    BOOST_TEST(s->resources[0].ops[0].call_id == 4);
    BOOST_TEST(s->resources[0].ops[1].rc_code == 7);
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 7, 6}));
    refused(doc, cib::change::record_operation("2", "node2", "<lrm_resource id=\"d1\"/>"), cib::errc::bad_change);
    refused(doc, cib::change::record_operation("", "node2", op("x", "start", "1", "0")), cib::errc::bad_change);
}

// The controller's own marks: node states without touching history, a
// node's history cleared, quorum and DC on the <cib> element.
BOOST_AUTO_TEST_CASE(controller_marks_are_status_changes) {
    auto doc = load_ok(two_node_cib());
    apply_ok(doc, cib::change::record_operation(
                      "2", "node2",
                      "<lrm_resource id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><lrm_rsc_op "
                      "id=\"d1_last_0\" operation=\"start\" call-id=\"3\" rc-code=\"0\" op-status=\"0\" "
                      "interval=\"0\"/></lrm_resource>"));
    apply_ok(doc, cib::change::set_node_attribute("2", "node2", "probe", "x", cib::attribute_lifetime::transient));
    auto r = apply_ok(doc, cib::change::update_node_state(
                               "<node_state id=\"2\" uname=\"node2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" "
                               "expected=\"member\"/>"));
    BOOST_TEST(!r.config_changed);
    const auto* s = state(doc, "2");
    BOOST_REQUIRE(s);
    BOOST_TEST(s->crmd == "online");
    BOOST_TEST(s->resources.size() == 1u);  // history kept
    BOOST_TEST(!apply_ok(doc, cib::change::update_node_state("<node_state id=\"2\" crmd=\"online\"/>")).changed);
    refused(doc, cib::change::update_node_state("<node_state id=\"2\"><lrm/></node_state>"), cib::errc::bad_change);
    r = apply_ok(doc, cib::change::clear_node_history("2"));
    BOOST_TEST(r.changed);
    s = state(doc, "2");
    BOOST_TEST(s->resources.empty());
    BOOST_TEST(s->transient_attributes.empty());
    BOOST_TEST(s->crmd == "online");
    apply_ok(doc, cib::change::set_cib_attribute("have-quorum", "1"));
    apply_ok(doc, cib::change::set_cib_attribute("dc-uuid", "2"));
    BOOST_TEST(doc.model().have_quorum == "1");
    BOOST_TEST(doc.model().dc_uuid == "2");
    BOOST_TEST(!apply_ok(doc, cib::change::set_cib_attribute("have-quorum", "1")).changed);
    refused(doc, cib::change::set_cib_attribute("epoch", "99"), cib::errc::bad_change);
    for (const auto& c : {cib::change::update_node_state("<node_state id=\"1\" in_ccm=\"false\"/>"),
                          cib::change::clear_node_history("1"), cib::change::set_cib_attribute("dc-uuid", "1")}) {
        auto back = cib::parse_change(cib::serialize(c));
        BOOST_REQUIRE(back);
        BOOST_TEST((*back == c));
    }
}

// crm_node -R (holdfast cluster remove): the node's <node> by delete_element,
// its <node_state> by remove_node_state (a status change; the other node's
// stays; again is no change; a dry run puts it back).
BOOST_AUTO_TEST_CASE(remove_node_state_drops_the_nodes_state) {
    auto doc = load_ok(two_node_cib());
    apply_ok(doc, cib::change::set_node_attribute("2", "node2", "probe", "x", cib::attribute_lifetime::transient));
    apply_ok(doc, cib::change::set_node_attribute("1", "node1", "probe", "x", cib::attribute_lifetime::transient));
    BOOST_REQUIRE(state(doc, "2"));
    auto r = apply_ok(doc, cib::change::delete_element("2", "node"));
    BOOST_TEST(r.config_changed);
    r = apply_ok(doc, cib::change::remove_node_state("2"));
    BOOST_TEST(r.changed);
    BOOST_TEST(!r.config_changed);
    BOOST_TEST(!state(doc, "2"));
    BOOST_TEST(state(doc, "1"));
    bool node2 = false, node1 = false;
    for (const auto& n : doc.model().nodes) node2 |= n.id == "2", node1 |= n.id == "1";
    BOOST_TEST(!node2);
    BOOST_TEST(node1);
    BOOST_TEST(!apply_ok(doc, cib::change::remove_node_state("2")).changed);
    refused(doc, cib::change::remove_node_state(""), cib::errc::bad_change);
    auto back = cib::parse_change(cib::serialize(cib::change::remove_node_state("3")));
    BOOST_REQUIRE(back);
    BOOST_TEST((*back == cib::change::remove_node_state("3")));
}

// crm_resource --refresh / --cleanup: one resource's history on one node goes
// (the others' stays); a cleanup only where a failure is recorded. A dry run
// puts the removed history back where it was.
BOOST_AUTO_TEST_CASE(clear_resource_history_removes_one_resources_history) {
    auto doc = load_ok(two_node_cib());
    auto op = [](const std::string& rsc, const std::string& id, const std::string& operation, const std::string& rc) {
        return "<lrm_resource id=\"" + rsc +
               "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><lrm_rsc_op id=\"" + id + "\" operation=\"" +
               operation + "\" call-id=\"3\" rc-code=\"" + rc + "\" op-status=\"0\" interval=\"0\"/></lrm_resource>";
    };
    apply_ok(doc, cib::change::record_operation("2", "node2", op("d1", "d1_last_0", "start", "0")));
    apply_ok(doc, cib::change::record_operation("2", "node2", op("d2", "d2_last_0", "start", "0")));
    apply_ok(doc, cib::change::record_operation("2", "node2", op("d2", "d2_last_failure_0", "monitor", "7")));
    apply_ok(doc, cib::change::record_operation("1", "node1", op("d1", "d1_last_0", "monitor", "7")));
    const auto before = cib::version(doc);

    // cleanup: d1 on node2 has no failure, so it stays
    auto r = apply_ok(doc, cib::change::clear_resource_history("2", "d1", true));
    BOOST_TEST(!r.changed);
    r = apply_ok(doc, cib::change::clear_resource_history("2", "d2", true));
    BOOST_TEST(r.changed);
    BOOST_TEST(!r.config_changed);
    BOOST_TEST(r.after == (cib::cib_version{before.admin_epoch, before.epoch, before.num_updates + 1}));
    const auto* s = state(doc, "2");
    BOOST_REQUIRE(s);
    BOOST_REQUIRE(s->resources.size() == 1u);
    BOOST_TEST(s->resources[0].id == "d1");

    // refresh: everything of d1 on node2; node1's history of it stays
    r = apply_ok(doc, cib::change::clear_resource_history("2", "d1", false));
    BOOST_TEST(r.changed);
    BOOST_TEST(state(doc, "2")->resources.empty());
    BOOST_TEST(state(doc, "1")->resources.size() == 1u);
    // nothing (left) to clear: no change, no version bump
    BOOST_TEST(!apply_ok(doc, cib::change::clear_resource_history("2", "d1", false)).changed);
    BOOST_TEST(!apply_ok(doc, cib::change::clear_resource_history("9", "d1", false)).changed);
    BOOST_TEST(!apply_ok(doc, cib::change::clear_resource_history("1", "nope", false)).changed);

    auto bad_value = cib::change::clear_resource_history("1", "d1", false);
    bad_value.value = "some";
    refused(doc, bad_value, cib::errc::bad_change);
    refused(doc, cib::change::clear_resource_history("", "d1", false), cib::errc::bad_change);
    for (const auto& c : {cib::change::clear_resource_history("1", "d1", true),
                          cib::change::clear_resource_history("2", "d:1", false)}) {
        auto back = cib::parse_change(cib::serialize(c));
        BOOST_REQUIRE(back);
        BOOST_TEST((*back == c));
    }
    BOOST_TEST(
        !cib::parse_change("<cib_change version=\"1\" op=\"clear-resource-history\" node-id=\"1\" value=\"all\"/>"));
}

// An id inside a reference element (<role>, <obj_ref>, <resource_ref>)
// names another element: merging by id must not take it for that element.
BOOST_AUTO_TEST_CASE(update_merges_acls_with_role_references) {
    auto doc = load_ok(two_node_cib());
    const std::string acls =
        "<acls><acl_role id=\"observer\"><acl_permission id=\"observer-read\" kind=\"read\" xpath=\"/cib\"/>"
        "</acl_role><acl_target id=\"alice\"><role id=\"observer\"/></acl_target></acls>";
    apply_ok(doc, cib::change::update_configuration(acls));
    BOOST_TEST(doc.model().has_acls);
    // again: the role and the target merge into themselves
    auto again = apply_ok(doc, cib::change::update_configuration(acls));
    BOOST_TEST(!again.changed);
}

BOOST_AUTO_TEST_CASE(admin_epoch_changes_only_when_set) {
    auto doc = load_ok(two_node_cib());
    auto c = cib::change::set_property("cluster-name", "hf");
    c.admin_epoch = 2;
    auto r = apply_ok(doc, c);
    BOOST_TEST(r.after == (cib::cib_version{2, 8, 0}));
    apply_ok(doc, cib::change::set_property("cluster-name", "hf2"));
    BOOST_TEST(cib::version(doc) == (cib::cib_version{2, 9, 0}));
    c.admin_epoch = 1;
    refused(doc, c, cib::errc::old_data);
    auto status = cib::change::replace_node_state("<node_state id=\"1\" uname=\"node1\"/>");
    status.admin_epoch = 3;
    refused(doc, status, cib::errc::bad_change);
}

// configure edit's precondition: applied only to the configuration it was made from
BOOST_AUTO_TEST_CASE(if_epoch_refuses_a_change_made_from_an_older_configuration) {
    auto doc = load_ok(two_node_cib());
    const cib::cib_version read = cib::version(doc);
    auto c = cib::change::set_property("cluster-name", "edited");
    // num_updates is not compared: status updates do not conflict
    c.if_epoch = cib::cib_version{read.admin_epoch, read.epoch, 0};
    apply_ok(doc, cib::change::set_node_attribute("1", "node1", "x", "1", cib::attribute_lifetime::transient));
    apply_ok(doc, c);
    BOOST_TEST(cib::version(doc).epoch == read.epoch + 1);
    c.value = "again";  // the epoch read is gone now
    refused(doc, c, cib::errc::old_data);
    auto r = cib::apply(doc, c);
    BOOST_TEST(r.error().message.find("changed since it was read") != std::string::npos);
    auto back = cib::parse_change(cib::serialize(c));
    BOOST_REQUIRE(back);
    BOOST_TEST((back->if_epoch == c.if_epoch));
    BOOST_TEST(!cib::parse_change("<cib_change version=\"1\" op=\"delete_property\" name=\"x\" if-epoch=\"1\"/>"));
}

BOOST_AUTO_TEST_CASE(changes_round_trip_through_bytes) {
    std::vector<cib::change> all{
        cib::change::replace_configuration("<configuration><crm_config/></configuration>"),
        cib::change::update_configuration("<primitive id=\"a&amp;b\" description=\"x &lt; y\"/>"),
        cib::change::delete_element("d1", "primitive"),
        cib::change::set_property("cluster-name", "a \"quoted\" <name>\n\ttab"),
        cib::change::set_property("empty", ""),
        cib::change::delete_property("stonith-enabled"),
        cib::change::set_node_attribute("1", "node1", "standby", "on", cib::attribute_lifetime::permanent),
        cib::change::delete_node_attribute("2", "fail-count", cib::attribute_lifetime::transient),
        cib::change::replace_node_state("<node_state id=\"1\" uname=\"node1\"/>"),
        cib::change::record_operation("1", "node1", "<lrm_resource id=\"d1\"><lrm_rsc_op id=\"o\"/></lrm_resource>"),
    };
    all[3].now = "Tue Jan  2 10:00:00 2024";
    all[3].origin = "node1";
    all[3].client = "holdfast";
    all[3].user = "root";
    all[3].admin_epoch = 4;
    for (const auto& c : all) {
        const std::string bytes = cib::serialize(c);
        auto back = cib::parse_change(bytes);
        BOOST_REQUIRE_MESSAGE(back, bytes << ": " << (back ? "" : back.error().to_string()));
        BOOST_TEST((*back == c), bytes);
        BOOST_TEST(cib::serialize(*back) == bytes);
    }
}

BOOST_AUTO_TEST_CASE(malformed_change_bytes_are_refused) {
    const std::vector<std::string> bad{
        "",
        "garbage",
        "<cib_change version=\"1\" op=\"set-property\" name=\"a\" value=\"b\"",  // truncated
        "<other version=\"1\" op=\"set-property\" name=\"a\" value=\"b\"/>",
        "<cib_change version=\"2\" op=\"set-property\" name=\"a\" value=\"b\"/>",
        "<cib_change op=\"set-property\" name=\"a\" value=\"b\"/>",
        "<cib_change version=\"1\" op=\"explode\"/>",
        "<cib_change version=\"1\" op=\"set-property\" name=\"a\"/>",  // no value
        "<cib_change version=\"1\" op=\"set-property\" name=\"a\" value=\"b\" colour=\"red\"/>",
        "<cib_change version=\"1\" op=\"delete-element\" target=\"x\"><primitive id=\"x\"/></cib_change>",
        "<cib_change version=\"1\" op=\"update-configuration\"/>",
        "<cib_change version=\"1\" op=\"update-configuration\"><a id=\"1\"/><b id=\"2\"/></cib_change>",
        "<cib_change version=\"1\" op=\"update-configuration\">text<a id=\"1\"/></cib_change>",
        "<cib_change version=\"1\" op=\"set-node-attribute\" node-id=\"1\" name=\"a\" value=\"b\" "
        "lifetime=\"forever\"/>",
        "<cib_change version=\"1\" op=\"set-property\" name=\"a\" value=\"b\" admin-epoch=\"-1\"/>",
        "<!DOCTYPE cib_change [<!ENTITY e \"x\">]><cib_change version=\"1\" op=\"set-property\" name=\"&e;\" "
        "value=\"b\"/>",
    };
    for (const auto& bytes : bad) {
        auto c = cib::parse_change(bytes);
        BOOST_TEST(!c, "accepted: " << bytes);
        if (!c) BOOST_TEST(static_cast<int>(c.error().code) == static_cast<int>(cib::errc::bad_change));
    }
}

// A sequence of changes from an empty CIB, as a new cluster would see them,
// gives a CIB that Pacemaker's own checker accepts.
BOOST_AUTO_TEST_CASE(a_sequence_of_changes_passes_crm_verify) {
    auto doc = empty_ok();
    const std::vector<cib::change> sequence{
        cib::change::set_property("stonith-enabled", "false"),
        cib::change::set_property("no-quorum-policy", "freeze"),
        cib::change::set_node_attribute("1", "node1", "site", "a", cib::attribute_lifetime::permanent),
        cib::change::set_node_attribute("2", "node2", "standby", "on", cib::attribute_lifetime::permanent),
        cib::change::update_configuration(
            "<configuration><resources>"
            "<primitive id=\"ip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
            "<instance_attributes id=\"ip-ia\"><nvpair id=\"ip-ia-ip\" name=\"ip\" value=\"192.0.2.10\"/>"
            "</instance_attributes>"
            "<operations><op id=\"ip-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>"
            "<primitive id=\"web\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>"
            "</resources><constraints>"
            "<rsc_colocation id=\"web-with-ip\" rsc=\"web\" with-rsc=\"ip\" score=\"INFINITY\"/>"
            "<rsc_order id=\"ip-then-web\" first=\"ip\" then=\"web\"/>"
            "</constraints></configuration>"),
        cib::change::replace_node_state("<node_state id=\"1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" "
                                        "crm-debug-origin=\"holdfast\" join=\"member\" expected=\"member\"/>"),
        cib::change::set_node_attribute("1", "node1", "attr", "1", cib::attribute_lifetime::transient),
        cib::change::record_operation(
            "1", "node1",
            "<lrm_resource id=\"ip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
            "<lrm_rsc_op id=\"ip_last_0\" operation_key=\"ip_start_0\" operation=\"start\" "
            "crm-debug-origin=\"holdfast\" crm_feature_set=\"3.16.1\" "
            "transition-key=\"1:1:0:11111111-2222-3333-4444-555555555555\" "
            "transition-magic=\"0:0;1:1:0:11111111-2222-3333-4444-555555555555\" exit-reason=\"\" "
            "on_node=\"node1\" call-id=\"6\" rc-code=\"0\" op-status=\"0\" interval=\"0\" "
            "last-rc-change=\"1700000000\" "
            "exec-time=\"40\" queue-time=\"0\" op-digest=\"00000000000000000000000000000000\"/></lrm_resource>"),
        cib::change::delete_element("ip-then-web"),
    };
    for (const auto& c : sequence) {
        // every change goes through its wire form, as between nodes
        auto wire = cib::parse_change(cib::serialize(c));
        BOOST_REQUIRE_MESSAGE(wire, (wire ? "" : wire.error().to_string()));
        apply_ok(doc, *wire);
    }
    // six configuration changes; the last one zeroed num_updates
    BOOST_TEST(cib::version(doc) == (cib::cib_version{0, 6, 0}));
    // what to_string() gives (e.g. the whole CIB sent to a joining node) loads back the same
    auto copy = cib::load_string(doc.to_string());
    BOOST_REQUIRE_MESSAGE(copy, (copy ? "" : copy.error().to_string()));
    BOOST_TEST(copy->to_string() == doc.to_string());
    BOOST_TEST(holdfast::test::first_status_difference(copy->model(), doc.model()) == "");
    if (holdfast::test::crm_verify().empty()) {
        BOOST_TEST_MESSAGE("crm_verify is not installed: the oracle check is skipped");
        return;
    }
    holdfast::test::temp_dir dir;
    const std::string file = (dir.path() / "cib.xml").string();
    BOOST_REQUIRE(doc.write_file(file));
    BOOST_TEST(holdfast::test::crm_verify_status(file) == 0);
}
