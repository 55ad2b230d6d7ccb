// tools/: crm configure text read back into CIB XML (crm_parse.hpp): each
// object kind, the ids made, errors naming the wrong word, and the round trip
// show -> parse -> show over Pacemaker's scheduler corpus.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "cib/cib.hpp"
#include "tools/holdfast/crm_parse.hpp"
#include "tools/holdfast/crm_text.hpp"

namespace fs = std::filesystem;
using holdfast::tools::crm_mode;
using holdfast::tools::parse_crm_configuration;

namespace {

std::string parse_ok(const std::string& text, const std::string& base = "", crm_mode mode = crm_mode::update) {
    auto out = parse_crm_configuration(text, base, mode);
    BOOST_REQUIRE_MESSAGE(out, (out ? "" : out.error()));
    return *out;
}

std::string parse_error(const std::string& text, const std::string& base = "", crm_mode mode = crm_mode::update) {
    auto out = parse_crm_configuration(text, base, mode);
    BOOST_REQUIRE_MESSAGE(!out, "parsed: " << (out ? *out : ""));
    BOOST_TEST(out.error().find('\n') == std::string::npos);
    return out.error();
}

bool contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return true;
    BOOST_TEST_MESSAGE("not found:\n" << part << "\nin:\n" << text);
    return false;
}

// The configuration loaded as a CIB (schema-checked) and shown as crm text.
std::string show(const std::string& configuration, const std::string& cib_head = "") {
    std::string head = cib_head.empty()
                           ? "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">"
                           : cib_head;
    auto doc = holdfast::cib::load_string(head + configuration + "<status/></cib>", {}, "<parsed>");
    BOOST_REQUIRE_MESSAGE(doc, (doc ? "" : doc.error().to_string()) << "\n" << configuration);
    return holdfast::tools::format_crm_configuration(*doc);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crm_parse)

BOOST_AUTO_TEST_CASE(a_primitive_as_operators_write_it) {
    std::string xml = parse_ok(
        "primitive vm1 ocf:holdfast:VirtualMachine params config=/etc/libvirt/qemu/vm1.xml "
        "meta allow-migrate=true op monitor interval=10s timeout=30s\n");
    BOOST_TEST(contains(xml, "<primitive id=\"vm1\" class=\"ocf\" provider=\"holdfast\" type=\"VirtualMachine\">"));
    BOOST_TEST(contains(xml, "<instance_attributes id=\"vm1-instance_attributes\">"));
    BOOST_TEST(contains(xml,
                        "<nvpair id=\"vm1-instance_attributes-config\" name=\"config\" "
                        "value=\"/etc/libvirt/qemu/vm1.xml\"/>"));
    BOOST_TEST(contains(xml, "<meta_attributes id=\"vm1-meta_attributes\">"));
    BOOST_TEST(
        contains(xml, "<nvpair id=\"vm1-meta_attributes-allow-migrate\" name=\"allow-migrate\" value=\"true\"/>"));
    BOOST_TEST(contains(xml, "<op id=\"vm1-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"30s\"/>"));
    BOOST_TEST(show(xml) ==
               "primitive vm1 ocf:holdfast:VirtualMachine \\\n\tparams config=/etc/libvirt/qemu/vm1.xml \\\n"
               "\tmeta allow-migrate=true \\\n\top monitor interval=10s timeout=30s\n");
}

