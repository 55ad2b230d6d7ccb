// daemon_ipc, `holdfast resource ...` against the real holdfastd: the meta
// attributes and location constraints it writes (ids as crm_resource makes
// them), what it reads from the status section (locate, failcount), the
// history it clears (cleanup, refresh), restart waiting for the status, bad
// input changing nothing, and Pacemaker's crm_verify / crm_simulate reading
// the result where they are installed. In --standalone there is no
// controller: where a verb waits for resources to stop and start, the test
// records the operation results as the controller would.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast;
using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

// dummy runs on node1 with a failed recurring monitor (rc 1: still active)
// and 2 failures counted; spare runs on node2 with target-role Started in a
// set of its own naming; node2 has probed dummy (not running).
const char* resource_cib =
    R"(<cib validate-with="pacemaker-3.9" epoch="5" num_updates="0" admin_epoch="0" have-quorum="true" dc-uuid="1">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="node1"/>
      <node id="2" uname="node2"/>
    </nodes>
    <resources>
      <primitive id="dummy" class="ocf" provider="pacemaker" type="Dummy">
        <operations>
          <op id="dummy-monitor-10s" name="monitor" interval="10s"/>
        </operations>
      </primitive>
      <primitive id="spare" class="ocf" provider="pacemaker" type="Dummy">
        <meta_attributes id="spare-meta">
          <nvpair id="spare-meta-target-role" name="target-role" value="Started"/>
        </meta_attributes>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1">
        <instance_attributes id="status-1">
          <nvpair id="status-1-fail-count-dummy.monitor_10000" name="fail-count-dummy#monitor_10000" value="2"/>
          <nvpair id="status-1-last-failure-dummy.monitor_10000" name="last-failure-dummy#monitor_10000" value="1764000000"/>
        </instance_attributes>
      </transient_attributes>
      <lrm id="1">
        <lrm_resources>
          <lrm_resource id="dummy" class="ocf" provider="pacemaker" type="Dummy">
            <lrm_rsc_op id="dummy_last_0" operation_key="dummy_start_0" operation="start" transition-key="1:1:0:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:0;1:1:0:6b5f1c0e-0000-4000-8000-000000000001" call-id="3" rc-code="0" op-status="0" interval="0" on_node="node1"/>
            <lrm_rsc_op id="dummy_last_failure_0" operation_key="dummy_monitor_10000" operation="monitor" transition-key="2:1:0:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:1;2:1:0:6b5f1c0e-0000-4000-8000-000000000001" call-id="4" rc-code="1" op-status="0" interval="10000" on_node="node1"/>
          </lrm_resource>
        </lrm_resources>
      </lrm>
    </node_state>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="2">
        <lrm_resources>
          <lrm_resource id="dummy" class="ocf" provider="pacemaker" type="Dummy">
            <lrm_rsc_op id="dummy_last_0" operation_key="dummy_monitor_0" operation="monitor" transition-key="3:1:7:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:7;3:1:7:6b5f1c0e-0000-4000-8000-000000000001" call-id="1" rc-code="7" op-status="0" interval="0" on_node="node2"/>
          </lrm_resource>
          <lrm_resource id="spare" class="ocf" provider="pacemaker" type="Dummy">
            <lrm_rsc_op id="spare_last_0" operation_key="spare_start_0" operation="start" transition-key="4:1:0:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:0;4:1:0:6b5f1c0e-0000-4000-8000-000000000001" call-id="2" rc-code="0" op-status="0" interval="0" on_node="node2"/>
          </lrm_resource>
        </lrm_resources>
      </lrm>
    </node_state>
  </status>
</cib>
)";

