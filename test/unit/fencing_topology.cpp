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
#include <functional>
#include <thread>

#include "cib/cib.hpp"
#include "fencing/cancel.hpp"
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

namespace {

const std::string unfence_cib = R"(<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/></nodes>
    <resources>
      <primitive id="scsi" class="stonith" type="fence_unfence"/>
      <primitive id="ipmi" class="stonith" type="fence_ok"><instance_attributes id="ipmi-a">
        <nvpair id="ipmi-list" name="pcmk_host_list" value="node1 node2"/></instance_attributes></primitive>
      <primitive id="psu" class="stonith" type="fence_ok"><meta_attributes id="psu-m">
        <nvpair id="psu-provides" name="provides" value="unfencing"/></meta_attributes></primitive>
      <primitive id="broken" class="stonith" type="fence_fails"><meta_attributes id="broken-m">
        <nvpair id="broken-provides" name="provides" value="unfencing"/></meta_attributes></primitive>
    </resources>
    <constraints/>
    <fencing-topology>
      <fencing-level id="l1" target="node2" index="1" devices="ipmi"/>
      <fencing-level id="l2" target="node2" index="2" devices="scsi,ipmi"/>
      <fencing-level id="l3" target="node3" index="1" devices="broken"/>
    </fencing-topology>
  </configuration>
  <status/>
</cib>)";

// An agent whose `on` is automatic (as fence_scsi's and fence_holdfast_scsi's)
// and which takes `rejoined`: it logs the value it was given.
const char* unfence_meta = R"(<resource-agent name="fence_unfence"><parameters><parameter name="plug"/>
<parameter name="rejoined"/></parameters><actions><action name="on" automatic="1" on_target="1"/>
<action name="off"/><action name="status"/><action name="monitor"/><action name="metadata"/></actions></resource-agent>)";

void add_unfence_agent(const agents& a) {
    const fs::path p = a.dir / "fence_unfence";
    std::ofstream f(p);
    f << "#!/bin/sh\nin=$(cat)\naction=$(echo \"$in\" | sed -n 's/^action=//p')\n"
      << "if [ \"$action\" = metadata ]; then cat <<'EOF'\n"
      << unfence_meta << "\nEOF\nexit 0; fi\n"
      << "echo \"fence_unfence $action rejoined=$(echo \"$in\" | sed -n 's/^rejoined=//p')\" >> "
      << (a.dir / "log").string() << "\nexit 0\n";
    f.close();
    chmod(p.c_str(), 0755);
}

}  // namespace

BOOST_AUTO_TEST_CASE(unfencing_turns_on_every_device_that_unfences_and_only_those) {
    agents a;
    add_unfence_agent(a);
    auto doc = holdfast::cib::load_string(unfence_cib, {}, "test");
    BOOST_TEST_REQUIRE(doc.has_value());
    hf::metadata_cache cache;
    // no topology for node1: scsi (automatic on) and psu (provides=unfencing), each
    // checked first; ipmi unfences nothing; broken's status fails: it cannot reach node1
    auto plan = hf::plan_fencing(doc->model(), "node1", {});
    BOOST_TEST_REQUIRE(plan.has_value());
    auto r = hf::execute_unfencing(*plan, {"node1", 1, "on", 10000, 0, true}, cache);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.device == "scsi,psu");
    BOOST_TEST(
        a.log().rfind("fence_unfence status rejoined=\nfence_unfence on rejoined=1\nfence_ok status\nfence_ok on\n"
                      "fence_fails status\n",
                      0) == 0);

    // node2's levels name ipmi twice and scsi once: only scsi unfences, once, unchecked
    std::filesystem::remove(a.dir / "log");
    auto plan2 = hf::plan_fencing(doc->model(), "node2", {});
    auto r2 = hf::execute_unfencing(*plan2, {"node2", 2, "on", 10000, 0, true}, cache);
    BOOST_TEST(r2.ok);
    BOOST_TEST(r2.device == "scsi");
    BOOST_TEST(a.log() == "fence_unfence on rejoined=1\n");
    // not back in a quorate cluster: the agent is not told the node rejoined
    std::filesystem::remove(a.dir / "log");
    BOOST_TEST(hf::execute_unfencing(*plan2, {"node2", 2, "on", 10000, 0, false}, cache).ok);
    BOOST_TEST(a.log() == "fence_unfence on rejoined=\n");

    // node3's only device fails to turn on: not unfenced
    auto plan3 = hf::plan_fencing(doc->model(), "node3", {});
    auto r3 = hf::execute_unfencing(*plan3, {"node3", 3, "on", 10000}, cache);
    BOOST_TEST(!r3.ok);
    BOOST_TEST(r3.reason.find("broken on") == 0);
}