BOOST_AUTO_TEST_CASE(agents_ops_continuations_comments_and_quotes) {
    std::string xml = parse_ok(
        "# a comment line\n"
        "primitive web apache description=\"the site\" \\\n"
        "\tparams configfile=\"/etc/apache2/a b.conf\" quote='say \"hi\"' \\\n"
        "\top start timeout=40s \\\n"
        "\top monitor interval=10s OCF_CHECK_LEVEL=10\n"
        "   # an indented comment line\n"
        "primitive fence stonith:fence_ipmilan params ip=192.0.2.1\n"
        "primitive svc systemd:nginx\n"
        "rsc_template tpl ocf:pacemaker:Dummy\n"
        "primitive fromtpl @tpl\n");
    BOOST_TEST(contains(xml,
                        "<primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\" "
                        "description=\"the site\">"));
    BOOST_TEST(contains(xml, "value=\"/etc/apache2/a b.conf\""));
    BOOST_TEST(contains(xml, "value=\"say &quot;hi&quot;\""));
    BOOST_TEST(contains(xml, "<op id=\"web-start-0s\" name=\"start\" interval=\"0s\" timeout=\"40s\"/>"));
    BOOST_TEST(contains(xml, "<op id=\"web-monitor-10s\" name=\"monitor\" interval=\"10s\">"));
    BOOST_TEST(contains(xml,
                        "<nvpair id=\"web-monitor-10s-instance_attributes-OCF_CHECK_LEVEL\" "
                        "name=\"OCF_CHECK_LEVEL\" value=\"10\"/>"));
    BOOST_TEST(contains(xml, "<primitive id=\"fence\" class=\"stonith\" type=\"fence_ipmilan\">"));
    BOOST_TEST(contains(xml, "<primitive id=\"svc\" class=\"systemd\" type=\"nginx\"/>"));
    BOOST_TEST(contains(xml, "<template id=\"tpl\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>"));
    BOOST_TEST(contains(xml, "<primitive id=\"fromtpl\" template=\"tpl\"/>"));
    std::string text = show(xml);
    BOOST_TEST(parse_ok(text) == xml);  // show -> parse gives the same XML, ids included
}

BOOST_AUTO_TEST_CASE(groups_clones_and_promotable_clones_take_their_members) {
    std::string xml = parse_ok(
        "primitive z ocf:pacemaker:Dummy\n"
        "primitive a ocf:pacemaker:Dummy\nprimitive b ocf:pacemaker:Dummy\n"
        "primitive p ocf:pacemaker:Stateful\nprimitive q ocf:pacemaker:Stateful\n"
        "group g a b meta target-role=Started\n"
        "clone cg g meta interleave=true\n"
        "clone pc p meta promotable=true\n"
        "ms m q meta notify=true\n");
    BOOST_TEST(contains(xml, "<clone id=\"cg\">\n      <group id=\"g\">\n        <primitive id=\"a\""));
    BOOST_TEST(contains(xml, "<nvpair id=\"g-meta_attributes-target-role\" name=\"target-role\" value=\"Started\"/>"));
    BOOST_TEST(contains(xml, "<clone id=\"pc\">\n      <primitive id=\"p\""));
    BOOST_TEST(contains(xml, "<master id=\"m\">\n      <primitive id=\"q\""));
    // the group took the place of its first member: z, then the clone
    BOOST_TEST(xml.find("id=\"z\"") < xml.find("id=\"cg\""));
    std::string text = show(xml);
    BOOST_TEST(contains(text, "group g a b \\\n\tmeta target-role=Started\n"));
    BOOST_TEST(contains(text, "clone pc p \\\n\tmeta promotable=true\n"));
    BOOST_TEST(contains(text, "ms m q \\\n\tmeta notify=true\n"));
    BOOST_TEST(show(parse_ok(text)) == text);
}