// a group g (a, b) on node1, an anonymous clone c of p on node1 and node2
// (history id "p"), p's start failed once on node1 (INFINITY), node3 has no state
const char* group_clone_cib =
    R"(<cib validate-with="pacemaker-3.9" epoch="5" num_updates="0" admin_epoch="0" have-quorum="true" dc-uuid="1">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="node1"/>
      <node id="2" uname="node2"/>
      <node id="3" uname="node3"/>
    </nodes>
    <resources>
      <group id="g">
        <primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>
        <primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/>
      </group>
      <clone id="c">
        <primitive id="p" class="ocf" provider="pacemaker" type="Dummy"/>
      </clone>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1">
        <instance_attributes id="status-1">
          <nvpair id="status-1-fail-count-p.start_0" name="fail-count-p#start_0" value="INFINITY"/>
        </instance_attributes>
      </transient_attributes>
      <lrm id="1">
        <lrm_resources>
          <lrm_resource id="a" class="ocf" provider="pacemaker" type="Dummy">
            <lrm_rsc_op id="a_last_0" operation_key="a_start_0" operation="start" transition-key="1:1:0:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:0;1:1:0:6b5f1c0e-0000-4000-8000-000000000001" call-id="3" rc-code="0" op-status="0" interval="0" on_node="node1"/>
          </lrm_resource>
          <lrm_resource id="b" class="ocf" provider="pacemaker" type="Dummy">
            <lrm_rsc_op id="b_last_0" operation_key="b_start_0" operation="start" transition-key="2:1:0:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:0;2:1:0:6b5f1c0e-0000-4000-8000-000000000001" call-id="4" rc-code="0" op-status="0" interval="0" on_node="node1"/>
          </lrm_resource>
          <lrm_resource id="p" class="ocf" provider="pacemaker" type="Dummy">
            <lrm_rsc_op id="p_last_0" operation_key="p_start_0" operation="start" transition-key="3:1:0:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:0;3:1:0:6b5f1c0e-0000-4000-8000-000000000001" call-id="5" rc-code="0" op-status="0" interval="0" on_node="node1"/>
          </lrm_resource>
        </lrm_resources>
      </lrm>
    </node_state>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="2">
        <lrm_resources>
          <lrm_resource id="p" class="ocf" provider="pacemaker" type="Dummy">
            <lrm_rsc_op id="p_last_0" operation_key="p_start_0" operation="start" transition-key="4:1:0:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:0;4:1:0:6b5f1c0e-0000-4000-8000-000000000001" call-id="5" rc-code="0" op-status="0" interval="0" on_node="node2"/>
          </lrm_resource>
        </lrm_resources>
      </lrm>
    </node_state>
  </status>
</cib>
)";

struct resource_daemon : daemon_fixture {
    static fs::path cib_file(const char* name, const char* text) {
        static temp_dir dir;  // lives as long as the test program
        const fs::path p = dir.path / name;
        std::ofstream(p) << text;
        return p;
    }
    resource_daemon() : daemon_fixture(cib_file("resource-cib.xml", resource_cib)) {}
    explicit resource_daemon(const char* text) : daemon_fixture(cib_file("group-clone-cib.xml", text)) {}
};

cib::document served(const daemon_fixture& d) {
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_REQUIRE(xml.status == 0);
    auto doc = cib::load_string(xml.out, {}, "<cib show>");
    BOOST_REQUIRE_MESSAGE(doc, (doc ? "" : doc.error().to_string()));
    return std::move(*doc);
}

const cib::resource* rsc(const cib::document& doc, const std::string& id) {
    for (const auto& r : doc.model().resources)
        if (r.id == id) return &r;
    return nullptr;
}

// "set-id/pair-id=value" of the resource's meta attribute, "<unset>" when absent
std::string meta(const cib::document& doc, const std::string& id, const std::string& name) {
    const auto* r = rsc(doc, id);
    BOOST_REQUIRE(r);
    for (const auto& set : r->meta)
        for (const auto& p : set.pairs)
            if (p.name == name) return set.id + "/" + p.id + "=" + p.value;
    return "<unset>";
}

const cib::location_constraint* location(const cib::document& doc, const std::string& id) {
    for (const auto& l : doc.model().locations)
        if (l.id == id) return &l;
    return nullptr;
}

const cib::node_state* node_state(const cib::document& doc, const std::string& id) {
    for (const auto& st : doc.model().node_states)
        if (st.id == id) return &st;
    return nullptr;
}

bool has_history(const cib::document& doc, const std::string& node, const std::string& id) {
    const auto* st = node_state(doc, node);
    if (!st) return false;
    for (const auto& h : st->resources)
        if (h.id == id) return true;
    return false;
}

size_t transient_count(const cib::document& doc, const std::string& node) {
    const auto* st = node_state(doc, node);
    size_t n = 0;
    if (st)
        for (const auto& set : st->transient_attributes) n += set.pairs.size();
    return n;
}

