// The operations of holdfast-systemd-op (see actions.hpp).
#include "ra/systemd_op/actions.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ra/ocf.hpp"
#include "ra/systemd.hpp"
#include "ra/systemd_op/manager.hpp"

namespace holdfast::systemd_op {

namespace {

namespace fs = std::filesystem;
using ra::ocf_rc;

constexpr int code(ocf_rc rc) { return static_cast<int>(rc); }

// What a unit the cluster runs gets from Holdfast: systemd must not restart it
// behind the cluster's back, and at shutdown stops it only after holdfastd
// (Pacemaker writes the same kind of drop-in, ordered before pacemaker).
constexpr const char* dropin_text =
    "# Written by Holdfast while the cluster runs this unit; removed when it stops it.\n"
    "[Unit]\nBefore=holdfastd.service\n\n[Service]\nRestart=no\n";

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

fs::path dropin_path(const std::string& unit) {
    const char* env = std::getenv("HOLDFAST_SYSTEMD_DROPIN_DIR");
    const fs::path root = env && *env ? env : "/run/systemd/system";
    return root / (unit + ".d") / "50-holdfast.conf";
}

bool is_service(const std::string& unit) {
    return unit.size() > 8 && unit.compare(unit.size() - 8, 8, ".service") == 0;
}

// Writes the drop-in; true when the file changed (systemd must reload). A
// drop-in that cannot be written is logged, not fatal, as in Pacemaker.
bool install_dropin(const std::string& unit) {
    if (!is_service(unit)) return false;
    const fs::path file = dropin_path(unit);
    std::ifstream old(file);
    std::stringstream current;
    current << old.rdbuf();
    if (old && current.str() == dropin_text) return false;
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    const fs::path tmp = file.string() + ".tmp";
    const mode_t mask = umask(022);  // world-readable, or systemd warns
    bool written = static_cast<bool>(std::ofstream(tmp) << dropin_text);
    umask(mask);
    if (written) fs::rename(tmp, file, ec);
    if (!written || ec) {
        std::fprintf(stderr, "cannot write the systemd drop-in %s\n", file.c_str());
        return false;
    }
    return true;
}

bool remove_dropin(const std::string& unit) {
    if (!is_service(unit)) return false;
    std::error_code ec;
    const fs::path file = dropin_path(unit);
    const bool removed = fs::remove(file, ec);
    fs::remove(file.parent_path(), ec);  // only when empty
    return removed;
}

// A call systemd refused. A unit it does not know is stopped already for
// stop, and not installed for everything else; anything else is an error of
// the call itself.
outcome refused(const std::string& action, const std::string& unit, const call_error& e) {
    if (e.name == "org.freedesktop.systemd1.NoSuchUnit" || e.name == "org.freedesktop.systemd1.LoadFailed" ||
        e.name == "org.freedesktop.systemd1.InvalidName") {
        if (action == "stop") return {code(ocf_rc::success), "", ""};
        return {code(ocf_rc::not_installed), "systemd unit " + unit + " not found", ""};
    }
    return {ra::systemd_exit_call_failed, e.message, ""};
}

outcome monitor(systemd_manager& m, const std::string& unit) {
    auto path = m.load_unit(unit);
    if (!path) return refused("monitor", unit, path.error());
    auto state = m.unit_property(*path, "ActiveState");
    if (!state) return {ra::systemd_exit_call_failed, state.error().message, ""};
    // activating/deactivating: its processes are there, on their way
    if (*state == "active" || *state == "reloading" || *state == "activating" || *state == "deactivating")
        return {code(ocf_rc::success), "", ""};
    auto load = m.unit_property(*path, "LoadState");
    if (load && *load == "not-found") return {code(ocf_rc::not_running), "systemd unit " + unit + " not found", ""};
    return {code(ocf_rc::not_running), "systemd unit " + unit + " is " + *state, ""};
}

// start, restart or stop: queue the job, wait for systemd to finish it and for
// the unit to settle, then judge by the unit's state (as Pacemaker's
// follow-up monitors do: a stop that leaves the unit failed has stopped it).
outcome change(systemd_manager& m, const std::string& action, const std::string& unit) {
    auto path = m.load_unit(unit);
    if (!path) return refused(action, unit, path.error());
    const bool stop = action == "stop";
    auto load = m.unit_property(*path, "LoadState");
    const bool exists = load && *load != "not-found";
    if (!stop && exists && install_dropin(unit)) {
        if (auto ok = m.reload(); !ok) std::fprintf(stderr, "%s\n", ok.error().message.c_str());
    }
    auto job = m.queue_job(stop ? "StopUnit" : action == "restart" ? "RestartUnit" : "StartUnit", unit);
    if (!job) {
        if (stop) remove_dropin(unit);  // systemd knows no such unit: nothing to reload
        return refused(action, unit, job.error());
    }
    auto job_result = m.wait_job(*job);
    if (!job_result) return {ra::systemd_exit_call_failed, job_result.error().message, ""};
    auto state = m.settled_state(*path);
    if (!state) return {ra::systemd_exit_call_failed, state.error().message, ""};
    const std::string why =
        "systemd unit " + unit + " is " + *state + " after " + action + " (job " + *job_result + ")";
    if (stop) {
        if (remove_dropin(unit)) {
            if (auto ok = m.reload(); !ok) std::fprintf(stderr, "%s\n", ok.error().message.c_str());
        }
        if (*state == "inactive" || *state == "failed") return {code(ocf_rc::success), "", ""};
        return {code(ocf_rc::error), why, ""};
    }
    if (*state == "active" || *state == "reloading") return {code(ocf_rc::success), "", ""};
    return {code(ocf_rc::error), why, ""};
}

outcome describe(const std::string& type, int64_t timeout_ms) {
    const std::string unit = ra::systemd_unit_name(type, true);
    std::string description = "systemd unit " + unit;
    // Meta-data answers even without systemd, as Pacemaker's does
    if (auto m = systemd_manager::connect(timeout_ms)) {
        if (auto path = m->load_unit(unit)) {
            if (auto d = m->unit_property(*path, "Description"); d && !d->empty()) description = *d;
        }
    }
    return {code(ocf_rc::success), "", meta_data(type, description)};
}

}  // namespace

std::string meta_data(const std::string& type, const std::string& description) {
    const std::string name = xml_escape(type);
    std::string out = "<?xml version=\"1.0\"?>\n<resource-agent name=\"" + name + "\" version=\"1.0\">\n";
    out += "  <version>1.1</version>\n";
    out += "  <longdesc lang=\"en\">" + xml_escape(description) + "</longdesc>\n";
    out += "  <shortdesc lang=\"en\">systemd unit file for " + name + "</shortdesc>\n";
    out += "  <parameters/>\n  <actions>\n";
    for (const char* a : {"start", "stop", "status"})
        out += std::string("    <action name=\"") + a + "\" timeout=\"100s\"/>\n";
    out += "    <action name=\"monitor\" timeout=\"100s\" interval=\"60s\"/>\n";
    out += "    <action name=\"meta-data\" timeout=\"5s\"/>\n  </actions>\n";
    out += "  <special tag=\"systemd\"/>\n</resource-agent>\n";
    return out;
}

outcome run(const std::string& action, const std::string& type, int64_t timeout_ms) {
    if (!ra::systemd_action_supported(action))
        return {code(ocf_rc::unimplemented), "a systemd unit has no action " + action, ""};
    if (type.empty() || type.find('/') != std::string::npos)
        return {code(ocf_rc::invalid_param), "'" + type + "' names no systemd unit", ""};
    if (action == "meta-data") return describe(type, timeout_ms);
    auto m = systemd_manager::connect(timeout_ms);
    if (!m) return {ra::systemd_exit_call_failed, m.error().message, ""};
    const std::string unit = ra::systemd_unit_name(type, false);
    if (action == "monitor" || action == "status") return monitor(*m, unit);
    return change(*m, action, unit);
}

}  // namespace holdfast::systemd_op
