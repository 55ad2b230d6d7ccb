#pragma once
// The daemon tests' fixture: a real holdfastd on a temporary state dir and a
// private IPC name, stopped (by PID) at the end also when a check failed; and
// the real `holdfast` CLI pointed at it.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cib/cib.hpp"
#include "daemon/client.hpp"
#include "test/daemon/process.hpp"

namespace holdfast::test {

namespace fs = std::filesystem;

// What the model of a served CIB says: a cluster property ("<unset>" when
// absent), whether a resource is configured.
inline std::string property(const cib::document& doc, const std::string& name) {
    for (const auto& set : doc.model().crm_config)
        for (const auto& p : set.pairs)
            if (p.name == name) return p.value;
    return "<unset>";
}

inline bool has_resource(const cib::document& doc, const std::string& id) {
    for (const auto& r : doc.model().resources)
        if (r.id == id) return true;
    return false;
}

inline constexpr auto deadline = std::chrono::seconds(60);
inline const credentials nobody{65534, 65534};

inline std::string unique_name() {
    std::random_device rd;
    return "holdfast-test-" + std::to_string(getpid()) + "-" + std::to_string(rd());
}

// A temporary directory, removed with everything in it.
struct temp_dir {
    fs::path path;
    temp_dir() {
        char tmpl[] = "/tmp/holdfastd-test-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// libqb's shared-memory files of a process that could not remove them itself
// (killed): its blackbox and its connections' ring buffers.
inline void remove_shm_of(pid_t pid) {
    const std::string mine[] = {"qb-holdfastd-" + std::to_string(pid) + "-", "qb-" + std::to_string(pid) + "-"};
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/dev/shm", ec)) {
        std::string name = e.path().filename().string();
        for (const auto& prefix : mine)
            if (name.rfind(prefix, 0) == 0) fs::remove_all(e.path(), ec);
    }
}

// A holdfastd on its own state dir and IPC name. Stopped at the end with
// SIGTERM, or SIGKILL (by PID) when that fails, also when a check failed.
struct daemon_fixture {
    temp_dir tmp;
    fs::path dir = tmp.path;
    std::string ipc = unique_name();
    notify_listener notify;
    std::optional<child> proc;

    explicit daemon_fixture(bool with_example_cib, std::vector<std::string> env = {},
                            std::optional<credentials> as = std::nullopt)
        : daemon_fixture(with_example_cib ? fs::path(HOLDFAST_SOURCE_DIR) / "examples/two-node-vm.xml" : fs::path(),
                         std::move(env), as) {}
    // starts with a copy of cib_file as its stored CIB (none when empty)
    explicit daemon_fixture(const fs::path& cib_file, std::vector<std::string> env = {},
                            std::optional<credentials> as = std::nullopt) {
        if (!cib_file.empty()) fs::copy_file(cib_file, dir / "cib.xml");
        if (as) {  // its state dir and our notify socket must be usable by that user
            BOOST_REQUIRE(chown(dir.c_str(), as->uid, as->gid) == 0);
            BOOST_REQUIRE(chown(notify.path().c_str(), as->uid, as->gid) == 0);
            BOOST_REQUIRE(chown(fs::path(notify.path()).parent_path().c_str(), as->uid, as->gid) == 0);
        }
        env.push_back("NOTIFY_SOCKET=" + notify.path());
        proc.emplace(
            child::spawn({HOLDFASTD_BIN, "--foreground", "--standalone", "--state-dir", dir.string(), "--socket", ipc},
                         env, (dir / "holdfastd.log").string(), as));
        if (!notify.wait_for("READY=1", deadline)) {
            stop();
            BOOST_FAIL("holdfastd did not report READY=1");
        }
    }
    ~daemon_fixture() { stop(); }

    void stop() {
        if (!proc) return;
        pid_t pid = proc->pid();
        if (pid > 0 && kill(pid, SIGTERM) == 0 && !proc->wait(deadline)) remove_shm_of(pid);
        proc.reset();  // SIGKILLs it if still running
        if (pid > 0) remove_shm_of(pid);
    }

    std::vector<std::string> cli_env() const { return {"HOLDFAST_IPC_NAME=" + ipc}; }
    run_result cli(std::vector<std::string> args, std::optional<credentials> as = std::nullopt) const {
        args.insert(args.begin(), HOLDFAST_BIN);
        return run(args, cli_env(), as);
    }
};

inline daemon::errc call_status(const std::string& ipc, daemon::request_type t, const std::string& payload = {}) {
    auto c = daemon::client::connect(ipc);
    if (!c) return c.error();
    auto r = c->call({t, payload});
    return r ? r->status : r.error();
}

// One line of text, ending with its newline: how a CLI error must look.
inline bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

// The full path of a Pacemaker tool (test::run does not search PATH), "" when absent.
inline std::string installed(const char* tool) {
    for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"})
        if (access((std::string(dir) + tool).c_str(), X_OK) == 0) return std::string(dir) + tool;
    return {};
}

}  // namespace holdfast::test
