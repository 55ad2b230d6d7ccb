// Class systemd (and service:) through ra::run against a private systemd:
// the executor starts holdfast-systemd-op like an agent; the unit's real
// state is read back with systemctl inside the namespace.
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <cstdlib>

#include <filesystem>
#include <iostream>
#include <string>

#include "ra/executor.hpp"
#include "test/systemd/private_systemd.hpp"
#include "test/systemd/test_units.hpp"

namespace fs = std::filesystem;
namespace ra = holdfast::ra;

namespace {

class systemd_fixture {
public:
    systemd_fixture() : sd_(holdfast::test::test_units()) {
        BOOST_REQUIRE_MESSAGE(sd_.boot_error().empty(), sd_.boot_error());
        // The build's helper unless the caller names another (an ASan build)
        if (const char* given = std::getenv("HOLDFAST_SYSTEMD_OP"); given && *given) helper_ = given;
        setenv("HOLDFAST_SYSTEMD_OP", helper_.c_str(), 1);
        setenv("HOLDFAST_SYSTEMD_BUS", sd_.bus_address().c_str(), 1);
        setenv("HOLDFAST_SYSTEMD_DROPIN_DIR", sd_.runtime_unit_dir().c_str(), 1);
        // service: finds no init script here, so it means systemd
        setenv("HOLDFAST_LSB_DIR", "/nonexistent", 1);
    }
    ~systemd_fixture() {
        for (const char* v : {"HOLDFAST_SYSTEMD_BUS", "HOLDFAST_SYSTEMD_DROPIN_DIR", "HOLDFAST_LSB_DIR"}) unsetenv(v);
        const auto id = boost::unit_test::framework::current_test_case().p_id;
        if (!boost::unit_test::results_collector.results(id).passed())
            std::cerr << "private systemd log:\n" << sd_.log() << "\n";
    }

