// --output-as on the read-only commands and the views of `holdfast status`,
// through the real binary and a real holdfastd: XML parsed with libxml2,
// JSON with Python's json module, checked against the CIB the daemon holds.
#include <boost/test/unit_test.hpp>
#include <string>

#include "test/daemon/daemon_fixture.hpp"
#include "test/daemon/output_check.hpp"

using namespace holdfast::test;

BOOST_AUTO_TEST_SUITE(cli_output)

BOOST_AUTO_TEST_CASE(configuration_and_cib_as_xml_and_json) {
    daemon_fixture d(true);
    auto xml = d.cli({"configure", "show", "--output-as=xml"});
    BOOST_TEST(xml.status == 0, xml.err);
    BOOST_TEST(root_name(parse_xml(xml.out)) == "configuration");
    auto json = d.cli({"configure", "show", "--output-as", "json"});
    BOOST_TEST(json.status == 0, json.err);
    // the configuration's four resources, by id, in document order
    BOOST_TEST(json_value(json.out,
                          "[r['attributes']['id'] for s in d['children'] if s['element'] == 'resources' "
                          "for r in s['children']]") == "['fence-node2', 'shared-disk', 'vm-web', 'vm-db']");
    auto cib = d.cli({"cib", "show", "--output-as=json"});
    BOOST_TEST(cib.status == 0, cib.err);
    BOOST_TEST(json_value(cib.out, "d['element'], d['attributes']['epoch']") == "cib 12");
    BOOST_TEST(root_name(parse_xml(d.cli({"cib", "show"}).out)) == "cib");
    // the CIB has no text form: bad usage, nothing printed
    auto text = d.cli({"cib", "show", "--output-as=text"});
    BOOST_TEST(text.status == 2);
    BOOST_TEST(text.out.empty());
}

BOOST_AUTO_TEST_CASE(resource_fence_verify_and_version_documents) {
    daemon_fixture d(true);
    auto loc = d.cli({"resource", "locate", "vm-web", "--output-as=json"});
    BOOST_TEST(loc.status == 0, loc.err);
    BOOST_TEST(json_value(loc.out, "type(d['locations']).__name__") == "list");
    auto fc = d.cli({"resource", "failcount", "vm-web", "show", "--output-as=xml"});
    BOOST_TEST(fc.status == 0, fc.err);
    auto fc_doc = parse_xml(fc.out);
    BOOST_TEST(root_name(fc_doc) == "fail-counts");
    BOOST_TEST(item_values(fc_doc, "fail-count", "node") == (std::vector<std::string>{"node1", "node2"}),
               boost::test_tools::per_element());
    BOOST_TEST(d.cli({"resource", "start", "vm-web", "--output-as=xml"}).status == 2);  // prints nothing to format
    auto devices = d.cli({"fence", "list", "--output-as=xml"});
    BOOST_TEST(devices.status == 0, devices.err);
    auto dev_doc = parse_xml(devices.out);
    BOOST_TEST(item_values(dev_doc, "device", "id") == std::vector<std::string>{"fence-node2"},
               boost::test_tools::per_element());
    BOOST_TEST(item_values(dev_doc, "device", "targets") == std::vector<std::string>{"node2"},
               boost::test_tools::per_element());
    auto devices_json = d.cli({"fence", "list", "--output-as=json"});
    BOOST_TEST(json_value(devices_json.out, "[x['agent'] for x in d['fence-devices']]") == "['fence_ipmilan']");

    const std::string example = std::string(HOLDFAST_SOURCE_DIR) + "/examples/two-node-vm.xml";
    auto ok = run({HOLDFAST_BIN, "verify", "-x", example, "--output-as=json"}, {});
    BOOST_TEST(ok.status == 0, ok.err);
    BOOST_TEST(json_value(ok.out, "d['problems']") == "[]");
    auto bad = run({HOLDFAST_BIN, "verify", "-x", "/nonexistent.xml", "--output-as=xml"}, {});
    BOOST_TEST(bad.status == 1);
    BOOST_TEST(item_values(parse_xml(bad.out), "problem", "kind") == std::vector<std::string>{"cannot read"},
               boost::test_tools::per_element());
    // configure verify: the daemon's CIB, the same documents
    auto live = d.cli({"configure", "verify", "--output-as=json"});
    BOOST_TEST(live.status == 0, live.err);
    BOOST_TEST(json_value(live.out, "d['problems']") == "[]");
    BOOST_TEST(d.cli({"configure", "verify", "--output-as=yaml"}).status == 2);
    auto version = run({HOLDFAST_BIN, "version", "--output-as=json"}, {});
    BOOST_TEST(json_value(version.out, "d['program']") == "holdfast");
    BOOST_TEST(root_name(parse_xml(run({HOLDFAST_BIN, "version", "--output-as=xml"}, {}).out)) == "version");
}

BOOST_AUTO_TEST_CASE(status_views) {
    daemon_fixture d(true);
    auto plain = d.cli({"status"});
    BOOST_TEST(plain.status == 0, plain.err);
    auto full = d.cli({"status", "--full"});
    BOOST_TEST(full.status == 0, full.err);
    // every primitive is listed under the node it runs on, or among the inactive ones
    for (const char* rsc : {"fence-node2", "shared-disk", "vm-web", "vm-db"})
        BOOST_TEST(full.out.find(std::string("* ") + rsc + "\t") != std::string::npos, rsc);
    BOOST_TEST(full.out.find("Node node1: ") != std::string::npos, full.out);
    BOOST_TEST(full.out.find("Inactive Resources:") != std::string::npos, full.out);
    // the same view from the file, without the daemon
    const std::string example = std::string(HOLDFAST_SOURCE_DIR) + "/examples/two-node-vm.xml";
    auto from_file = run({HOLDFAST_BIN, "status", "--cib", example, "-r", "-n"}, {"HOLDFAST_IPC_NAME=none"});
    BOOST_TEST(from_file.status == 0, from_file.err);
    BOOST_TEST(d.cli({"status", "--bogus"}).status == 2);
    // the documents carry what -f and -A show: d1's one failure on node1, node1's attribute
    const std::string failed = std::string(HOLDFAST_SOURCE_DIR) + "/test/daemon/data/failed-actions.xml";
    auto doc = run({HOLDFAST_BIN, "status", "--cib", failed, "--output-as=json"}, {"HOLDFAST_IPC_NAME=none"});
    BOOST_TEST(doc.status == 0, doc.err);
    BOOST_TEST(json_value(doc.out, "[(f['node'], f['resource'], f['fail-count']) for f in d['fail-counts']]") ==
               "[('node1', 'd1', 1)]");
    auto xml = run({HOLDFAST_BIN, "status", "--cib", example, "--output-as=xml"}, {"HOLDFAST_IPC_NAME=none"});
    BOOST_TEST(xml.status == 0, xml.err);
    auto xml_doc = parse_xml(xml.out);
    BOOST_TEST(item_values(xml_doc, "fail-count", "resource").empty());
}

BOOST_AUTO_TEST_SUITE_END()
