// ocf:holdfast:VirtualMachine run the way the executor runs it (ra::run),
// against libvirt's own test driver: test:///default, and a node described
// by an XML file the test writes (test:///PATH) with domains in each state.
// The test driver keeps its state per process, so each agent call starts
// from the file: every test checks one call's exit code and reason (state
// across calls: vm_agent_libvirtd.cpp). A silent libvirtd is a unix socket
// this test listens on and never answers.
#include <boost/test/unit_test.hpp>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "ra/executor.hpp"
#include "ra/ocf.hpp"
#include "ra/process.hpp"
#include "test/unit/vm_agent_util.hpp"

namespace fs = std::filesystem;
namespace ra = holdfast::ra;
using holdfast::test::done;
using holdfast::test::vm_fixture;

namespace {

// A libvirtd that has hung: the socket accepts connections (the kernel
// queues them) and nobody ever reads or answers.
class silent_socket {
public:
    explicit silent_socket(const std::string& path) : path_(path) {
        fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
        BOOST_REQUIRE(fd_ >= 0);
        BOOST_REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
        BOOST_REQUIRE(listen(fd_, 64) == 0);
    }
    ~silent_socket() {
        if (fd_ >= 0) close(fd_);
        unlink(path_.c_str());
    }
    silent_socket(const silent_socket&) = delete;
    silent_socket& operator=(const silent_socket&) = delete;
    std::string uri(const std::string& driver = "qemu") const { return driver + "+unix:///system?socket=" + path_; }

private:
    std::string path_;
    int fd_ = -1;
};

// A stand-in for a domain's qemu process: a shell whose command line carries
// "-name guest=NAME,..." as libvirt passes it, with its pid in PID_DIR/NAME.pid
// (written once the exec is done, so /proc shows the new command line).
class stand_in {
public:
    stand_in(const std::string& pid_dir, const std::string& pid_name, const std::string& guest)
        : child_(std::move(ra::child_process::spawn({"/bin/sh", "-c", "sleep 600; :", "qemu-system-x86_64", "-name",
                                                     "guest=" + guest + ",debug-threads=on"},
                                                    {"PATH=/usr/bin:/bin"})
                               .value())) {
        const std::string cmdline = "/proc/" + std::to_string(child_.pid()) + "/cmdline";
        for (int i = 0; i < 1000; ++i) {
            std::ifstream in(cmdline);
            const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            if (text.find("guest=") != std::string::npos) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        std::ofstream(pid_dir + "/" + pid_name + ".pid") << child_.pid() << "\n";
    }

private:
    ra::child_process child_;  // its destructor kills the group and reaps it
};

std::set<std::string> names_under(xmlNodePtr parent, const char* element) {
    std::set<std::string> out;
    for (xmlNodePtr n = parent ? parent->children : nullptr; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, BAD_CAST element) != 0) continue;
        xmlChar* name = xmlGetProp(n, BAD_CAST "name");
        if (name) out.insert(reinterpret_cast<const char*>(name));
        xmlFree(name);
    }
    return out;
}

