// daemon_ipc, the remaining crm verbs against the real holdfastd and the real
// `holdfast`: node attribute|utilization|clearstate, resource
// param|meta|utilization|constraints|scores|trace|untrace, maintenance, and
// configure edit with real editor scripts. Each verb changes exactly what it
// should in the served CIB; bad input is one line, a non-zero exit and no
// change (same epoch). trace_ra reaches a real ocf:heartbeat:Dummy through
// the scheduler's graph and the executor, which leaves a trace file.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "ra/executor.hpp"
#include "ra/ocf.hpp"
#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast;
using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

// node1 is up; node2 is down but was not expected down (unclean) and still
// has d1's history. d1 (with params and a 10s monitor) and d2 under
// constraints; t1 nowhere yet.
const char* verbs_cib =
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
      <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="d1-params">
          <nvpair id="d1-params-fake" name="fake" value="x"/>
        </instance_attributes>
        <operations>
          <op id="d1-monitor-10s" name="monitor" interval="10s"/>
        </operations>
      </primitive>
      <primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/>
      <group id="g">
        <primitive id="t1" class="ocf" provider="heartbeat" type="Dummy"/>
      </group>
    </resources>
    <constraints>
      <rsc_location id="loc1" rsc="d1" node="node1" score="100"/>
      <rsc_colocation id="col1" rsc="d2" with-rsc="d1" score="INFINITY"/>
      <rsc_order id="ord1" first="d1" then="d2" kind="Mandatory"/>
    </constraints>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="node2" in_ccm="false" crmd="offline" join="down" expected="member">
      <lrm id="2">
        <lrm_resources>
          <lrm_resource id="d2" class="ocf" provider="heartbeat" type="Dummy">
            <lrm_rsc_op id="d2_last_0" operation_key="d2_stop_0" operation="stop" transition-key="1:1:0:6b5f1c0e-0000-4000-8000-000000000001" transition-magic="0:0;1:1:0:6b5f1c0e-0000-4000-8000-000000000001" call-id="3" rc-code="0" op-status="0" interval="0" on_node="node2"/>
          </lrm_resource>
        </lrm_resources>
      </lrm>
    </node_state>
  </status>
</cib>
)";

struct verbs_daemon : daemon_fixture {
    static fs::path cib_file() {
        static temp_dir dir;  // lives as long as the test program
        const fs::path p = dir.path / "verbs-cib.xml";
        std::ofstream(p) << verbs_cib;
        return p;
    }
    verbs_daemon() : daemon_fixture(cib_file()) {}
};

cib::document served(const daemon_fixture& d) {
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_REQUIRE(xml.status == 0);
    auto doc = cib::load_string(xml.out, {}, "<cib show>");
    BOOST_REQUIRE_MESSAGE(doc, (doc ? "" : doc.error().to_string()));
    return std::move(*doc);
}

std::string epoch(const daemon_fixture& d) { return cib::version(served(d)).to_string(); }

// "set/pair=value" of NAME in the sets, "<unset>" when absent
std::string pair(const std::vector<cib::nvset>& sets, const std::string& name) {
    for (const auto& set : sets)
        for (const auto& p : set.pairs)
            if (p.name == name) return set.id + "/" + p.id + "=" + p.value;
    return "<unset>";
}

const cib::node_def& node(const cib::document& doc, const std::string& uname) {
    for (const auto& n : doc.model().nodes)
        if (n.uname == uname) return n;
    BOOST_FAIL("no node " + uname);
    throw;
}

const cib::resource* find(const std::vector<cib::resource>& list, const std::string& id) {
    for (const auto& r : list) {
        if (r.id == id) return &r;
        if (auto* c = find(r.children, id)) return c;
    }
    return nullptr;
}

const cib::resource& rsc(const cib::document& doc, const std::string& id) {
    auto* r = find(doc.model().resources, id);
    BOOST_REQUIRE_MESSAGE(r, "no resource " << id);
    return *r;
}

// "name@interval[trace_ra=V]" of each op
std::string ops(const cib::document& doc, const std::string& id) {
    std::string out;
    for (const auto& o : rsc(doc, id).ops) {
        out += (out.empty() ? "" : " ") + o.name + "@" + o.interval;
        const std::string t = pair(o.instance, "trace_ra");
        if (t != "<unset>") out += "[" + t.substr(t.find('=') + 1) + "]";
    }
    return out;
}

