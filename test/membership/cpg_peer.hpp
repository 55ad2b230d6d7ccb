#pragma once
// A second CPG client for the membership tests. Corosync lets a process join
// a group only once, so the peer is a forked child with its own pid and its
// own cpg_group. It reports what it saw through a pipe, one line each:
//   "M <pid> <pid>..."   the members of its last confchg before sending
//   "D <nodeid> <pid> <payload>"   every delivery, in delivery order
// then leaves the group and exits 0 (non-zero on any failure).
#include <sys/types.h>

#include <string>
#include <vector>

namespace holdfast::test {

class cpg_peer {
public:
    // Forks the peer: it joins `group`, waits until it sees `expect_members`
    // members, sends `count` messages "<tag><i>", waits for `total`
    // deliveries, reports, leaves.
    cpg_peer(const std::string& group, std::size_t expect_members, const std::string& tag, int count,
             std::size_t total);
    ~cpg_peer();  // kills a peer still running (test failed), by PID
    cpg_peer(const cpg_peer&) = delete;
    cpg_peer& operator=(const cpg_peer&) = delete;

    pid_t pid() const { return pid_; }
    // Reads the report until the peer closes the pipe, then reaps it. Returns
    // the report lines; exit_code() tells how it ended.
    std::vector<std::string> finish();
    int exit_code() const { return exit_code_; }

private:
    pid_t pid_ = -1;
    int read_fd_ = -1;
    int exit_code_ = -1;
};

}  // namespace holdfast::test