    ra::op_result run(const std::string& type, const std::string& action, int64_t timeout_ms = 20000,
                      const std::string& rclass = "systemd") {
        ra::operation op;
        op.rsc_id = "r1";
        op.rclass = rclass;
        op.type = type;
        op.action = action;
        op.timeout_ms = timeout_ms;
        return ra::run(op);
    }
    std::string property(const std::string& unit, const std::string& name) {
        auto [code, out] = sd_.systemctl({"show", "-p", name, "--value", unit});
        BOOST_REQUIRE_EQUAL(code, 0);
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }
    fs::path dropin(const std::string& unit) const { return sd_.runtime_unit_dir() / (unit + ".d/50-holdfast.conf"); }

protected:
    std::string helper_ = SYSTEMD_OP_BIN;
    holdfast::test::private_systemd sd_;
};

void check(const ra::op_result& r, int rc, ra::exec_status status = ra::exec_status::done) {
    BOOST_TEST_INFO("exit reason: " << r.exit_reason);
    BOOST_CHECK_EQUAL(r.rc, rc);
    BOOST_CHECK(r.status == status);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(systemd_class, systemd_fixture)

BOOST_AUTO_TEST_CASE(start_monitor_stop_monitor) {
    check(run("hf-sleep", "monitor"), 7);  // a probe before anything ran
    check(run("hf-sleep", "start"), 0);
    BOOST_CHECK_EQUAL(property("hf-sleep.service", "ActiveState"), "active");
    BOOST_CHECK(fs::exists(dropin("hf-sleep.service")));
    BOOST_CHECK_EQUAL(property("hf-sleep.service", "Restart"), "no");  // the unit file says always
    check(run("hf-sleep", "monitor"), 0);
    check(run("hf-sleep", "status"), 0);
    check(run("hf-sleep", "start"), 0);  // starting a running unit
    check(run("hf-sleep", "stop"), 0);
    BOOST_CHECK_EQUAL(property("hf-sleep.service", "ActiveState"), "inactive");
    BOOST_CHECK(!fs::exists(dropin("hf-sleep.service")));
    check(run("hf-sleep", "monitor"), 7);
    check(run("hf-sleep", "stop"), 0);  // stopping a stopped unit
}

BOOST_AUTO_TEST_CASE(failing_unit_start_is_an_error) {
    const auto r = run("hf-fail", "start");
    check(r, 1);
    BOOST_CHECK_NE(r.exit_reason.find("failed"), std::string::npos);
    BOOST_CHECK_EQUAL(property("hf-fail.service", "ActiveState"), "failed");
    check(run("hf-fail", "monitor"), 7);
    check(run("hf-fail", "stop"), 0);  // a failed unit is stopped
}

BOOST_AUTO_TEST_CASE(unknown_unit) {
    const auto start = run("hf-nothere", "start");
    check(start, 5, ra::exec_status::not_installed);
    BOOST_CHECK_EQUAL(start.exit_reason, "systemd unit hf-nothere.service not found");
    BOOST_CHECK(!fs::exists(dropin("hf-nothere.service")));
    check(run("hf-nothere", "monitor"), 7);
    check(run("hf-nothere", "stop"), 0);
    check(run("hf-nothere", "promote"), 3);  // no such action, nothing called
}

BOOST_AUTO_TEST_CASE(meta_data) {
    const auto r = run("hf-sleep", "meta-data");
    check(r, 0);
    BOOST_CHECK_NE(r.output.find("<resource-agent name=\"hf-sleep\""), std::string::npos);
    BOOST_CHECK_NE(r.output.find("Holdfast test &lt;sleeper&gt; &amp; co"), std::string::npos);
    BOOST_CHECK_NE(r.output.find("<special tag=\"systemd\"/>"), std::string::npos);
    BOOST_CHECK_NE(r.output.find("<action name=\"monitor\""), std::string::npos);
}

BOOST_AUTO_TEST_CASE(start_timeout_then_stop) {
    const auto r = run("hf-hang", "start", 1000);
    check(r, 1, ra::exec_status::timed_out);
    // The helper was killed; systemd's job goes on until the stop replaces it
    BOOST_CHECK_EQUAL(property("hf-hang.service", "ActiveState"), "activating");
    check(run("hf-hang", "stop"), 0);
    const std::string state = property("hf-hang.service", "ActiveState");  // failed: its process was killed
    BOOST_CHECK_MESSAGE(state == "inactive" || state == "failed", "hf-hang.service is " << state);
    check(run("hf-hang", "monitor"), 7);
}

BOOST_AUTO_TEST_CASE(killed_behind_the_cluster_stays_failed) {
    check(run("hf-sleep", "start"), 0);
    BOOST_REQUIRE_EQUAL(sd_.systemctl({"kill", "--signal=KILL", "hf-sleep.service"}).first, 0);
    // Wait for systemd to notice the death (bounded; the check is on state)
    std::string state;
    for (int i = 0; i < 300 && (state = property("hf-sleep.service", "ActiveState")) == "active"; ++i) ::usleep(100000);
    BOOST_CHECK_EQUAL(state, "failed");  // Restart=no from the drop-in: not restarted
    check(run("hf-sleep", "monitor"), 7);
    check(run("hf-sleep", "stop"), 0);
}

BOOST_AUTO_TEST_CASE(service_class_explicit_suffix_and_restart) {
    check(run("hf-sleep", "start", 20000, "service"), 0);
    check(run("hf-sleep.service", "monitor"), 0);
    const std::string pid = property("hf-sleep.service", "MainPID");
    check(run("hf-sleep.service", "restart"), 0);
    BOOST_CHECK_NE(property("hf-sleep.service", "MainPID"), pid);
    check(run("hf-sleep", "stop", 20000, "service"), 0);
    check(run("hf-sleep", "monitor", 20000, "service"), 7);
}

BOOST_AUTO_TEST_SUITE_END()