// Bad input: exit `status`, one line on stderr, the CIB as it was.
void refused(const daemon_fixture& d, const std::vector<std::string>& args, int status = 1) {
    const std::string before = epoch(d);
    auto r = d.cli(args);
    BOOST_TEST(r.status == status, args[0] << " " << args[1] << ": " << r.status << " " << r.err);
    BOOST_TEST(one_line(r.err), r.err);
    BOOST_TEST(epoch(d) == before);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_verbs)

BOOST_AUTO_TEST_CASE(node_attribute_and_utilization_set_show_delete) {
    verbs_daemon d;
    BOOST_TEST(d.cli({"node", "attribute", "node1", "set", "rack", "r 7"}).status == 0);
    BOOST_TEST(pair(node(served(d), "node1").attributes, "rack") == "nodes-1/nodes-1-rack=r 7");
    auto show = d.cli({"node", "attribute", "node1", "show", "rack"});
    BOOST_TEST(show.status == 0);
    BOOST_TEST(show.out == "r 7\n");
    auto json = d.cli({"node", "attribute", "node1", "show", "--output-as=json"});
    BOOST_TEST(json.out == "{\"node\": \"node1\", \"attributes\": {\"rack\": \"r 7\"}}\n");
    auto xml = d.cli({"node", "attribute", "node1", "show", "--output-as", "xml"});
    BOOST_TEST(xml.out.find("<nvpair name=\"rack\" value=\"r 7\"/>") != std::string::npos);

    BOOST_TEST(d.cli({"node", "utilization", "node1", "set", "cpu", "4"}).status == 0);
    auto doc = served(d);
    BOOST_TEST(pair(node(doc, "node1").utilization, "cpu") == "nodes-1-utilization/nodes-1-utilization-cpu=4");
    BOOST_TEST(pair(node(doc, "node1").attributes, "cpu") == "<unset>");
    BOOST_TEST(pair(node(doc, "node2").utilization, "cpu") == "<unset>");
    BOOST_TEST(d.cli({"node", "utilization", "node1", "show"}).out == "cpu=4\n");

    refused(d, {"node", "attribute", "node9", "set", "rack", "1"});
    refused(d, {"node", "attribute", "node1", "set", "rack"}, 2);
    refused(d, {"node", "attribute", "node1", "frob", "rack"}, 2);
    refused(d, {"node", "attribute", "node1", "delete", "nosuch"});
    refused(d, {"node", "attribute", "node1", "show", "nosuch"});
    refused(d, {"node", "utilization", "node1", "set", "bad name", "1"});
    refused(d, {"node", "frobnicate", "node1"}, 2);
    refused(d, {"node", "attribute", "node1", "set", "x", "1", "--output-as=json"}, 2);

    BOOST_TEST(d.cli({"node", "attribute", "node1", "delete", "rack"}).status == 0);
    BOOST_TEST(d.cli({"node", "utilization", "node1", "delete", "cpu"}).status == 0);
    doc = served(d);
    BOOST_TEST(pair(node(doc, "node1").attributes, "rack") == "<unset>");
    BOOST_TEST(pair(node(doc, "node1").utilization, "cpu") == "<unset>");
}

BOOST_AUTO_TEST_CASE(clearstate_marks_a_down_node_clean_and_refuses_a_member) {
    verbs_daemon d;
    refused(d, {"node", "clearstate", "node1"});
    auto r = d.cli({"node", "clearstate", "node1"});
    BOOST_TEST(r.err.find("active cluster member") != std::string::npos, r.err);
    refused(d, {"node", "clearstate", "node9"});
    refused(d, {"node", "clearstate"}, 2);

    BOOST_TEST(d.cli({"node", "clearstate", "node2"}).status == 0);
    auto doc = served(d);
    const cib::node_state* st = nullptr;
    for (const auto& s : doc.model().node_states)
        if (s.uname == "node2") st = &s;
    BOOST_REQUIRE(st);
    BOOST_TEST(st->expected == "down");
    BOOST_TEST(st->join == "down");
    BOOST_TEST(st->in_ccm == "false");
    BOOST_TEST(st->resources.empty());
    // the scheduler no longer wants node2 fenced
    auto ws = policy::unpack(doc.model(), std::time(nullptr));
    for (const auto& n : ws.nodes)
        if (n.uname == "node2") BOOST_TEST(!n.unclean);
}

