// Clone notifications (notify=true): the clone's pre/post notify pseudo
// actions around each phase and the instances' notify actions with their
// notify_* meta. The expected graphs are what Pacemaker 2.1.5's crm_simulate
// produces for the same CIBs.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/sched.hpp"
#include "policy/unpack.hpp"
#include "test/unit/policy_fixture.hpp"

namespace hp = holdfast::policy;
namespace cib = holdfast::cib;

namespace {

const std::string up = "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"";
const std::string lost = "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\"";

std::string started(const std::string& rsc, const std::string& cls = "ocf") {
    return "<lrm_resource id=\"" + rsc + "\" class=\"" + cls + "\"" +
           (cls == "ocf" ? " provider=\"pacemaker\" type=\"Dummy\"" : " type=\"fence_xvm\"") + "><lrm_rsc_op id=\"" +
           rsc +
           "_last_0\" operation=\"start\" call-id=\"3\" rc-code=\"0\" op-status=\"0\" interval=\"0\" "
           "transition-key=\"1:1:0:abc\" last-rc-change=\"1000\"" +
           // the digest of Dummy without parameters, so nothing restarts for a definition change
           (cls == "ocf" ? " op-digest=\"f2317cad3d54cec5d7d7aa7d0bf35cf8\"" : "") + "/></lrm_resource>";
}

std::string state(const std::string& uname, const std::string& attrs, const std::string& lrm = "") {
    return "<node_state id=\"" + uname + "\" uname=\"" + uname + "\" " + attrs + "><lrm id=\"" + uname +
           "\"><lrm_resources>" + lrm + "</lrm_resources></lrm></node_state>";
}

const std::string notify_clone =
    "<clone id=\"c\"><meta_attributes id=\"cm\"><nvpair id=\"cm1\" name=\"notify\" value=\"true\"/>"
    "</meta_attributes><primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/></clone>";

std::string cib_text(const std::string& resources, const std::string& status, bool stonith = false,
                     const std::string& n2_attrs = "") {
    return "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\" "
           "dc-uuid=\"n1\"><configuration><crm_config><cluster_property_set id=\"o\">"
           "<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"" +
           std::string(stonith ? "true" : "false") +
           "\"/></cluster_property_set></crm_config>"
           "<nodes><node id=\"n1\" uname=\"n1\"/><node id=\"n2\" uname=\"n2\">" +
           n2_attrs +
           "</node><node id=\"n3\" uname=\"n3\"/></nodes>"
           "<resources>" +
           resources + "</resources><constraints/></configuration><status>" + status + "</status></cib>";
}

void replace_once(std::string& text, const std::string& what, const std::string& with) {
    const auto at = text.find(what);
    BOOST_REQUIRE(at != std::string::npos);
    text.replace(at, what.size(), with);
}

struct fixture : holdfast::test::scheduled_cib {
    explicit fixture(const std::string& text) : scheduled_cib(text) {}

    // The graph action with this (internal, when there is one) key on node ("" = none)
    const hp::graph_action* find(const std::string& key, const std::string& node = "") const {
        for (const auto& a : result.graph.actions) {
            const std::string& k = a.internal_operation_key.empty() ? a.operation_key : a.internal_operation_key;
            if (k == key && a.node_uname == node) return &a;
        }
        return nullptr;
    }

    std::string meta(const std::string& key, const std::string& node, const std::string& name) const {
        const auto* a = find(key, node);
        if (!a) return "<no action>";
        auto it = a->attributes.find("CRM_meta_" + name);
        return it == a->attributes.end() ? "<unset>" : it->second;
    }

