// daemon_ipc, CIB changes: `holdfast configure ...` and `holdfast node ...`
// against the real holdfastd, checked through the CIB it serves and stores
// (epochs, elements, exit codes), and against Debian's Pacemaker tools.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cib/cib.hpp"
#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast;
using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

const fs::path example = fs::path(HOLDFAST_SOURCE_DIR) / "examples/two-node-vm.xml";

cib::document served_cib(const daemon_fixture& d) {
    auto xml = d.cli({"cib", "show", "--xml"});
    BOOST_REQUIRE(xml.status == 0);
    auto doc = cib::load_string(xml.out, {}, "<cib show>");
    BOOST_REQUIRE(doc);
    return std::move(*doc);
}

std::string epoch(const daemon_fixture& d) { return served_cib(d).model().epoch; }

std::string node_attribute(const cib::document& doc, const std::string& uname, const std::string& name) {
    for (const auto& n : doc.model().nodes)
        if (n.uname == uname)
            for (const auto& set : n.attributes)
                for (const auto& p : set.pairs)
                    if (p.name == name) return p.value;
    return "<unset>";
}

fs::path write(const fs::path& dir, const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return dir / name;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const char* small_configuration = R"(<configuration>
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
    <group id="web">
      <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="ip-params">
          <nvpair id="ip-ip" name="ip" value="192.0.2.10"/>
        </instance_attributes>
        <operations>
          <op id="ip-monitor" name="monitor" interval="10s" timeout="20s"/>
        </operations>
      </primitive>
      <primitive id="dummy" class="ocf" provider="pacemaker" type="Dummy"/>
    </group>
  </resources>
  <constraints>
    <rsc_location id="web-prefers-node1" rsc="web" node="node1" score="100"/>
  </constraints>
</configuration>
)";

}  // namespace

BOOST_AUTO_TEST_CASE(configure_property_and_load_change_the_served_and_stored_cib) {
    daemon_fixture d(true);
    BOOST_TEST(epoch(d) == "12");
    auto set = d.cli({"configure", "property", "stonith-enabled=false", "batch-limit=7"});
    BOOST_TEST(set.status == 0);
    auto doc = served_cib(d);
    BOOST_TEST(doc.model().epoch == "14");  // one change per pair
    BOOST_TEST(property(doc, "stonith-enabled") == "false");
    BOOST_TEST(property(doc, "batch-limit") == "7");
    BOOST_TEST(d.cli({"configure", "property", "--delete", "batch-limit"}).status == 0);
    BOOST_TEST(property(served_cib(d), "batch-limit") == "<unset>");
    BOOST_TEST(epoch(d) == "15");

    // update merges: a new primitive next to the old ones
    auto update = write(d.dir, "update.xml",
                        "<configuration><resources><primitive id=\"extra\" class=\"ocf\" provider=\"pacemaker\" "
                        "type=\"Dummy\"/></resources></configuration>\n");
    BOOST_TEST(d.cli({"configure", "load", "update", update.string()}).status == 0);
    doc = served_cib(d);
    BOOST_TEST(doc.model().epoch == "16");
    BOOST_TEST(has_resource(doc, "extra"));
    BOOST_TEST(has_resource(doc, "vm-web"));

    // replace swaps the whole configuration
    auto replace = write(d.dir, "replace.xml", small_configuration);
    BOOST_TEST(d.cli({"configure", "load", "replace", replace.string()}).status == 0);
    doc = served_cib(d);
    BOOST_TEST(doc.model().epoch == "17");
    BOOST_TEST(has_resource(doc, "web"));
    BOOST_TEST(!has_resource(doc, "vm-web"));
    BOOST_TEST(!has_resource(doc, "extra"));

    // what the daemon stored is what it serves
    auto stored = cib::load_file((d.dir / "cib.xml").string());
    BOOST_REQUIRE(stored);
    BOOST_TEST(stored->model().epoch == "17");
}