BOOST_AUTO_TEST_CASE(resource_param_meta_utilization) {
    verbs_daemon d;
    BOOST_TEST(d.cli({"resource", "param", "d1", "set", "state", "/run/d1.state"}).status == 0);
    BOOST_TEST(d.cli({"resource", "param", "d2", "set", "offset", "-5"}).status == 0);
    BOOST_TEST(d.cli({"resource", "meta", "d1", "set", "resource-stickiness", "50"}).status == 0);
    BOOST_TEST(d.cli({"resource", "utilization", "d2", "set", "memory", "512"}).status == 0);
    auto doc = served(d);
    BOOST_TEST(pair(rsc(doc, "d1").instance, "state") == "d1-params/d1-params-state=/run/d1.state");
    BOOST_TEST(pair(rsc(doc, "d1").instance, "fake") == "d1-params/d1-params-fake=x");
    BOOST_TEST(pair(rsc(doc, "d2").instance, "offset") == "d2-instance_attributes/d2-instance_attributes-offset=-5");
    BOOST_TEST(pair(rsc(doc, "d1").meta, "resource-stickiness") ==
               "d1-meta_attributes/d1-meta_attributes-resource-stickiness=50");
    BOOST_TEST(pair(rsc(doc, "d2").utilization, "memory") == "d2-utilization/d2-utilization-memory=512");
    BOOST_TEST(pair(rsc(doc, "d1").meta, "state") == "<unset>");

    BOOST_TEST(d.cli({"resource", "param", "d1", "show", "state"}).out == "/run/d1.state\n");
    BOOST_TEST(d.cli({"resource", "param", "d1", "show"}).out == "fake=x\nstate=/run/d1.state\n");
    BOOST_TEST(d.cli({"resource", "meta", "d1", "show", "--output-as=json"}).out ==
               "{\"resource\": \"d1\", \"meta\": {\"resource-stickiness\": \"50\"}}\n");

    refused(d, {"resource", "param", "nosuch", "set", "a", "1"});
    refused(d, {"resource", "param", "d1", "set", "a"}, 2);
    refused(d, {"resource", "param", "d1", "delete", "nosuch"});
    refused(d, {"resource", "meta", "d1", "twiddle", "a"}, 2);
    refused(d, {"resource", "frobnicate", "d1"}, 2);
    refused(d, {"resource", "utilization", "g", "set", "memory", "1"});  // the schema has none for a group

    BOOST_TEST(d.cli({"resource", "param", "d1", "delete", "state"}).status == 0);
    BOOST_TEST(d.cli({"resource", "meta", "d1", "delete", "resource-stickiness"}).status == 0);
    doc = served(d);
    BOOST_TEST(pair(rsc(doc, "d1").instance, "state") == "<unset>");
    BOOST_TEST(pair(rsc(doc, "d1").instance, "fake") == "d1-params/d1-params-fake=x");
    BOOST_TEST(pair(rsc(doc, "d1").meta, "resource-stickiness") == "<unset>");
}

BOOST_AUTO_TEST_CASE(resource_constraints_and_scores) {
    verbs_daemon d;
    auto c = d.cli({"resource", "constraints", "d1"});
    BOOST_TEST(c.status == 0);
    BOOST_TEST(c.out ==
               "Locations:\n  * Node node1 (score=100, id=loc1)\n"
               "Resources colocated with d1:\n  * d2 (score=INFINITY, id=col1)\n"
               "Orders:\n  * start d1 then start d2 (Mandatory, id=ord1)\n");
    auto d2 = d.cli({"resource", "constraints", "d2", "--output-as=json"});
    BOOST_TEST(d2.out.find("\"colocated_with\": [{\"id\": \"col1\", \"rsc\": \"d1\", \"score\": \"INFINITY\"}]") !=
                   std::string::npos,
               d2.out);
    BOOST_TEST(d2.out.find("\"locations\": []") != std::string::npos, d2.out);
    refused(d, {"resource", "constraints", "nosuch"});

    auto s = d.cli({"resource", "scores"});
    BOOST_TEST(s.status == 0);
    BOOST_TEST(s.out.rfind("Allocation scores:\n", 0) == 0);
    BOOST_TEST(s.out.find("d1 allocation score on node1: 100") != std::string::npos, s.out);
    auto one = d.cli({"resource", "scores", "d2", "--output-as=json"});
    BOOST_TEST(one.out.find("\"resource\": \"d2\"") != std::string::npos, one.out);
    BOOST_TEST(one.out.find("\"resource\": \"d1\"") == std::string::npos, one.out);
    refused(d, {"resource", "scores", "nosuch"});
    refused(d, {"resource", "scores", "--output-as=yaml"}, 2);
}

