// holdfast explain's facts (policy/explain.hpp): small CIBs, one per reason a
// resource runs where it runs or stays stopped, checked on the explanation's
// data (planned node, per-node score parts, node conditions, reasons).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "policy/explain.hpp"
#include "test/unit/policy_fixture.hpp"

namespace hp = holdfast::policy;

namespace {

constexpr const char* up = "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"";

// A three-node cluster (n1 n2 n3) without fencing; each field is XML pasted in place.
struct cluster {
    std::string options;  // extra crm_config nvpairs
    std::string quorum = "1";
    std::string node_attrs[3];  // nvpairs of each node's <instance_attributes>
    std::string resources;
    std::string constraints;
    std::string history[3];    // <lrm_resource> entries per node
    std::string transient[3];  // nvpairs of each node's transient attributes
};

std::string nvpair(const std::string& name, const std::string& value) {
    return "<nvpair id=\"" + name + "-" + value + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
}

std::string dummy(const std::string& id, const std::string& meta = "") {
    return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" +
           (meta.empty() ? "" : "<meta_attributes id=\"" + id + "-m\">" + meta + "</meta_attributes>") + "</primitive>";
}

// rsc started (and monitored) successfully on the node whose history this goes in
std::string running(const std::string& rsc) {
    return "<lrm_resource id=\"" + rsc + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><lrm_rsc_op id=\"" +
           rsc + "_last_0\" operation_key=\"" + rsc +
           "_start_0\" operation=\"start\" call-id=\"2\" rc-code=\"0\" op-status=\"0\" interval=\"0\" "
           "transition-key=\"1:1:0:abc\" last-rc-change=\"1000\"/></lrm_resource>";
}

std::string location(const std::string& id, const std::string& rsc, const std::string& node, const std::string& score) {
    return "<rsc_location id=\"" + id + "\" rsc=\"" + rsc + "\" node=\"" + node + "\" score=\"" + score + "\"/>";
}

std::string cib_text(const cluster& c) {
    std::string nodes, status;
    for (int i = 0; i < 3; ++i) {
        const std::string n = "n" + std::to_string(i + 1);
        nodes += "<node id=\"" + n + "\" uname=\"" + n + "\"><instance_attributes id=\"" + n + "-a\">" +
                 c.node_attrs[i] + "</instance_attributes></node>";
        status += "<node_state id=\"" + n + "\" uname=\"" + n + "\" " + up + "><transient_attributes id=\"" + n +
                  "\"><instance_attributes id=\"" + n + "-t\">" + c.transient[i] +
                  "</instance_attributes></transient_attributes><lrm id=\"" + n + "\"><lrm_resources>" + c.history[i] +
                  "</lrm_resources></lrm></node_state>";
    }
    return "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"" +
           c.quorum + "\"><configuration><crm_config><cluster_property_set id=\"o\">" +
           nvpair("stonith-enabled", "false") + c.options + "</cluster_property_set></crm_config><nodes>" + nodes +
           "</nodes><resources>" + c.resources + "</resources><constraints>" + c.constraints +
           "</constraints></configuration><status>" + status + "</status></cib>";
}

hp::explanation explained(const cluster& c, const std::string& rsc) {
    const holdfast::test::scheduled_cib s(cib_text(c));
    auto e = hp::explain(s.ws, s.result, rsc);
    BOOST_REQUIRE_MESSAGE(e.has_value(), (e.has_value() ? std::string() : e.error()));
    return *e;
}

const hp::node_facts& on(const hp::explanation& e, const std::string& node) {
    auto it = std::ranges::find(e.nodes, node, &hp::node_facts::node);
    BOOST_REQUIRE(it != e.nodes.end());
    return *it;
}

// The part of this kind (and id, unless empty) in f, or nullptr
const hp::score_part* part(const hp::node_facts& f, const std::string& kind, const std::string& id = "") {
    for (const auto& p : f.parts)
        if (p.kind == kind && (id.empty() || p.id == id)) return &p;
    return nullptr;
}

bool says(const hp::explanation& e, const std::string& words) {
    return std::ranges::any_of(e.reasons, [&](const std::string& r) { return r.find(words) != std::string::npos; });
}

using names = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_explain)