BOOST_AUTO_TEST_CASE(a_bad_file_or_an_invalid_change_changes_nothing) {
    daemon_fixture d(true);
    auto malformed = write(d.dir, "malformed.xml", "<configuration>\n  <crm_config>\n</configuration>\n");
    auto r = d.cli({"configure", "load", "update", malformed.string()});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(one_line(r.err));
    BOOST_TEST(r.err.find(malformed.string() + ":") != std::string::npos);  // file:line

    auto invalid =
        write(d.dir, "invalid.xml", "<configuration><resources><bogus id=\"b\"/></resources></configuration>");
    r = d.cli({"configure", "load", "update", invalid.string()});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(one_line(r.err));

    auto not_a_cib = write(d.dir, "other.xml", "<html/>");
    BOOST_TEST(d.cli({"configure", "load", "replace", not_a_cib.string()}).status == 1);
    BOOST_TEST(d.cli({"configure", "load", "update", (d.dir / "missing.xml").string()}).status == 1);
    BOOST_TEST(d.cli({"configure", "property", "no-equals-sign"}).status == 2);
    BOOST_TEST(d.cli({"configure", "lod", "update", invalid.string()}).status == 2);
    BOOST_TEST(d.cli({"configure", "load", "merge", invalid.string()}).status == 2);
    BOOST_TEST(epoch(d) == "12");
}

BOOST_AUTO_TEST_CASE(node_standby_online_maintenance_ready) {
    daemon_fixture d(true);
    BOOST_TEST(d.cli({"node", "standby", "node1"}).status == 0);
    BOOST_TEST(node_attribute(served_cib(d), "node1", "standby") == "on");
    BOOST_TEST(d.cli({"node", "online", "node1"}).status == 0);
    BOOST_TEST(node_attribute(served_cib(d), "node1", "standby") == "off");
    BOOST_TEST(d.cli({"node", "maintenance", "node2"}).status == 0);
    BOOST_TEST(node_attribute(served_cib(d), "node2", "maintenance") == "on");
    BOOST_TEST(d.cli({"node", "ready", "node2"}).status == 0);
    auto doc = served_cib(d);
    BOOST_TEST(node_attribute(doc, "node2", "maintenance") == "off");
    BOOST_TEST(node_attribute(doc, "node2", "standby") == "<unset>");
    BOOST_TEST(doc.model().epoch == "16");

    auto unknown = d.cli({"node", "standby", "node9"});
    BOOST_TEST(unknown.status != 0);
    BOOST_TEST(one_line(unknown.err));
    BOOST_TEST(unknown.err.find("unknown node 'node9'") != std::string::npos);
    BOOST_TEST(d.cli({"node", "stanby", "node1"}).status == 2);
    BOOST_TEST(epoch(d) == "16");
}

