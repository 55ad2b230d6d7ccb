// daemon/utilization: an agent's utilization report becomes an update that
// applies to the CIB, passes the schema and yields exactly the reported
// values; a report that changes nothing writes nothing.
#include <boost/test/unit_test.hpp>

#include <string>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "daemon/utilization.hpp"

using namespace holdfast;

namespace {

const std::string vm_cib = R"(<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources>
      <primitive id="vm1" class="ocf" provider="holdfast" type="VirtualMachine">
        <operations><op id="vm1-mon" name="monitor" interval="10s"/></operations>
      </primitive>
      <clone id="vms"><primitive id="vm2" class="ocf" provider="holdfast" type="VirtualMachine">
        <utilization id="vm2-u"><nvpair id="vm2-u-cpu" name="cpu" value="2"/></utilization>
        <utilization id="vm2-u2"><nvpair id="vm2-u2-mem" name="hv_memory" value="512"/></utilization>
      </primitive></clone>
    </resources>
    <constraints/>
  </configuration>
  <status/>
</cib>)";

const std::string meta_data = R"(<?xml version="1.0"?>
<resource-agent name="VirtualMachine" version="1.0">
  <version>1.1</version>
  <parameters/>
  <actions><action name="start" timeout="90s"/><action name="utilization" timeout="10s"/></actions>
</resource-agent>)";

std::string utilization_of(const cib::document& doc, const std::string& rsc, const std::string& name) {
    const cib::resource* r = daemon::find_primitive(doc.model().resources, rsc);
    BOOST_REQUIRE(r);
    for (const auto& set : r->utilization)
        for (const auto& p : set.pairs)
            if (p.name == name) return p.value;
    return "<unset>";
}

cib::document apply_update(const std::string& update) {
    auto doc = cib::load_string(vm_cib, {}, "test");
    BOOST_REQUIRE(doc);
    auto r = cib::apply(*doc, cib::change::update_configuration(update));
    BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().to_string()));
    return std::move(*doc);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(daemon_utilization)

BOOST_AUTO_TEST_CASE(offers_action_reads_the_agents_action_list) {
    BOOST_TEST(daemon::offers_action(meta_data, "utilization"));
    BOOST_TEST(daemon::offers_action(meta_data, "start"));
    BOOST_TEST(!daemon::offers_action(meta_data, "migrate_to"));
    BOOST_TEST(!daemon::offers_action("<resource-agent><parameters/></resource-agent>", "utilization"));
    BOOST_TEST(!daemon::offers_action("not xml <action name=\"utilization\"/>", "utilization"));
    BOOST_TEST(!daemon::offers_action("", "utilization"));
}

BOOST_AUTO_TEST_CASE(parse_keeps_integer_pairs_with_plain_names) {
    auto v = daemon::parse_utilization("cpu=2 hv_memory=1024\nnoise x=1.5 y=-3 =4 bad$name=1 gpu-count=0\n");
    BOOST_TEST(v.size() == 3u);
    BOOST_TEST(v["cpu"] == "2");
    BOOST_TEST(v["hv_memory"] == "1024");
    BOOST_TEST(v["gpu-count"] == "0");
    BOOST_TEST(daemon::parse_utilization("").empty());
}

BOOST_AUTO_TEST_CASE(a_primitive_without_utilization_gets_a_set) {
    auto doc = cib::load_string(vm_cib, {}, "test");
    BOOST_REQUIRE(doc);
    const cib::resource* vm1 = daemon::find_primitive(doc->model().resources, "vm1");
    BOOST_REQUIRE(vm1);
    const std::string update = daemon::utilization_update(*vm1, {{"cpu", "1"}, {"hv_memory", "128"}});
    BOOST_REQUIRE(!update.empty());
    auto after = apply_update(update);
    BOOST_TEST(utilization_of(after, "vm1", "cpu") == "1");
    BOOST_TEST(utilization_of(after, "vm1", "hv_memory") == "128");
    BOOST_TEST(daemon::find_primitive(after.model().resources, "vm1")->utilization.size() == 1u);
    // the same report again changes nothing
    BOOST_TEST(daemon::utilization_update(*daemon::find_primitive(after.model().resources, "vm1"),
                                          {{"cpu", "1"}, {"hv_memory", "128"}})
                   .empty());
}

BOOST_AUTO_TEST_CASE(existing_pairs_are_updated_where_they_are_inside_a_clone) {
    auto doc = cib::load_string(vm_cib, {}, "test");
    BOOST_REQUIRE(doc);
    const cib::resource* vm2 = daemon::find_primitive(doc->model().resources, "vm2:1");
    BOOST_REQUIRE(vm2);
    BOOST_TEST(vm2->id == "vm2");
    const std::string update = daemon::utilization_update(*vm2, {{"cpu", "2"}, {"hv_memory", "1024"}, {"disk", "3"}});
    BOOST_TEST(update.find("vm2-u-cpu") == std::string::npos);  // unchanged: not written
    auto after = apply_update(update);
    BOOST_TEST(utilization_of(after, "vm2", "cpu") == "2");
    BOOST_TEST(utilization_of(after, "vm2", "hv_memory") == "1024");
    BOOST_TEST(utilization_of(after, "vm2", "disk") == "3");
    const cib::resource* again = daemon::find_primitive(after.model().resources, "vm2");
    BOOST_TEST(again->utilization.size() == 2u);
    BOOST_TEST(again->utilization[1].pairs.size() == 1u);  // hv_memory stayed in its own set
    BOOST_TEST(!daemon::find_primitive(after.model().resources, "vms"));
}

BOOST_AUTO_TEST_SUITE_END()