BOOST_AUTO_TEST_CASE(location_constraint_decides) {
    cluster c;
    c.resources = dummy("vm1");
    c.constraints = location("vm1-prefers-n2", "vm1", "n2", "100");
    const auto e = explained(c, "vm1");
    BOOST_TEST(e.planned_on == names{"n2"});
    BOOST_TEST(e.verdict == "vm1 will start on n2");
    BOOST_TEST(e.nodes.front().node == "n2");
    BOOST_TEST(e.nodes.front().score == 100);
    const auto* p = part(on(e, "n2"), "location", "vm1-prefers-n2");
    BOOST_REQUIRE(p);
    BOOST_TEST(p->score == 100);
    BOOST_TEST(on(e, "n1").parts.empty());
    BOOST_TEST(says(e, "n2 scores 100 (location vm1-prefers-n2 100) against n1 0, n3 0"));
}

BOOST_AUTO_TEST_CASE(standby_node_is_passed_over) {
    cluster c;
    c.node_attrs[0] = nvpair("standby", "on");
    c.resources = dummy("vm1");
    c.constraints = location("vm1-prefers-n1", "vm1", "n1", "100") + location("vm1-likes-n3", "vm1", "n3", "10");
    const auto e = explained(c, "vm1");
    BOOST_TEST(e.planned_on == names{"n3"});
    BOOST_TEST(on(e, "n1").conditions == names{"standby"});
    BOOST_TEST(on(e, "n1").score == 100);  // the score stands; the node cannot take it
    BOOST_TEST(says(e, "n1 is in standby"));
}

BOOST_AUTO_TEST_CASE(ban_moves_it_away) {
    cluster c;
    c.resources = dummy("vm1");
    c.history[0] = running("vm1");
    c.constraints = location("cli-ban-vm1-on-n1", "vm1", "n1", "-INFINITY");
    const auto e = explained(c, "vm1");
    BOOST_TEST(e.active_on == names{"n1"});
    BOOST_TEST(e.planned_on.size() == 1u);
    BOOST_TEST(e.planned_on != names{"n1"});
    const auto* p = part(on(e, "n1"), "ban", "cli-ban-vm1-on-n1");
    BOOST_REQUIRE(p);
    BOOST_TEST(p->score == -hp::score_infinity);
    BOOST_TEST(on(e, "n1").score == -hp::score_infinity);
}

BOOST_AUTO_TEST_CASE(colocation_follows_the_primary) {
    cluster c;
    c.resources = dummy("vm1") + dummy("vm2");
    c.constraints = location("vm1-on-n3", "vm1", "n3", "50") +
                    "<rsc_colocation id=\"vm2-with-vm1\" rsc=\"vm2\" with-rsc=\"vm1\" score=\"INFINITY\"/>";
    const auto e = explained(c, "vm2");
    BOOST_TEST(e.planned_on == names{"n3"});
    const auto* p = part(on(e, "n1"), "colocation", "vm2-with-vm1");
    BOOST_REQUIRE(p);
    BOOST_TEST(p->other == "vm1");
    BOOST_TEST(p->score == -hp::score_infinity);
    BOOST_TEST(says(e, "colocation vm2-with-vm1 keeps it with vm1, which goes to n3"));
    // and vm1 is pulled by what depends on it
    const auto primary = explained(c, "vm1");
    BOOST_TEST(primary.planned_on == names{"n3"});
}

BOOST_AUTO_TEST_CASE(stickiness_keeps_it_in_place) {
    cluster c;
    c.resources = dummy("vm1", nvpair("resource-stickiness", "100"));
    c.history[1] = running("vm1");
    c.constraints = location("vm1-prefers-n1", "vm1", "n1", "50");
    const auto e = explained(c, "vm1");
    BOOST_TEST(e.verdict == "vm1 runs on n2");
    const auto* p = part(on(e, "n2"), "stickiness");
    BOOST_REQUIRE(p);
    BOOST_TEST(p->score == 100);
    BOOST_TEST(on(e, "n2").score == 100);
    BOOST_TEST(on(e, "n1").score == 50);
}

BOOST_AUTO_TEST_CASE(failures_at_migration_threshold_ban_the_node) {
    cluster c;
    c.resources = dummy("vm1", nvpair("migration-threshold", "3"));
    c.history[0] = running("vm1");
    c.transient[0] = nvpair("fail-count-vm1#monitor_10000", "3");
    c.constraints = location("vm1-prefers-n1", "vm1", "n1", "100");
    const auto e = explained(c, "vm1");
    BOOST_TEST(e.planned_on.size() == 1u);
    BOOST_TEST(e.planned_on != names{"n1"});
    const auto& n1 = on(e, "n1");
    BOOST_TEST(n1.fail_count == 3);
    BOOST_REQUIRE(part(n1, "fail-limit"));
    BOOST_TEST(n1.score == -hp::score_infinity);
    BOOST_TEST(says(e, "it failed 3 times on n1 (migration-threshold 3)"));
}