    // Keys of the actions the synapse of (key, node) waits for
    std::vector<std::string> inputs(const std::string& key, const std::string& node = "") const {
        std::vector<std::string> out;
        const auto* a = find(key, node);
        for (const auto& syn : result.graph.synapses) {
            if (&result.graph.actions[syn.action] != a) continue;
            for (int in : syn.inputs) {
                const auto& g = result.graph.actions[in];
                out.push_back((g.internal_operation_key.empty() ? g.operation_key : g.internal_operation_key) +
                              (g.node_uname.empty() ? "" : "@" + g.node_uname));
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    size_t count_task(const std::string& task) const {
        return std::count_if(result.graph.actions.begin(), result.graph.actions.end(),
                             [&](const hp::graph_action& a) { return a.task == task; });
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sched_notify)

BOOST_AUTO_TEST_CASE(starting_clone_gets_post_notifications_only) {
    // Nothing runs yet: no one to tell before the starts, both told after
    fixture f(cib_text(notify_clone, state("n1", up) + state("n2", up) + state("n3", up)));
    for (const char* key : {"c_pre_notify_start_0", "c_confirmed-pre_notify_start_0", "c_post_notify_running_0",
                            "c_confirmed-post_notify_running_0"})
        BOOST_TEST(f.find(key) != nullptr, key);
    BOOST_TEST(f.find("d:0_pre_notify_start_0", "n1") == nullptr);
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_start_resource") == "d:0 d:1 d:2");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_start_uname") == "n1 n2 n3");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_type") == "post");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_operation") == "start");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_key_type") == "post");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_key_operation") == "running");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_active_resource") == " ");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_inactive_resource") == "d:0 d:1 d:2");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_stop_resource") == " ");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_available_uname") == "n1 n2 n3");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify_all_uname") == "n1 n2 n3");
    BOOST_TEST(f.meta("d:0_post_notify_start_0", "n1", "notify") == "true");
    // the starts themselves carry the notification data too
    BOOST_TEST(f.meta("d:0_start_0", "n1", "notify_start_uname") == "n1 n2 n3");
    BOOST_TEST(f.find("d:2_post_notify_start_0", "n3") != nullptr);
    const std::vector<std::string> done = {"c_post_notify_running_0", "d:0_post_notify_start_0@n1",
                                           "d:1_post_notify_start_0@n2", "d:2_post_notify_start_0@n3"};
    BOOST_TEST(f.inputs("c_confirmed-post_notify_running_0") == done, boost::test_tools::per_element());
    const std::vector<std::string> post = {"c_confirmed-pre_notify_start_0", "c_running_0"};
    BOOST_TEST(f.inputs("c_post_notify_running_0") == post, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stopping_instance_is_told_before_but_not_after) {
    const std::string standby =
        "<instance_attributes id=\"n2a\"><nvpair id=\"n2s\" name=\"standby\" value=\"on\"/></instance_attributes>";
    fixture f(cib_text(notify_clone,
                       state("n1", up, started("d")) + state("n2", up, started("d")) + state("n3", up, started("d")),
                       false, standby));
    BOOST_TEST(f.find("d:1_stop_0", "n2") != nullptr);
    for (const char* node : {"n1", "n2", "n3"}) {
        const std::string inst = std::string("d:") + char('0' + (node[1] - '1'));
        BOOST_TEST(f.meta(inst + "_pre_notify_stop_0", node, "notify_stop_resource") == "d:1", node);
        BOOST_TEST(f.meta(inst + "_pre_notify_stop_0", node, "notify_stop_uname") == "n2", node);
        BOOST_TEST(f.meta(inst + "_pre_notify_stop_0", node, "notify_active_uname") == "n1 n2 n3", node);
    }
    BOOST_TEST(f.find("d:1_post_notify_stop_0", "n2") == nullptr);
    BOOST_TEST(f.meta("d:0_post_notify_stop_0", "n1", "notify_key_operation") == "stopped");
    BOOST_TEST(f.find("d:2_post_notify_stop_0", "n3") != nullptr);
    // the stop waits for everyone to have been told
    const std::vector<std::string> stop_in = {"c_stop_0"};
    BOOST_TEST(f.inputs("d:1_stop_0", "n2") == stop_in, boost::test_tools::per_element());
    const std::vector<std::string> stop_all = {"c_confirmed-pre_notify_stop_0"};
    BOOST_TEST(f.inputs("c_stop_0") == stop_all, boost::test_tools::per_element());
    // nothing starts, so no start notifications
    BOOST_TEST(f.find("c_pre_notify_start_0") == nullptr);
}