// Pacemaker's crm_verify -x and crm_simulate -x -S read the served CIB.
void pacemaker_reads(const daemon_fixture& d) {
    const std::string verify = installed("crm_verify"), simulate = installed("crm_simulate");
    if (verify.empty() || simulate.empty()) {
        BOOST_TEST_MESSAGE("crm_verify/crm_simulate not installed: Pacemaker's check skipped");
        return;
    }
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_REQUIRE(xml.status == 0);
    const fs::path file = d.dir / "served.xml";
    std::ofstream(file) << xml.out;
    auto v = run({verify, "-x", file.string()}, {});
    BOOST_TEST(v.status == 0, "crm_verify: " << v.err);
    auto s = run({simulate, "-x", file.string(), "-S", "-Q"}, {});
    BOOST_TEST(s.status == 0, "crm_simulate: " << s.err);
}

// Fails the check, changes nothing: one line on stderr, exit status `code`.
void refused(const daemon_fixture& d, std::vector<std::string> args, int code, const std::string& names) {
    const std::string epoch = served(d).model().epoch;
    auto r = d.cli(args);
    BOOST_TEST(r.status == code, args[1] << " " << (args.size() > 2 ? args[2] : "") << ": " << r.err);
    BOOST_TEST(one_line(r.err), r.err);
    BOOST_TEST(r.err.find(names) != std::string::npos, r.err);
    BOOST_TEST(served(d).model().epoch == epoch);
}

// The controller's record of an operation result on a node.
void record(const daemon_fixture& d, const std::string& node_id, const std::string& node, const std::string& id,
            const std::string& operation, int call) {
    const std::string key = std::to_string(call) + ":9:0:6b5f1c0e-0000-4000-8000-000000000001";
    const std::string xml =
        "<lrm_resource id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><lrm_rsc_op id=\"" + id +
        "_last_0\" operation_key=\"" + id + "_" + operation + "_0\" operation=\"" + operation + "\" transition-key=\"" +
        key + "\" transition-magic=\"0:0;" + key + "\" call-id=\"" + std::to_string(call) +
        "\" rc-code=\"0\" op-status=\"0\" interval=\"0\" on_node=\"" + node + "\"/></lrm_resource>";
    auto change = cib::change::record_operation(node_id, node, xml);
    BOOST_REQUIRE(call_status(d.ipc, daemon::request_type::cib_change, cib::serialize(change)) == daemon::errc::ok);
}

template <typename Pred>
bool eventually(const daemon_fixture& d, Pred pred) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
        if (pred(served(d))) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(resource_start_stop_manage_maintenance_set_meta_attributes) {
    resource_daemon d;
    BOOST_TEST(d.cli({"resource", "stop", "dummy"}).status == 0);
    BOOST_TEST(meta(served(d), "dummy", "target-role") ==
               "dummy-meta_attributes/dummy-meta_attributes-target-role=Stopped");
    BOOST_TEST(d.cli({"resource", "start", "dummy"}).status == 0);
    BOOST_TEST(meta(served(d), "dummy", "target-role") ==
               "dummy-meta_attributes/dummy-meta_attributes-target-role=Started");
    // an existing pair is updated where it is
    BOOST_TEST(d.cli({"resource", "stop", "spare"}).status == 0);
    BOOST_TEST(meta(served(d), "spare", "target-role") == "spare-meta/spare-meta-target-role=Stopped");
    BOOST_TEST(d.cli({"resource", "unmanage", "spare"}).status == 0);
    BOOST_TEST(meta(served(d), "spare", "is-managed") == "spare-meta/spare-meta-is-managed=false");
    BOOST_TEST(d.cli({"resource", "manage", "spare"}).status == 0);
    BOOST_TEST(meta(served(d), "spare", "is-managed") == "spare-meta/spare-meta-is-managed=true");
    BOOST_TEST(d.cli({"resource", "maintenance", "dummy"}).status == 0);
    BOOST_TEST(meta(served(d), "dummy", "maintenance") ==
               "dummy-meta_attributes/dummy-meta_attributes-maintenance=true");
    BOOST_TEST(d.cli({"resource", "maintenance", "dummy", "off"}).status == 0);
    BOOST_TEST(meta(served(d), "dummy", "maintenance") ==
               "dummy-meta_attributes/dummy-meta_attributes-maintenance=false");
    pacemaker_reads(d);

    refused(d, {"resource", "stop", "dumy"}, 1, "unknown resource 'dumy'");
    refused(d, {"resource", "maintenance", "dummy", "maybe"}, 1, "'maybe'");
    refused(d, {"resource", "stpo", "dummy"}, 2, "unknown verb 'stpo'");
    refused(d, {"resource", "stop"}, 2, "needs a resource");
    refused(d, {"resource", "stop", "dummy", "node1"}, 2, "exactly one RSC");
    refused(d, {"resource", "stop", "dummy", "--lifetime", "PT1H"}, 2, "takes no --lifetime");
    refused(d, {"resource", "stop", "dummy", "--force"}, 2, "unknown option '--force'");
}