BOOST_AUTO_TEST_CASE(constraints_and_rules) {
    std::string resources = "primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\nprimitive d Dummy\nms m c\n";
    std::string xml = parse_ok(resources +
                               "location l1 a -inf: node1\n"
                               "location l2 /^b/ resource-discovery=never 50: node1\n"
                               "location l3 m role=Promoted \\\n"
                               "\trule -inf: not_defined pingd or pingd number:lte 0 \\\n"
                               "\trule pingd: #uname eq node1 and date gt 2024-01-01\n"
                               "location l4 a rule 10: date in_range start=2024-01-01 years=1 "
                               "and date date_spec hours=9-17 weekdays=1-5\n"
                               "colocation co inf: a:Started m:Promoted\n"
                               "order o1 Mandatory: m:promote b:start\n"
                               "order o2 0: b d symmetrical=false\n"
                               "order o3 Optional: a b ( d m ) [ c ]\n"
                               "order o4 inf: a b d\n"
                               "rsc_ticket t tk: d loss-policy=stop\n");
    BOOST_TEST(contains(xml, "<rsc_location id=\"l1\" rsc=\"a\" score=\"-INFINITY\" node=\"node1\"/>"));
    BOOST_TEST(contains(xml, "<rule id=\"l3-rule\" score=\"-INFINITY\" boolean-op=\"or\">"));
    BOOST_TEST(contains(xml, "<expression id=\"l3-rule-expression\" attribute=\"pingd\" operation=\"not_defined\"/>"));
    BOOST_TEST(contains(xml, "<rule id=\"l3-rule-0\" score-attribute=\"pingd\" boolean-op=\"and\">"));
    BOOST_TEST(contains(xml, "<date_expression id=\"l3-rule-0-expression-0\" operation=\"gt\" start=\"2024-01-01\"/>"));
    BOOST_TEST(contains(xml, "<duration id=\"l4-rule-expression-duration\" years=\"1\"/>"));
    BOOST_TEST(contains(xml, "<date_spec id=\"l4-rule-expression-0-date_spec\" hours=\"9-17\" weekdays=\"1-5\"/>"));
    BOOST_TEST(contains(xml,
                        "<rsc_colocation id=\"co\" score=\"INFINITY\" rsc=\"a\" with-rsc=\"m\" "
                        "rsc-role=\"Started\" with-rsc-role=\"Promoted\"/>"));
    BOOST_TEST(contains(xml,
                        "<rsc_order id=\"o1\" kind=\"Mandatory\" first=\"m\" then=\"b\" "
                        "first-action=\"promote\" then-action=\"start\"/>"));
    BOOST_TEST(contains(xml, "<rsc_order id=\"o2\" score=\"0\" first=\"b\" then=\"d\" symmetrical=\"false\"/>"));
    BOOST_TEST(contains(xml, "<resource_set id=\"o3-set-0\" sequential=\"false\">"));
    BOOST_TEST(contains(xml, "<resource_set id=\"o3-set-1\" sequential=\"false\" require-all=\"false\">"));
    BOOST_TEST(contains(xml, "<rsc_order id=\"o4\" score=\"INFINITY\">\n      <resource_set id=\"o4-set\">"));
    BOOST_TEST(contains(xml, "<rsc_ticket id=\"t\" ticket=\"tk\" rsc=\"d\" loss-policy=\"stop\"/>"));
    std::string text = show(xml);
    BOOST_TEST(contains(text,
                        "location l3 m role=Promoted \\\n\trule -inf: not_defined pingd or pingd number:lte 0 "
                        "\\\n\trule pingd: #uname eq node1 and date gt 2024-01-01\n"));
    BOOST_TEST(contains(text, "order o3 Optional: a b ( d m ) [ c ]\n"));
    BOOST_TEST(show(parse_ok(text)) == text);
}

