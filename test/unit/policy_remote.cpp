// Pacemaker Remote and guest nodes: remote nodes provided by ocf:pacemaker:remote
// connections, guest nodes by a primitive's remote-node meta attribute (with
// an implicit connection inside it), their online state from the connection's
// history, placement rules for connections, guest "fencing" by recovering the
// container, exclusive resource discovery and orphaned resources. Small inline
// CIBs; the expected decisions are what Pacemaker 2.1.5's crm_simulate makes.
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

std::string cluster_node(const std::string& name) { return "<node id=\"" + name + "\" uname=\"" + name + "\"/>"; }

std::string dummy(const std::string& id, const std::string& meta = "") {
    std::string out = "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">";
    if (!meta.empty()) out += "<meta_attributes id=\"" + id + "-m\">" + meta + "</meta_attributes>";
    return out + "<operations><op id=\"" + id + "-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>";
}

std::string remote_connection(const std::string& id) {
    return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"/>";
}

std::string nvpair(const std::string& owner, const std::string& name, const std::string& value) {
    return "<nvpair id=\"" + owner + "-" + name + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
}

std::string location(const std::string& id, const std::string& rsc, const std::string& node, const std::string& score,
                     const std::string& discovery = "") {
    std::string out =
        "<rsc_location id=\"" + id + "\" rsc=\"" + rsc + "\" node=\"" + node + "\" score=\"" + score + "\"";
    if (!discovery.empty()) out += " resource-discovery=\"" + discovery + "\"";
    return out + "/>";
}

// One history entry: operation `op` (interval ms) of a Dummy-like agent with rc
std::string op(const std::string& rsc, const std::string& task, int interval, int rc, int call,
               const std::string& suffix = "last_0") {
    const std::string key = rsc + "_" + task + "_" + std::to_string(interval);
    const std::string tkey =
        "1:1:" + std::string(task == "monitor" && interval == 0 ? "7" : "0") + ":00000000-0000-0000-0000-000000000000";
    return "<lrm_rsc_op id=\"" + rsc + "_" + (interval ? task + "_" + std::to_string(interval) : suffix) +
           "\" operation_key=\"" + key + "\" operation=\"" + task + "\" transition-key=\"" + tkey +
           "\" transition-magic=\"0:" + std::to_string(rc) + ";" + tkey + "\" call-id=\"" + std::to_string(call) +
           "\" rc-code=\"" + std::to_string(rc) + "\" op-status=\"0\" interval=\"" + std::to_string(interval) +
           "\" last-rc-change=\"1000\" exec-time=\"0\" queue-time=\"0\"/>";
}

std::string lrm_resource(const std::string& id, const std::string& type, const std::string& ops,
                         const std::string& provider = "pacemaker") {
    return "<lrm_resource id=\"" + id + "\" class=\"ocf\" provider=\"" + provider + "\" type=\"" + type + "\">" + ops +
           "</lrm_resource>";
}

// A cluster node that is up, with some resource history
std::string up(const std::string& name, const std::string& lrm = "") {
    return "<node_state id=\"" + name + "\" uname=\"" + name +
           "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"><lrm id=\"" + name +
           "\"><lrm_resources>" + lrm + "</lrm_resources></lrm></node_state>";
}

// A remote or guest node's state entry
std::string remote_state(const std::string& name, const std::string& lrm = "") {
    return "<node_state id=\"" + name + "\" uname=\"" + name + "\" remote_node=\"true\"><lrm id=\"" + name +
           "\"><lrm_resources>" + lrm + "</lrm_resources></lrm></node_state>";
}

std::string cib_text(const std::string& nodes, const std::string& resources, const std::string& status,
                     const std::string& constraints = "", bool fencing = false) {
    return "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
           "<configuration><crm_config><cluster_property_set id=\"o\">"
           "<nvpair id=\"o-st\" name=\"stonith-enabled\" value=\"" +
           std::string(fencing ? "true" : "false") + "\"/></cluster_property_set></crm_config><nodes>" + nodes +
           "</nodes><resources>" + resources + "</resources><constraints>" + constraints +
           "</constraints></configuration><status>" + status + "</status></cib>";
}

struct fixture : holdfast::test::scheduled_cib {
    explicit fixture(const std::string& text) : scheduled_cib(text) {}

    const hp::resource& rsc(const std::string& id) const { return ws.resources.at(ws.rsc_by_id.at(id)); }
    const hp::node& node(const std::string& name) const { return ws.nodes.at(ws.node_by_uname.at(name)); }

