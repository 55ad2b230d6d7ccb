// holdfast simulate --output-as=xml|json through the real binary, on
// examples/two-node-vm.xml (node2 lost with shared-disk, vm-web and vm-db on
// it: node2 is fenced and the three move to node1). XML parsed with libxml2,
// JSON with Python's json module; values checked, not layout.
#include <libxml/xpath.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

#include "test/daemon/daemon_fixture.hpp"
#include "test/daemon/output_check.hpp"

using namespace holdfast::test;

namespace {

const std::string example = std::string(HOLDFAST_SOURCE_DIR) + "/examples/two-node-vm.xml";

// The string values of an XPath expression's nodes (attributes or elements).
std::vector<std::string> xpath_values(const holdfast::cib::xml::doc_ptr& doc, const char* path) {
    std::vector<std::string> out;
    if (!doc) return out;
    std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> ctx(xmlXPathNewContext(doc.get()),
                                                                         xmlXPathFreeContext);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> res(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(path), ctx.get()), xmlXPathFreeObject);
    if (!res || !res->nodesetval) return out;
    for (int i = 0; i < res->nodesetval->nodeNr; ++i) {
        std::unique_ptr<xmlChar, decltype(xmlFree)> v(xmlNodeGetContent(res->nodesetval->nodeTab[i]), xmlFree);
        out.emplace_back(v ? reinterpret_cast<const char*>(v.get()) : "");
    }
    return out;
}

using strings = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_simulate_output)

BOOST_AUTO_TEST_CASE(xml_status_summary_scores_and_run) {
    auto r = run({HOLDFAST_BIN, "simulate", "-x", example, "-S", "-s", "--output-as=xml"}, {});
    BOOST_TEST(r.status == 0, r.err);
    auto doc = parse_xml(r.out);
    BOOST_TEST(root_name(doc) == "holdfast-simulate");
    // the input's status is status --output-as=xml's document: node2 lost, unclean
    BOOST_TEST(xpath_values(doc, "/*/status/holdfast-status/nodes/node[@name='node2']/@unclean") == strings{"true"},
               boost::test_tools::per_element());
    BOOST_TEST(
        xpath_values(doc, "/*/status/holdfast-status/resources/resource[@id='vm-web']/node/@name") == strings{"node2"},
        boost::test_tools::per_element());
    // the summary: node2 fenced, its three resources moved to node1
    BOOST_TEST(xpath_values(doc, "/*/transition-summary/action/@change") == (strings{"Fence", "Move", "Move", "Move"}),
               boost::test_tools::per_element());
    BOOST_TEST(xpath_values(doc, "/*/transition-summary/action[@change='Fence']/@node") == strings{"node2"},
               boost::test_tools::per_element());
    BOOST_TEST(xpath_values(doc, "/*/transition-summary/action[@change='Fence']/@fence-action") == strings{"reboot"},
               boost::test_tools::per_element());
    BOOST_TEST(xpath_values(doc, "/*/transition-summary/action[@change='Fence']/@reason") ==
                   strings{"peer is no longer part of the cluster"},
               boost::test_tools::per_element());
    BOOST_TEST(xpath_values(doc, "/*/transition-summary/action[@change='Move']/@resource") ==
                   (strings{"shared-disk", "vm-web", "vm-db"}),
               boost::test_tools::per_element());
    BOOST_TEST(xpath_values(doc, "/*/transition-summary/action[@resource='vm-db']/@from") == strings{"node2"},
               boost::test_tools::per_element());
    BOOST_TEST(xpath_values(doc, "/*/transition-summary/action[@resource='vm-db']/@to") == strings{"node1"},
               boost::test_tools::per_element());
    // -s: vm-web may not run on node2 any more (-INFINITY as -1000000), 0 on node1
    BOOST_TEST(xpath_values(doc, "/*/allocation-scores/score[@resource='vm-web']/@score") == (strings{"0", "-1000000"}),
               boost::test_tools::per_element());
    // -S: the fencing ran first, vm-db was started on node1, and the revised
    // status has node2 clean and everything on node1
    BOOST_TEST(xpath_values(doc, "/*/executed/step[1]/@kind") == strings{"fence"}, boost::test_tools::per_element());
    BOOST_TEST(xpath_values(doc, "/*/executed/step[@resource='vm-db' and @task='start']/@node") == strings{"node1"},
               boost::test_tools::per_element());
    BOOST_TEST(
        xpath_values(doc, "/*/revised-status/holdfast-status/nodes/node[@name='node2']/@unclean") == strings{"false"},
        boost::test_tools::per_element());
    BOOST_TEST(xpath_values(doc, "/*/revised-status/holdfast-status/nodes/node[@name='node1']/@resources-running") ==
                   strings{"4"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(json_carries_the_same_values) {
    auto r = run({HOLDFAST_BIN, "simulate", "-x", example, "-S", "--output-as", "json"}, {});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(
        json_value(r.out, "[(a['change'], a['resource'] or a['node'], a['to']) for a in d['transition-summary']]") ==
        "[('Fence', 'node2', ''), ('Move', 'shared-disk', 'node1'), ('Move', 'vm-web', 'node1'), "
        "('Move', 'vm-db', 'node1')]");
    BOOST_TEST(json_value(r.out, "d['transition-summary'][1]['blocked'], 'allocation-scores' in d") == "False False");
    BOOST_TEST(json_value(r.out, "[n['online'] for n in d['status']['nodes']]") == "[True, False]");
    BOOST_TEST(json_value(r.out,
                          "[x['interval'] for x in d['executed'] if x['task'] == 'monitor' and "
                          "x['resource'] == 'vm-web']") == "[10000]");
    BOOST_TEST(json_value(r.out, "[x['nodes'] for x in d['revised-status']['resources']]") ==
               "[['node1'], ['node1'], ['node1'], ['node1']]");
    // -q: no statuses, the summary alone
    auto quiet = run({HOLDFAST_BIN, "simulate", "-x", example, "-q", "--output-as=json"}, {});
    BOOST_TEST(quiet.status == 0, quiet.err);
    BOOST_TEST(json_value(quiet.out, "sorted(d)") == "['now', 'transition-summary', 'version']");
}

BOOST_AUTO_TEST_CASE(bad_output_format_is_usage_error) {
    auto r = run({HOLDFAST_BIN, "simulate", "-x", example, "--output-as=yaml"}, {});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    BOOST_TEST(run({HOLDFAST_BIN, "simulate", "-x", example, "--output-as"}, {}).status == 2);
    // text is the default and the explicit text is the same bytes
    BOOST_TEST(run({HOLDFAST_BIN, "simulate", "-x", example, "--output-as=text"}, {}).out ==
               run({HOLDFAST_BIN, "simulate", "-x", example}, {}).out);
}

BOOST_AUTO_TEST_SUITE_END()