BOOST_AUTO_TEST_CASE(maintenance_on_off) {
    verbs_daemon d;
    BOOST_TEST(d.cli({"maintenance", "on"}).status == 0);
    BOOST_TEST(property(served(d), "maintenance-mode") == "true");
    BOOST_TEST(d.cli({"maintenance", "off"}).status == 0);
    BOOST_TEST(property(served(d), "maintenance-mode") == "false");
    BOOST_TEST(d.cli({"maintenance", "on", "d1"}).status == 0);
    auto doc = served(d);
    BOOST_TEST(pair(rsc(doc, "d1").meta, "maintenance") == "d1-meta_attributes/d1-meta_attributes-maintenance=true");
    BOOST_TEST(property(doc, "maintenance-mode") == "false");
    refused(d, {"maintenance", "maybe"}, 2);
    refused(d, {"maintenance"}, 2);
    refused(d, {"maintenance", "on", "nosuch"});
}

BOOST_AUTO_TEST_CASE(trace_and_untrace_edit_the_ops_as_crmsh) {
    verbs_daemon d;
    BOOST_TEST(d.cli({"resource", "trace", "d1", "start"}).status == 0);
    BOOST_TEST(ops(served(d), "d1") == "monitor@10s start@0[1]");
    BOOST_TEST(d.cli({"resource", "trace", "d1"}).status == 0);
    BOOST_TEST(ops(served(d), "d1") == "monitor@10s[1] start@0[1] stop@0[1]");
    BOOST_TEST(d.cli({"resource", "untrace", "d1", "monitor"}).status == 0);
    BOOST_TEST(ops(served(d), "d1") == "monitor@10s start@0[1] stop@0[1]");

    refused(d, {"resource", "trace", "d1", "monitor", "20s"});
    refused(d, {"resource", "trace", "d2", "monitor"});
    refused(d, {"resource", "trace", "g"});
    refused(d, {"resource", "trace", "nosuch"});
    refused(d, {"resource", "untrace", "d1", "promote"});
    refused(d, {"resource", "trace", "d1", "start", "0", "extra"}, 2);

    BOOST_TEST(d.cli({"resource", "untrace", "d1"}).status == 0);
    BOOST_TEST(ops(served(d), "d1") == "monitor@10s");  // the ops trace added are gone
    const std::string before = epoch(d);
    BOOST_TEST(d.cli({"resource", "untrace", "d1"}).status == 0);  // nothing traced: nothing sent
    BOOST_TEST(epoch(d) == before);
}

// trace_ra=1 in the CIB reaches the agent: the scheduler's start of t1 carries
// it, and the executor run with the graph's attributes (as holdfastd's
// executor runs it) makes ocf-shellfuncs write its trace.
BOOST_AUTO_TEST_CASE(trace_ra_makes_a_real_dummy_write_a_trace) {
    if (access((ra::ocf_root() + "/resource.d/heartbeat/Dummy").c_str(), X_OK) != 0 || geteuid() != 0) {
        BOOST_TEST_MESSAGE("ocf:heartbeat:Dummy not installed, or not root: skipped");
        return;
    }
    verbs_daemon d;
    BOOST_TEST(d.cli({"resource", "trace", "t1", "start"}).status == 0);
    auto doc = served(d);
    auto ws = policy::unpack(doc.model(), std::time(nullptr));
    auto result = policy::schedule(ws);
    const policy::graph_action* start = nullptr;
    for (const auto& a : result.graph.actions)
        if (a.rsc_id == "t1" && a.task == "start") start = &a;
    BOOST_REQUIRE(start);
    BOOST_TEST(start->attributes.at("trace_ra") == "1");

    temp_dir state;
    const std::string instance = "t1-trace-" + std::to_string(getpid());
    ra::operation op{instance, start->rsc_class, start->rsc_provider, start->rsc_type, "start", 0,
                     20000,    start->attributes};
    op.params["state"] = (state.path / "t1.state").string();
    const fs::path dir = fs::path("/var/lib/heartbeat/trace_ra/Dummy");
    auto r = ra::run(op);
    BOOST_TEST(r.rc == 0, r.exit_reason);
    int traces = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.path().filename().string().rfind(instance + ".start.", 0) != 0) continue;
        ++traces;
        BOOST_TEST(fs::file_size(e.path()) > 0u);
        fs::remove(e.path());
    }
    BOOST_TEST(traces == 1);
    op.action = "stop";
    op.params.erase("trace_ra");
    BOOST_TEST(ra::run(op).rc == 0);
}