    // Where a resource was assigned ("" when it stays stopped)
    std::string where(const std::string& id) const {
        const hp::resource& r = rsc(id);
        return r.allocated_to == hp::none ? std::string() : ws.nodes[r.allocated_to].uname;
    }

    // Whether the graph has this action (on this node, unless empty)
    bool has(const std::string& key, const std::string& node_name = "") const {
        return std::any_of(result.graph.actions.begin(), result.graph.actions.end(), [&](const hp::graph_action& a) {
            return a.operation_key == key && (node_name.empty() || a.node_uname == node_name);
        });
    }
};

const std::string two_hosts = cluster_node("host1") + cluster_node("host2");

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_remote)

BOOST_AUTO_TEST_CASE(guest_node_gets_an_implicit_connection_inside_its_container) {
    fixture f(cib_text(two_hosts, dummy("vm", nvpair("vm", "remote-node", "guest1")), up("host1") + up("host2")));
    const hp::resource& conn = f.rsc("guest1");
    BOOST_TEST(conn.is_remote_connection);
    BOOST_TEST(conn.container == f.ws.rsc_by_id.at("vm"));
    BOOST_TEST(conn.meta.at("internal_rsc") == "true");
    BOOST_TEST((f.node("guest1").kind == hp::node_kind::guest));
    BOOST_TEST(f.node("guest1").attrs.at("#kind") == "container");
    // The connection runs where its container does, and starts after it
    BOOST_TEST(f.where("vm") != "");
    BOOST_TEST(f.where("guest1") == f.where("vm"));
    BOOST_TEST(f.has("guest1_start_0", f.where("vm")));
    BOOST_TEST(f.has("guest1_monitor_30000", f.where("vm")));
}

BOOST_AUTO_TEST_CASE(remote_node_is_online_when_its_connection_runs) {
    const std::string history = lrm_resource("remote1", "remote", op("remote1", "start", 0, 0, 2));
    fixture f(cib_text(two_hosts, remote_connection("remote1") + dummy("rsc1"),
                       up("host1", history) + up("host2") + remote_state("remote1"),
                       location("rsc1-on-remote", "rsc1", "remote1", "100")));
    BOOST_TEST((f.node("remote1").kind == hp::node_kind::remote));
    BOOST_TEST(f.node("remote1").online);
    BOOST_TEST(f.where("remote1") == "host1");
    BOOST_TEST(f.where("rsc1") == "remote1");
    BOOST_TEST(f.has("rsc1_start_0", "remote1"));
}

BOOST_AUTO_TEST_CASE(remote_connection_never_runs_on_a_remote_node) {
    // Even a mandatory preference for another remote node cannot put a connection there
    fixture f(cib_text(two_hosts, remote_connection("remote1") + remote_connection("remote2"),
                       up("host1") + up("host2"),
                       location("r2-on-r1", "remote2", "remote1", "INFINITY") +
                           location("r1-on-r2", "remote1", "remote2", "INFINITY")));
    for (const char* conn : {"remote1", "remote2"}) {
        const std::string host = f.where(conn);
        BOOST_TEST((host == "host1" || host == "host2"), conn << " runs on " << host);
    }
}

BOOST_AUTO_TEST_CASE(fence_devices_avoid_remote_nodes) {
    const std::string fence = "<primitive id=\"fence1\" class=\"stonith\" type=\"fence_dummy\"/>";
    fixture f(cib_text(cluster_node("host1"), remote_connection("remote1") + fence, up("host1"),
                       location("fence-on-remote", "fence1", "remote1", "INFINITY") +
                           location("fence-off-host", "fence1", "host1", "-INFINITY")));
    BOOST_TEST(f.where("remote1") == "host1");
    BOOST_TEST(f.where("fence1") == "");
}