BOOST_AUTO_TEST_CASE(configure_show_renders_crm_syntax_and_xml) {
    daemon_fixture d(true);
    auto replace = write(d.dir, "replace.xml", small_configuration);
    BOOST_REQUIRE(d.cli({"configure", "load", "replace", replace.string()}).status == 0);
    auto text = d.cli({"configure", "show"});
    BOOST_TEST(text.status == 0);
    for (const char* line : {"node 1: node1\n",
                             "primitive ip IPaddr2 \\\n\tparams ip=192.0.2.10 \\\n\top monitor "
                             "interval=10s timeout=20s\n",
                             "primitive dummy ocf:pacemaker:Dummy\n", "group web ip dummy\n",
                             "location web-prefers-node1 web 100: node1\n",
                             "property cib-bootstrap-options: \\\n\tstonith-enabled=false\n"})
        BOOST_TEST(text.out.find(line) != std::string::npos, "missing: " << line);
    auto xml = d.cli({"configure", "show", "--xml"});
    BOOST_TEST(xml.status == 0);
    BOOST_TEST(xml.out.rfind("<configuration>", 0) == 0);
    BOOST_TEST(xml.out.find("<primitive id=\"dummy\"") != std::string::npos);
    BOOST_TEST(xml.out.find("<status") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(crm_text_files_and_objects_on_the_command_line) {
    daemon_fixture d(true);
    auto replace = write(d.dir, "replace.crm",
                         "node 1: node1\nnode 2: node2\n"
                         "primitive ip IPaddr2 params ip=192.0.2.10 \\\n  op monitor interval=10s timeout=20s\n"
                         "primitive dummy ocf:pacemaker:Dummy\n"
                         "# the site\n"
                         "group web ip dummy\n"
                         "location web-prefers-node1 web 100: node1\n"
                         "property stonith-enabled=false\n");
    BOOST_REQUIRE(d.cli({"configure", "load", "replace", replace.string()}).status == 0);
    auto doc = served_cib(d);
    BOOST_TEST(has_resource(doc, "web"));
    BOOST_TEST(!has_resource(doc, "vm-web"));
    BOOST_TEST(property(doc, "stonith-enabled") == "false");

    // one object on the command line, as operators write it
    auto r = d.cli({"configure", "primitive", "vm1", "ocf:holdfast:VirtualMachine", "params",
                    "config=/etc/libvirt/qemu/vm1.xml", "meta", "allow-migrate=true", "op", "monitor", "interval=10s",
                    "timeout=30s"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(d.cli({"configure", "location", "vm1-on-node2", "vm1", "50:", "node2"}).status == 0);
    auto shown = d.cli({"configure", "show"});
    BOOST_TEST(shown.out.find("primitive vm1 ocf:holdfast:VirtualMachine \\\n\tparams config=/etc/libvirt/qemu/vm1.xml "
                              "\\\n\tmeta allow-migrate=true \\\n\top monitor interval=10s timeout=30s\n") !=
                   std::string::npos,
               shown.out);
    BOOST_TEST(shown.out.find("location vm1-on-node2 vm1 50: node2\n") != std::string::npos);
    const std::string before = epoch(d);

    // a mistake or a taken id: one line naming the word, exit 1, nothing changed
    r = d.cli({"configure", "primitive", "vm2", "Dummy", "parms", "x=1"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(one_line(r.err));
    BOOST_TEST(r.err.find("line 1, word 4 \"parms\": unknown keyword") != std::string::npos, r.err);
    BOOST_TEST(d.cli({"configure", "primitive", "vm1", "Dummy"}).status == 1);
    auto bad = write(d.dir, "bad.crm", "primitive ok Dummy\nprimitive broken ocf:pacemaker\n");
    r = d.cli({"configure", "load", "update", bad.string()});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err.find(bad.string() + ": line 2, word 3") != std::string::npos, r.err);
    BOOST_TEST(epoch(d) == before);

    // load update replaces the objects it names and keeps the others
    auto update = write(d.dir, "update.crm", "primitive vm1 Dummy params x=1\n");
    BOOST_TEST(d.cli({"configure", "load", "update", update.string()}).status == 0);
    shown = d.cli({"configure", "show"});
    BOOST_TEST(shown.out.find("primitive vm1 Dummy \\\n\tparams x=1\n") != std::string::npos, shown.out);
    BOOST_TEST(shown.out.find("group web ip dummy\n") != std::string::npos);

    // what show prints loads back to the same configuration
    auto all = write(d.dir, "all.crm", shown.out);
    BOOST_TEST(d.cli({"configure", "load", "replace", all.string()}).status == 0);
    BOOST_TEST(d.cli({"configure", "show"}).out == shown.out);

    // rename follows the references; delete takes them along
    BOOST_TEST(d.cli({"configure", "rename", "vm1", "vm9"}).status == 0);
    shown = d.cli({"configure", "show"});
    BOOST_TEST(shown.out.find("location vm1-on-node2 vm9 50: node2\n") != std::string::npos, shown.out);
    BOOST_TEST(d.cli({"configure", "delete", "vm9"}).status == 0);
    shown = d.cli({"configure", "show"});
    BOOST_TEST(shown.out.find("vm9") == std::string::npos, shown.out);
    BOOST_TEST(has_resource(served_cib(d), "web"));
    auto missing = d.cli({"configure", "delete", "nope"});
    BOOST_TEST(missing.status == 1);
    BOOST_TEST(one_line(missing.err));
    BOOST_TEST(d.cli({"configure", "rename", "web"}).status == 2);
}

BOOST_AUTO_TEST_CASE(configure_verify_checks_the_daemons_cib) {
    {
        daemon_fixture good(true);
        BOOST_TEST(good.cli({"configure", "verify"}).status == 0);
    }
    // schema-valid (the IDREF names an nvpair) but ordering something that is
    // not a resource: the daemon serves it, verify reports it as `holdfast
    // verify -x` would
    temp_dir tmp;
    std::string text = read_file(example);
    auto at = text.find("</constraints>");
    BOOST_REQUIRE(at != std::string::npos);
    text.insert(at, "<rsc_order id=\"dangling\" first=\"opt-cluster-name\" then=\"vm-web\"/>\n");
    auto bad_cib = write(tmp.path, "bad.xml", text);
    BOOST_TEST(test::run({HOLDFAST_BIN, "verify", "-x", bad_cib.string()}, {}).status == 1);
    daemon_fixture bad(bad_cib);
    auto r = bad.cli({"configure", "verify"});
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err.find("dangling") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_stored_cib_is_read_by_pacemakers_tools) {
    daemon_fixture d(true);
    BOOST_REQUIRE(d.cli({"configure", "property", "stonith-enabled=false"}).status == 0);
    BOOST_REQUIRE(d.cli({"node", "standby", "node2"}).status == 0);
    std::string file = (d.dir / "cib.xml").string();
    if (auto crm_verify = installed("crm_verify"); !crm_verify.empty())
        BOOST_TEST(test::run({crm_verify, "-x", file}, {}).status == 0);
    else
        BOOST_TEST_MESSAGE("crm_verify not installed: skipped");
    if (auto crm_mon = installed("crm_mon"); !crm_mon.empty()) {
        auto mon = test::run({crm_mon, "-1"}, {"CIB_file=" + file});
        BOOST_TEST(mon.status == 0);
        BOOST_TEST(mon.out.find("node2") != std::string::npos);
    } else {
        BOOST_TEST_MESSAGE("crm_mon not installed: skipped");
    }
}

BOOST_AUTO_TEST_CASE(version_and_a_mistyped_command) {
    auto v = test::run({HOLDFAST_BIN, "--version"}, {});
    BOOST_TEST(v.status == 0);
    BOOST_TEST(v.out.rfind("holdfast ", 0) == 0);
    BOOST_TEST(test::run({HOLDFAST_BIN, "version"}, {}).out == v.out);
    auto typo = test::run({HOLDFAST_BIN, "stauts"}, {});
    BOOST_TEST(typo.status == 2);
    BOOST_TEST(typo.err.find("unknown command 'stauts'") != std::string::npos);
}

namespace {

// The lines of the "Failed Resource Actions:" section of a status text.
std::vector<std::string> failed_section(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line == "Failed Resource Actions:") {
            inside = true;
        } else if (inside && line.rfind("  * ", 0) == 0) {
            out.push_back(line);
        } else if (inside) {
            break;
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

// Failed actions as crm_mon words them: a failed monitor, a timed-out one, a
// failed probe (a CIB as holdfastd wrote it in the lab, plus two histories).
BOOST_AUTO_TEST_CASE(status_lists_failed_actions_as_crm_mon_does) {
    const fs::path cib = fs::path(HOLDFAST_SOURCE_DIR) / "test/daemon/data/failed-actions.xml";
    daemon_fixture d(cib);
    auto text = d.cli({"status"});
    BOOST_REQUIRE(text.status == 0);
    auto ours = failed_section(text.out);
    BOOST_REQUIRE_EQUAL(ours.size(), 3u);
    BOOST_TEST(ours[0].find("* d1 2s-interval monitor on node1 returned 'not running' (No process state file "
                            "found) at ") != std::string::npos);
    BOOST_TEST(ours[0].find(" after 16ms") != std::string::npos);
    BOOST_TEST(ours[1].find("* d2 10s-interval monitor on node2 could not be executed (Timed Out: monitor timed out "
                            "after 20000ms) at ") != std::string::npos);
    BOOST_TEST(ours[2].find("* d3 probe on node2 returned 'error' at ") != std::string::npos);
    BOOST_TEST(ours[2].find(" after 1m1.500s") != std::string::npos);
    if (auto crm_mon = installed("crm_mon"); !crm_mon.empty()) {
        auto mon = test::run({crm_mon, "-1"}, {"CIB_file=" + cib.string()});
        BOOST_TEST(failed_section(mon.out) == ours, "crm_mon -1 on the same CIB lists the same lines");
    }
    auto xml = d.cli({"status", "--output-as=xml"});
    BOOST_TEST(xml.out.find("<failure op_key=\"d1_monitor_2000\" node=\"node1\" exitstatus=\"not running\"") !=
               std::string::npos);
    auto json = d.cli({"status", "--output-as=json"});
    BOOST_TEST(json.out.find("\"failures\": [") != std::string::npos);
}
