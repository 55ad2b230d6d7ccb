// tools/: the crm shell text of `holdfast configure show` (crm_text.hpp).
#include <boost/test/unit_test.hpp>
#include <string>

#include "cib/cib.hpp"
#include "tools/holdfast/crm_text.hpp"

namespace {

std::string render(const std::string& configuration) {
    std::string xml = "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">" +
                      configuration + "<status/></cib>";
    auto doc = holdfast::cib::load_string(xml, {}, "<test>");
    BOOST_REQUIRE_MESSAGE(doc, (doc ? "" : doc.error().to_string()));
    return holdfast::tools::format_crm_configuration(*doc);
}

bool contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return true;
    BOOST_TEST_MESSAGE("not found:\n" << part << "\nin:\n" << text);
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crm_text)

BOOST_AUTO_TEST_CASE(nodes_primitives_and_options) {
    std::string out = render(R"(<configuration>
  <crm_config>
    <cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
      <nvpair id="o2" name="cluster-name" value="two words"/>
    </cluster_property_set>
  </crm_config>
  <nodes>
    <node id="1" uname="node1">
      <instance_attributes id="n1-attrs"><nvpair id="n1-s" name="standby" value="on"/></instance_attributes>
      <utilization id="n1-u"><nvpair id="n1-cpu" name="cpu" value="4"/></utilization>
    </node>
    <node id="2" uname="node2"/>
  </nodes>
  <resources>
    <primitive id="fence" class="stonith" type="fence_ipmilan">
      <instance_attributes id="fence-p"><nvpair id="fence-ip" name="ip" value="192.0.2.1"/></instance_attributes>
    </primitive>
    <primitive id="web" class="ocf" provider="heartbeat" type="apache" description="the site">
      <instance_attributes id="web-p">
        <nvpair id="web-c" name="configfile" value="/etc/apache2/a b.conf"/>
        <nvpair id="web-q" name="quote" value="say &quot;hi&quot;"/>
      </instance_attributes>
      <meta_attributes id="web-m"><nvpair id="web-t" name="target-role" value="Stopped"/></meta_attributes>
      <operations>
        <op id="web-mon" name="monitor" interval="10s" timeout="20s">
          <instance_attributes id="web-mon-p"><nvpair id="web-cl" name="OCF_CHECK_LEVEL" value="10"/></instance_attributes>
        </op>
        <op id="web-start" name="start" interval="0" timeout="40s"/>
      </operations>
    </primitive>
    <primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>
    <primitive id="svc" class="systemd" type="nginx"/>
  </resources>
  <constraints/>
  <rsc_defaults>
    <meta_attributes id="rsc-options"><nvpair id="r1" name="resource-stickiness" value="100"/></meta_attributes>
  </rsc_defaults>
  <op_defaults>
    <meta_attributes id="op-options"><nvpair id="p1" name="timeout" value="240s"/></meta_attributes>
  </op_defaults>
</configuration>)");
    BOOST_TEST(contains(out, "node 1: node1 \\\n\tattributes standby=on \\\n\tutilization cpu=4\nnode 2: node2\n"));
    BOOST_TEST(contains(out, "primitive fence stonith:fence_ipmilan \\\n\tparams ip=192.0.2.1\n"));
    BOOST_TEST(contains(out,
                        "primitive web apache description=\"the site\" \\\n"
                        "\tparams configfile=\"/etc/apache2/a b.conf\" quote=\"say \\\"hi\\\"\" \\\n"
                        "\tmeta target-role=Stopped \\\n"
                        "\top monitor interval=10s timeout=20s OCF_CHECK_LEVEL=10 \\\n"
                        "\top start interval=0 timeout=40s\n"));
    BOOST_TEST(contains(out, "primitive d ocf:pacemaker:Dummy\n"));
    BOOST_TEST(contains(out, "primitive svc systemd:nginx\n"));
    BOOST_TEST(contains(out,
                        "property cib-bootstrap-options: \\\n\tstonith-enabled=false \\\n"
                        "\tcluster-name=\"two words\"\n"));
    BOOST_TEST(contains(out, "rsc_defaults rsc-options: \\\n\tresource-stickiness=100\n"));
    BOOST_TEST(contains(out, "op_defaults op-options: \\\n\ttimeout=240s\n"));
    // crm's order: nodes, resources, then the options
    BOOST_TEST(out.find("node 1") < out.find("primitive fence"));
    BOOST_TEST(out.find("primitive svc") < out.find("property"));
}

BOOST_AUTO_TEST_CASE(groups_clones_and_promotable_clones) {
    std::string out = render(R"(<configuration>
  <crm_config/>
  <nodes/>
  <resources>
    <group id="g">
      <primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>
      <primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/>
      <meta_attributes id="g-m"><nvpair id="g-t" name="target-role" value="Started"/></meta_attributes>
    </group>
    <clone id="c">
      <meta_attributes id="c-m"><nvpair id="c-i" name="interleave" value="true"/></meta_attributes>
      <primitive id="p" class="ocf" provider="pacemaker" type="Stateful"/>
    </clone>
    <master id="ms">
      <primitive id="q" class="ocf" provider="pacemaker" type="Stateful"/>
    </master>
  </resources>
  <constraints/>
</configuration>)");
    BOOST_TEST(contains(out, "primitive a ocf:pacemaker:Dummy\nprimitive b ocf:pacemaker:Dummy\n"));
    BOOST_TEST(contains(out, "group g a b \\\n\tmeta target-role=Started\n"));
    BOOST_TEST(contains(out, "clone c p \\\n\tmeta interleave=true\n"));
    BOOST_TEST(contains(out, "ms ms q\n"));
    // primitives first, then groups, then clones (as crm lists them)
    BOOST_TEST(out.find("primitive q") < out.find("group g"));
    BOOST_TEST(out.find("group g") < out.find("clone c"));
}

