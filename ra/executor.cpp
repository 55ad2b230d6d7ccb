// One resource operation through its agent (see executor.hpp).
#include "ra/executor.hpp"

#include <unistd.h>

#include "ra/ocf.hpp"

namespace holdfast::ra {

result<child_process> start(const operation& op) {
    if (op.action.empty() || op.type.empty() || op.type.find('/') != std::string::npos ||
        op.provider.find('/') != std::string::npos)
        return unexpected(error{errc::bad_request, "operation on " + op.rsc_id + " names no valid agent or action"});
    if (op.rclass != "ocf")
        return unexpected(
            error{errc::unknown_agent, "class '" + op.rclass + "' of " + op.rsc_id + " is not supported"});
    const std::string path = ocf_agent_path(op.provider, op.type);
    if (access(path.c_str(), X_OK) != 0)
        return unexpected(error{errc::unknown_agent, "agent " + path + " is not installed"});
    return child_process::spawn(
        {path, op.action},
        ocf_environment(op.rsc_id, op.provider.empty() ? "heartbeat" : op.provider, op.type, op.params));
}

op_result finish(const operation& op, const exit_info& exit) {
    op_result r;
    r.output = exit.out;
    r.exit_reason = exit_reason(exit.err);
    if (exit.timed_out) {
        r.rc = static_cast<int>(ocf_rc::error);
        r.status = exec_status::timed_out;
        if (r.exit_reason.empty())
            r.exit_reason = op.action + " timed out after " + std::to_string(op.timeout_ms) + "ms";
    } else if (!exit.exited) {
        r.rc = static_cast<int>(ocf_rc::error);
        r.status = exec_status::error;
        if (r.exit_reason.empty()) r.exit_reason = "agent killed by signal " + std::to_string(exit.signal);
    } else {
        r.rc = exit.code;
        r.status = exec_status::done;
    }
    return r;
}

op_result not_started(const error& e) {
    op_result r;
    r.rc = static_cast<int>(e.code == errc::unknown_agent ? ocf_rc::not_installed : ocf_rc::error);
    r.status = e.code == errc::unknown_agent ? exec_status::not_installed : exec_status::error;
    r.exit_reason = e.message;
    return r;
}

op_result run(const operation& op) {
    auto child = start(op);
    if (!child) return not_started(child.error());
    auto exit = child->wait_for(static_cast<int>(op.timeout_ms));
    if (!exit) return not_started(exit.error());
    return finish(op, *exit);
}

}  // namespace holdfast::ra