BOOST_AUTO_TEST_CASE(nodes_options_topology_and_alerts) {
    std::string xml = parse_ok(
        "node 1: node1 attributes standby=on utilization cpu=4\n"
        "node node2:remote description=\"far away\"\n"
        "primitive f1 stonith:fence_ipmilan\nprimitive f2 stonith:fence_scsi\n"
        "property cib-bootstrap-options: stonith-enabled=true cluster-name=\"two words\"\n"
        "property no-quorum-policy=stop\n"
        "rsc_defaults resource-stickiness=100\n"
        "op_defaults timeout=240s\n"
        "fencing_topology node1: f1 f2 attr:rack=1 f1,f2\n"
        "alert a1 /usr/lib/alert.sh attributes x=1 select nodes attributes { standby } "
        "to /var/log/a.log to { 192.0.2.9 meta timeout=5s }\n");
    BOOST_TEST(contains(xml,
                        "<node id=\"1\" uname=\"node1\">\n      <instance_attributes id=\"nodes-1\">\n"
                        "        <nvpair id=\"nodes-1-standby\" name=\"standby\" value=\"on\"/>"));
    BOOST_TEST(contains(xml, "<utilization id=\"nodes-1-utilization\">"));
    BOOST_TEST(contains(xml, "<node id=\"node2\" uname=\"node2\" type=\"remote\" description=\"far away\"/>"));
    BOOST_TEST(contains(xml,
                        "<nvpair id=\"cib-bootstrap-options-no-quorum-policy\" name=\"no-quorum-policy\" "
                        "value=\"stop\"/>"));
    BOOST_TEST(contains(xml, "<rsc_defaults>\n    <meta_attributes id=\"rsc-options\">"));
    BOOST_TEST(contains(xml, "<op_defaults>\n    <meta_attributes id=\"op-options\">"));
    BOOST_TEST(contains(xml, "<fencing-level id=\"fencing\" target=\"node1\" index=\"1\" devices=\"f1\"/>"));
    BOOST_TEST(contains(xml,
                        "<fencing-level id=\"fencing-1\" target-attribute=\"rack\" target-value=\"1\" "
                        "index=\"1\" devices=\"f1,f2\"/>"));
    BOOST_TEST(contains(xml, "<recipient id=\"a1-recipient-0\" value=\"192.0.2.9\">"));
    BOOST_TEST(contains(xml, "<attribute id=\"a1-standby\" name=\"standby\"/>"));
    std::string text = show(xml);
    BOOST_TEST(contains(text, "fencing_topology \\\n\tnode1: f1 f2 \\\n\tattr:rack=1 f1,f2\n"));
    BOOST_TEST(contains(text,
                        "alert a1 /usr/lib/alert.sh \\\n\tattributes x=1 \\\n\tselect nodes attributes { "
                        "standby } \\\n\tto /var/log/a.log \\\n\tto { 192.0.2.9 meta timeout=5s }\n"));
    BOOST_TEST(show(parse_ok(text)) == text);
    // without a target, the levels are every node's
    std::string all = parse_ok("node 1: n1\nnode 2: n2\nfencing_topology f1 f2\n");
    BOOST_TEST(contains(all, "target=\"n2\" index=\"2\" devices=\"f2\""));
}

BOOST_AUTO_TEST_CASE(xml_lines_go_to_their_section_and_replace_their_members) {
    std::string text =
        "primitive a Dummy\nprimitive b Dummy\n"
        "xml <group id=\"g\"><primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
        "<primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></group>\n"
        "xml <rsc_defaults><meta_attributes id=\"r\"><rule id=\"r-r\" score=\"0\">"
        "<expression id=\"r-e\" attribute=\"#uname\" operation=\"eq\" value=\"x\"/></rule>"
        "<nvpair id=\"r-n\" name=\"is-managed\" value=\"false\"/></meta_attributes></rsc_defaults>\n";
    std::string xml = parse_ok(text);
    BOOST_TEST(contains(xml, "<resources>\n    <group id=\"g\">"));
    BOOST_TEST(xml.find("<primitive id=\"a\"") == xml.rfind("<primitive id=\"a\""));  // once
    BOOST_TEST(contains(xml, "<rsc_defaults>\n    <meta_attributes id=\"r\">"));
    std::string shown = show(xml);
    BOOST_TEST(contains(shown, "xml <rsc_defaults><meta_attributes id=\"r\">"));
    BOOST_TEST(show(parse_ok(shown)) == shown);
}

