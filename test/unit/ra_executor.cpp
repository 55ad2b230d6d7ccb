// ra/: OCF calls through real agents: Debian's ocf:heartbeat:Dummy, and small
// agents written here to produce timeouts, signals, exit reasons and codes.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ra/executor.hpp"
#include "ra/ocf.hpp"

namespace fs = std::filesystem;
namespace ra = holdfast::ra;

namespace {

// A temporary OCF_ROOT with agents of our own under resource.d/test/.
class fake_ocf_root {
public:
    fake_ocf_root() : dir_(fs::temp_directory_path() / ("holdfast-ra-" + std::to_string(getpid()))) {
        fs::create_directories(dir_ / "resource.d" / "test");
        const char* old = std::getenv("OCF_ROOT");
        if (old) old_ = old;
        setenv("OCF_ROOT", dir_.c_str(), 1);
    }
    ~fake_ocf_root() {
        if (old_.empty())
            unsetenv("OCF_ROOT");
        else
            setenv("OCF_ROOT", old_.c_str(), 1);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    void agent(const std::string& type, const std::string& body) {
        const fs::path p = dir_ / "resource.d" / "test" / type;
        std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
        chmod(p.c_str(), 0755);
    }
    const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
    std::string old_;
};

ra::operation op_of(const std::string& type, const std::string& action, int64_t timeout_ms = 20000) {
    ra::operation op;
    op.rsc_id = "r1";
    op.rclass = "ocf";
    op.provider = "test";
    op.type = type;
    op.action = action;
    op.timeout_ms = timeout_ms;
    return op;
}

}  // namespace

BOOST_AUTO_TEST_CASE(dummy_agent_start_monitor_stop) {
    if (access((ra::ocf_root() + "/resource.d/heartbeat/Dummy").c_str(), X_OK) != 0) {
        BOOST_TEST_MESSAGE("ocf:heartbeat:Dummy not installed (resource-agents): skipped");
        return;
    }
    const fs::path state = fs::temp_directory_path() / ("holdfast-dummy-" + std::to_string(getpid()) + ".state");
    ra::operation op{"d1", "ocf", "heartbeat", "Dummy", "monitor", 0, 20000, {{"state", state.string()}}};
    BOOST_TEST(ra::run(op).rc == 7);  // a probe: not running
    op.action = "start";
    BOOST_TEST(ra::run(op).rc == 0);
    BOOST_TEST(fs::exists(state));
    op.action = "monitor";
    BOOST_TEST(ra::run(op).rc == 0);
    op.action = "stop";
    BOOST_TEST(ra::run(op).rc == 0);
    op.action = "monitor";
    BOOST_TEST(ra::run(op).rc == 7);
    op.action = "meta-data";
    const auto md = ra::run(op);
    BOOST_TEST(md.rc == 0);
    BOOST_TEST(md.output.find("<resource-agent name=\"Dummy\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(environment_follows_ocf_1_1) {
    fake_ocf_root root;
    root.agent("env", "env");
    auto op = op_of("env", "monitor");
    op.params = {{"state", "/tmp/x"}, {"CRM_meta_timeout", "20000"}, {"CRM_meta_interval", "10000"}};
    const auto r = ra::run(op);
    BOOST_TEST(r.rc == 0);
    for (const char* line : {"OCF_RESKEY_state=/tmp/x", "OCF_RESKEY_CRM_meta_timeout=20000",
                             "OCF_RESKEY_CRM_meta_interval=10000", "OCF_RESOURCE_INSTANCE=r1", "OCF_RESOURCE_TYPE=env",
                             "OCF_RESOURCE_PROVIDER=test", "OCF_RA_VERSION_MAJOR=1", "OCF_RA_VERSION_MINOR=1"})
        BOOST_TEST(r.output.find(std::string(line) + "\n") != std::string::npos, line);
    BOOST_TEST(r.output.find("OCF_ROOT=" + root.dir().string() + "\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(exit_codes_and_reasons) {
    fake_ocf_root root;
    root.agent("fail", "echo 'ocf-exit-reason:first' >&2; echo 'ocf-exit-reason: disk is gone ' >&2; exit 6");
    root.agent("degraded", "exit 191");
    auto r = ra::run(op_of("fail", "start"));
    BOOST_TEST(r.rc == 6);
    BOOST_TEST(r.exit_reason == "disk is gone");
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(ra::exec_status::done));
    BOOST_TEST(static_cast<int>(ra::scope_of(r.rc)) == static_cast<int>(ra::failure_scope::fatal));
    r = ra::run(op_of("degraded", "monitor"));
    BOOST_TEST(r.rc == 191);
    BOOST_TEST(static_cast<int>(ra::scope_of(r.rc)) == static_cast<int>(ra::failure_scope::none));
    BOOST_TEST(static_cast<int>(ra::scope_of(5)) == static_cast<int>(ra::failure_scope::hard));
    BOOST_TEST(static_cast<int>(ra::scope_of(1)) == static_cast<int>(ra::failure_scope::soft));
}

BOOST_AUTO_TEST_CASE(a_missing_agent_is_not_installed) {
    fake_ocf_root root;
    const auto r = ra::run(op_of("nosuch", "start"));
    BOOST_TEST(r.rc == 5);
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(ra::exec_status::not_installed));
    BOOST_TEST(r.exit_reason.find("not installed") != std::string::npos);
    BOOST_TEST(ra::run(op_of("../x", "start")).rc == 1);  // no path escapes from resource.d
}

// A timeout kills the agent's whole process group, background children too.
BOOST_AUTO_TEST_CASE(timeout_kills_the_process_group) {
    fake_ocf_root root;
    const fs::path pidfile = root.dir() / "bg.pid";
    root.agent("hang", "sleep 300 & echo $! > " + pidfile.string() + "; sleep 300");
    const auto r = ra::run(op_of("hang", "start", 500));
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(ra::exec_status::timed_out));
    BOOST_TEST(r.rc == 1);
    pid_t bg = 0;
    std::ifstream(pidfile) >> bg;
    BOOST_REQUIRE(bg > 0);
    // SIGKILL went to the whole group; the orphan dies as soon as it runs
    // (then init reaps it): wait for that, with a generous deadline
    std::string stat;
    for (int i = 0; i < 1000; ++i) {
        stat.clear();
        std::getline(std::ifstream("/proc/" + std::to_string(bg) + "/stat"), stat);
        if (stat.empty() || stat.find(") Z") != std::string::npos) break;
        usleep(10'000);
    }
    BOOST_TEST((stat.empty() || stat.find(") Z") != std::string::npos), stat);
}

// The daemon blocks signals for its event loop; agents must not inherit that.
BOOST_AUTO_TEST_CASE(agents_start_with_signals_unblocked) {
    fake_ocf_root root;
    root.agent("selfterm", "kill -TERM $$; sleep 5; exit 0");
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    const auto r = ra::run(op_of("selfterm", "start"));
    sigprocmask(SIG_SETMASK, &old, nullptr);
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(ra::exec_status::error));
    BOOST_TEST(r.exit_reason.find("signal 15") != std::string::npos);
}
