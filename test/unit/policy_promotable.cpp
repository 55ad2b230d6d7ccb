// Promotable clones: which instance is promoted (promotion scores from the
// master-<rsc> node attribute, Promoted-role locations, promoted-max), the
// promote pseudo actions, and colocation with the Promoted role. Small inline
// CIBs; the expected decisions are what Pacemaker 2.1.5's crm_simulate makes
// for the same CIBs.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "test/unit/policy_fixture.hpp"

namespace hp = holdfast::policy;
namespace cib = holdfast::cib;

namespace {

std::string node(const std::string& name) { return "<node id=\"" + name + "\" uname=\"" + name + "\"/>"; }

// A node that is up, optionally with a promotion score for "state"
std::string up(const std::string& name, const std::string& promotion_score = "") {
    std::string out = "<node_state id=\"" + name + "\" uname=\"" + name +
                      "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">";
    if (!promotion_score.empty())
        out += "<transient_attributes id=\"" + name + "\"><instance_attributes id=\"" + name + "-t\">" +
               "<nvpair id=\"" + name + "-ms\" name=\"master-state\" value=\"" + promotion_score +
               "\"/></instance_attributes></transient_attributes>";
    return out + "</node_state>";
}

std::string promotable(const std::string& max = "1") {
    return "<clone id=\"ms\"><meta_attributes id=\"ms-m\">"
           "<nvpair id=\"ms-p\" name=\"promotable\" value=\"true\"/>"
           "<nvpair id=\"ms-pm\" name=\"promoted-max\" value=\"" +
           max +
           "\"/></meta_attributes>"
           "<primitive id=\"state\" class=\"ocf\" provider=\"pacemaker\" type=\"Stateful\"/></clone>";
}

const std::string vip = "<primitive id=\"vip\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>";

std::string cib_text(const std::string& resources, const std::string& status, const std::string& constraints = "") {
    return "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
           "<configuration><crm_config><cluster_property_set id=\"o\">"
           "<nvpair id=\"o-st\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>"
           "<nodes>" +
           node("node1") + node("node2") + "</nodes><resources>" + resources + "</resources><constraints>" +
           constraints + "</constraints></configuration><status>" + status + "</status></cib>";
}

struct fixture : holdfast::test::scheduled_cib {
    explicit fixture(const std::string& text) : scheduled_cib(text) {}

    bool has_action(const std::string& key, const std::string& on_node = "") const {
        return std::any_of(result.graph.actions.begin(), result.graph.actions.end(), [&](const hp::graph_action& a) {
            return a.operation_key == key && (on_node.empty() || a.node_uname == on_node);
        });
    }

    // Summary lines mentioning `word`
    int summary_count(const std::string& word) const {
        return static_cast<int>(std::count_if(result.summary.begin(), result.summary.end(),
                                              [&](const auto& l) { return l.text.find(word) != std::string::npos; }));
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_promotable)

BOOST_AUTO_TEST_CASE(without_scores_nothing_is_promoted) {
    fixture f(cib_text(promotable(), up("node1") + up("node2")));
    BOOST_TEST(f.summary_count("Start") == 2);
    BOOST_TEST(f.summary_count("Promote") == 0);
    BOOST_TEST(!f.has_action("state:0_promote_0"));
    BOOST_TEST(!f.has_action("state:1_promote_0"));
}

BOOST_AUTO_TEST_CASE(promotion_score_attribute_picks_the_node) {
    fixture f(cib_text(promotable(), up("node1", "5") + up("node2", "10")));
    BOOST_TEST(f.summary_count("Promote") == 1);
    BOOST_TEST(f.summary_count("Promoted node2") == 1);
    BOOST_TEST(f.has_action("ms_promote_0"));
    BOOST_TEST(f.has_action("ms_promoted_0"));
}

BOOST_AUTO_TEST_CASE(promoted_max_bounds_the_promotions) {
    fixture two(cib_text(promotable("2"), up("node1", "5") + up("node2", "10")));
    BOOST_TEST(two.summary_count("Promote") == 2);
    fixture one(cib_text(promotable("1"), up("node1", "5") + up("node2", "10")));
    BOOST_TEST(one.summary_count("Promote") == 1);
}

BOOST_AUTO_TEST_CASE(promoted_role_location_promotes_without_scores) {
    const std::string prefer1 = "<rsc_location id=\"l\" rsc=\"ms\" role=\"Promoted\" node=\"node1\" score=\"100\"/>";
    fixture f(cib_text(promotable(), up("node1") + up("node2"), prefer1));
    BOOST_TEST(f.summary_count("Promote") == 1);
    BOOST_TEST(f.summary_count("Promoted node1") == 1);
}

BOOST_AUTO_TEST_CASE(colocation_with_promoted_role_follows_the_promotion) {
    const std::string with_promoted =
        "<rsc_colocation id=\"c\" rsc=\"vip\" with-rsc=\"ms\" with-rsc-role=\"Promoted\" score=\"INFINITY\"/>";
    fixture f(cib_text(promotable() + vip, up("node1", "10") + up("node2", "5"), with_promoted));
    BOOST_TEST(f.summary_count("Promoted node1") == 1);
    BOOST_TEST(f.has_action("vip_start_0", "node1"));
}

BOOST_AUTO_TEST_SUITE_END()