BOOST_AUTO_TEST_CASE(update_replaces_an_object_create_refuses_it) {
    std::string base = parse_ok("primitive a Dummy params x=1\nprimitive b Dummy\ngroup g a b\n");
    std::string updated = parse_ok("primitive a Dummy params y=2\n", base);
    BOOST_TEST(contains(updated, "<group id=\"g\">\n      <primitive id=\"a\""));  // in place, in its group
    BOOST_TEST(contains(updated, "<nvpair id=\"a-instance_attributes-y\" name=\"y\" value=\"2\"/>"));
    BOOST_TEST(updated.find("name=\"x\"") == std::string::npos);
    BOOST_TEST(parse_error("primitive a Dummy\n", base, crm_mode::create) ==
               "line 1, word 2 \"a\": this id is taken (by a <primitive>; expected a new id)");
    BOOST_TEST(parse_error("group a b\n", base) == "line 1, word 2 \"a\": this id is a <primitive>, not a <group>");
    // a group redefined with fewer members leaves the others on their own
    std::string regrouped = parse_ok("group g b\n", base);
    BOOST_TEST(contains(regrouped, "<primitive id=\"a\""));
    BOOST_TEST(show(regrouped) == "primitive a Dummy \\\n\tparams x=1\nprimitive b Dummy\ngroup g b\n");
    // members come from the base; a member inside another group is refused
    std::string more = parse_ok("primitive c Dummy\n", base);
    BOOST_TEST(contains(parse_ok("clone cc c\n", more, crm_mode::create), "<clone id=\"cc\">"));
    BOOST_TEST(parse_error("group h a\n", base, crm_mode::create) ==
               "line 1, word 3 \"a\": this resource is already in g (expected a resource of its own)");
    // properties merge into their set
    std::string props = parse_ok("property a=1 b=2\n");
    BOOST_TEST(contains(parse_ok("property b=3\n", props, crm_mode::create), "name=\"a\" value=\"1\""));
    BOOST_TEST(contains(parse_ok("property b=3\n", props, crm_mode::create), "name=\"b\" value=\"3\""));
}

BOOST_AUTO_TEST_CASE(errors_name_the_line_and_the_word) {
    BOOST_TEST(parse_error("primitive vm1 ocf:holdfast:VirtualMachine parms config=x\n") ==
               "line 1, word 4 \"parms\": unknown keyword (expected params, meta, utilization or op)");
    BOOST_TEST(parse_error("primitive a Dummy\nprimitive b \\\n  ocf:pacemaker \\\n  params x=1\n") ==
               "line 3, word 3 \"ocf:pacemaker\": not an agent (expected [class:[provider:]]type, e.g. "
               "ocf:heartbeat:IPaddr2)");
    BOOST_TEST(parse_error("primitive\n") == "line 1, word 2 (end of line): missing the resource's id");
    BOOST_TEST(parse_error("primitve a Dummy\n").rfind("line 1, word 1 \"primitve\": unknown object (expected", 0) ==
               0u);
    BOOST_TEST(parse_error("primitive 1a Dummy\n").rfind("line 1, word 2 \"1a\": not a valid id", 0) == 0u);
    BOOST_TEST(parse_error("primitive a Dummy params x=\"open\n") ==
               "line 1, word 5 \"x=\": unterminated quote (expected a closing \")");
    BOOST_TEST(parse_error("group g nothere\n") ==
               "line 1, word 3 \"nothere\": no such resource (expected a primitive defined above)");
    BOOST_TEST(parse_error("location l a 100 node1\n") ==
               "line 1, word 4 \"100\": missing ':' after the score (expected SCORE: NODE or rule)");
    BOOST_TEST(parse_error("location l a rule 10: x foo 1\n") ==
               "line 1, word 7 \"foo\": not a comparison (expected [string:|integer:|number:|version:]lt, gt, lte, "
               "gte, eq or ne)");
    BOOST_TEST(parse_error("location l a rule 10: x eq 1 and y eq 2 or z eq 3\n") ==
               "line 1, word 13 \"or\": and and or in one rule (expected and throughout)");
    BOOST_TEST(parse_error("order o inf: a ( b c\n") == "line 1, word 8 (end of line): missing the closing bracket");
    BOOST_TEST(parse_error("order o inf: a\n") == "line 1, word 5 (end of line): missing a resource (expected two)");
    BOOST_TEST(parse_error("colocation c x: a b\n") ==
               "line 1, word 3 \"x:\": not a score (expected an integer, inf or -inf, then ':')");
    BOOST_TEST(parse_error("property stonith-enabled\n") == "line 1, word 2 \"stonith-enabled\": not NAME=VALUE");
    BOOST_TEST(
        parse_error("xml <primitive id=\"a\"\n").rfind("line 1, word 2 \"<primitive\": not one well-formed", 0) == 0u);
    BOOST_TEST(parse_error("alert a /x to\n") == "line 1, word 5 (end of line): missing the recipient");
    BOOST_TEST(parse_error("fencing_topology n1: f1 bad,\n") ==
               "line 1, word 4 \"bad,\": not a list of devices (expected DEVICE[,DEVICE...])");
    BOOST_TEST(parse_error(std::string("primitive a Dummy\nprimitive b \xff\n")) ==
               "line 2: not UTF-8 text or a control character (expected crm configure text)");
    BOOST_TEST(parse_error(std::string("primitive a Dummy params x=\"\x01\"\n")) ==
               "line 1: not UTF-8 text or a control character (expected crm configure text)");
}

