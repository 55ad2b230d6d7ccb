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
#include "ra/lsb.hpp"
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
    op.params = {
        {"state", "/tmp/x"}, {"CRM_meta_timeout", "20000"}, {"CRM_meta_interval", "10000"}, {"OCF_CHECK_LEVEL", "10"}};
    const auto r = ra::run(op);
    BOOST_TEST(r.rc == 0);
    for (const char* line : {"OCF_RESKEY_state=/tmp/x", "OCF_RESKEY_CRM_meta_timeout=20000",
                             "OCF_RESKEY_CRM_meta_interval=10000", "OCF_RESOURCE_INSTANCE=r1", "OCF_RESOURCE_TYPE=env",
                             "OCF_RESOURCE_PROVIDER=test", "OCF_RA_VERSION_MAJOR=1", "OCF_RA_VERSION_MINOR=1"})
        BOOST_TEST(r.output.find(std::string(line) + "\n") != std::string::npos, line);
    BOOST_TEST(r.output.find("OCF_ROOT=" + root.dir().string() + "\n") != std::string::npos);
    BOOST_TEST(r.output.find("\nOCF_CHECK_LEVEL=10\n") != std::string::npos);  // under its own name
    BOOST_TEST(r.output.find("OCF_RESKEY_OCF_CHECK_LEVEL") == std::string::npos);
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

// A timed-out agent first gets SIGTERM (it may clean up), then SIGKILL
// whatever ignored it: here the agent traps TERM, leaves a mark and exits,
// while its background child ignores TERM and must still die.
BOOST_AUTO_TEST_CASE(timeout_terms_first_then_kills_what_is_left) {
    fake_ocf_root root;
    const fs::path mark = root.dir() / "cleaned-up";
    const fs::path pidfile = root.dir() / "stubborn.pid";
    root.agent("polite", "(trap '' TERM; sleep 300) & echo $! > " + pidfile.string() + "\ntrap 'touch " +
                             mark.string() + "; exit 1' TERM\nsleep 300 & wait");
    const auto r = ra::run(op_of("polite", "start", 500));
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(ra::exec_status::timed_out));
    BOOST_TEST(fs::exists(mark));  // the agent saw TERM and could clean up
    pid_t stubborn = 0;
    std::ifstream(pidfile) >> stubborn;
    BOOST_REQUIRE(stubborn > 0);
    std::string stat;
    for (int i = 0; i < 1000; ++i) {
        stat.clear();
        std::getline(std::ifstream("/proc/" + std::to_string(stubborn) + "/stat"), stat);
        if (stat.empty() || stat.find(") Z") != std::string::npos) break;
        usleep(10'000);
    }
    BOOST_TEST((stat.empty() || stat.find(") Z") != std::string::npos), stat);
}

// An agent that writes without end fills no memory: its output is cut at
// max_output_bytes (its further writes fail) and it is still reaped.
BOOST_AUTO_TEST_CASE(output_capture_is_bounded) {
    fake_ocf_root root;
    root.agent("chatty", "head -c 10000000 /dev/zero | tr '\\0' x; echo 'ocf-exit-reason:said too much' >&2; exit 0");
    const auto r = ra::run(op_of("chatty", "start"));
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(ra::exec_status::done));
    BOOST_TEST(r.output.size() == ra::max_output_bytes);
    BOOST_TEST(r.output.find_first_not_of('x') == std::string::npos);
    BOOST_TEST(r.exit_reason == "said too much");
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

namespace {

// A temporary directory of init scripts, as HOLDFAST_LSB_DIR.
class fake_init_dir {
public:
    fake_init_dir() : dir_(fs::temp_directory_path() / ("holdfast-lsb-" + std::to_string(getpid()))) {
        fs::create_directories(dir_);
        setenv("HOLDFAST_LSB_DIR", dir_.c_str(), 1);
    }
    ~fake_init_dir() {
        unsetenv("HOLDFAST_LSB_DIR");
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

ra::operation lsb_op(const std::string& action) {
    ra::operation op;
    op.rsc_id = "svc";
    op.rclass = "lsb";
    op.type = "demo";
    op.action = action;
    return op;
}

}  // namespace

// An init script as lsb:demo: start/stop through its verbs, monitor through
// status with LSB's status codes, meta-data from its header, and no promote.
BOOST_AUTO_TEST_CASE(lsb_init_script_runs_as_a_resource) {
    fake_init_dir init;
    const fs::path state = init.dir() / "running";
    {
        std::ofstream f(init.dir() / "demo");
        f << "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: demo\n# Short-Description: a demo service\n"
          << "# Description: a service the executor test starts\n#  and stops again\n### END INIT INFO\n"
          << "case \"$1\" in\n"
          << "start) touch " << state.string() << " ;;\n"
          << "stop) rm -f " << state.string() << " ;;\n"
          << "status) [ -e " << state.string() << " ] && exit 0; exit 3 ;;\n"
          << "*) exit 3 ;;\nesac\nexit 0\n";
    }
    chmod((init.dir() / "demo").c_str(), 0755);
    BOOST_TEST(ra::run(lsb_op("monitor")).rc == 7);  // status 3: not running
    BOOST_TEST(ra::run(lsb_op("start")).rc == 0);
    BOOST_TEST(fs::exists(state));
    BOOST_TEST(ra::run(lsb_op("monitor")).rc == 0);
    BOOST_TEST(ra::run(lsb_op("stop")).rc == 0);
    BOOST_TEST(ra::run(lsb_op("monitor")).rc == 7);
    const auto promote = ra::run(lsb_op("promote"));
    BOOST_TEST(promote.rc == 3);  // unimplemented: a hard error, as in Pacemaker
    const auto md = ra::run(lsb_op("meta-data"));
    BOOST_TEST(md.rc == 0);
    BOOST_TEST(md.output.find("<shortdesc lang=\"en\">a demo service</shortdesc>") != std::string::npos);
    BOOST_TEST(md.output.find("the executor test starts and stops again") != std::string::npos);
    auto missing = lsb_op("start");
    missing.type = "absent";
    BOOST_TEST(ra::run(missing).rc == 5);  // not installed
}

BOOST_AUTO_TEST_CASE(lsb_status_codes_follow_pacemaker) {
    for (int dead : {1, 2, 3}) BOOST_TEST(ra::lsb_to_ocf("monitor", dead) == 7);
    BOOST_TEST(ra::lsb_to_ocf("monitor", 4) == 1);
    BOOST_TEST(ra::lsb_to_ocf("status", 0) == 0);
    BOOST_TEST(ra::lsb_to_ocf("start", 6) == 6);
    BOOST_TEST(ra::lsb_to_ocf("stop", 42) == 1);
}
