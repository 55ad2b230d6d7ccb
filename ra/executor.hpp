#pragma once
// Running one resource operation with its agent (classes ocf, lsb, systemd and service), and
// turning the agent's exit into the result Pacemaker records: an OCF rc plus
// an execution status (op-status in the CIB).
//
// start() launches the agent and hands back the child; the caller's event
// loop watches its pidfd, enforces the timeout with kill_for_timeout(), and
// then calls finish(). run() does all of it blocking, for tools and tests.
#include <cstdint>
#include <map>
#include <string>

#include "ra/error.hpp"
#include "ra/process.hpp"

namespace holdfast::ra {

struct operation {
    std::string rsc_id;  // the instance name the agent sees (OCF_RESOURCE_INSTANCE)
    std::string rclass;  // ocf, lsb, systemd, service (lsb or systemd, see systemd.hpp)
    std::string provider;
    std::string type;
    std::string action;  // start stop monitor promote demote notify migrate_to migrate_from reload-agent ...
    int64_t interval_ms = 0;
    int64_t timeout_ms = 20000;
    // Instance parameters and CRM_meta_* values, as the transition graph
    // carries them (CRM_meta_timeout etc. in milliseconds).
    std::map<std::string, std::string> params;
};

// Pacemaker's execution statuses (op-status) that the executor produces.
enum class exec_status : int { done = 0, timed_out = 2, error = 4, not_installed = 7 };

struct op_result {
    int rc = 0;  // OCF exit code (ocf_rc)
    exec_status status = exec_status::done;
    std::string exit_reason;  // from "ocf-exit-reason:" lines, or why it could not run
    std::string output;       // the agent's stdout (meta-data text, for example)
};

// The agent call for `op`: its argv and environment.
result<child_process> start(const operation& op);
op_result finish(const operation& op, const exit_info& exit);
// The result for an operation whose agent could not even be started.
op_result not_started(const error& e);
op_result run(const operation& op);

}  // namespace holdfast::ra
