// Status entries for executed operations (see op_update.hpp).
#include "daemon/op_update.hpp"

#include <cstdlib>

#include "cib/xml_text.hpp"
#include "policy/policy.hpp"

namespace holdfast::daemon {

std::string transition_key(int action_id, int transition_id, int target, const std::string& uuid) {
    return std::to_string(action_id) + ":" + std::to_string(transition_id) + ":" + std::to_string(target) + ":" + uuid;
}

int target_rc(const policy::graph_action& a) { return std::atoi(a.meta("op_target_rc", "0").c_str()); }

namespace {
int effective_rc(int rc) { return rc == 190 ? 0 : rc == 191 ? 8 : rc; }
}  // namespace

bool succeeded(const policy::graph_action& a, const ra::op_result& r) {
    return r.status == ra::exec_status::done && effective_rc(r.rc) == target_rc(a);
}

std::vector<attribute_update> failure_attributes(const policy::graph_action& a, const ra::op_result& r,
                                                 const policy::transition_graph& g, int64_t now) {
    if (succeeded(a, r) || a.task == "notify") return {};
    const std::string suffix = a.rsc_id + "#" + a.task + "_" + std::to_string(a.interval_ms);
    attribute_update count{"fail-count-" + suffix, "", true};
    if (a.task == "start" || a.task == "stop") {
        const std::string& offset = a.task == "start" ? g.failed_start_offset : g.failed_stop_offset;
        if (offset.empty() || offset == "INFINITY" || offset == "+INFINITY") count = {count.name, "INFINITY", false};
    } else if (a.interval_ms == 0 && a.task != "promote" && a.task != "demote") {
        return {};
    }
    std::vector<attribute_update> out;
    if (a.meta("on_fail") != "ignore") out.push_back(count);
    out.push_back({"last-failure-" + suffix, std::to_string(now), false});
    return out;
}

namespace {

// The entry ids a result is written under. Notifications and migrations keep
// entries of their own and never count as failures; a failure goes to
// "last_failure" (and, for a one-off op, to "last" too, so that the current
// state reads right); a recurring op has its own entry per interval.
std::vector<std::string> entry_ids(const policy::graph_action& a, const std::string& task, bool failed) {
    const std::string& rsc = a.rsc_id;
    if (task == "notify") return {rsc + "_" + a.meta("notify_type") + "_notify_" + a.meta("notify_operation") + "_0"};
    if (task == "migrate_to" || task == "migrate_from") return {rsc + "_" + task + "_" + std::to_string(a.interval_ms)};
    if (failed) {
        if (a.interval_ms == 0) return {rsc + "_last_failure_0", rsc + "_last_0"};
        return {rsc + "_last_failure_0"};
    }
    if (a.interval_ms > 0) return {rsc + "_" + task + "_" + std::to_string(a.interval_ms)};
    return {rsc + "_last_0"};
}

}  // namespace

op_update make_op_update(const policy::graph_action& a, const ra::op_result& result, const op_context& c) {
    ra::op_result r = result;
    // A reload that worked leaves the resource as a start would; one that
    // failed is read back as a failed monitor
    std::string task = a.task;
    if (task == "reload" || task == "reload-agent") task = r.status == ra::exec_status::done ? "start" : "monitor";
    if (task == "notify") r = ra::op_result{0, ra::exec_status::done, {}, {}};  // notification errors are ignored
    const bool failed = task != "notify" && !succeeded(a, r);
    const std::string key = transition_key(a.id, c.transition_id, target_rc(a), c.dc_uuid);
    std::map<std::string, std::string> e{
        {"operation_key", a.rsc_id + "_" + task + "_" + std::to_string(a.interval_ms)},
        {"operation", task},
        {"crm-debug-origin", "do_update_resource"},
        {"crm_feature_set", c.feature_set},
        {"transition-key", key},
        {"transition-magic", std::to_string(static_cast<int>(r.status)) + ":" + std::to_string(r.rc) + ";" + key},
        {"exit-reason", failed ? r.exit_reason : std::string()},
        {"on_node", a.node_uname},
        {"call-id", std::to_string(c.call_id)},
        {"rc-code", std::to_string(r.rc)},
        {"op-status", std::to_string(static_cast<int>(r.status))},
        {"interval", std::to_string(a.interval_ms)},
        {"last-rc-change", std::to_string(c.started)},
        {"exec-time", std::to_string(c.exec_ms)},
        {"queue-time", std::to_string(c.queue_ms)},
        {"op-digest", policy::operation_digest(a.attributes)},
    };
    if (task == "migrate_to" || task == "migrate_from") {
        e.emplace("migrate_source", a.meta("migrate_source"));
        e.emplace("migrate_target", a.meta("migrate_target"));
    }
    op_update u{a.rsc_id, a.rsc_class, a.rsc_provider, a.rsc_type, {}};
    for (const auto& id : entry_ids(a, task, failed)) {
        e["id"] = id;
        u.entries.push_back(e);
    }
    return u;
}

std::string lrm_resource_xml(const op_update& u, const std::map<std::string, std::string>& entry) {
    auto esc = [](const std::string& s) { return cib::xml_attr(s); };
    std::string x = "<lrm_resource id=\"" + esc(u.rsc_id) + "\" class=\"" + esc(u.rclass) + "\"";
    if (!u.provider.empty()) x += " provider=\"" + esc(u.provider) + "\"";
    x += " type=\"" + esc(u.type) + "\"><lrm_rsc_op";
    for (const auto& [k, v] : entry) x += " " + k + "=\"" + esc(v) + "\"";
    return x + "/></lrm_resource>";
}

}  // namespace holdfast::daemon
