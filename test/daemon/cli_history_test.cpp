// daemon_ipc: `holdfast history`, `holdfast report` and secret masking
// against a real holdfastd (standalone: the CIB changes and operation records
// it applies; transitions and fencing need a cluster, see test/lab). The CIB
// is the example's with a fence password nobody would type by chance; it must
// appear in no output, no journal, no log and no file of the report.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "cib/change.hpp"
#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast::test;
namespace fs = std::filesystem;
namespace cib = holdfast::cib;

namespace {

const std::string fence_password = "Hf-9x!pw-Zq";
const std::string reason_password = "Rs-4k!pw-Yq";

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The example CIB with fence-node2's password set to fence_password.
fs::path cib_with_password(const fs::path& dir) {
    std::string xml = read_file(fs::path(HOLDFAST_SOURCE_DIR) / "examples/two-node-vm.xml");
    const std::string from = "name=\"password\" value=\"secret\"";
    const auto at = xml.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    xml.replace(at, from.size(), "name=\"password\" value=\"" + fence_password + "\"");
    const fs::path p = dir / "with-password.xml";
    std::ofstream(p) << xml;
    return p;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// A failed monitor of vm1 on node2, as the executor records it.
void record_failure(const daemon_fixture& d) {
    const std::string key = "5:3:0:6b5f1c0e-0000-4000-8000-000000000001";
    const std::string xml =
        "<lrm_resource id=\"VMachine1\" class=\"ocf\" provider=\"holdfast\" type=\"VirtualMachine\">"
        "<lrm_rsc_op id=\"VMachine1_last_failure_0\" operation_key=\"VMachine1_monitor_10000\" operation=\"monitor\" "
        "transition-key=\"" +
        key + "\" transition-magic=\"0:7;" + key +
        "\" call-id=\"12\" rc-code=\"7\" op-status=\"0\" interval=\"10000\" on_node=\"node2\" "
        "exit-reason=\"guest gone (login password=" +
        reason_password + ")\"/></lrm_resource>";
    BOOST_REQUIRE(call_status(d.ipc, holdfast::daemon::request_type::cib_change,
                              cib::serialize(cib::change::record_operation("2", "node2", xml))) ==
                  holdfast::daemon::errc::ok);
}

std::string utc_iso(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

BOOST_AUTO_TEST_CASE(secrets_are_masked_in_show_status_and_the_daemons_files) {
    temp_dir tmp;
    daemon_fixture d(cib_with_password(tmp.path));
    // the daemon holds the real password (so the checks below can fail)
    BOOST_TEST(has(read_file(d.dir / "cib.xml"), fence_password));
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{{"configure", "show"},
                                                                               {"configure", "show", "--xml"},
                                                                               {"cib", "show", "--xml"},
                                                                               {"status"},
                                                                               {"status", "--output-as=xml"},
                                                                               {"status", "--output-as=json"}}) {
        auto r = d.cli(args);
        BOOST_TEST(r.status == 0, args[0] << " " << args[1 % args.size()] << ": " << r.err);
        BOOST_TEST(!has(r.out + r.err, fence_password), args[0] << ": " << r.out);
    }
    BOOST_TEST(has(d.cli({"configure", "show"}).out, "password=*****"));
    BOOST_TEST(has(d.cli({"cib", "show", "--xml"}).out, "name=\"password\" value=\"*****\""));

    // the masked text loaded back is refused (it would set the password to the mask)
    const fs::path shown = tmp.path / "shown.crm";
    std::ofstream(shown) << d.cli({"configure", "show"}).out;
    auto back = d.cli({"configure", "load", "replace", shown.string()});
    BOOST_TEST(back.status == 1);
    BOOST_TEST(one_line(back.err), back.err);
    BOOST_TEST(has(back.err, "'password'"), back.err);
    BOOST_TEST(has(read_file(d.dir / "cib.xml"), fence_password));

    // a change of the device and a failure quoting a password: journal and log stay clean
    BOOST_REQUIRE(d.cli({"configure", "property", "stonith-timeout=90s"}).status == 0);
    record_failure(d);
    auto h = d.cli({"history"});
    BOOST_TEST(h.status == 0, h.err);
    BOOST_TEST(has(h.out, "password=*****"), h.out);
    d.stop();  // its log complete
    for (const char* file : {"history.jsonl", "holdfastd.log"}) {
        const std::string text = read_file(d.dir / file);
        BOOST_TEST(!text.empty(), file);
        BOOST_TEST(!has(text, fence_password), file);
        BOOST_TEST(!has(text, reason_password), file);
    }
}

BOOST_AUTO_TEST_CASE(history_says_who_changed_what_and_what_failed_and_since_filters) {
    daemon_fixture d(true);
    BOOST_REQUIRE(d.cli({"configure", "property", "no-quorum-policy=freeze"}).status == 0);
    // --since has whole seconds: the second change is a full second later
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const std::time_t between = std::time(nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    BOOST_REQUIRE(d.cli({"node", "standby", "node2"}).status == 0);
    record_failure(d);

    auto text = d.cli({"history"});
    BOOST_REQUIRE(text.status == 0);
    // root (the test's uid, from the connection's credentials) via holdfast, with the epoch
    BOOST_TEST(has(text.out, " root via holdfast set property no-quorum-policy=freeze (epoch "), text.out);
    BOOST_TEST(has(text.out, " root via holdfast set node attribute standby=on of node2 (epoch "), text.out);
    BOOST_TEST(has(text.out, "VMachine1 failed: 10s-interval monitor on node2 returned 7 (not running): guest gone"),
               text.out);

    auto json = d.cli({"history", "--output-as=json"});
    BOOST_TEST(json.status == 0);
    BOOST_TEST(has(json.out, "\"kind\": \"cib\""), json.out);
    BOOST_TEST(has(json.out, "\"user\": \"root\""), json.out);
    BOOST_TEST(has(json.out, "\"kind\": \"failure\""), json.out);
    auto xml = d.cli({"history", "--output-as", "xml"});
    BOOST_TEST(xml.status == 0);
    BOOST_TEST(has(xml.out, "kind=\"failure\" rsc=\"VMachine1\""), xml.out);

    // --since: ISO 8601 between the two, relative, and the future
    auto later = d.cli({"history", "--since", utc_iso(between)});
    BOOST_TEST(later.status == 0, later.err);
    BOOST_TEST(!has(later.out, "no-quorum-policy"), later.out);
    BOOST_TEST(has(later.out, "standby=on"), later.out);
    BOOST_TEST(has(d.cli({"history", "--since=1h"}).out, "no-quorum-policy"));
    BOOST_TEST(d.cli({"history", "--since", utc_iso(std::time(nullptr) + 3600)}).out.empty());

    // the CIB says who, as Pacemaker's update-user
    BOOST_TEST(has(read_file(d.dir / "cib.xml"), "update-user=\"root\""));

    // bad input: one line naming the word, exit 2
    auto bad = d.cli({"history", "--since", "3x"});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(has(bad.err, "'3x'"), bad.err);
    bad = d.cli({"history", "--output-as=yaml"});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(has(bad.err, "'yaml'"), bad.err);
}

BOOST_AUTO_TEST_CASE(report_bundles_everything_masked) {
    temp_dir tmp;
    daemon_fixture d(cib_with_password(tmp.path));
    BOOST_REQUIRE(d.cli({"configure", "property", "stonith-timeout=90s"}).status == 0);
    record_failure(d);
    const fs::path conf = tmp.path / "corosync.conf";
    std::ofstream(conf) << "totem {\n  version: 2\n  cluster_name: hf\n}\n";
    const fs::path dest = tmp.path / "bundle.tar.gz";
    auto r = d.cli({"report", "--since", "1h", "--dest", dest.string(), "--state-dir", d.dir.string(), "--log",
                    (d.dir / "holdfastd.log").string(), "--corosync-conf", conf.string()});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_REQUIRE(fs::exists(dest));
    const fs::path out = tmp.path / "out";
    fs::create_directory(out);
    BOOST_REQUIRE(run({"/usr/bin/tar", "-xzf", dest.string(), "-C", out.string()}, {}).status == 0);
    const fs::path top = out / "bundle";
    BOOST_REQUIRE(fs::is_directory(top));
    for (const char* f : {"MANIFEST", "cib.xml", "configuration.crm", "status.txt", "history.txt", "fence-history.txt",
                          "verify.txt", "versions.txt", "corosync.conf", "holdfastd.log", "since.txt"})
        BOOST_TEST(fs::exists(top / f), f);
    BOOST_TEST(has(read_file(top / "cib.xml"), "name=\"password\" value=\"*****\""));
    BOOST_TEST(has(read_file(top / "configuration.crm"), "primitive fence-node2 stonith:fence_ipmilan"));
    BOOST_TEST(has(read_file(top / "history.txt"), "VMachine1 failed"));
    BOOST_TEST(has(read_file(top / "history.txt"), "set property stonith-timeout=90s"));
    BOOST_TEST(has(read_file(top / "corosync.conf"), "cluster_name: hf"));
    BOOST_TEST(has(read_file(top / "holdfastd.log"), "daemon_ready"));
    BOOST_TEST(has(read_file(top / "versions.txt"), "holdfastd: <holdfastd version="));
    if (!installed("qb-blackbox").empty()) BOOST_TEST(has(read_file(top / "blackbox.txt"), "cib_loaded"));
    for (const auto& e : fs::recursive_directory_iterator(out)) {
        if (!e.is_regular_file()) continue;
        const std::string text = read_file(e.path());
        BOOST_TEST(!has(text, fence_password), e.path());
        BOOST_TEST(!has(text, reason_password), e.path());
    }
    // --since is required; a bad one is named
    auto bad = d.cli({"report", "--dest", dest.string()});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(has(bad.err, "--since"), bad.err);
    bad = d.cli({"report", "--since", "soon"});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(has(bad.err, "'soon'"), bad.err);
}
