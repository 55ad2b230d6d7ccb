// daemon_ipc, `holdfast fence test DEVICE` with the device taken from the
// running holdfastd's CIB (the example's fence-node2, fence_ipmilan). The
// agent is a small script the test writes under that name in its own
// HOLDFAST_FENCE_AGENT_DIR: it records the options it reads on stdin and
// plays a machine that is on until it gets off.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test/daemon/daemon_fixture.hpp"

using namespace holdfast::test;
namespace fs = std::filesystem;

namespace {

// A fence agent with on/off/status/monitor whose power state is a file.
void write_agent(const fs::path& dir) {
    const auto state = (dir / "power").string(), log = (dir / "stdin.log").string();
    std::ofstream f(dir / "fence_ipmilan");
    f << "#!/bin/sh\nin=$(cat); printf '%s\\n--\\n' \"$in\" >> " << log << "\n"
      << "action=$(echo \"$in\" | sed -n 's/^action=//p')\n"
      << "case \"$action\" in\n"
      << "metadata) cat <<'EOF'\n<resource-agent name=\"fence_ipmilan\"><parameters><parameter name=\"ip\"/>"
      << "<parameter name=\"plug\"/><parameter name=\"port\"/></parameters><actions><action name=\"on\"/>"
      << "<action name=\"off\"/><action name=\"reboot\"/><action name=\"status\"/><action name=\"monitor\"/>"
      << "<action name=\"metadata\"/></actions></resource-agent>\nEOF\n;;\n"
      << "off|on) echo $action > " << state << ";;\n"
      << "status) [ \"$(cat " << state << " 2>/dev/null)\" = off ] && exit 2; exit 0;;\n"
      << "esac\nexit 0\n";
    f.close();
    chmod((dir / "fence_ipmilan").c_str(), 0755);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(cli_fence_test_takes_the_device_from_the_daemons_cib) {
    daemon_fixture d(true);
    temp_dir agents;
    write_agent(agents.path);
    auto env = d.cli_env();
    env.push_back("HOLDFAST_FENCE_AGENT_DIR=" + agents.path.string());
    auto r = run({HOLDFAST_BIN, "fence", "test", "fence-node2", "--target", "node2", "--action", "off"}, env);
    BOOST_TEST(r.status == 0, r.out + r.err);
    BOOST_TEST(r.out.find("verdict: PASS") != std::string::npos, r.out);
    const auto seen = read_file(agents.path / "stdin.log");
    // the example's options and the target, as the fencer passes them
    BOOST_TEST(seen.find("action=off\nnodename=node2\nport=node2\n") != std::string::npos, seen);
    BOOST_TEST(seen.find("ipport=9002\n") != std::string::npos, seen);
    BOOST_TEST(seen.find("pcmk_host_list") == std::string::npos, seen);

    // the device is static-list (pcmk_host_list=node2): node1 is not its target
    r = run({HOLDFAST_BIN, "fence", "test", "fence-node2", "--target", "node1"}, env);
    BOOST_TEST(r.status == 1, r.out + r.err);
    BOOST_TEST(r.out.find("verdict: FAIL") != std::string::npos, r.out);
    // an unknown device is one line and exit status 1
    r = run({HOLDFAST_BIN, "fence", "test", "no-such-device"}, env);
    BOOST_TEST(r.status == 1);
    BOOST_TEST(one_line(r.err), r.err);
    // bad usage
    r = run({HOLDFAST_BIN, "fence", "test", "fence-node2", "--action", "off"}, env);
    BOOST_TEST(r.status == 2);
    d.stop();
    // without the daemon: exit 5 and a hint
    r = run({HOLDFAST_BIN, "fence", "test", "fence-node2", "--target", "node2"}, env);
    BOOST_TEST(r.status == 5, r.err);
}