BOOST_AUTO_TEST_CASE(constraints_in_crm_syntax) {
    std::string out = render(R"(<configuration>
  <crm_config/>
  <nodes><node id="1" uname="node1"/></nodes>
  <resources>
    <primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>
    <primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/>
    <primitive id="c" class="ocf" provider="pacemaker" type="Dummy"/>
    <primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/>
  </resources>
  <constraints>
    <rsc_location id="l1" rsc="a" node="node1" score="-INFINITY"/>
    <rsc_location id="l2" rsc-pattern="^b" node="node1" score="50" resource-discovery="never"/>
    <rsc_location id="l3" rsc="c" role="Promoted">
      <rule id="l3-r" score="-INFINITY" boolean-op="or">
        <expression id="l3-e1" attribute="pingd" operation="not_defined"/>
        <expression id="l3-e2" attribute="pingd" operation="lte" value="0" type="number"/>
      </rule>
      <rule id="l3-r2" score-attribute="pingd">
        <expression id="l3-e3" attribute="#uname" operation="eq" value="node1"/>
        <date_expression id="l3-d" operation="gt" start="2024-01-01"/>
      </rule>
    </rsc_location>
    <rsc_colocation id="co" score="INFINITY" rsc="a" with-rsc="b" rsc-role="Started" with-rsc-role="Promoted"/>
    <rsc_order id="o1" kind="Mandatory" first="a" then="b" first-action="promote" then-action="start"/>
    <rsc_order id="o2" score="0" first="b" then="c" symmetrical="false"/>
    <rsc_order id="o3" kind="Optional">
      <resource_set id="o3-s1"><resource_ref id="a"/><resource_ref id="b"/></resource_set>
      <resource_set id="o3-s2" sequential="false"><resource_ref id="c"/><resource_ref id="d"/></resource_set>
    </rsc_order>
    <rsc_colocation id="co-set" score="INFINITY">
      <resource_set id="co-s1"><resource_ref id="a"/><resource_ref id="c"/></resource_set>
    </rsc_colocation>
    <rsc_ticket id="t" ticket="tk" rsc="d" loss-policy="stop"/>
  </constraints>
</configuration>)");
    BOOST_TEST(contains(out, "location l1 a -inf: node1\n"));
    BOOST_TEST(contains(out, "location l2 /^b/ resource-discovery=never 50: node1\n"));
    BOOST_TEST(contains(out,
                        "location l3 c role=Promoted \\\n"
                        "\trule -inf: not_defined pingd or pingd number:lte 0 \\\n"
                        "\trule pingd: #uname eq node1 and date gt 2024-01-01\n"));
    BOOST_TEST(contains(out, "colocation co inf: a:Started b:Promoted\n"));
    BOOST_TEST(contains(out, "order o1 Mandatory: a:promote b:start\n"));
    BOOST_TEST(contains(out, "order o2 0: b c symmetrical=false\n"));
    BOOST_TEST(contains(out, "order o3 Optional: a b ( c d )\n"));
    BOOST_TEST(contains(out, "rsc_ticket t tk: d loss-policy=stop\n"));
    // no crm form we are sure of: shown as XML, on one line
    BOOST_TEST(contains(out,
                        "xml <rsc_colocation id=\"co-set\" score=\"INFINITY\"><resource_set id=\"co-s1\">"
                        "<resource_ref id=\"a\"/><resource_ref id=\"c\"/></resource_set></rsc_colocation>\n"));
}

BOOST_AUTO_TEST_CASE(what_crm_syntax_cannot_say_is_shown_as_xml) {
    std::string out = render(R"(<configuration>
  <crm_config>
    <cluster_property_set id="ruled">
      <rule id="ruled-r" score="0"><date_expression id="ruled-d" operation="lt" end="2030-01-01"/></rule>
      <nvpair id="ruled-1" name="maintenance-mode" value="true"/>
    </cluster_property_set>
  </crm_config>
  <nodes/>
  <resources>
    <primitive id="a" class="ocf" provider="pacemaker" type="Dummy">
      <meta_attributes id="a-m">
        <rule id="a-r" score="0"><expression id="a-e" attribute="#uname" operation="eq" value="x"/></rule>
        <nvpair id="a-n" name="target-role" value="Stopped"/>
      </meta_attributes>
    </primitive>
    <bundle id="bd">
      <docker image="img"/>
    </bundle>
  </resources>
  <constraints/>
</configuration>)");
    BOOST_TEST(contains(out, "xml <cluster_property_set id=\"ruled\">"));
    BOOST_TEST(contains(out, "xml <primitive id=\"a\""));
    BOOST_TEST(contains(out, "xml <bundle id=\"bd\"><docker image=\"img\"/></bundle>\n"));
    // each element whole on its one line
    BOOST_TEST(contains(out, "</cluster_property_set>\n"));
    BOOST_TEST(contains(out, "</primitive>\n"));
    for (size_t at = out.find("xml "); at != std::string::npos; at = out.find("\nxml ", at + 1)) {
        size_t end = out.find('\n', at + 1);
        BOOST_TEST(out.compare(end - 1, 1, ">") == 0);
    }
}

BOOST_AUTO_TEST_SUITE_END()
