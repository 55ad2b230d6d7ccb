// fencing/agent: small fence agents written by the test (shell scripts in a
// temporary HOLDFAST_FENCE_AGENT_DIR) run through run_action: options on
// stdin, status exit codes, retries within the timeout, list parsing, and a
// timeout that kills the agent's whole process group.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fencing/agent.hpp"

namespace hf = holdfast::fencing;
namespace fs = std::filesystem;

namespace {

constexpr const char* meta = R"(<resource-agent name="fence_t"><parameters><parameter name="plug"/></parameters>
<actions><action name="on"/><action name="off"/><action name="status"/><action name="list"/>
<action name="monitor"/><action name="metadata"/></actions></resource-agent>)";

// A temporary agent directory, removed at the end.
struct agent_dir {
    fs::path dir;
    agent_dir() {
        char tmpl[] = "/tmp/fencing-agents-XXXXXX";
        BOOST_TEST_REQUIRE(mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        setenv("HOLDFAST_FENCE_AGENT_DIR", tmpl, 1);
    }
    ~agent_dir() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    // An agent whose body runs after "$action" and the options are read from stdin.
    void add(const std::string& name, const std::string& body) const {
        const auto path = dir / name;
        std::ofstream f(path);
        f << "#!/bin/sh\nin=$(cat); echo \"$in\" > " << (dir / (name + ".stdin")).string() << "\n"
          << "action=$(echo \"$in\" | sed -n 's/^action=//p')\n"
          << "if [ \"$action\" = metadata ]; then cat <<'EOF'\n"
          << meta << "\nEOF\nexit 0; fi\n"
          << body << "\n";
        f.close();
        chmod(path.c_str(), 0755);
    }
    std::string stdin_of(const std::string& name) const {
        std::ifstream f(dir / (name + ".stdin"));
        return std::string(std::istreambuf_iterator<char>(f), {});
    }
};

hf::action_outcome run(const hf::device& d, const std::string& action, const std::string& target,
                       int timeout_ms = 10000) {
    auto md = hf::read_metadata(d.agent);
    BOOST_TEST_REQUIRE(md.has_value(), (md ? "" : md.error().message));
    auto r = hf::run_action(d, *md, {action, target, 7, timeout_ms});
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message));
    return *r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fencing_agent_reads_options_on_stdin_and_status_codes) {
    agent_dir a;
    a.add("fence_t", "case \"$action\" in status) exit 2;; list) echo 'n1,alias1'; echo 'n2,alias2';; esac; exit 0");
    const hf::device d{"t", "fence_t", {{"ip", "10.1.1.1"}, {"pcmk_host_map", "node2:n2"}}};
    auto off = run(d, "reboot", "node2");  // no reboot in the metadata: off
    BOOST_TEST(off.ok());
    BOOST_TEST(off.agent_action == "off");
    BOOST_TEST(a.stdin_of("fence_t") == "action=off\nnodename=node2\nnodeid=7\nplug=n2\nip=10.1.1.1\n");
    auto st = run(d, "status", "node2");
    BOOST_TEST(st.ok());
    BOOST_TEST((st.state == hf::power_state::off));
    auto list = run(d, "list", "");
    BOOST_TEST((list.targets == std::vector<std::string>{"n1", "alias1", "n2", "alias2"}));
    auto md = hf::read_metadata("fence_t");
    BOOST_TEST_REQUIRE(md.has_value());
    auto e = hf::check_target(hf::device{"t", "fence_t", {{"pcmk_host_map", "node2:n2"}}}, *md, "node2");
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->can);  // static-list through the map
    e = hf::check_target(hf::device{"t", "fence_t", {}}, *md, "n2");
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST((e->how == hf::host_check::dynamic_list));
    BOOST_TEST(e->can);
    e = hf::check_target(hf::device{"t", "fence_t", {}}, *md, "n3");
    BOOST_TEST(!e->can);
    BOOST_TEST(!hf::run_action(d, *md, {"validate-all", "", 0, 1000}).has_value());  // not in its metadata
    BOOST_TEST(!hf::agent_path("fence_../x").has_value());
    BOOST_TEST(!hf::agent_path("fence_absent").has_value());
}

BOOST_AUTO_TEST_CASE(fencing_agent_failure_is_retried_within_its_tries) {
    agent_dir a;
    const auto count = (a.dir / "count").string();
    a.add("fence_flaky", "echo x >> " + count + "; [ $(wc -l < " + count + ") -ge 2 ] && exit 0; exit 1");
    auto r = run(hf::device{"f", "fence_flaky", {}}, "off", "n1");
    BOOST_TEST(r.ok());
    BOOST_TEST(r.runs.size() == 2u);
    BOOST_TEST(r.runs[0].rc == 1);
    fs::remove(count);
    r = run(hf::device{"f", "fence_flaky", {{"pcmk_off_retries", "1"}}}, "off", "n1");
    BOOST_TEST(!r.ok());
    BOOST_TEST((r.failure->code == hf::errc::agent_failed));
    BOOST_TEST(r.runs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(fencing_agent_timeout_kills_the_process_group) {
    agent_dir a;
    const auto pidfile = (a.dir / "child.pid").string();
    // the agent and a child both ignore TERM; the child records its pid
    a.add("fence_hang", "trap '' TERM; sh -c 'trap \"\" TERM; echo $$ > " + pidfile + "; sleep 1000' & sleep 1000");
    auto r = run(hf::device{"h", "fence_hang", {}}, "off", "n1", 300);
    BOOST_TEST(!r.ok());
    BOOST_TEST((r.failure->code == hf::errc::timed_out));
    BOOST_TEST(r.runs.size() == 1u);  // a timeout is not retried
    std::ifstream f(pidfile);
    pid_t child = 0;
    f >> child;
    BOOST_TEST_REQUIRE(child > 0);
    // killed with the group (SIGKILL, delivered asynchronously); it may
    // linger as a zombie of init. Gone or zombie within a generous bound.
    auto dead = [child] {
        std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
        std::string line;
        std::getline(stat, line);
        const auto close = line.rfind(") ");
        return line.empty() || (close != std::string::npos && line[close + 2] == 'Z');
    };
    for (int i = 0; i < 100 && !dead(); ++i) usleep(50000);
    BOOST_TEST(dead());
}