BOOST_AUTO_TEST_CASE(delete_takes_the_references_with_it) {
    std::string base = parse_ok(
        "primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\ngroup g a b\n"
        "location l1 a 10: n1\ncolocation co inf: c g\norder o inf: a b c\n");
    auto out = holdfast::tools::delete_crm_objects(base, {"a"});
    BOOST_REQUIRE_MESSAGE(out, (out ? "" : out.error()));
    BOOST_TEST(show(*out) ==
               "primitive b Dummy\nprimitive c Dummy\ngroup g b\ncolocation co inf: c g\norder o inf: b c\n");
    out = holdfast::tools::delete_crm_objects(*out, {"b", "co"});  // g goes with its last member
    BOOST_REQUIRE_MESSAGE(out, (out ? "" : out.error()));
    BOOST_TEST(show(*out) == "primitive c Dummy\norder o inf: c\n");
    auto missing = holdfast::tools::delete_crm_objects(base, {"nope"});
    BOOST_TEST((!missing && missing.error() == "no object has id 'nope'"));
    auto inner = holdfast::tools::delete_crm_objects(base, {"o-set"});
    BOOST_TEST((!inner && inner.error().find("not an object") != std::string::npos));
}

BOOST_AUTO_TEST_CASE(rename_follows_the_references) {
    std::string base = parse_ok(
        "primitive a Dummy\nprimitive b Dummy\nprimitive f stonith:fence_ipmilan\ngroup g a b\n"
        "location l1 a 10: n1\norder o inf: a b f\nfencing_topology n1: f,x f\n");
    auto out = holdfast::tools::rename_crm_object(base, "a", "a2");
    BOOST_REQUIRE_MESSAGE(out, (out ? "" : out.error()));
    out = holdfast::tools::rename_crm_object(*out, "f", "fence1");
    BOOST_REQUIRE_MESSAGE(out, (out ? "" : out.error()));
    std::string text = show(*out);
    BOOST_TEST(contains(text, "group g a2 b\n"));
    BOOST_TEST(contains(text, "location l1 a2 10: n1\n"));
    BOOST_TEST(contains(text, "order o inf: a2 b fence1\n"));
    BOOST_TEST(contains(text, "fencing_topology \\\n\tn1: fence1,x fence1\n"));
    auto taken = holdfast::tools::rename_crm_object(base, "a", "b");
    BOOST_TEST((!taken && taken.error() == "id 'b' is taken"));
}

