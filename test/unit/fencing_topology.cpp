// fencing/topology: which devices fence a node (levels by name, pattern and
// attribute, in index order; every device when there is no topology) and
// carrying it out with agents written by the test: a level needs all its
// devices, a failed level falls through to the next, a device that cannot
// fence the target is skipped, and a reboot through two devices is off, off,
// on, on.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cib/cib.hpp"
#include "fencing/topology.hpp"

namespace hf = holdfast::fencing;
namespace fs = std::filesystem;

namespace {

const std::string cib_text = R"(<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes>
      <node id="1" uname="node1"/><node id="2" uname="rack2-n1"/>
      <node id="3" uname="node3"><instance_attributes id="n3-a"><nvpair id="n3-rack" name="rack" value="r9"/></instance_attributes></node>
    </nodes>
    <resources>
      <primitive id="ipmi" class="stonith" type="fence_ok"><instance_attributes id="ipmi-a">
        <nvpair id="ipmi-list" name="pcmk_host_list" value="node1 node3"/></instance_attributes></primitive>
      <primitive id="psu1" class="stonith" type="fence_ok"/>
      <primitive id="psu2" class="stonith" type="fence_ok"/>
      <primitive id="broken" class="stonith" type="fence_fails"/>
    </resources>
    <constraints/>
    <fencing-topology>
      <fencing-level id="l1" target="node1" index="2" devices="psu1,psu2"/>
      <fencing-level id="l0" target="node1" index="1" devices="broken"/>
      <fencing-level id="lp" target-pattern="^rack2-" index="1" devices="psu2"/>
      <fencing-level id="la" target-attribute="rack" target-value="r9" index="1" devices="broken"/>
    </fencing-topology>
  </configuration>
  <status/>
</cib>)";

const char* meta = R"(<resource-agent name="fence"><parameters><parameter name="plug"/></parameters>
<actions><action name="on"/><action name="off"/><action name="reboot"/><action name="status"/>
<action name="monitor"/><action name="metadata"/></actions></resource-agent>)";

struct agents {
    fs::path dir;
    agents() {
        char tmpl[] = "/tmp/fencing-topology-XXXXXX";
        BOOST_TEST_REQUIRE(mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        setenv("HOLDFAST_FENCE_AGENT_DIR", tmpl, 1);
        // each run appends "<agent> <action>" to one log, so the order shows
        add("fence_ok", "exit 0");
        add("fence_fails", "exit 1");
    }
    ~agents() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    void add(const std::string& name, const std::string& rc) const {
        std::ofstream f(dir / name);
        f << "#!/bin/sh\naction=$(sed -n 's/^action=//p')\n"
          << "if [ \"$action\" = metadata ]; then cat <<'EOF'\n"
          << meta << "\nEOF\nexit 0; fi\n"
          << "echo \"" << name << " $action\" >> " << (dir / "log").string() << "\n"
          << rc << "\n";
        f.close();
        chmod((dir / name).c_str(), 0755);
    }
    std::string log() const {
        std::ifstream f(dir / "log");
        return std::string(std::istreambuf_iterator<char>(f), {});
    }
};

holdfast::cib::document load() {
    auto doc = holdfast::cib::load_string(cib_text, {}, "test");
    BOOST_TEST_REQUIRE(doc.has_value());
    return std::move(*doc);
}

std::vector<std::string> ids(const hf::fencing_plan::level& l) {
    std::vector<std::string> out;
    for (const auto& d : l.devices) out.push_back(d.id);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(plans_follow_the_topology_by_name_pattern_and_attribute) {
    auto doc = load();
    const auto& m = doc.model();
    auto p1 = hf::plan_fencing(m, "node1", {});
    BOOST_TEST_REQUIRE(p1.has_value());
    BOOST_TEST(p1->topology);
    BOOST_TEST_REQUIRE(p1->levels.size() == 2u);
    BOOST_TEST(p1->levels[0].index == 1);  // by index, not by order of appearance
    BOOST_TEST((ids(p1->levels[0]) == std::vector<std::string>{"broken"}));
    BOOST_TEST((ids(p1->levels[1]) == std::vector<std::string>{"psu1", "psu2"}));
    auto p2 = hf::plan_fencing(m, "rack2-n1", {});
    BOOST_TEST((p2->levels.size() == 1u && ids(p2->levels[0]) == std::vector<std::string>{"psu2"}));
    auto p3 = hf::plan_fencing(m, "node3", {{"rack", "r9"}});
    BOOST_TEST((p3->levels.size() == 1u && ids(p3->levels[0]) == std::vector<std::string>{"broken"}));
    auto none = hf::plan_fencing(m, "node4", {});  // no level: every device, each alone
    BOOST_TEST(!none->topology);
    BOOST_TEST(none->levels.size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_failed_level_falls_through_and_a_reboot_of_two_devices_is_off_then_on) {
    agents a;
    auto doc = load();
    hf::metadata_cache cache;
    auto plan = hf::plan_fencing(doc.model(), "node1", {});
    BOOST_TEST_REQUIRE(plan.has_value());
    auto r = hf::execute_plan(*plan, {"node1", 1, "reboot", 10000}, cache);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.level == 2);
    BOOST_TEST(r.device == "psu1,psu2");
    // the failing device is tried twice (pcmk_reboot_retries defaults to 2) before its level gives up
    BOOST_TEST(a.log() ==
               "fence_fails reboot\nfence_fails reboot\nfence_ok off\nfence_ok off\nfence_ok on\nfence_ok on\n");
    BOOST_TEST(r.steps.size() == 5u);
    BOOST_TEST(!r.steps[0].ok);
}

BOOST_AUTO_TEST_CASE(without_topology_devices_that_cannot_fence_the_target_are_skipped) {
    agents a;
    auto doc = load();
    hf::metadata_cache cache;
    auto plan = hf::plan_fencing(doc.model(), "node4", {});
    auto r = hf::execute_plan(*plan, {"node4", 4, "off", 10000}, cache);
    // ipmi's static list does not name node4; psu1 (no list: the agent's status says) does it
    BOOST_TEST(r.ok);
    BOOST_TEST(r.device == "psu1");
    BOOST_TEST(r.steps.front().device == "ipmi");
    BOOST_TEST(!r.steps.front().ok);

    auto only_broken = hf::plan_fencing(doc.model(), "node3", {{"rack", "r9"}});
    auto failed = hf::execute_plan(*only_broken, {"node3", 3, "off", 10000}, cache);
    BOOST_TEST(!failed.ok);
    BOOST_TEST(failed.reason.find("broken off") == 0);
}