BOOST_AUTO_TEST_CASE(failed_container_recovers_the_guest_and_what_runs_there) {
    // vm failed on host1: the guest is "fenced" by recovering vm, and rsc1,
    // which ran on the guest, is recovered with it
    const std::string vm_history =
        lrm_resource("vm", "Dummy", op("vm", "start", 0, 0, 2) + op("vm", "monitor", 10000, 1, 3));
    const std::string conn_history = lrm_resource("guest1", "remote", op("guest1", "start", 0, 0, 4));
    const std::string guest_history = lrm_resource("rsc1", "Dummy", op("rsc1", "start", 0, 0, 2));
    fixture f(cib_text(
        two_hosts, dummy("vm", nvpair("vm", "remote-node", "guest1")) + dummy("rsc1"),
        up("host1", vm_history + conn_history) + up("host2") + remote_state("guest1", guest_history),
        location("rsc1-on-guest", "rsc1", "guest1", "INFINITY") + location("vm-on-host1", "vm", "host1", "100")));
    BOOST_TEST(f.node("guest1").remote_requires_reset);
    BOOST_TEST(f.has("stonith-guest1-reboot"));
    BOOST_TEST(f.has("vm_stop_0", "host1"));
    BOOST_TEST(f.has("vm_start_0", "host1"));
    BOOST_TEST(f.has("guest1_start_0", "host1"));
    // rsc1's stop is implied by the guest's fencing; it starts again on the guest
    BOOST_TEST(!f.has("rsc1_stop_0", "guest1"));
    BOOST_TEST(f.has("rsc1_start_0", "guest1"));
}

BOOST_AUTO_TEST_CASE(exclusive_discovery_limits_probes_and_placement) {
    fixture f(cib_text(two_hosts, dummy("rsc1"), up("host1") + up("host2"),
                       location("rsc1-exclusive", "rsc1", "host2", "0", "exclusive")));
    BOOST_TEST(f.has("rsc1_monitor_0", "host2"));
    BOOST_TEST(!f.has("rsc1_monitor_0", "host1"));
    BOOST_TEST(f.where("rsc1") == "host2");
}

BOOST_AUTO_TEST_CASE(orphan_from_history_is_stopped) {
    const std::string history = lrm_resource("gone", "Dummy", op("gone", "start", 0, 0, 2));
    fixture f(cib_text(two_hosts, dummy("rsc1"), up("host1", history) + up("host2")));
    BOOST_TEST(f.rsc("gone").orphan);
    BOOST_TEST(f.where("gone") == "");
    BOOST_TEST(f.has("gone_stop_0", "host1"));
}

BOOST_AUTO_TEST_CASE(orphaned_connection_shuts_its_remote_node_down) {
    const std::string history = lrm_resource("remote1", "remote", op("remote1", "start", 0, 0, 2));
    fixture f(cib_text(two_hosts, dummy("rsc1"), up("host1", history) + up("host2") + remote_state("remote1")));
    const hp::resource& conn = f.rsc("remote1");
    BOOST_TEST(conn.orphan);
    BOOST_TEST(conn.is_remote_connection);
    BOOST_TEST(f.node("remote1").shutdown);
    BOOST_TEST(f.where("remote1") == "");
    BOOST_TEST(f.has("remote1_stop_0", "host1"));
    BOOST_TEST(f.where("rsc1") != "remote1");
}

BOOST_AUTO_TEST_CASE(shutdown_lock_keeps_resources_on_their_node) {
    // host1 shuts down: rsc1 is locked there (stops, may not move); rsc2's
    // history holds a lock on host2 from an earlier shutdown, so it starts there
    const std::string shutdown_attr = "<transient_attributes id=\"host1\"><instance_attributes id=\"host1-ta\">" +
                                      nvpair("host1", "shutdown", "4500") +
                                      "</instance_attributes></transient_attributes>";
    const std::string host1 =
        "<node_state id=\"host1\" uname=\"host1\" in_ccm=\"true\" crmd=\"online\" "
        "join=\"member\" expected=\"member\">" +
        shutdown_attr + "<lrm id=\"host1\"><lrm_resources>" +
        lrm_resource("rsc1", "Dummy", op("rsc1", "start", 0, 0, 2)) + "</lrm_resources></lrm></node_state>";
    std::string rsc2_history = lrm_resource("rsc2", "Dummy", op("rsc2", "stop", 0, 0, 3));
    rsc2_history.insert(rsc2_history.find('>'), " shutdown-lock=\"4000\"");
    std::string text = cib_text(two_hosts, dummy("rsc1") + dummy("rsc2"), host1 + up("host2", rsc2_history));
    text.insert(text.find("</cluster_property_set>"), nvpair("o", "shutdown-lock", "true"));
    fixture f(text);
    BOOST_TEST(f.rsc("rsc2").lock_node == f.ws.node_by_uname.at("host2"));
    BOOST_TEST(f.rsc("rsc1").lock_node == f.ws.node_by_uname.at("host1"));
    BOOST_TEST(f.where("rsc1") == "");
    BOOST_TEST(f.has("rsc1_stop_0", "host1"));
    BOOST_TEST(f.where("rsc2") == "host2");
    BOOST_TEST(f.has("do_shutdown-host1", "host1"));
}

BOOST_AUTO_TEST_SUITE_END()
