// One resource operation through its agent (see executor.hpp).
#include "ra/executor.hpp"

#include <unistd.h>

#include "ra/lsb.hpp"
#include "ra/ocf.hpp"
#include "ra/systemd.hpp"

namespace holdfast::ra {

namespace {

// An init script runs with the verb its action maps to; its meta-data is
// made from the script's header, read (by cat, like any other action's
// process) and turned into OCF meta-data by finish().
result<child_process> start_lsb(const operation& op) {
    const std::string path = lsb_script_path(op.type);
    if (access(path.c_str(), X_OK) != 0)
        return unexpected(error{errc::unknown_agent, "init script " + path + " is not installed"});
    const std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"};
    if (op.action == "meta-data") return child_process::spawn({"/bin/cat", path}, env);
    const std::string verb = lsb_verb(op.action);
    if (verb.empty())
        return unexpected(error{errc::unimplemented, "an init script has no " + op.action + " (" + op.rsc_id + ")"});
    return child_process::spawn({path, verb}, env);
}

// A unit is driven by the helper, one run per operation like an agent; the
// op's timeout goes along so the helper's D-Bus calls do not give up first.
result<child_process> start_systemd(const operation& op) {
    if (!systemd_action_supported(op.action))
        return unexpected(error{errc::unimplemented, "a systemd unit has no " + op.action + " (" + op.rsc_id + ")"});
    const std::string helper = systemd_helper_path();
    if (access(helper.c_str(), X_OK) != 0)
        return unexpected(error{errc::spawn_failed, "systemd helper " + helper + " is not installed"});
    return child_process::spawn({helper, op.action, op.type, std::to_string(op.timeout_ms)},
                                systemd_helper_environment());
}

// The class an operation really runs as: service: resolves to lsb or systemd.
std::string run_class(const operation& op) { return op.rclass == "service" ? service_class(op.type) : op.rclass; }

op_result finish_systemd(const exit_info& exit) {
    op_result r;
    r.output = exit.out;
    r.exit_reason = exit_reason(exit.err);
    r.rc = exit.code == systemd_exit_call_failed ? static_cast<int>(ocf_rc::error) : exit.code;
    r.status = exit.code == systemd_exit_call_failed                  ? exec_status::error
               : exit.code == static_cast<int>(ocf_rc::not_installed) ? exec_status::not_installed
                                                                      : exec_status::done;
    return r;
}

}  // namespace

result<child_process> start(const operation& op) {
    if (op.action.empty() || op.type.empty() || op.type.find('/') != std::string::npos ||
        op.provider.find('/') != std::string::npos)
        return unexpected(error{errc::bad_request, "operation on " + op.rsc_id + " names no valid agent or action"});
    const std::string rclass = run_class(op);
    if (rclass == "lsb") return start_lsb(op);
    if (rclass == "systemd") return start_systemd(op);
    if (rclass != "ocf")
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
    } else if (run_class(op) == "systemd") {
        return finish_systemd(exit);
    } else if (run_class(op) == "lsb") {
        r.status = exec_status::done;
        r.rc = op.action == "meta-data" ? exit.code : lsb_to_ocf(op.action, exit.code);
        if (op.action == "meta-data" && exit.code == 0) r.output = lsb_meta_data(op.type, exit.out);
    } else {
        r.rc = exit.code;
        r.status = exec_status::done;
    }
    return r;
}

op_result not_started(const error& e) {
    op_result r;
    r.rc = static_cast<int>(e.code == errc::unknown_agent   ? ocf_rc::not_installed
                            : e.code == errc::unimplemented ? ocf_rc::unimplemented
                                                            : ocf_rc::error);
    r.status = e.code == errc::unknown_agent   ? exec_status::not_installed
               : e.code == errc::unimplemented ? exec_status::done
                                               : exec_status::error;
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
