// The lines crm_simulate prints before the initial cluster status: the
// maintenance-mode banner and the count of disabled/blocked instances.
#include <boost/test/unit_test.hpp>

#include <string>

#include "cib/cib.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/status_text.hpp"

namespace {

std::string header_for(const std::string& props, const std::string& resources) {
    const std::string text =
        "<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\">"
        "<configuration><crm_config><cluster_property_set id=\"o\">" +
        props + "</cluster_property_set></crm_config><nodes><node id=\"n1\" uname=\"n1\"/></nodes><resources>" +
        resources + "</resources><constraints/></configuration><status/></cib>";
    holdfast::cib::load_options o;
    o.validate = false;
    auto doc = holdfast::cib::load_string(text, o);
    BOOST_REQUIRE(doc.has_value());
    auto ws = holdfast::policy::unpack(doc->model(), 5000);
    return holdfast::tools::format_status_header(ws);
}

std::string dummy(const std::string& id, const std::string& target_role = "") {
    std::string meta = target_role.empty()
                           ? ""
                           : "<meta_attributes id=\"" + id + "-m\"><nvpair id=\"" + id +
                                 "-t\" name=\"target-role\" value=\"" + target_role + "\"/></meta_attributes>";
    return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" + meta + "</primitive>";
}

}  // namespace

BOOST_AUTO_TEST_CASE(status_header_is_empty_when_nothing_is_disabled) {
    BOOST_TEST(header_for("", dummy("a") + dummy("b", "Started")).empty());
}

BOOST_AUTO_TEST_CASE(status_header_counts_disabled_instances_of_clones) {
    const std::string clone =
        "<clone id=\"c\"><meta_attributes id=\"cm\"><nvpair id=\"cm1\" name=\"target-role\" "
        "value=\"Stopped\"/><nvpair id=\"cm2\" name=\"clone-max\" value=\"2\"/>"
        "</meta_attributes>" +
        dummy("d") + "</clone>";
    BOOST_TEST(header_for("", dummy("a") + clone) ==
               "2 of 3 resource instances DISABLED and 0 BLOCKED from further action due to failure\n\n");
}

BOOST_AUTO_TEST_CASE(status_header_shows_maintenance_mode) {
    const std::string h = header_for("<nvpair id=\"mm\" name=\"maintenance-mode\" value=\"true\"/>", dummy("a"));
    BOOST_TEST(h.find("*** Resource management is DISABLED ***") != std::string::npos);
    BOOST_TEST(h.find("instances DISABLED") == std::string::npos);
}
