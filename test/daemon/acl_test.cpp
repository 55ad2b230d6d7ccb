// daemon_ipc, CIB ACLs: a haclient member that is not root (uid 65534) is
// narrowed by the CIB's <acls> once enable-acl=true, on `holdfast cib show`
// and on changes, checked through the CIB root reads back.
#include <grp.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cib/cib.hpp"
#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast;
using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

fs::path write_file(const fs::path& dir, const std::string& name, const std::string& text) {
    fs::path p = dir / name;
    std::ofstream(p) << text;
    return p;
}

cib::document load_unvalidated(const std::string& xml) {
    cib::load_options lo;
    lo.validate = false;
    auto doc = cib::load_string(xml, lo, "<cib show>");
    BOOST_REQUIRE_MESSAGE(doc, xml);
    return std::move(*doc);
}

// The example CIB with an <acls> section where nobody reads everything and
// writes only crm_config (ACLs not enabled yet).
fs::path cib_with_acls(const fs::path& dir) {
    std::ifstream in(fs::path(HOLDFAST_SOURCE_DIR) / "examples/two-node-vm.xml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto end = text.find("  </configuration>");
    BOOST_REQUIRE(end != std::string::npos);
    text.insert(end,
                "    <acls>\n"
                "      <acl_target id=\"nobody\"><role id=\"observer\"/></acl_target>\n"
                "      <acl_role id=\"observer\">\n"
                "        <acl_permission id=\"observer-read\" kind=\"read\" xpath=\"/cib\"/>\n"
                "        <acl_permission id=\"observer-config\" kind=\"write\" xpath=\"//crm_config\"/>\n"
                "      </acl_role>\n"
                "    </acls>\n");
    return write_file(dir, "acl-cib.xml", text);
}

}  // namespace

BOOST_AUTO_TEST_CASE(cib_acls_narrow_what_a_haclient_member_reads_and_writes) {
    if (geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: ACL checks need another uid (CI runs them)");
        return;
    }
    group* g = getgrnam("haclient");
    if (!g) {
        BOOST_TEST_MESSAGE("no group haclient: no member to narrow");
        return;
    }
    const credentials member{65534, g->gr_gid};
    temp_dir src;  // the member reads the files it loads from here
    fs::permissions(src.path, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
    daemon_fixture d(cib_with_acls(src.path));
    auto root_cib = [&] {
        auto r = d.cli({"cib", "show", "--xml"});
        BOOST_REQUIRE(r.status == 0);
        return r.out;
    };
    BOOST_TEST(d.cli({"configure", "property", "enable-acl=true"}).status == 0);

    // read on /cib: the member sees what root sees
    auto shown = d.cli({"cib", "show", "--xml"}, member);
    BOOST_TEST(shown.status == 0);
    BOOST_TEST(shown.out == root_cib());
    // write on crm_config: a property goes through
    BOOST_TEST(d.cli({"configure", "property", "batch-limit=5"}, member).status == 0);
    BOOST_TEST(property(load_unvalidated(root_cib()), "batch-limit") == "5");
    // a resource does not, and nothing changes
    const std::string before = root_cib();
    auto extra = write_file(src.path, "extra.xml",
                            "<configuration><resources><primitive id=\"extra\" class=\"ocf\" provider=\"pacemaker\" "
                            "type=\"Dummy\"/></resources></configuration>\n");
    auto refused = d.cli({"configure", "load", "update", extra.string()}, member);
    BOOST_TEST(refused.status == 4, refused.err);  // permission
    BOOST_TEST(root_cib() == before);
    BOOST_TEST(!has_resource(load_unvalidated(root_cib()), "extra"));
    // root is never restricted
    BOOST_TEST(d.cli({"configure", "load", "update", extra.string()}).status == 0);
    BOOST_TEST(has_resource(load_unvalidated(root_cib()), "extra"));

    // the entry now names another user: nobody has none, and gets nothing
    auto rename = write_file(d.dir, "rename.xml",
                             "<configuration><acls><acl_target id=\"nobody\" name=\"somebody-else\"/></acls>"
                             "</configuration>\n");
    auto renamed = d.cli({"configure", "load", "update", rename.string()});
    BOOST_TEST(renamed.status == 0, renamed.err);
    const auto full = load_unvalidated(root_cib());
    shown = d.cli({"cib", "show", "--xml"}, member);
    BOOST_TEST(shown.status == 0);
    BOOST_TEST(shown.out.find("<configuration") == std::string::npos, shown.out);
    BOOST_TEST(shown.out.find("<status") == std::string::npos, shown.out);
    BOOST_TEST(shown.out.find("fence-node2-pass") == std::string::npos);
    // the bare <cib>, with the version root reads
    BOOST_TEST(shown.out.find(" epoch=\"" + full.model().epoch + "\"") != std::string::npos, shown.out);
    BOOST_TEST(d.cli({"configure", "property", "batch-limit=6"}, member).status != 0);
    BOOST_TEST(property(load_unvalidated(root_cib()), "batch-limit") == "5");

    // ACLs off: the member is back to what haclient grants
    BOOST_TEST(d.cli({"configure", "property", "enable-acl=false"}).status == 0);
    BOOST_TEST(d.cli({"configure", "property", "batch-limit=6"}, member).status == 0);
    BOOST_TEST(property(load_unvalidated(root_cib()), "batch-limit") == "6");
}
