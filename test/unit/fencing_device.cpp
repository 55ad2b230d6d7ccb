// fencing/: device options as Pacemaker's fencer reads them, agent metadata,
// and fence_holdfast_scsi's option parsing. Pure functions, no agent run.
#include <boost/test/unit_test.hpp>

#include "fencing/agents/scsi_agent.hpp"
#include "fencing/device.hpp"
#include "fencing/metadata.hpp"

namespace hf = holdfast::fencing;
namespace sa = holdfast::fencing::scsi_agent;

namespace {

const char* const ipmi_like = R"(warning from python first
<?xml version="1.0" ?>
<resource-agent name="fence_x" shortdesc="X">
<parameters>
  <parameter name="ip" required="1"><content type="string"/></parameter>
  <parameter name="plug" required="0" obsoletes="port"><content type="string"/></parameter>
  <parameter name="port" required="0" deprecated="1"><content type="string" default="p0"/></parameter>
</parameters>
<actions><action name="on" automatic="0"/><action name="off"/><action name="reboot"/>
<action name="status"/><action name="monitor"/><action name="metadata"/></actions>
</resource-agent>)";

const char* const scsi_like = R"(<resource-agent name="fence_s"><parameters>
<parameter name="plug"/></parameters><actions><action name="on" automatic="1" on_target="1"/>
<action name="off"/><action name="list"/><action name="status"/></actions></resource-agent>)";

hf::agent_metadata md(const char* xml) {
    auto m = hf::parse_metadata(xml);
    BOOST_TEST_REQUIRE(m.has_value(), (m ? "" : m.error().message));
    return *m;
}

hf::device dev(std::map<std::string, std::string> p) { return {"d", "fence_x", std::move(p)}; }

std::string arg(const hf::agent_args& a, const std::string& k) {
    for (const auto& [key, v] : a)
        if (key == k) return v;
    return "<absent>";
}

}  // namespace

BOOST_AUTO_TEST_CASE(fencing_metadata_actions_and_parameters) {
    const auto x = md(ipmi_like);
    BOOST_TEST(x.name == "fence_x");
    BOOST_TEST(x.has_action("reboot"));
    BOOST_TEST(!x.has_action("list"));
    BOOST_TEST(!x.automatic_unfencing());
    BOOST_TEST(x.default_host_argument() == "port");  // port before plug, as Pacemaker 2.1.5
    BOOST_TEST(x.parameters.size() == 3u);
    BOOST_TEST(x.parameters[0].required);
    BOOST_TEST(x.parameters[2].deprecated);
    BOOST_TEST(x.parameters[2].default_value == "p0");
    const auto s = md(scsi_like);
    BOOST_TEST(s.automatic_unfencing());
    BOOST_TEST(s.action("on")->on_target);
    BOOST_TEST(s.default_host_argument() == "plug");
    BOOST_TEST(!hf::parse_metadata("<resource-agent/>").has_value());  // no actions
    BOOST_TEST(!hf::parse_metadata("not xml").has_value());
    BOOST_TEST(hf::xml_true("YES"));
    BOOST_TEST(!hf::xml_true("0"));
}

BOOST_AUTO_TEST_CASE(fencing_host_map_and_target_lists) {
    auto m = hf::parse_host_map("node1:plug1;node2=plug2 node3:a\\;b\tnode4:4");
    BOOST_TEST_REQUIRE(m.has_value());
    BOOST_TEST(m->size() == 4u);
    BOOST_TEST(hf::map_lookup(*m, "NODE2").value_or("") == "plug2");  // names case-insensitive
    BOOST_TEST(hf::map_lookup(*m, "node3").value_or("") == "a;b");
    BOOST_TEST(!hf::map_lookup(*m, "node5").has_value());
    BOOST_TEST(!hf::parse_host_map("node1:p1;justaname").has_value());
    const auto t = hf::parse_targets("node1,alias1\nnode2 on\n Parse error: invalid option\nnode3;node4\n\n");
    BOOST_TEST(t == (std::vector<std::string>{"node1", "alias1", "node2", "node3", "node4"}));
    BOOST_TEST(hf::contains_name(t, "Node3"));
}

BOOST_AUTO_TEST_CASE(fencing_host_check_defaults_and_explicit) {
    const auto x = md(ipmi_like), s = md(scsi_like);
    auto check = [](const hf::device& d, const hf::agent_metadata& m) {
        auto c = hf::host_check_of(d, m);
        BOOST_TEST_REQUIRE(c.has_value());
        return std::string(hf::to_string(*c));
    };
    BOOST_TEST(check(dev({}), x) == "status");  // no list action
    BOOST_TEST(check(dev({}), s) == "dynamic-list");
    BOOST_TEST(check(dev({{"pcmk_host_list", "a b"}}), s) == "static-list");
    BOOST_TEST(check(dev({{"pcmk_host_map", "a:1"}}), x) == "static-list");
    BOOST_TEST(check(dev({{"pcmk_host_check", "NONE"}, {"pcmk_host_list", "a"}}), x) == "none");
    BOOST_TEST(!hf::host_check_of(dev({{"pcmk_host_check", "sometimes"}}), x).has_value());
}