BOOST_AUTO_TEST_CASE(resource_move_ban_clear_write_crm_resources_constraints) {
    resource_daemon d;
    auto moved = d.cli({"resource", "move", "dummy", "node2"});
    BOOST_TEST(moved.status == 0, moved.err);
    auto doc = served(d);
    const auto* prefer = location(doc, "cli-prefer-dummy");
    BOOST_REQUIRE(prefer);
    BOOST_TEST(prefer->rsc == "dummy");
    BOOST_TEST(prefer->node == "node2");
    BOOST_TEST(prefer->score == "INFINITY");
    BOOST_TEST(prefer->role == "Started");

    // again with a lifetime: the rule form, replacing the first
    BOOST_TEST(d.cli({"resource", "move", "dummy", "node2", "--lifetime", "PT1H"}).status == 0);
    doc = served(d);
    prefer = location(doc, "cli-prefer-dummy");
    BOOST_REQUIRE(prefer);
    BOOST_TEST(prefer->node == "");
    BOOST_REQUIRE(prefer->rules.size() == 1u);
    BOOST_TEST(prefer->rules[0].id == "cli-prefer-rule-dummy");
    BOOST_TEST(prefer->rules[0].score == "INFINITY");
    BOOST_REQUIRE(prefer->rules[0].expressions.size() == 2u);
    BOOST_TEST(prefer->rules[0].expressions[0].id == "cli-prefer-expr-dummy");
    BOOST_TEST(prefer->rules[0].expressions[0].value == "node2");
    BOOST_TEST(prefer->rules[0].expressions[1].id == "cli-prefer-lifetime-end-dummy");
    BOOST_TEST(prefer->rules[0].expressions[1].operation == "lt");
    BOOST_TEST(!prefer->rules[0].expressions[1].end.empty());

    // ban without NODE: from where it runs (node1)
    auto banned = d.cli({"resource", "ban", "dummy", "--lifetime=P1D"});
    BOOST_TEST(banned.status == 0, banned.err);
    doc = served(d);
    const auto* ban = location(doc, "cli-ban-dummy-on-node1");
    BOOST_REQUIRE(ban);
    BOOST_REQUIRE(ban->rules.size() == 1u);
    BOOST_TEST(ban->rules[0].id == "cli-ban-dummy-on-node1-rule");
    BOOST_TEST(ban->rules[0].score == "-INFINITY");
    BOOST_TEST(ban->rules[0].expressions[1].id == "cli-ban-dummy-on-node1-lifetime");
    BOOST_TEST(d.cli({"resource", "ban", "spare", "node1"}).status == 0);
    const auto* short_ban = location(served(d), "cli-ban-spare-on-node1");
    BOOST_REQUIRE(short_ban);
    BOOST_TEST(short_ban->score == "-INFINITY");
    BOOST_TEST(short_ban->node == "node1");
    pacemaker_reads(d);

    auto status = d.cli({"status"});
    BOOST_TEST(status.status == 0);
    BOOST_TEST(status.out.find("Constraints left by move/ban") != std::string::npos, status.out);
    BOOST_TEST(
        status.out.find("* cli-ban-dummy-on-node1\tprevents dummy from running on node1 (until ") != std::string::npos,
        status.out);
    BOOST_TEST(status.out.find("* cli-prefer-dummy\tprefers node2 for dummy (until ") != std::string::npos);
    auto as_xml = d.cli({"status", "--output-as=xml"});
    BOOST_TEST(as_xml.out.find("<constraint id=\"cli-ban-spare-on-node1\" rsc=\"spare\" node=\"node1\" kind=\"ban\" "
                               "until=\"\" expired=\"false\"/>") != std::string::npos,
               as_xml.out);
    auto as_json = d.cli({"status", "--output-as=json"});
    BOOST_TEST(as_json.out.find("{\"id\": \"cli-prefer-dummy\", \"rsc\": \"dummy\", \"node\": \"node2\", \"kind\": "
                                "\"prefer\", \"until\": \"") != std::string::npos,
               as_json.out);

    // bad input changes nothing
    refused(d, {"resource", "move", "dummy", "node3"}, 1, "unknown node 'node3'");
    refused(d, {"resource", "move", "dummy", "node2", "--lifetime", "1h"}, 1, "invalid lifetime '1h'");
    refused(d, {"resource", "ban", "dummy", "node2", "-u", "PXT"}, 1, "'PXT'");
    refused(d, {"resource", "move", "spare", "node2"}, 1, "already active on node2");
    refused(d, {"resource", "ban", "nothing"}, 1, "unknown resource 'nothing'");
    refused(d, {"resource", "move", "dummy", "node2", "--lifetime"}, 2, "--lifetime needs a value");
    refused(d, {"resource", "clear", "dummy", "node1", "node2"}, 2, "at most one NODE");

    // clear with NODE: what names that node; without: the rest
    BOOST_TEST(d.cli({"resource", "clear", "dummy", "node1"}).status == 0);
    doc = served(d);
    BOOST_TEST(!location(doc, "cli-ban-dummy-on-node1"));
    BOOST_TEST(location(doc, "cli-prefer-dummy"));
    BOOST_TEST(d.cli({"resource", "clear", "dummy"}).status == 0);
    BOOST_TEST(d.cli({"resource", "unban", "spare"}).status == 0);
    doc = served(d);
    BOOST_TEST(doc.model().locations.empty());
    auto again = d.cli({"resource", "clear", "dummy"});  // nothing left: no change, no error
    BOOST_TEST(again.status == 0);
    BOOST_TEST(served(d).model().epoch == doc.model().epoch);
    BOOST_TEST(d.cli({"status"}).out.find("Constraints left by move/ban") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(resource_locate_failcount_cleanup_refresh_read_and_clear_the_status) {
    resource_daemon d;
    auto where = d.cli({"resource", "locate", "dummy"});
    BOOST_TEST(where.status == 0);
    BOOST_TEST(where.out == "resource dummy is running on: node1\n");
    BOOST_TEST(d.cli({"resource", "locate", "spare"}).out == "resource spare is running on: node2\n");

    auto counts = d.cli({"resource", "failcount", "dummy", "show"});
    BOOST_TEST(counts.status == 0);
    BOOST_TEST(counts.out ==
               "scope=status  node=node1  name=fail-count-dummy value=2\n"
               "scope=status  node=node2  name=fail-count-dummy value=0\n");
    refused(d, {"resource", "failcount", "dummy", "shw"}, 1, "'shw'");
    refused(d, {"resource", "failcount", "dummy", "show", "node7"}, 1, "unknown node 'node7'");
    refused(d, {"resource", "cleanup", "dummy", "--node", "node7"}, 1, "unknown node 'node7'");
    refused(d, {"resource", "cleanup", "dumm"}, 1, "unknown resource 'dumm'");

    // cleanup: the failed history and the counts go; node2's probe stays
    auto cleaned = d.cli({"resource", "cleanup", "dummy"});
    BOOST_TEST(cleaned.status == 0, cleaned.err);
    BOOST_TEST(cleaned.out == "Cleaned up dummy on node1\n");
    auto doc = served(d);
    BOOST_TEST(!has_history(doc, "1", "dummy"));
    BOOST_TEST(has_history(doc, "2", "dummy"));
    BOOST_TEST(transient_count(doc, "1") == 0u);
    BOOST_TEST(d.cli({"resource", "failcount", "dummy", "show", "node1"}).out ==
               "scope=status  node=node1  name=fail-count-dummy value=0\n");
    pacemaker_reads(d);

    // refresh: all history of it on the node named
    BOOST_TEST(d.cli({"resource", "refresh", "spare", "--node", "node1"}).status == 0);
    BOOST_TEST(has_history(served(d), "2", "spare"));
    BOOST_TEST(d.cli({"resource", "refresh", "dummy", "node2"}).status == 0);
    doc = served(d);
    BOOST_TEST(!has_history(doc, "2", "dummy"));
    BOOST_TEST(has_history(doc, "2", "spare"));
    auto all = d.cli({"resource", "refresh"});
    BOOST_TEST(all.status == 0);
    BOOST_TEST(!has_history(served(d), "2", "spare"));
}

BOOST_AUTO_TEST_CASE(resource_failcount_delete_removes_the_attributes) {
    resource_daemon d;
    BOOST_TEST(d.cli({"resource", "failcount", "dummy", "delete", "node1"}).status == 0);
    auto doc = served(d);
    BOOST_TEST(transient_count(doc, "1") == 0u);
    BOOST_TEST(has_history(doc, "1", "dummy"));  // the history is cleanup's
}

BOOST_AUTO_TEST_CASE(resource_restart_waits_for_the_status) {
    resource_daemon d;
    refused(d, {"resource", "restart", "dummy", "--timeout", "soon"}, 1, "invalid timeout 'soon'");
    {
        // spare runs on node2: stopped, then started again as recorded
        child restart = child::spawn({HOLDFAST_BIN, "resource", "restart", "spare", "--timeout", "60s"}, d.cli_env(),
                                     (d.dir / "restart.err").string());
        BOOST_REQUIRE(eventually(d, [](const cib::document& doc) {
            return meta(doc, "spare", "target-role") == "spare-meta/spare-meta-target-role=Stopped";
        }));
        record(d, "2", "node2", "spare", "stop", 10);
        BOOST_REQUIRE(eventually(d, [](const cib::document& doc) {
            return meta(doc, "spare", "target-role") == "spare-meta/spare-meta-target-role=Started";
        }));
        record(d, "2", "node2", "spare", "start", 11);
        BOOST_TEST(restart.wait(deadline).value_or(-1) == 0);
    }
    // nobody stops dummy: at the deadline its target-role goes back (it had none)
    auto late = d.cli({"resource", "restart", "dummy", "--timeout", "1s"});
    BOOST_TEST(late.status == 1);
    BOOST_TEST(one_line(late.err), late.err);
    BOOST_TEST(late.err.find("did not stop within 1s") != std::string::npos, late.err);
    BOOST_TEST(meta(served(d), "dummy", "target-role") == "<unset>");
    pacemaker_reads(d);
    // a resource that is not running is not restarted
    record(d, "2", "node2", "spare", "stop", 12);
    refused(d, {"resource", "restart", "spare"}, 1, "spare is not running");
}

BOOST_AUTO_TEST_CASE(resource_verbs_on_groups_and_clones_cover_their_primitives) {
    resource_daemon d(group_clone_cib);
    BOOST_TEST(d.cli({"resource", "locate", "c"}).out ==
               "resource c is running on: node1\nresource c is running on: node2\n");
    BOOST_TEST(d.cli({"resource", "locate", "g"}).out == "resource g is running on: node1\n");
    refused(d, {"resource", "move", "c"}, 1, "c is active on 2 nodes");
    BOOST_TEST(d.cli({"resource", "failcount", "p", "show"}).out ==
               "scope=status  node=node1  name=fail-count-p value=INFINITY\n"
               "scope=status  node=node2  name=fail-count-p value=0\n"
               "scope=status  node=node3  name=fail-count-p value=0\n");
    // a group's ban goes on the group, from the node it runs on
    BOOST_TEST(d.cli({"resource", "move", "g"}).status == 0);
    BOOST_TEST(location(served(d), "cli-ban-g-on-node1"));
    // cleanup of the clone: p's counts (p has no failure record: its history stays)
    auto cleaned = d.cli({"resource", "cleanup", "c"});
    BOOST_TEST(cleaned.out == "Cleaned up p on node1\n");
    auto doc = served(d);
    BOOST_TEST(transient_count(doc, "1") == 0u);
    BOOST_TEST(has_history(doc, "1", "p"));
    // refresh of the group: both members' history on node1
    BOOST_TEST(d.cli({"resource", "refresh", "g", "node1"}).out == "Refreshed a on node1\nRefreshed b on node1\n");
    doc = served(d);
    BOOST_TEST(!has_history(doc, "1", "a"));
    BOOST_TEST(!has_history(doc, "1", "b"));
    BOOST_TEST(has_history(doc, "1", "p"));
    BOOST_TEST(d.cli({"resource", "stop", "c"}).status == 0);
    BOOST_TEST(meta(served(d), "c", "target-role") == "c-meta_attributes/c-meta_attributes-target-role=Stopped");
    pacemaker_reads(d);
    refused(d, {"resource", "failcount"}, 2, "failcount takes");
    refused(d, {"resource", "cleanup", "c", "node1", "node2"}, 2, "at most");
    refused(d, {"resource", "nonsense"}, 2, "unknown verb 'nonsense'");
}