BOOST_AUTO_TEST_CASE(target_role_stopped_stops_it) {
    cluster c;
    c.resources = dummy("vm1", nvpair("target-role", "Stopped"));
    c.history[0] = running("vm1");
    const auto e = explained(c, "vm1");
    BOOST_TEST(e.planned_on.empty());
    BOOST_TEST(e.verdict == "vm1 will stop on n1");
    BOOST_TEST(says(e, "its target-role is Stopped"));
    BOOST_TEST(part(on(e, "n1"), "target-role"));
}

BOOST_AUTO_TEST_CASE(no_quorum_keeps_it_stopped) {
    cluster c;
    c.quorum = "0";
    c.resources = dummy("vm1");
    const auto e = explained(c, "vm1");
    BOOST_TEST(e.planned_on.empty());
    BOOST_TEST(e.verdict == "vm1 is stopped");
    BOOST_TEST(says(e, "the partition has no quorum (no-quorum-policy=stop)"));
    BOOST_TEST(says(e, "(no quorum)"));
}

BOOST_AUTO_TEST_CASE(mandatory_order_waits_for_the_first) {
    cluster c;
    c.resources = dummy("a", nvpair("target-role", "Stopped")) + dummy("b");
    c.constraints = "<rsc_order id=\"a-then-b\" first=\"a\" then=\"b\" kind=\"Mandatory\"/>";
    const auto e = explained(c, "b");
    BOOST_TEST(e.planned_on.empty());
    BOOST_TEST(says(e, "it cannot start on n1: it waits for a start, which cannot run"));
}

BOOST_AUTO_TEST_CASE(group_members_run_together) {
    cluster c;
    c.resources = "<group id=\"g\">" + dummy("a") + dummy("b") + "</group>";
    c.constraints = location("g-on-n2", "g", "n2", "100");
    const auto e = explained(c, "g");
    BOOST_TEST(e.variant == "group");
    BOOST_TEST(e.planned_on == names{"n2"});
    BOOST_REQUIRE(e.members.size() == 2u);
    BOOST_TEST(e.members[1].parent == "g");
    BOOST_TEST(e.members[1].planned_on == names{"n2"});
    BOOST_REQUIRE(part(on(e.members[1], "n1"), "colocation"));
    BOOST_TEST(part(on(e.members[1], "n1"), "colocation")->other == "a");
    BOOST_TEST(part(on(e.members[0], "n2"), "location", "g-on-n2"));
}

BOOST_AUTO_TEST_CASE(unmanaged_stays_where_it_is) {
    cluster c;
    c.resources = dummy("vm1", nvpair("is-managed", "false"));
    c.history[2] = running("vm1");
    c.constraints = location("cli-ban-vm1-on-n3", "vm1", "n3", "-INFINITY");
    const auto e = explained(c, "vm1");
    BOOST_TEST(e.verdict == "vm1 runs on n3");
    BOOST_TEST(says(e, "it is unmanaged (is-managed=false)"));
}

BOOST_AUTO_TEST_CASE(unknown_resource_is_an_error_naming_it) {
    cluster c;
    c.resources = dummy("vm1");
    const holdfast::test::scheduled_cib s(cib_text(c));
    auto e = hp::explain(s.ws, s.result, "vm9");
    BOOST_REQUIRE(!e.has_value());
    BOOST_TEST(e.error() == "unknown resource 'vm9'");
}

BOOST_AUTO_TEST_CASE(text_leads_with_the_verdict) {
    cluster c;
    c.node_attrs[0] = nvpair("standby", "on");
    c.resources = dummy("vm1");
    c.constraints = location("vm1-prefers-n2", "vm1", "n2", "100");
    const std::string text = hp::format_explanation(explained(c, "vm1"));
    const std::string first = text.substr(0, text.find('\n'));
    BOOST_TEST(first ==
               "vm1 will start on n2: n1 is in standby; n2 scores 100 (location vm1-prefers-n2 100) "
               "against n3 0");
}

BOOST_AUTO_TEST_SUITE_END()
