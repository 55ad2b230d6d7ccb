// daemon/: the ACL gate (daemon/acl_gate.hpp): names from the system's user
// and group databases, root never restricted, others narrowed by the CIB.
#include <grp.h>
#include <pwd.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "cib/cib.hpp"
#include "daemon/acl_gate.hpp"

using namespace holdfast;

namespace {

// uid 65534 (nobody on Debian) may read crm_config and write nothing
std::string cib_with_acls(const std::string& user) {
    return "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">"
           "<configuration><crm_config><cluster_property_set id=\"o\">"
           "<nvpair id=\"o-acl\" name=\"enable-acl\" value=\"true\"/></cluster_property_set></crm_config>"
           "<nodes/><resources><primitive id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>"
           "</resources><constraints/>"
           "<acls><acl_target id=\"" +
           user +
           "\"><role id=\"r\"/></acl_target>"
           "<acl_role id=\"r\"><acl_permission id=\"r1\" kind=\"read\" xpath=\"//crm_config\"/></acl_role>"
           "</acls></configuration><status/></cib>";
}

}  // namespace

BOOST_AUTO_TEST_CASE(acl_gate_names_come_from_the_system) {
    BOOST_TEST(daemon::user_name(0) == "root");
    auto root_groups = daemon::group_names({0});
    BOOST_REQUIRE(root_groups.size() == 1u);
    BOOST_TEST(root_groups[0] == "root");
    daemon::peer p{0, 0, 1, daemon::peer_class::root};
    BOOST_TEST(daemon::acl_subject(p).user == "root");
    // a uid without a passwd entry gets a name no ACL entry matches
    p.uid = 4000000000u;
    BOOST_TEST(daemon::acl_subject(p).user == "#4000000000");
}

BOOST_AUTO_TEST_CASE(acl_gate_narrows_peers_that_are_not_root) {
    const passwd* pw = getpwuid(65534);
    if (!pw) {
        BOOST_TEST_MESSAGE("no user with uid 65534");
        return;
    }
    auto doc = cib::load_string(cib_with_acls(pw->pw_name));
    BOOST_REQUIRE(doc);
    const daemon::peer root{0, 0, 1, daemon::peer_class::root};
    const daemon::peer member{65534, 65534, 1, daemon::peer_class::haclient_member};
    BOOST_TEST(daemon::readable_cib(*doc, root) == doc->to_string());
    auto seen = daemon::readable_cib(*doc, member);
    BOOST_TEST(seen.find("enable-acl") != std::string::npos, seen);
    BOOST_TEST(seen.find("d1") == std::string::npos, seen);

    auto change = cib::change::set_property("batch-limit", "3");
    BOOST_TEST(!daemon::refuse_change(*doc, change, root));
    auto refused = daemon::refuse_change(*doc, change, member);
    BOOST_REQUIRE(refused);
    BOOST_TEST(static_cast<int>(refused->status) == static_cast<int>(daemon::errc::permission_denied));
    BOOST_TEST(refused->payload.find("batch-limit") != std::string::npos, refused->payload);
    // what the CIB refuses anyway is left to the change path
    BOOST_TEST(!daemon::refuse_change(*doc, cib::change::delete_element("nope"), member));
}