namespace {

// `holdfast configure edit` with EDITOR a script of `body` (run as sh, "$1"
// the file); stdin is not a terminal, so a bad edit is not offered again.
run_result edit_with(const daemon_fixture& d, const temp_dir& tmp, const std::string& body) {
    const fs::path script = tmp.path / "editor.sh";
    std::ofstream(script) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(script, fs::perms::owner_all);
    auto env = d.cli_env();
    env.push_back("VISUAL=");
    env.push_back("EDITOR=" + script.string());
    return run({HOLDFAST_BIN, "configure", "edit"}, env);
}

std::string location_score(const cib::document& doc, const std::string& id) {
    for (const auto& l : doc.model().locations)
        if (l.id == id) return l.score;
    return "<none>";
}

}  // namespace

BOOST_AUTO_TEST_CASE(configure_edit_commits_a_good_edit_only) {
    verbs_daemon d;
    temp_dir tmp;
    // the editor sees configure show's text
    const std::string shown = d.cli({"configure", "show"}).out;
    BOOST_REQUIRE(shown.find("location loc1 d1 100: node1\n") != std::string::npos);

    auto good = edit_with(d, tmp, "sed -i 's/^location loc1 d1 100: node1$/location loc1 d1 200: node1/' \"$1\"");
    BOOST_TEST(good.status == 0, good.err);
    auto doc = served(d);
    BOOST_TEST(location_score(doc, "loc1") == "200");
    BOOST_TEST(rsc(doc, "d1").instance.size() == 1u);  // the rest as it was
    BOOST_TEST(ops(doc, "d1") == "monitor@10s");

    const std::string before = epoch(d);
    auto same = edit_with(d, tmp, "true");  // nothing edited: nothing sent
    BOOST_TEST(same.status == 0, same.err);
    BOOST_TEST(epoch(d) == before);

    auto garbage = edit_with(d, tmp, "echo 'primitive broken ocf:heartbeat:' >> \"$1\"");
    BOOST_TEST(garbage.status == 1);
    BOOST_TEST(one_line(garbage.err), garbage.err);
    BOOST_TEST(garbage.err.find("line ") != std::string::npos, garbage.err);
    BOOST_TEST(epoch(d) == before);

    auto dangling = edit_with(d, tmp, "echo 'colocation c9 inf: d1 nosuch' >> \"$1\"");
    BOOST_TEST(dangling.status == 1);
    BOOST_TEST(one_line(dangling.err), dangling.err);
    BOOST_TEST(epoch(d) == before);

    auto failed = edit_with(d, tmp, "sed -i 's/100/300/' \"$1\"; exit 3");
    BOOST_TEST(failed.status == 1);
    BOOST_TEST(epoch(d) == before);
    BOOST_TEST(location_score(served(d), "loc1") == "200");
}

// A change made while the editor runs wins; the edit is refused by the
// daemon (its epoch precondition), not overwritten.
BOOST_AUTO_TEST_CASE(configure_edit_refuses_when_the_cib_changed_meanwhile) {
    verbs_daemon d;
    temp_dir tmp;
    const std::string concurrent = std::string("HOLDFAST_IPC_NAME=") + d.ipc + " " + HOLDFAST_BIN +
                                   " configure property concurrent-edit=1 || exit 9\n";
    auto r =
        edit_with(d, tmp, concurrent + "sed -i 's/^location loc1 d1 100: node1$/location loc1 d1 200: node1/' \"$1\"");
    BOOST_TEST(r.status == 1, r.err);
    BOOST_TEST(one_line(r.err), r.err);
    BOOST_TEST(r.err.find("changed since it was read") != std::string::npos, r.err);
    auto doc = served(d);
    BOOST_TEST(property(doc, "concurrent-edit") == "1");
    BOOST_TEST(location_score(doc, "loc1") == "100");
}

BOOST_AUTO_TEST_SUITE_END()
