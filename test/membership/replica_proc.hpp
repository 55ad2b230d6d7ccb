#pragma once
// One cib_replica in a forked child process (corosync allows one CPG join per
// process and group), with a test_store, driven by the test over a socketpair:
// one command line in, one reply line out.
//   submit N TAG   submits N changes "k<i%5>=<TAG><i>"
//   put KEY SIZE   submits one change KEY=<SIZE bytes>
//   state          reports (see replica_report)
//   leave          leaves the group and exits 0
// The child runs the loop a daemon would: poll the replica's fd and the
// command socket, dispatch, retry flushing while a backlog is queued.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "membership/replica.hpp"

namespace holdfast::test {

struct replica_config {
    std::string group;
    membership::replica_version version;
    std::map<std::string, std::string> data;
    std::size_t big = 0;  // preset data["big"] with this many pseudo-random bytes
};

struct replica_report {
    bool synced = false, settled = false;
    membership::replica_version version;
    std::uint64_t digest = 0;  // of the store's snapshot
    std::string order;         // the store's "_order"
    std::size_t keys = 0, big = 0;
    membership::replica_stats stats;
    std::vector<std::uint32_t> members;           // pids
    std::map<std::uint32_t, std::string> status;  // pid -> merged own_state
    std::map<std::string, std::string> values;    // k0..k4
};

class replica_proc {
public:
    explicit replica_proc(const replica_config& config);
    ~replica_proc();  // kills a child still running, by PID
    replica_proc(const replica_proc&) = delete;
    replica_proc& operator=(const replica_proc&) = delete;

    pid_t pid() const { return pid_; }
    // Sends one command, returns the reply line (nullopt if the child is gone).
    std::optional<std::string> ask(const std::string& command);
    std::optional<replica_report> state();
    // Asks the child to leave and reaps it; true when it exited 0.
    bool leave();

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string buffer_;
};

}  // namespace holdfast::test
