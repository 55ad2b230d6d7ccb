// policy::unpack(): node membership states, operation history into roles and
// failures, anonymous clone instance mapping. Small hand-written CIBs; the
// expected outcomes are what Pacemaker 2.1.5's crm_simulate shows for them.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "cib/cib.hpp"
#include "policy/unpack.hpp"
#include "test/unit/policy_fixture.hpp"

namespace hp = holdfast::policy;
namespace cib = holdfast::cib;

namespace {

std::string state(const std::string& uname, const std::string& attrs, const std::string& lrm = "") {
    return "<node_state id=\"" + uname + "\" uname=\"" + uname + "\" " + attrs + "><lrm id=\"" + uname +
           "\"><lrm_resources>" + lrm + "</lrm_resources></lrm></node_state>";
}

const std::string up = "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"";

std::string op(const std::string& rsc, const std::string& task, int call, int rc, int target, int interval = 0,
               int status = 0) {
    return "<lrm_rsc_op id=\"" + rsc + "_" + task + "_" + std::to_string(call) + "\" operation=\"" + task +
           "\" call-id=\"" + std::to_string(call) + "\" rc-code=\"" + std::to_string(rc) + "\" op-status=\"" +
           std::to_string(status) + "\" interval=\"" + std::to_string(interval) +
           "\" transition-key=\"1:1:" + std::to_string(target) + ":abc\" last-rc-change=\"1000\"/>";
}

std::string lrm(const std::string& id, const std::string& ops) {
    return "<lrm_resource id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" + ops +
           "</lrm_resource>";
}

std::string cib_text(const std::string& resources, const std::string& status, const std::string& props = "") {
    return "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
           "<configuration><crm_config><cluster_property_set id=\"o\">" +
           props +
           "</cluster_property_set></crm_config>"
           "<nodes><node id=\"n1\" uname=\"n1\"/><node id=\"n2\" uname=\"n2\"/><node id=\"n3\" uname=\"n3\"/></nodes>"
           "<resources>" +
           resources + "</resources><constraints/></configuration><status>" + status + "</status></cib>";
}

const std::string dummy = "<primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>";

struct fixture : holdfast::test::scheduled_cib {
    explicit fixture(const std::string& text) : scheduled_cib(text, false) {}
    const hp::node& node(const std::string& name) { return ws.nodes.at(ws.node_by_uname.at(name)); }
    const hp::resource& rsc(const std::string& id) { return ws.resources.at(ws.rsc_by_id.at(id)); }
    std::string where(const std::string& id) {
        std::string s;
        for (hp::node_ix n : rsc(id).running_on) s += (s.empty() ? "" : " ") + ws.nodes[n].uname;
        return s;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_unpack)

BOOST_AUTO_TEST_CASE(cluster_options_defaults_and_overrides) {
    fixture f(cib_text(dummy, "", "<nvpair id=\"a\" name=\"no-quorum-policy\" value=\"ignore\"/>"));
    BOOST_TEST(f.ws.options.stonith_enabled);
    BOOST_TEST(f.ws.options.symmetric_cluster);
    BOOST_TEST(f.ws.options.no_quorum_policy == "ignore");
    BOOST_TEST(f.ws.options.have_quorum);
}

BOOST_AUTO_TEST_CASE(node_membership_states) {
    std::string st = state("n1", up) +
                     state("n2", "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\"") +
                     state("n3", "in_ccm=\"true\" crmd=\"online\" join=\"pending\" expected=\"member\"");
    fixture f(cib_text(dummy, st));
    BOOST_TEST(f.node("n1").online);
    BOOST_TEST(!f.node("n1").unclean);
    // expected up but gone from the membership: must be fenced
    BOOST_TEST(!f.node("n2").online);
    BOOST_TEST(f.node("n2").unclean);
    BOOST_TEST(f.node("n3").pending);
}

BOOST_AUTO_TEST_CASE(unseen_node_is_unclean_only_with_startup_fencing) {
    fixture with(cib_text(dummy, state("n1", up)));
    BOOST_TEST(with.node("n2").unclean);
    fixture without(cib_text(dummy, state("n1", up), "<nvpair id=\"a\" name=\"startup-fencing\" value=\"false\"/>"));
    BOOST_TEST(!without.node("n2").unclean);
    BOOST_TEST(!without.node("n2").online);
}

BOOST_AUTO_TEST_CASE(start_then_monitor_is_started) {
    std::string ops = op("d", "monitor", 1, 7, 7) + op("d", "start", 2, 0, 0) + op("d", "monitor", 3, 0, 0, 10000);
    fixture f(cib_text(dummy, state("n1", up, lrm("d", ops)) + state("n2", up) + state("n3", up)));
    BOOST_TEST(std::string(hp::to_string(f.rsc("d").current_role)) == "Started");
    BOOST_TEST(f.where("d") == "n1");
    BOOST_TEST(!f.rsc("d").failed);
}

BOOST_AUTO_TEST_CASE(history_is_replayed_in_call_id_order) {
    // listed out of order: the stop (call 5) is the latest
    std::string ops = op("d", "stop", 5, 0, 0) + op("d", "start", 2, 0, 0);
    fixture f(cib_text(dummy, state("n1", up, lrm("d", ops)) + state("n2", up) + state("n3", up)));
    BOOST_TEST(f.rsc("d").running_on.empty());
}

BOOST_AUTO_TEST_CASE(failed_monitor_marks_failed_and_keeps_running) {
    std::string ops = op("d", "start", 2, 0, 0) + op("d", "monitor", 3, 7, 0, 10000);
    fixture f(cib_text(dummy, state("n1", up, lrm("d", ops)) + state("n2", up) + state("n3", up)));
    BOOST_TEST(f.rsc("d").failed);
    BOOST_TEST(f.where("d") == "n1");
}

BOOST_AUTO_TEST_CASE(later_start_clears_an_earlier_failure) {
    std::string ops = op("d", "monitor", 3, 1, 0, 10000) + op("d", "start", 4, 0, 0);
    fixture f(cib_text(dummy, state("n1", up, lrm("d", ops)) + state("n2", up) + state("n3", up)));
    BOOST_TEST(!f.rsc("d").failed);
    BOOST_TEST(f.where("d") == "n1");
}

BOOST_AUTO_TEST_CASE(probe_finding_it_active_counts_as_running) {
    fixture f(
        cib_text(dummy, state("n1", up, lrm("d", op("d", "monitor", 1, 0, 7))) + state("n2", up) + state("n3", up)));
    BOOST_TEST(!f.rsc("d").failed);
    BOOST_TEST(f.where("d") == "n1");
}

BOOST_AUTO_TEST_CASE(not_installed_probe_means_stopped) {
    fixture f(
        cib_text(dummy, state("n1", up, lrm("d", op("d", "monitor", 1, 5, 7))) + state("n2", up) + state("n3", up)));
    BOOST_TEST(f.rsc("d").running_on.empty());
    BOOST_TEST(!f.rsc("d").failed);
}

BOOST_AUTO_TEST_CASE(pending_start_is_recorded) {
    fixture f(cib_text(
        dummy, state("n1", up, lrm("d", op("d", "start", 2, 0, 0, 0, -1))) + state("n2", up) + state("n3", up)));
    BOOST_TEST(f.rsc("d").pending_task == "start");
    BOOST_TEST(f.rsc("d").start_pending);
    BOOST_TEST(f.where("d") == "n1");
}

BOOST_AUTO_TEST_CASE(failed_stop_fences_the_node) {
    std::string ops = op("d", "start", 2, 0, 0) + op("d", "stop", 3, 1, 0);
    fixture f(cib_text(dummy, state("n1", up, lrm("d", ops)) + state("n2", up) + state("n3", up)));
    BOOST_TEST(f.node("n1").unclean);
    bool fenced = std::any_of(f.ws.unpack_actions.begin(), f.ws.unpack_actions.end(), [&](const auto& a) {
        return a.what == hp::unpack_action::kind::fence && a.node == f.ws.node_by_uname.at("n1");
    });
    BOOST_TEST(fenced);
}

BOOST_AUTO_TEST_CASE(unknown_history_becomes_an_orphan) {
    fixture f(cib_text(dummy,
                       state("n1", up, lrm("gone", op("gone", "start", 2, 0, 0))) + state("n2", up) + state("n3", up)));
    BOOST_TEST(f.rsc("gone").orphan);
    BOOST_TEST(f.where("gone") == "n1");
    BOOST_TEST(f.ws.top_level.back() == f.ws.rsc_by_id.at("gone"));
}

BOOST_AUTO_TEST_CASE(anonymous_clone_history_maps_to_distinct_instances) {
    const std::string clone = "<clone id=\"c\">" + dummy + "</clone>";
    std::string st = state("n1", up, lrm("d", op("d", "start", 2, 0, 0))) +
                     state("n2", up, lrm("d:1", op("d", "start", 2, 0, 0))) + state("n3", up);
    fixture f(cib_text(clone, st));
    BOOST_TEST(f.rsc("c").children.size() == 3u);  // clone-max defaults to the node count
    int active = 0;
    for (hp::rsc_ix i : f.rsc("c").children) {
        BOOST_TEST(f.ws.resources[i].running_on.size() <= 1u);
        active += static_cast<int>(f.ws.resources[i].running_on.size());
    }
    BOOST_TEST(active == 2);
}

BOOST_AUTO_TEST_CASE(clone_of_group_instances_are_named_per_member) {
    const std::string clone =
        "<clone id=\"c\"><group id=\"g\">" + dummy +
        "<primitive id=\"e\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/></group></clone>";
    fixture f(cib_text(clone, state("n1", up) + state("n2", up) + state("n3", up)));
    BOOST_TEST(f.ws.rsc_by_id.count("g:0"));
    BOOST_TEST(f.ws.rsc_by_id.count("d:2"));
    BOOST_TEST(f.rsc("e:1").parent == f.ws.rsc_by_id.at("g:1"));
}

BOOST_AUTO_TEST_CASE(guest_node_follows_its_connection) {
    const std::string vm =
        "<primitive id=\"vm\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\"><meta_attributes "
        "id=\"m\"><nvpair id=\"rn\" name=\"remote-node\" value=\"guest1\"/></meta_attributes></primitive>";
    std::string st =
        state("n1", up, lrm("vm", op("vm", "start", 2, 0, 0)) + lrm("guest1", op("guest1", "start", 3, 0, 0))) +
        state("n2", up) + state("n3", up);
    fixture f(cib_text(vm, st));
    BOOST_TEST((f.node("guest1").kind == hp::node_kind::guest));
    BOOST_TEST(f.node("guest1").online);
    BOOST_TEST(f.rsc("guest1").container == f.ws.rsc_by_id.at("vm"));
}

BOOST_AUTO_TEST_CASE(expired_failure_is_forgotten) {
    const std::string timed =
        "<primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><meta_attributes id=\"m\"><nvpair "
        "id=\"ft\" name=\"failure-timeout\" value=\"60\"/></meta_attributes></primitive>";
    std::string ops = op("d", "start", 2, 1, 0);  // failed start at t=1000; now is 5000
    fixture f(cib_text(timed, state("n1", up, lrm("d", ops)) + state("n2", up) + state("n3", up)));
    BOOST_TEST(!f.rsc("d").failed);
    BOOST_TEST(f.rsc("d").running_on.empty());
}

BOOST_AUTO_TEST_CASE(primitive_meta_overrides_its_template) {
    const std::string rscs =
        "<template id=\"t\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><meta_attributes id=\"tm\">"
        "<nvpair id=\"tr\" name=\"target-role\" value=\"Stopped\"/></meta_attributes></template>"
        "<primitive id=\"a\" template=\"t\"/>"
        "<primitive id=\"b\" template=\"t\"><meta_attributes id=\"bm\"><nvpair id=\"br\" "
        "name=\"target-role\" value=\"Started\"/></meta_attributes></primitive>";
    fixture f(cib_text(rscs, state("n1", up)));
    BOOST_TEST(f.rsc("a").meta.at("target-role") == "Stopped");
    BOOST_TEST(f.rsc("b").meta.at("target-role") == "Started");
}

// A migration history entry; on_node is left out as in older CIBs
std::string mig(const std::string& task, int call, int rc, const std::string& from, const std::string& to) {
    return "<lrm_rsc_op id=\"d_" + task + "_0\" operation=\"" + task + "\" call-id=\"" + std::to_string(call) +
           "\" rc-code=\"" + std::to_string(rc) +
           "\" op-status=\"0\" interval=\"0\" transition-key=\"1:1:0:abc\" migrate_source=\"" + from +
           "\" migrate_target=\"" + to + "\"/>";
}

BOOST_AUTO_TEST_CASE(migration_history_partial_dangling_and_failed) {
    const std::string vm =
        "<primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><meta_attributes id=\"m\">"
        "<nvpair id=\"am\" name=\"allow-migrate\" value=\"true\"/></meta_attributes></primitive>";
    const std::string started = op("d", "monitor", 1, 7, 7) + op("d", "start", 2, 0, 0);
    const std::string probed = op("d", "monitor", 1, 7, 7);
    // migrate_to done, nothing on the target yet: partial, active on both
    fixture partial(cib_text(vm, state("n1", up, lrm("d", started + mig("migrate_to", 3, 0, "n1", "n2"))) +
                                     state("n2", up, lrm("d", probed)) + state("n3", up)));
    BOOST_TEST(partial.where("d") == "n2 n1");
    BOOST_TEST(partial.rsc("d").partial_migration_source == partial.ws.node_by_uname.at("n1"));
    BOOST_TEST(partial.rsc("d").partial_migration_target == partial.ws.node_by_uname.at("n2"));
    // both halves done: only the source's stop is missing
    fixture dangling(cib_text(vm, state("n1", up, lrm("d", started + mig("migrate_to", 3, 0, "n1", "n2"))) +
                                      state("n2", up, lrm("d", probed + mig("migrate_from", 2, 0, "n1", "n2"))) +
                                      state("n3", up)));
    BOOST_TEST(dangling.where("d") == "n2");
    BOOST_TEST(dangling.rsc("d").dangling_migration == dangling.ws.node_by_uname.at("n1"));
    // migrate_from failed and the target has stopped it since: recover, no migrating
    fixture failed(cib_text(
        vm, state("n1", up, lrm("d", started + mig("migrate_to", 3, 0, "n1", "n2"))) +
                state("n2", up, lrm("d", probed + mig("migrate_from", 2, 1, "n1", "n2") + op("d", "stop", 4, 0, 0))) +
                state("n3", up)));
    BOOST_TEST(failed.where("d") == "n1");
    BOOST_TEST(failed.rsc("d").failed);
    BOOST_TEST(!failed.rsc("d").allow_migrate);
}

BOOST_AUTO_TEST_CASE(hard_failures_ban_nodes) {
    auto bans = [](const hp::working_set& ws) {
        std::string out;
        for (const auto& a : ws.unpack_actions)
            if (a.what == hp::unpack_action::kind::ban)
                out += (out.empty() ? "" : " ") + a.reason + "@" + (a.node == hp::none ? "*" : ws.nodes[a.node].uname);
        return out;
    };
    // a probe finding the agent not installed: not running there, and banned there
    fixture probe(
        cib_text(dummy, state("n1", up, lrm("d", op("d", "monitor", 1, 5, 7))) + state("n2", up) + state("n3", up)));
    BOOST_TEST(probe.where("d").empty());
    BOOST_TEST(bans(probe.ws) == "masked-probe-failure@n1");
    BOOST_TEST(std::count_if(probe.ws.failed_ops.begin(), probe.ws.failed_ops.end(),
                             [](const hp::failed_op& f) { return f.masked_probe; }) == 1);
    // a failed stop, and a start failing as not configured (fatal: banned everywhere)
    std::string stop_failed = op("d", "monitor", 1, 7, 7) + op("d", "start", 2, 0, 0) + op("d", "stop", 3, 1, 0);
    fixture stop(cib_text(dummy, state("n1", up, lrm("d", stop_failed)) + state("n2", up) + state("n3", up)));
    BOOST_TEST(bans(stop.ws) == "__stop_fail__@n1");
    fixture fatal(cib_text(dummy, state("n1", up, lrm("d", op("d", "monitor", 1, 7, 7) + op("d", "start", 2, 6, 0))) +
                                      state("n2", up) + state("n3", up)));
    BOOST_TEST(bans(fatal.ws) == "fatal-error@*");
}

BOOST_AUTO_TEST_CASE(members_inherit_group_instance_attributes) {
    const std::string grp =
        "<group id=\"g\"><instance_attributes id=\"gi\"><nvpair id=\"gp\" name=\"p\" value=\"group\"/>"
        "<nvpair id=\"gq\" name=\"q\" value=\"group\"/></instance_attributes>"
        "<primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><instance_attributes "
        "id=\"di\"><nvpair id=\"dq\" name=\"q\" value=\"own\"/></instance_attributes></primitive></group>";
    fixture f(cib_text(grp, state("n1", up)));
    BOOST_TEST(f.rsc("d").params.at("p") == "group");
    BOOST_TEST(f.rsc("d").params.at("q") == "own");
}

BOOST_AUTO_TEST_CASE(promoted_target_role_is_ignored_outside_promotable_clones) {
    const std::string prim =
        "<primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><meta_attributes id=\"m\">"
        "<nvpair id=\"tr\" name=\"target-role\" value=\"Promoted\"/></meta_attributes></primitive>";
    fixture f(cib_text(prim, state("n1", up)));
    BOOST_TEST((f.rsc("d").next_role == hp::role::unknown));
    BOOST_TEST((f.rsc("d").target_role == hp::role::unknown));
}

BOOST_AUTO_TEST_SUITE_END()