BOOST_AUTO_TEST_CASE(fencing_action_mapping_timeouts_and_tries) {
    const auto x = md(ipmi_like), s = md(scsi_like);
    BOOST_TEST(hf::agent_action(dev({}), x, "reboot") == "reboot");
    BOOST_TEST(hf::agent_action(dev({}), s, "reboot") == "off");  // no reboot: remapped
    BOOST_TEST(hf::agent_action(dev({{"pcmk_off_action", "poweroff"}}), s, "reboot") == "poweroff");
    BOOST_TEST(hf::action_timeout_ms(dev({}), "off", 60000).value() == 60000);
    BOOST_TEST(hf::action_timeout_ms(dev({{"pcmk_off_timeout", "90s"}}), "off", 60000).value() == 90000);
    BOOST_TEST(hf::action_timeout_ms(dev({{"pcmk_off_timeout", "PT2M"}}), "off", 1).value() == 120000);
    BOOST_TEST(!hf::action_timeout_ms(dev({{"pcmk_off_timeout", "soon"}}), "off", 1).has_value());
    BOOST_TEST(hf::action_tries(dev({}), "off").value() == 2);
    BOOST_TEST(hf::action_tries(dev({{"pcmk_off_retries", "0"}}), "off").value() == 1);
    BOOST_TEST(hf::action_tries(dev({{"pcmk_off_retries", "5"}}), "off").value() == 5);
    BOOST_TEST(!hf::action_tries(dev({{"pcmk_off_retries", "x"}}), "off").has_value());
    BOOST_TEST(hf::should_retry(1, 2, false, 1000, 60000));
    BOOST_TEST(!hf::should_retry(2, 2, false, 1000, 60000));   // tries used up
    BOOST_TEST(!hf::should_retry(1, 2, true, 1000, 60000));    // a timeout is not retried
    BOOST_TEST(!hf::should_retry(1, 2, false, 42000, 60000));  // 70% of the timeout spent
    BOOST_TEST(hf::parse_interval_ms("1500ms").value() == 1500);
    BOOST_TEST(hf::parse_interval_ms("2min").value() == 120000);
    BOOST_TEST(hf::parse_interval_ms(" 7 ").value() == 7000);
    BOOST_TEST(!hf::parse_interval_ms("7 parsecs").has_value());
}

BOOST_AUTO_TEST_CASE(fencing_delays_from_base_max_and_draw) {
    BOOST_TEST(hf::fencing_delay_s(dev({}), "off", "n1", 7).value() == 0);
    BOOST_TEST(hf::fencing_delay_s(dev({{"pcmk_delay_base", "5s"}}), "off", "n1", 7).value() == 5);
    BOOST_TEST(hf::fencing_delay_s(dev({{"pcmk_delay_base", "5s"}}), "status", "n1", 7).value() == 0);
    // base + draw % (max - base)
    const auto both = dev({{"pcmk_delay_base", "2"}, {"pcmk_delay_max", "10"}});
    BOOST_TEST(hf::fencing_delay_s(both, "reboot", "n1", 0).value() == 2);
    BOOST_TEST(hf::fencing_delay_s(both, "reboot", "n1", 7).value() == 9);
    BOOST_TEST(hf::fencing_delay_s(both, "reboot", "n1", 8).value() == 2);
    BOOST_TEST(hf::fencing_delay_s(dev({{"pcmk_delay_max", "10"}}), "off", "n1", 13).value() == 3);
    // base larger than max: limited to max
    BOOST_TEST(hf::fencing_delay_s(dev({{"pcmk_delay_base", "20"}, {"pcmk_delay_max", "10"}}), "off", "n", 3).value() ==
               10);
    const auto per_node = dev({{"pcmk_delay_base", "node1:5s;node2:0"}});
    BOOST_TEST(hf::fencing_delay_s(per_node, "off", "node1", 0).value() == 5);
    BOOST_TEST(hf::fencing_delay_s(per_node, "off", "node2", 0).value() == 0);
    BOOST_TEST(hf::fencing_delay_s(per_node, "off", "node3", 0).value() == 0);
    BOOST_TEST(!hf::fencing_delay_s(dev({{"pcmk_delay_max", "long"}}), "off", "n", 0).has_value());
}

