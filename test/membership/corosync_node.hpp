#pragma once
// A throwaway single-node corosync for the membership tests, isolated from the
// host: the test re-runs itself as PID 1 of fresh PID, network and mount
// namespaces (private /run, /dev/shm, /proc, /etc/corosync, /var/lib/corosync,
// /var/log/corosync), writes corosync.conf and an authkey into a temp dir,
// starts `corosync -f`, runs the Boost tests, then kills corosync by PID. The
// outer process removes the temp dir. Whatever happens to the inner process,
// the kernel kills everything in its PID namespace when it ends.
#include <sys/types.h>
#include <string>
#include <vector>

namespace holdfast::test {

// Set inside the namespaces, for the test cases.
struct corosync_node {
    std::string dir;  // the temp dir (on the host's /tmp)
    pid_t pid = -1;   // corosync, a child of this process
};
const corosync_node& node();

// Runs `tests` (returns an exit code) against a fresh corosync. Returns 77
// (skip) when not root or namespaces are unavailable.
int with_isolated_corosync(int (*tests)(int, char**), int argc, char** argv);

// Inside the namespaces: start corosync and wait until it answers (false on
// failure or after a generous deadline); stop it (SIGTERM, then SIGKILL) by PID.
bool start_corosync();
void stop_corosync();
// Stops corosync, rewrites corosync.conf (the single-node one, or with a second,
// never started node2 and two_node: 1) and starts it again.
bool restart_corosync(bool two_node);

// Runs argv to completion inside the namespaces; returns its exit status or -1.
int run_tool(const std::vector<std::string>& argv);

}  // namespace holdfast::test
