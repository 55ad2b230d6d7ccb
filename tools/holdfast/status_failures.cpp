// Failed actions in the status (see status_failures.hpp).
#include "tools/holdfast/status_failures.hpp"

#include <cstdio>
#include <cstdlib>

#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/status_text.hpp"

namespace holdfast::tools {
namespace {

constexpr long long ms_in_s = 1000, ms_in_m = 60 * ms_in_s, ms_in_h = 60 * ms_in_m, ms_in_d = 24 * ms_in_h;

}  // namespace

// Each unit only when strictly more than one of it remains, as Pacemaker
// writes it (so 1000 ms is "1000ms" and 60000 ms "60s").
std::string readable_interval(long long ms) {
    std::string out;
    for (auto [unit, suffix] : {std::pair{ms_in_d, "d"}, {ms_in_h, "h"}, {ms_in_m, "m"}}) {
        if (ms > unit) {
            out += std::to_string(ms / unit) + suffix;
            ms %= unit;
        }
    }
    if (ms > ms_in_s) {
        out += std::to_string(ms / ms_in_s);
        if (ms % ms_in_s) {
            char frac[8];
            std::snprintf(frac, sizeof frac, ".%03lld", ms % ms_in_s);
            out += frac;
        }
        return out + "s";
    }
    if (ms > 0) return out + std::to_string(ms) + "ms";
    return out.empty() ? "0s" : out;
}

const char* exec_status_text(int op_status) {
    switch (op_status) {
        case -1: return "pending";
        case 0: return "complete";
        case 1: return "Cancelled";
        case 2: return "Timed Out";
        case 3: return "NOT SUPPORTED";
        case 4: return "Error";
        case 5: return "Hard error";
        case 6: return "Fatal error";
        case 7: return "Not installed";
        case 8: return "Internal communication failure";
        case 9: return "Cannot execute now";
        case 10: return "No fence device";
        case 11: return "CIB secrets unavailable";
        default: return "UNKNOWN";
    }
}

std::string failed_action_line(const policy::working_set& ws, const policy::failed_op& f) {
    const cib::op_record& op = *f.op;
    const long long interval = std::atoll(op.interval.c_str());
    std::string s = f.rsc_id;
    if (interval != 0) s += " " + readable_interval(interval) + "-interval";
    const std::string task = op.operation == "monitor" && interval == 0 ? "probe" : op.operation;
    s += " " + task + " on " + (f.node == policy::none ? std::string("unknown node") : ws.nodes[f.node].uname);
    if (op.op_status == 0) {
        s += std::string(" returned '") + ocf_exit_text(op.rc_code) + "'";
        if (!op.exit_reason.empty()) s += " (" + op.exit_reason + ")";
    } else {
        s += std::string(" could not be executed (") + exec_status_text(op.op_status);
        if (!op.exit_reason.empty()) s += ": " + op.exit_reason;
        s += ")";
    }
    if (op.last_rc_change > 0) s += " at " + cib_date(static_cast<std::time_t>(op.last_rc_change));
    if (op.exec_time > 0) s += " after " + readable_interval(op.exec_time);
    return s;
}

std::string format_failed_actions(const policy::working_set& ws) {
    if (ws.failed_ops.empty()) return "";
    std::string out = "\nFailed Resource Actions:\n";
    for (const auto& f : ws.failed_ops) out += "  * " + failed_action_line(ws, f) + "\n";
    return out;
}

std::string iso_utc(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    return std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm) ? buf : "";
}

}  // namespace holdfast::tools