BOOST_AUTO_TEST_CASE(fencing_agent_args_on_stdin) {
    const auto x = md(ipmi_like), s = md(scsi_like);
    const auto d = dev({{"ip", "10.0.0.1"},
                        {"pcmk_host_map", "node1:slot1"},
                        {"pcmk_off_timeout", "30"},
                        {"provides", "unfencing"},
                        {"action", "reboot"}});
    const auto a = hf::make_agent_args(d, x, "off", "node1", 3);
    BOOST_TEST(a.front().first == "action");
    BOOST_TEST(arg(a, "action") == "off");
    BOOST_TEST(arg(a, "nodename") == "node1");
    BOOST_TEST(arg(a, "nodeid") == "3");
    BOOST_TEST(arg(a, "port") == "slot1");  // mapped, through the metadata's port
    BOOST_TEST(arg(a, "ip") == "10.0.0.1");
    BOOST_TEST(arg(a, "pcmk_off_timeout") == "<absent>");
    BOOST_TEST(arg(a, "provides") == "<absent>");
    // a configured action never overrides the operation's
    BOOST_TEST(hf::stdin_text(a).find("action=off\n") == 0);
    BOOST_TEST(arg(hf::make_agent_args(dev({}), s, "on", "n2", 0), "plug") == "n2");
    BOOST_TEST(arg(hf::make_agent_args(dev({}), s, "on", "n2", 0), "nodeid") == "<absent>");
    // pcmk_host_argument: another name, none, or a fixed value kept
    BOOST_TEST(arg(hf::make_agent_args(dev({{"pcmk_host_argument", "uuid"}}), x, "off", "n2", 0), "uuid") == "n2");
    BOOST_TEST(arg(hf::make_agent_args(dev({{"pcmk_host_argument", "none"}}), x, "off", "n2", 0), "port") ==
               "<absent>");
    BOOST_TEST(arg(hf::make_agent_args(dev({{"port", "fixed"}}), x, "off", "n2", 0), "port") == "fixed");
    BOOST_TEST(arg(hf::make_agent_args(dev({{"port", "dynamic"}}), x, "off", "n2", 0), "port") == "n2");
    BOOST_TEST(arg(hf::make_agent_args(hf::device{"l", "fence_legacy", {}}, x, "off", "n2", 0), "port") == "<absent>");
    // device-wide actions carry no target
    BOOST_TEST(arg(hf::make_agent_args(dev({}), x, "monitor", "", 0), "nodename") == "<absent>");
}

BOOST_AUTO_TEST_CASE(fencing_scsi_agent_options) {
    auto o = sa::parse_stdin(
        "# comment\naction=on\nnodename=n1\ndevices=/dev/sdb,iscsi://h/iqn/1\n"
        "cluster_name=lab\nrejoined=1\nwhatever=1\n");
    BOOST_TEST_REQUIRE(o.has_value());
    BOOST_TEST(o->action == "on");
    BOOST_TEST(o->plug == "n1");
    BOOST_TEST(o->devices.size() == 2u);
    BOOST_TEST(o->rejoined);
    BOOST_TEST(o->warnings.size() == 1u);
    BOOST_TEST(!sa::parse_stdin("no equals sign\n").has_value());
    auto c = sa::parse_argv({"-o", "off", "--plug=n2", "-d", "/dev/sdb", "--cluster-name", "lab", "--rejoined"});
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->action == "off");
    BOOST_TEST(c->plug == "n2");
    BOOST_TEST(c->rejoined);
    BOOST_TEST(!sa::parse_argv({"--bogus", "1"}).has_value());
    BOOST_TEST(!sa::parse_argv({"-o"}).has_value());

    c->local_node = "n1";
    BOOST_TEST(sa::validate(*c).empty());
    c->local_node = "n2";  // a node does not fence itself
    BOOST_TEST(!sa::validate(*c).empty());
    c->action = "on";  // on runs on its target
    BOOST_TEST(sa::validate(*c).empty());
    c->local_node = "n1";
    BOOST_TEST(!sa::validate(*c).empty());
    c->action = "reboot";
    BOOST_TEST(!sa::validate(*c).empty());
    c->action = "status";
    c->devices = {"relative/path"};
    BOOST_TEST(!sa::validate(*c).empty());
    c->devices.clear();
    BOOST_TEST(!sa::validate(*c).empty());
    auto meta = hf::parse_metadata(sa::metadata());
    BOOST_TEST_REQUIRE(meta.has_value());
    BOOST_TEST(meta->automatic_unfencing());
    BOOST_TEST(meta->action("on")->on_target);
}
