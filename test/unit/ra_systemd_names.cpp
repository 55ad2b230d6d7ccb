// ra/: the systemd class without a systemd: unit names as Pacemaker forms
// them, the helper's answers when systemd cannot be reached, and service:'s
// choice between an init script and a unit. (A real systemd: ra_systemd.)
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ra/executor.hpp"
#include "ra/systemd.hpp"

namespace fs = std::filesystem;
namespace ra = holdfast::ra;

namespace {

ra::operation unit_op(const std::string& type, const std::string& action, const std::string& rclass = "systemd") {
    ra::operation op;
    op.rsc_id = "u1";
    op.rclass = rclass;
    op.type = type;
    op.action = action;
    op.timeout_ms = 10000;
    return op;
}

// HOLDFAST_SYSTEMD_BUS pointing at a socket nobody listens on.
struct no_systemd {
    no_systemd() { setenv("HOLDFAST_SYSTEMD_BUS", "unix:path=/nonexistent/holdfast-test/private", 1); }
    ~no_systemd() { unsetenv("HOLDFAST_SYSTEMD_BUS"); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(systemd_unit_names_follow_pacemaker) {
    BOOST_TEST(ra::systemd_unit_name("httpd", false) == "httpd.service");
    for (const char* full : {"httpd.service", "x.socket", "srv-data.mount", "backup.timer", "spool.path"})
        BOOST_TEST(ra::systemd_unit_name(full, false) == full);
    BOOST_TEST(ra::systemd_unit_name("my.app", false) == "my.app.service");  // not a unit suffix
    BOOST_TEST(ra::systemd_unit_name("getty@tty1", false) == "getty@tty1.service");
    BOOST_TEST(ra::systemd_unit_name("getty@", false) == "getty@.service");
    BOOST_TEST(ra::systemd_unit_name("getty@", true) == "getty@holdfast.service");
    BOOST_TEST(ra::systemd_unit_name("getty@.service", true) == "getty@holdfast.service");
}

BOOST_AUTO_TEST_CASE(systemd_helper_is_found_beside_the_program) {
    // Test binaries are built into the same bin/ as holdfast-systemd-op
    BOOST_TEST(access(ra::systemd_helper_path().c_str(), X_OK) == 0);
}

// No systemd to ask: the call fails as an error of the executor (op-status
// error), meta-data still answers, and an action a unit has not is refused
// before anything runs.
BOOST_AUTO_TEST_CASE(systemd_unreachable) {
    no_systemd env;
    const auto monitor = ra::run(unit_op("demo", "monitor"));
    BOOST_TEST(monitor.rc == 1);
    BOOST_TEST(static_cast<int>(monitor.status) == static_cast<int>(ra::exec_status::error));
    BOOST_TEST(monitor.exit_reason.find("cannot connect to systemd") != std::string::npos);
    const auto meta = ra::run(unit_op("demo", "meta-data"));
    BOOST_TEST(meta.rc == 0);
    BOOST_TEST(meta.output.find("<resource-agent name=\"demo\"") != std::string::npos);
    BOOST_TEST(meta.output.find("<special tag=\"systemd\"/>") != std::string::npos);
    const auto promote = ra::run(unit_op("demo", "promote"));
    BOOST_TEST(promote.rc == 3);
}

// service:TYPE is the init script when there is one, and a unit otherwise.
BOOST_AUTO_TEST_CASE(service_class_prefers_an_init_script) {
    const fs::path dir = fs::temp_directory_path() / ("holdfast-service-" + std::to_string(getpid()));
    fs::create_directories(dir);
    setenv("HOLDFAST_LSB_DIR", dir.c_str(), 1);
    std::ofstream(dir / "legacy") << "#!/bin/sh\n[ \"$1\" = status ] && exit 3\nexit 0\n";
    chmod((dir / "legacy").c_str(), 0755);
    BOOST_TEST(ra::service_class("legacy") == "lsb");
    BOOST_TEST(ra::service_class("modern") == "systemd");
    BOOST_TEST(ra::run(unit_op("legacy", "monitor", "service")).rc == 7);  // LSB status 3: stopped
    {
        no_systemd env;  // the unit path: asks systemd, which is not there
        const auto r = ra::run(unit_op("modern", "monitor", "service"));
        BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(ra::exec_status::error));
    }
    unsetenv("HOLDFAST_LSB_DIR");
    fs::remove_all(dir);
}