xmlNodePtr child_named(xmlNodePtr parent, const char* name) {
    for (xmlNodePtr n = parent->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0) return n;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(vm_agent)

BOOST_AUTO_TEST_CASE(meta_data_is_ocf_1_1_xml_with_every_parameter_and_action) {
    vm_fixture f;
    const auto r = f.run("meta-data", {});
    BOOST_TEST(r.rc == 0);
    xmlDocPtr doc = xmlReadMemory(r.output.data(), static_cast<int>(r.output.size()), "meta-data.xml", nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    BOOST_REQUIRE(doc != nullptr);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    BOOST_REQUIRE(root != nullptr);
    BOOST_TEST(std::string(reinterpret_cast<const char*>(root->name)) == "resource-agent");
    xmlNodePtr version = child_named(root, "version");
    BOOST_REQUIRE(version != nullptr);
    xmlChar* v = xmlNodeGetContent(version);
    BOOST_TEST(std::string(reinterpret_cast<const char*>(v)) == "1.1");
    xmlFree(v);
    const std::set<std::string> params{"config",
                                       "domain",
                                       "hypervisor",
                                       "shutdown_timeout",
                                       "hypervisor_timeout",
                                       "pid_dir",
                                       "migration_transport",
                                       "migration_uri",
                                       "migration_data_uri"};
    BOOST_TEST(names_under(child_named(root, "parameters"), "parameter") == params);
    const std::set<std::string> actions{"start",        "stop",        "monitor",   "migrate_to",
                                        "migrate_from", "utilization", "meta-data", "validate-all"};
    BOOST_TEST(names_under(child_named(root, "actions"), "action") == actions);
    for (xmlNodePtr p = child_named(root, "parameters")->children; p; p = p->next) {
        if (p->type != XML_ELEMENT_NODE) continue;
        BOOST_TEST(child_named(p, "longdesc") != nullptr);
        BOOST_TEST(child_named(p, "shortdesc") != nullptr);
        BOOST_TEST(child_named(p, "content") != nullptr);
    }
    // The schema Debian's resource-agents checks its own agents' meta-data with
    const char* schema = "/usr/share/resource-agents/metadata.rng";
    if (access(schema, R_OK) == 0) {
        xmlRelaxNGParserCtxtPtr pctx = xmlRelaxNGNewParserCtxt(schema);
        xmlRelaxNGPtr rng = xmlRelaxNGParse(pctx);
        BOOST_REQUIRE(rng != nullptr);
        xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(rng);
        BOOST_TEST(xmlRelaxNGValidateDoc(vctx, doc) == 0);
        xmlRelaxNGFreeValidCtxt(vctx);
        xmlRelaxNGFree(rng);
        xmlRelaxNGFreeParserCtxt(pctx);
    } else {
        BOOST_TEST_MESSAGE("resource-agents' metadata.rng not installed: schema check skipped");
    }
    xmlFreeDoc(doc);
}

BOOST_AUTO_TEST_CASE(validate_all_accepts_good_and_rejects_bad_parameters) {
    vm_fixture f;
    BOOST_TEST(f.run("validate-all", {{"domain", "vm-run"}}).rc == 0);
    BOOST_TEST(f.run("validate-all", {{"config", f.path("new.xml")}}).rc == 0);
    BOOST_TEST(f.run("validate-all", {{"config", f.path("new.xml")}, {"domain", "vm-new"}}).rc == 0);
    const std::map<std::string, std::string> dom{{"domain", "vm-run"}};
    const auto with = [&](std::map<std::string, std::string> extra) {
        extra.insert(dom.begin(), dom.end());
        return f.run("validate-all", extra);
    };
    const auto none = f.run("validate-all", {});
    BOOST_TEST(none.rc == 6);  // not configured: fatal
    BOOST_TEST(!none.exit_reason.empty());
    BOOST_TEST(f.run("validate-all", {{"config", f.path("missing.xml")}}).rc == 5);  // not installed here
    BOOST_TEST(f.run("validate-all", {{"config", f.path("not-a-domain.xml")}}).rc == 6);
    BOOST_TEST(f.run("validate-all", {{"config", "new.xml"}}).rc == 6);  // relative
    BOOST_TEST(f.run("validate-all", {{"config", f.path("new.xml")}, {"domain", "other"}}).rc == 6);
    BOOST_TEST(with({{"hypervisor", "not a uri"}}).rc == 6);
    BOOST_TEST(with({{"shutdown_timeout", "soon"}}).rc == 6);
    BOOST_TEST(with({{"shutdown_timeout", "-1"}}).rc == 6);
    BOOST_TEST(with({{"hypervisor_timeout", "0"}}).rc == 6);
    BOOST_TEST(with({{"migration_transport", "s s h"}}).rc == 6);
    BOOST_TEST(with({{"migration_uri", "node2"}}).rc == 6);
    BOOST_TEST(with({{"shutdown_timeout", "30"}, {"hypervisor_timeout", "5"}, {"migration_transport", "tcp"}}).rc == 0);
}

BOOST_AUTO_TEST_CASE(unknown_action_and_missing_action) {
    vm_fixture f;
    const auto r = f.run("reload-everything", {{"domain", "vm-run"}});
    BOOST_TEST(r.rc == 3);
    auto child = ra::child_process::spawn({VM_AGENT_BIN}, {});
    BOOST_REQUIRE(child.has_value());
    const auto exit = child->wait_for(10000);
    BOOST_REQUIRE(exit.has_value());
    BOOST_TEST(exit->code == 2);
    BOOST_TEST(!ra::exit_reason(exit->err).empty());
}

BOOST_AUTO_TEST_CASE(monitor_reads_the_domain_state) {
    vm_fixture f;
    BOOST_TEST(f.run("monitor", {{"domain", "vm-run"}}).rc == 0);
    BOOST_TEST(f.run("monitor", {{"domain", "vm-paused"}}).rc == 0);
    BOOST_TEST(f.run("monitor", {{"domain", "vm-off"}}).rc == 7);
    BOOST_TEST(f.run("monitor", {{"domain", "vm-absent"}}).rc == 7);
    BOOST_TEST(f.run("monitor", {{"config", f.path("new.xml")}}).rc == 7);  // not created yet
    const auto crashed = f.run("monitor", {{"domain", "vm-crashed"}});
    BOOST_TEST(crashed.rc == 1);
    BOOST_TEST(crashed.exit_reason.find("crashed") != std::string::npos);
    // test:///default: its one domain, "test", runs
    BOOST_TEST(f.run("monitor", {{"domain", "test"}, {"hypervisor", "test:///default"}}).rc == 0);
}

BOOST_AUTO_TEST_CASE(start_is_idempotent_and_starts_what_is_not_running) {
    vm_fixture f;
    BOOST_TEST(f.run("start", {{"domain", "vm-run"}}).rc == 0);  // already running
    BOOST_TEST(f.run("start", {{"domain", "vm-paused"}}).rc == 0);
    BOOST_TEST(f.run("start", {{"domain", "vm-off"}}).rc == 0);
    BOOST_TEST(f.run("start", {{"domain", "vm-crashed"}}).rc == 0);  // destroyed, then started
    const auto absent = f.run("start", {{"domain", "vm-absent"}});
    BOOST_TEST(absent.rc == 5);  // no definition on this node: try another
    BOOST_TEST(absent.exit_reason.find("vm-absent") != std::string::npos);
    BOOST_TEST(f.run("start", {{"config", f.path("new.xml")}}).rc == 0);  // created from the file
    BOOST_TEST(f.run("start", {{"config", f.path("new.xml")}, {"hypervisor", "test:///default"}}).rc == 0);
    BOOST_TEST(f.run("start", {{"config", f.path("missing.xml")}}).rc == 5);
}

BOOST_AUTO_TEST_CASE(stop_is_idempotent_and_destroys_after_the_deadline) {
    vm_fixture f;
    BOOST_TEST(f.run("stop", {{"domain", "vm-run"}}).rc == 0);
    BOOST_TEST(f.run("stop", {{"domain", "vm-paused"}}).rc == 0);
    BOOST_TEST(f.run("stop", {{"domain", "vm-crashed"}}).rc == 0);
    BOOST_TEST(f.run("stop", {{"domain", "vm-off"}}).rc == 0);     // not running: done
    BOOST_TEST(f.run("stop", {{"domain", "vm-absent"}}).rc == 0);  // not there: done
    BOOST_TEST(f.run("stop", {{"config", f.path("new.xml")}}).rc == 0);
    // The guest ignores the shutdown (it restarts on power off): after
    // shutdown_timeout the agent destroys it, and checks that it is off.
    const auto stubborn = f.run("stop", {{"domain", "vm-stubborn"}, {"shutdown_timeout", "1"}});
    BOOST_TEST(stubborn.rc == 0);
    BOOST_TEST(done(stubborn));
    // A stop whose config file has gone from this node still works by name.
    BOOST_TEST(f.run("stop", {{"config", f.path("missing.xml")}, {"domain", "vm-run"}}).rc == 0);
}

BOOST_AUTO_TEST_CASE(migrate_to_refuses_cleanly) {
    vm_fixture f;
    const auto no_target = f.run("migrate_to", {{"domain", "vm-run"}});
    BOOST_TEST(no_target.rc == 2);
    BOOST_TEST(no_target.exit_reason.find("migrate_target") != std::string::npos);
    // The test driver cannot migrate peer to peer: the agent says so and
    // names the destination it derived from hypervisor and the transport.
    const auto refused = f.run(
        "migrate_to", {{"domain", "vm-run"}, {"CRM_meta_migrate_target", "node2"}, {"migration_transport", "tcp"}});
    BOOST_TEST(refused.rc == 1);
    BOOST_TEST(done(refused));
    BOOST_TEST(refused.exit_reason.find("test+tcp://node2/") != std::string::npos);
    const auto templ = f.run(
        "migrate_to",
        {{"domain", "vm-run"}, {"CRM_meta_migrate_target", "node2"}, {"migration_uri", "qemu+tls://%n.mig/system"}});
    BOOST_TEST(templ.rc == 1);
    BOOST_TEST(templ.exit_reason.find("qemu+tls://node2.mig/system") != std::string::npos);
    const auto not_here = f.run("migrate_to", {{"domain", "vm-off"}, {"CRM_meta_migrate_target", "node2"}});
    BOOST_TEST(not_here.rc == 1);
    BOOST_TEST(not_here.exit_reason.find("not running") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(migrate_from_checks_the_domain_runs_here) {
    vm_fixture f;
    BOOST_TEST(f.run("migrate_from", {{"domain", "vm-run"}}).rc == 0);
    const auto off = f.run("migrate_from", {{"domain", "vm-off"}}, 1500);
    BOOST_TEST(off.rc == 1);
    BOOST_TEST(done(off));
    BOOST_TEST(off.exit_reason.find("not running") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(utilization_reports_vcpus_and_memory) {
    vm_fixture f;
    const auto running = f.run("utilization", {{"domain", "vm-run"}});
    BOOST_TEST(running.rc == 0);
    BOOST_TEST(running.output == "cpu=2 hv_memory=256\n");
    // Not created yet: from the config file
    const auto from_file = f.run("utilization", {{"config", f.path("new.xml")}});
    BOOST_TEST(from_file.rc == 0);
    BOOST_TEST(from_file.output == "cpu=4 hv_memory=1024\n");
    BOOST_TEST(f.run("utilization", {{"domain", "vm-absent"}}).rc == 1);
}

// libvirtd accepts the connection and never answers: monitor gives up on it
// after hypervisor_timeout and looks for the domain's process instead, well
// inside the action's timeout (status done, not timed out).
BOOST_AUTO_TEST_CASE(monitor_falls_back_to_the_process_when_libvirtd_hangs) {
    vm_fixture f;
    silent_socket hung(f.path("hung.sock"));
    const std::map<std::string, std::string> base{
        {"domain", "vm1"}, {"hypervisor", hung.uri()}, {"hypervisor_timeout", "1"}, {"pid_dir", f.path("run")}};
    const auto no_process = f.run("monitor", base);
    BOOST_TEST(no_process.rc == 7);
    BOOST_TEST(done(no_process));
    {
        stand_in other(f.path("run"), "vm1", "vm2");  // a recycled pid: another guest
        BOOST_TEST(f.run("monitor", base).rc == 7);
    }
    stand_in qemu(f.path("run"), "vm1", "vm1");
    const auto alive = f.run("monitor", base);
    BOOST_TEST(alive.rc == 0);
    BOOST_TEST(done(alive));
    // libvirtd not there at all: the same evidence
    auto gone = base;
    gone["hypervisor"] = "qemu+unix:///system?socket=" + f.path("nosuch.sock");
    BOOST_TEST(f.run("monitor", gone).rc == 0);
    // No pid directory known for the driver: a failure that says why, not a guess
    auto unknown = base;
    unknown.erase("pid_dir");
    unknown["hypervisor"] = hung.uri("test");
    const auto blind = f.run("monitor", unknown);
    BOOST_TEST(blind.rc == 1);
    BOOST_TEST(blind.exit_reason.find("pid_dir") != std::string::npos);
}

// The other actions fail with a reason inside their timeout rather than
// being killed by the executor.
BOOST_AUTO_TEST_CASE(actions_against_a_hung_libvirtd_fail_in_time) {
    vm_fixture f;
    silent_socket hung(f.path("hung.sock"));
    for (const char* action : {"start", "stop", "migrate_to"}) {
        const auto r =
            f.run(action, {{"domain", "vm1"}, {"hypervisor", hung.uri()}, {"CRM_meta_migrate_target", "n2"}}, 2000);
        BOOST_TEST(r.rc == 1, action);
        BOOST_TEST(done(r), action);
        BOOST_TEST(r.exit_reason.find("did not answer") != std::string::npos, action);
    }
    // utilization still has the config file
    const auto size = f.run("utilization", {{"config", f.path("new.xml")}, {"hypervisor", hung.uri()}}, 2000);
    BOOST_TEST(size.rc == 0);
    BOOST_TEST(size.output == "cpu=4 hv_memory=1024\n");
}

BOOST_AUTO_TEST_SUITE_END()
