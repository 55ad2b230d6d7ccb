// tools/: exit statuses of holdfast verify and simulate, and the demo's decision.
#include <unistd.h>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/commands.hpp"

namespace tools = holdfast::tools;

namespace {

std::string write_temp(const std::string& text) {
    char name[] = "/tmp/holdfast-test-XXXXXX";
    int fd = mkstemp(name);
    BOOST_REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(name) << text;
    return name;
}

const std::string example = std::string(HOLDFAST_SOURCE_DIR) + "/examples/two-node-vm.xml";

}  // namespace

BOOST_AUTO_TEST_CASE(verify_accepts_the_example) { BOOST_TEST(tools::run_verify({"-x", example}) == 0); }

BOOST_AUTO_TEST_CASE(verify_rejects_bad_input_with_status_1) {
    auto malformed = write_temp("<cib><configuration></cib>");
    BOOST_TEST(tools::run_verify({"-x", malformed}) == 1);
    BOOST_TEST(tools::run_verify({"-x", "/nonexistent/cib.xml"}) == 1);
    std::remove(malformed.c_str());
}

BOOST_AUTO_TEST_CASE(usage_errors_are_status_2) {
    BOOST_TEST(tools::run_verify({}) == 2);
    BOOST_TEST(tools::run_verify({"--bogus"}) == 2);
    BOOST_TEST(tools::run_simulate({"-x", example, "--simulatee"}) == 2);
    BOOST_TEST(tools::run_simulate({}) == 2);
}

BOOST_AUTO_TEST_CASE(simulate_rejects_malformed_input_and_writes_nothing) {
    auto malformed = write_temp("<cib>");
    std::string graph = malformed + ".graph";
    BOOST_TEST(tools::run_simulate({"-x", malformed, "-S", "-G", graph}) == 1);
    BOOST_TEST(!std::ifstream(graph).good());
    std::remove(malformed.c_str());
}

BOOST_AUTO_TEST_CASE(the_example_fences_node2_and_moves_everything_to_node1) {
    auto doc = holdfast::cib::load_file(example);
    BOOST_REQUIRE(doc);
    auto ws = holdfast::policy::unpack(doc->model(), 1764000000);
    BOOST_REQUIRE(!holdfast::policy::unsupported_feature(ws));
    auto result = holdfast::policy::schedule(ws);
    std::string all;
    for (const auto& line : result.summary) all += line.text + "\n";
    BOOST_TEST(all.find("Fence (reboot) node2 'peer is no longer part of the cluster'") != std::string::npos);
    for (const char* r : {"shared-disk", "vm-web", "vm-db"}) {
        auto ix = ws.rsc_by_id.at(r);
        BOOST_TEST(ws.resources[ix].allocated_to == ws.node_by_uname.at("node1"));
    }
    BOOST_TEST(result.summary.size() == 4u);
}