BOOST_AUTO_TEST_CASE(fenced_node_is_not_told_and_survivors_hear_after_fencing) {
    const std::string rscs = "<primitive id=\"fence\" class=\"stonith\" type=\"fence_xvm\"/>" + notify_clone;
    fixture f(cib_text(rscs,
                       state("n1", up, started("fence", "stonith") + started("d")) + state("n2", up, started("d")) +
                           state("n3", lost, started("d")),
                       true));
    BOOST_TEST(f.find("stonith-n3-reboot", "n3") != nullptr);
    BOOST_TEST(f.count_task("notify") == 7u);  // c pre/post, d:2 post; pre and post on n1 and n2
    // the implied stop's own post-notification pseudo actions, after the fencing
    BOOST_TEST(f.find("d:2_post_notify_stonith_0") != nullptr);
    BOOST_TEST(f.find("d:2_confirmed-post_notify_stonith_0") != nullptr);
    const std::vector<std::string> after_fencing = {"stonith-n3-reboot@n3"};
    BOOST_TEST(f.inputs("d:2_post_notify_stonith_0") == after_fencing, boost::test_tools::per_element());
    BOOST_TEST(f.find("d:2_pre_notify_stop_0", "n3") == nullptr);
    BOOST_TEST(f.find("d:2_post_notify_stop_0", "n3") == nullptr);
    // survivors are told by that notification, which only knows the fenced instance
    BOOST_TEST(f.meta("d:0_post_notify_stop_0", "n1", "notify_stop_resource") == "d:2");
    BOOST_TEST(f.meta("d:0_post_notify_stop_0", "n1", "notify_stop_uname") == "n3");
    BOOST_TEST(f.meta("d:0_post_notify_stop_0", "n1", "notify_key_operation") == "stonith");
    BOOST_TEST(f.meta("d:1_pre_notify_stop_0", "n2", "notify_stop_uname") == "n3");
    BOOST_TEST(f.meta("d:1_pre_notify_stop_0", "n2", "notify_key_operation") == "stop");
    const std::vector<std::string> told = {"c_post_notify_stopped_0", "d:2_post_notify_stonith_0"};
    BOOST_TEST(f.inputs("d:1_post_notify_stop_0", "n2") == told, boost::test_tools::per_element());
    const std::vector<std::string> confirmed = {"d:0_post_notify_stop_0@n1", "d:1_post_notify_stop_0@n2",
                                                "d:2_post_notify_stonith_0"};
    BOOST_TEST(f.inputs("d:2_confirmed-post_notify_stonith_0") == confirmed, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(promoted_role_moving_is_notified_around_demote_and_promote) {
    // s promoted on n1, the Promoted role preferred on n2: demote n1, then promote n2
    const std::string ms =
        "<clone id=\"ms\"><meta_attributes id=\"msm\"><nvpair id=\"msm1\" name=\"notify\" value=\"true\"/>"
        "<nvpair id=\"msm2\" name=\"promotable\" value=\"true\"/><nvpair id=\"msm3\" name=\"promoted-max\" "
        "value=\"1\"/></meta_attributes><primitive id=\"s\" class=\"ocf\" provider=\"pacemaker\" "
        "type=\"Stateful\"/></clone>";
    std::string text = cib_text(ms, "");
    const std::string location = "<rsc_location id=\"l1\" rsc=\"ms\" node=\"n2\" score=\"100\" role=\"Promoted\"/>";
    replace_once(text, "<constraints/>", "<constraints>" + location + "</constraints>");
    std::string unpromoted = started("s");
    replace_once(unpromoted, "type=\"Dummy\"", "type=\"Stateful\"");
    std::string promoted = unpromoted;
    replace_once(promoted, "operation=\"start\"", "operation=\"promote\"");
    replace_once(text, "</status>", state("n1", up, promoted) + state("n2", up, unpromoted) + "</status>");
    replace_once(text, "<node id=\"n3\" uname=\"n3\"/>", "");
    fixture f(text);
    for (const char* key : {"s:0_pre_notify_demote_0", "s:0_post_notify_demote_0", "s:0_pre_notify_promote_0",
                            "s:0_post_notify_promote_0"}) {
        BOOST_TEST(f.meta(key, "n1", "notify_demote_resource") == "s:0", key);
        BOOST_TEST(f.meta(key, "n1", "notify_promote_uname") == "n2", key);
        BOOST_TEST(f.meta(key, "n1", "notify_promoted_resource") == "s:0", key);
        BOOST_TEST(f.meta(key, "n1", "notify_master_uname") == "n1", key);
        BOOST_TEST(f.meta(key, "n1", "notify_unpromoted_resource") == "s:1", key);
        BOOST_TEST(f.meta(key, "n1", "notify_slave_resource") == "s:1", key);
        BOOST_TEST(f.meta(key, "n1", "notify_active_resource") == "s:0 s:1", key);
    }
    BOOST_TEST(f.meta("s:1_post_notify_promote_0", "n2", "notify_key_operation") == "promoted");
    // demotions are notified before promotions start being
    const std::vector<std::string> after_demote = {"ms_confirmed-post_notify_demoted_0"};
    BOOST_TEST(f.inputs("ms_pre_notify_promote_0") == after_demote, boost::test_tools::per_element());
    const std::vector<std::string> demoted = {"ms_confirmed-pre_notify_demote_0", "ms_demoted_0"};
    BOOST_TEST(f.inputs("ms_post_notify_demoted_0") == demoted, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(notify_task_of_pseudo_actions) {
    namespace hs = holdfast::policy::sched;
    hs::action a;
    a.task = "notified";
    a.uuid = "c_confirmed-post_notify_running_0";
    BOOST_TEST(hs::notified_task(a) == "running");
    a.task = "notify";
    a.uuid = "c_pre_notify_stop_0";
    BOOST_TEST(hs::notified_task(a) == "stop");
    a.task = "start";
    a.uuid = "c_start_0";
    BOOST_TEST(hs::notified_task(a) == "start");
}

BOOST_AUTO_TEST_SUITE_END()