BOOST_AUTO_TEST_CASE(crm_text_is_told_from_xml_by_its_first_character) {
    BOOST_TEST(holdfast::tools::looks_like_crm_text("primitive a Dummy\n"));
    BOOST_TEST(holdfast::tools::looks_like_crm_text("\n  # comment\n"));
    BOOST_TEST(!holdfast::tools::looks_like_crm_text("\n  <configuration/>"));
    BOOST_TEST(!holdfast::tools::looks_like_crm_text("<?xml version=\"1.0\"?><cib/>"));
    BOOST_TEST(!holdfast::tools::looks_like_crm_text("\xEF\xBB\xBF <cib/>"));
    BOOST_TEST(holdfast::tools::looks_like_crm_text("  \xEF\xBB\xBF"));  // found by fuzz_crm_parse
}

namespace {

fs::path corpus() {
    if (const char* env = std::getenv("HOLDFAST_CORPUS")) return fs::path(env) / "xml";
    return fs::path(HOLDFAST_SOURCE_DIR) / ".." / "shared" / "pacemaker-scheduler" / "xml";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// show -> parse -> show of one CIB: "" when the two shows are equal, else why not.
std::string round_trip(const std::string& cib_text) {
    holdfast::cib::load_options fast;
    fast.validate = false;
    auto original = holdfast::cib::load_string(cib_text, fast, "<corpus>");
    if (!original) return "";  // not a CIB we load: nothing to show
    std::string shown = holdfast::tools::format_crm_configuration(*original);
    auto parsed = parse_crm_configuration(shown);
    if (!parsed) return "parse: " + parsed.error();
    size_t at = cib_text.find("<configuration");
    if (at == std::string::npos) return "no <configuration>";
    auto again = holdfast::cib::load_string(cib_text.substr(0, at) + *parsed + "<status/></cib>", {}, "<parsed>");
    if (!again) return "load: " + again.error().to_string();
    std::string reshown = holdfast::tools::format_crm_configuration(*again);
    if (reshown == shown) return "";
    size_t diff = 0;
    while (diff < shown.size() && diff < reshown.size() && shown[diff] == reshown[diff]) ++diff;
    size_t line_start = shown.rfind('\n', diff);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    return "differs at: " + shown.substr(line_start, shown.find('\n', diff) - line_start) + " | " +
           reshown.substr(line_start, reshown.find('\n', diff) - line_start);
}

// Corpus inputs whose crm text does not come back the same, and why:
// - utilization-shuffle, bug-lf-2613, bug-lf-2619: an `xml` line's nvset
//   refers (id-ref) to a set shown as crm text, whose id crm text does not
//   carry, so the parsed set gets another id;
// - order-wrong-kind: kind="foo", which the schema refuses; crm reads `foo:`
//   as a score and says it is not one.
const std::set<std::string> known_differences = {"utilization-shuffle", "bug-lf-2613", "bug-lf-2619",
                                                 "order-wrong-kind"};

}  // namespace

BOOST_AUTO_TEST_CASE(show_parse_show_is_stable_over_the_scheduler_corpus) {
    if (!fs::is_directory(corpus())) {
        BOOST_TEST_MESSAGE("no Pacemaker scheduler corpus at " << corpus() << ": skipped");
        return;
    }
    int checked = 0;
    std::set<std::string> failed;
    for (const auto& entry : fs::directory_iterator(corpus())) {
        if (entry.path().extension() != ".xml") continue;
        ++checked;
        std::string why = round_trip(slurp(entry.path()));
        if (why.empty()) continue;
        std::string name = entry.path().stem().string();
        failed.insert(name);
        BOOST_TEST_MESSAGE(name << ": " << why);
        BOOST_TEST(known_differences.count(name), name << ": " << why);
    }
    BOOST_TEST_MESSAGE(checked << " corpus inputs, " << failed.size() << " not stable");
    BOOST_TEST(checked > 0);
}

BOOST_AUTO_TEST_SUITE_END()
