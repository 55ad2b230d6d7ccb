// holdfast explain: exit statuses against a CIB file, and the xml and json
// documents (man/holdfast.8, EXPLAIN OUTPUT) of an explanation.
#include <boost/test/unit_test.hpp>

#include <string>

#include "policy/explain.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/explain_doc.hpp"

namespace tools = holdfast::tools;
namespace hp = holdfast::policy;

namespace {

const std::string example = std::string(HOLDFAST_SOURCE_DIR) + "/examples/two-node-vm.xml";

hp::explanation small() {
    hp::explanation e;
    e.rsc = "vm1";
    e.variant = "primitive";
    e.active_on = {"n1"};
    e.planned_on = {"n2"};
    e.verdict = "vm1 will move from n1 to n2";
    e.reasons = {"n1 is in \"standby\""};
    hp::node_facts n2;
    n2.node = "n2";
    n2.allowed = true;
    n2.score = 100;
    n2.parts = {{"location", "l1", "", 100, "location l1 100"}};
    hp::node_facts n1;
    n1.node = "n1";
    n1.allowed = true;
    n1.conditions = {"standby"};
    e.nodes = {n2, n1};
    return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tools_explain)

BOOST_AUTO_TEST_CASE(explains_a_resource_of_a_cib_file) {
    BOOST_TEST(tools::run_explain({"vm-web", "--cib", example}) == 0);
    BOOST_TEST(tools::run_explain({"--cib=" + example, "--output-as=json", "vm-db"}) == 0);
    BOOST_TEST(tools::run_explain({"vm-db", "--cib", example, "--output-as", "xml"}) == 0);
}

BOOST_AUTO_TEST_CASE(unknown_resource_and_bad_input_are_status_1) {
    BOOST_TEST(tools::run_explain({"vm9", "--cib", example}) == 1);
    BOOST_TEST(tools::run_explain({"vm-web", "--cib", "/nonexistent/cib.xml"}) == 1);
}

BOOST_AUTO_TEST_CASE(usage_errors_are_status_2) {
    BOOST_TEST(tools::run_explain({}) == 2);
    BOOST_TEST(tools::run_explain({"vm-web", "--cib", example, "--output-as=yaml"}) == 2);
    BOOST_TEST(tools::run_explain({"vm-web", "vm-db", "--cib", example}) == 2);
    BOOST_TEST(tools::run_explain({"vm-web", "--cib"}) == 2);
    BOOST_TEST(tools::run_explain({"vm-web", "--bogus"}) == 2);
}

BOOST_AUTO_TEST_CASE(xml_document) {
    BOOST_TEST(tools::format_explanation_xml(small()) ==
               "<holdfast-explain version=\"1\">\n"
               "  <resource id=\"vm1\" variant=\"primitive\" parent=\"\" verdict=\"vm1 will move from n1 to n2\">\n"
               "    <active node=\"n1\"/>\n"
               "    <planned node=\"n2\"/>\n"
               "    <reason text=\"n1 is in &quot;standby&quot;\"/>\n"
               "    <node name=\"n2\" allowed=\"true\" score=\"100\" fail-count=\"0\">\n"
               "      <part kind=\"location\" id=\"l1\" other=\"\" score=\"100\" text=\"location l1 100\"/>\n"
               "    </node>\n"
               "    <node name=\"n1\" allowed=\"true\" score=\"0\" fail-count=\"0\">\n"
               "      <condition name=\"standby\"/>\n"
               "    </node>\n"
               "  </resource>\n"
               "</holdfast-explain>\n");
}

BOOST_AUTO_TEST_CASE(json_document) {
    BOOST_TEST(tools::format_explanation_json(small()) ==
               "{\n"
               "  \"version\": 1,\n"
               "  \"resource\": {\n"
               "    \"id\": \"vm1\",\n"
               "    \"variant\": \"primitive\",\n"
               "    \"parent\": \"\",\n"
               "    \"verdict\": \"vm1 will move from n1 to n2\",\n"
               "    \"active-on\": [\"n1\"],\n"
               "    \"planned-on\": [\"n2\"],\n"
               "    \"reasons\": [\"n1 is in \\\"standby\\\"\"],\n"
               "    \"nodes\": [\n"
               "      {\"name\": \"n2\", \"allowed\": true, \"score\": 100, \"fail-count\": 0, \"conditions\": [], "
               "\"parts\": [{\"kind\": \"location\", \"id\": \"l1\", \"other\": \"\", \"score\": 100, \"text\": "
               "\"location l1 100\"}]},\n"
               "      {\"name\": \"n1\", \"allowed\": true, \"score\": 0, \"fail-count\": 0, \"conditions\": "
               "[\"standby\"], \"parts\": []}\n"
               "    ],\n"
               "    \"members\": []\n"
               "  }\n"
               "}\n");
}

BOOST_AUTO_TEST_SUITE_END()