BOOST_AUTO_TEST_CASE(unfencing_without_a_device_that_unfences_fails) {
    agents a;
    auto doc = load();  // no device there unfences
    hf::metadata_cache cache;
    auto plan = hf::plan_fencing(doc.model(), "node1", {});
    auto r = hf::execute_unfencing(*plan, {"node1", 1, "on", 10000}, cache);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.reason == "no device can unfence node1");
    BOOST_TEST(a.log().empty());
}

namespace {

const std::string cancel_cib = R"(<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/><nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="slow" class="stonith" type="fence_slow"/>
      <primitive id="later" class="stonith" type="fence_ok"><instance_attributes id="later-a">
        <nvpair id="later-delay" name="pcmk_delay_base" value="60s"/></instance_attributes></primitive>
    </resources>
    <constraints/>
    <fencing-topology>
      <fencing-level id="c1" target="node1" index="1" devices="slow"/>
      <fencing-level id="c2" target="node1" index="2" devices="later"/>
      <fencing-level id="d1" target="node2" index="1" devices="later"/>
    </fencing-topology>
  </configuration>
  <status/>
</cib>)";

// Runs the plan for `target` on a thread, cancels once `started` says so, and returns the result.
hf::fencing_result cancelled_run(const std::string& target, const std::function<bool()>& started) {
    auto doc = holdfast::cib::load_string(cancel_cib, {}, "test");
    BOOST_TEST_REQUIRE(doc.has_value());
    auto plan = hf::plan_fencing(doc->model(), target, {});
    BOOST_TEST_REQUIRE(plan.has_value());
    hf::metadata_cache cache;
    hf::cancel_source cancel;
    hf::fencing_request req{target, 1, "off", 120000};
    req.cancel_fd = cancel.fd();
    hf::fencing_result r;
    std::thread worker([&] { r = hf::execute_plan(*plan, req, cache); });
    for (int i = 0; i < 2000 && !started(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    cancel.cancel();
    worker.join();
    return r;
}

}  // namespace

// A node that learns it was fenced stops fencing (daemon/fencer: cancel_all):
// the agent running is killed, no later level is tried, a pcmk_delay_base
// still running ends without running its device.
BOOST_AUTO_TEST_CASE(a_cancelled_fencing_kills_its_agent_and_ends_its_delay) {
    agents a;
    a.add("fence_slow", "sleep 60");
    auto r = cancelled_run("node1", [&] { return a.log() == "fence_slow off\n"; });
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.reason.find("cancelled") != std::string::npos);
    BOOST_TEST_REQUIRE(r.steps.size() == 1u);  // level 2 ("later") was never tried
    BOOST_TEST(r.steps[0].detail.find("cancelled") != std::string::npos);
    BOOST_TEST(a.log() == "fence_slow off\n");

    auto d = cancelled_run("node2", [] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // into the 60 s delay
        return true;
    });
    BOOST_TEST(!d.ok);
    BOOST_TEST_REQUIRE(d.steps.size() == 1u);
    BOOST_TEST(d.steps[0].detail == "cancelled during pcmk_delay_base/max");
    BOOST_TEST(a.log() == "fence_slow off\n");  // fence_ok never ran
}
