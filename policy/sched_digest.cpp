// Resource history checks before assignment (Pacemaker's
// pcmk__handle_rsc_config_changes): for each active resource's recorded
// operations, compare the parameters they ran with (operation digests)
// against the current definition and schedule restarts, reloads or monitor
// reschedules; cancel orphaned monitors; clean up changed agents.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <unordered_map>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {

// ---- MD5 (RFC 1321) ----

namespace {

struct md5_state {
    std::array<uint32_t, 4> h{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
};

uint32_t rotl(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

void md5_block(md5_state& st, const unsigned char* p) {
    static const uint32_t k[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
    static const int r[64] = {7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
                              14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
                              4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};
    uint32_t w[16];
    for (int i = 0; i < 16; ++i)
        w[i] = uint32_t(p[i * 4]) | uint32_t(p[i * 4 + 1]) << 8 | uint32_t(p[i * 4 + 2]) << 16 |
               uint32_t(p[i * 4 + 3]) << 24;
    uint32_t a = st.h[0], b = st.h[1], c = st.h[2], d = st.h[3];
    for (int i = 0; i < 64; ++i) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t tmp = d;
        d = c;
        c = b;
        b = b + rotl(a + f + k[i] + w[g], r[i]);
        a = tmp;
    }
    st.h[0] += a;
    st.h[1] += b;
    st.h[2] += c;
    st.h[3] += d;
}

}  // namespace

std::string md5_hex(std::string_view text) {
    md5_state st;
    std::string msg(text);
    const uint64_t bits = static_cast<uint64_t>(msg.size()) * 8;
    msg.push_back(static_cast<char>(0x80));
    while (msg.size() % 64 != 56) msg.push_back('\0');
    for (int i = 0; i < 8; ++i) msg.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    for (size_t off = 0; off < msg.size(); off += 64)
        md5_block(st, reinterpret_cast<const unsigned char*>(msg.data() + off));
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (uint32_t v : st.h) {
        for (int i = 0; i < 4; ++i) {
            unsigned byte = (v >> (8 * i)) & 0xff;
            out.push_back(hex[byte >> 4]);
            out.push_back(hex[byte & 0xf]);
        }
    }
    return out;
}

namespace {

// crm_xml_escape, including its habit of giving up at the first pair of
// bytes with the high bit set
std::string xml_escape(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c & 0x80) && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0x80)) {
            out.append(text, i, std::string::npos);
            return out;
        }
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            case '&': out += "&amp;"; break;
            case '\t': out += "    "; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

// calculate_operation_digest: the MD5 of the sorted <parameters/> element as
// Pacemaker writes it for v1 digests
std::string params_digest(const std::map<std::string, std::string>& params) {
    std::string text = " <parameters";
    for (const auto& [k, v] : params) text += " " + k + "=\"" + xml_escape(v) + "\"";
    text += "/>\n";
    return md5_hex(text);
}

std::string meta_name(const std::string& key) {
    std::string out = "CRM_meta_" + key;
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

// pcmk__filter_op_for_digest
void filter_for_digest(std::map<std::string, std::string>& params) {
    std::string timeout;
    bool keep_timeout = false;
    if (auto it = params.find("CRM_meta_interval");
        it != params.end() && std::strtoll(it->second.c_str(), nullptr, 10) != 0) {
        if (auto t = params.find("CRM_meta_timeout"); t != params.end()) {
            timeout = t->second;
            keep_timeout = true;
        }
    }
    for (auto it = params.begin(); it != params.end();) {
        const std::string& k = it->first;
        bool drop = k.rfind("CRM_meta_", 0) == 0 || k == "id" || k == "crm_feature_set" || k == "op-digest" ||
                    k == "on_node" || k == "on_node_uuid" || k == "pcmk_external_ip";
        it = drop ? params.erase(it) : std::next(it);
    }
    if (keep_timeout) params["CRM_meta_timeout"] = timeout;
}

struct digests {
    std::string all;
    std::string restart;  // empty unless the history has a restart digest
    std::string secure;   // only in sanitized mode
    bool extra_forces_restart = false;
};

// compare_version: dotted numbers, numerically, field by field
int compare_version(const std::string& a, const std::string& b) {
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        long x = 0, y = 0;
        while (i < a.size() && a[i] != '.')
            x = x * 10 + (std::isdigit(static_cast<unsigned char>(a[i])) ? a[i] - '0' : 0), ++i;
        while (j < b.size() && b[j] != '.')
            y = y * 10 + (std::isdigit(static_cast<unsigned char>(b[j])) ? b[j] - '0' : 0), ++j;
        if (x != y) return x < y ? -1 : 1;
        if (i < a.size()) ++i;
        if (j < b.size()) ++j;
    }
    return 0;
}

// pcmk_stonith_param: parameters Pacemaker itself gives fence devices
bool is_fence_param(const std::string& p) {
    if (p == "provides" || p == "stonith-timeout") return true;
    if (p.rfind("pcmk_", 0) != 0) return false;
    static const char* fixed[] = {"pcmk_action_limit", "pcmk_delay_base", "pcmk_delay_max", "pcmk_host_argument",
                                  "pcmk_host_check",   "pcmk_host_list",  "pcmk_host_map"};
    for (const char* f : fixed) {
        if (p == f) return true;
    }
    auto us = p.find('_', 5);
    if (us == std::string::npos) return false;
    std::string tail = p.substr(us);
    return tail == "_action" || tail == "_timeout" || tail == "_retries";
}

// calculate_secure_digest: the parameters minus the secure ones the history lists
std::string secure_digest(const sched& s, rsc_ix r, node_ix n, const cib::op_record& op,
                          const std::map<std::string, std::string>& all) {
    std::string version = op.crm_feature_set.empty() ? "3.16.2" : op.crm_feature_set;
    const bool old = compare_version(version, "3.16.0") < 0;
    std::map<std::string, std::string> secure = old ? rsc_params(s, r, n) : all;
    for (auto it = secure.begin(); it != secure.end();) {
        bool listed = op.op_secure_params.find(" " + it->first + " ") != std::string::npos;
        bool fence = old && s.ws.resources[r].rclass == "stonith" && is_fence_param(it->first);
        it = (listed || fence) ? secure.erase(it) : std::next(it);
    }
    filter_for_digest(secure);
    if (old) secure.erase("CRM_meta_timeout");
    return params_digest(secure);
}

digests calculate_digests(sched& s, rsc_ix r, node_ix n, const cib::op_record& op) {
    digests d;
    int64_t interval = std::strtoll(op.interval.c_str(), nullptr, 10);
    const std::string& task = op.operation;
    action_ix tmp = s.custom_action(r, op_key(s.ws.resources[r].id, task, interval), task, n, true, false);
    const action& a = s.actions[tmp];
    std::map<std::string, std::string> all;
    for (const auto& [k, v] : rsc_params(s, r, n)) all[k] = v;
    for (const auto& [k, v] : a.extra) all[k] = v;
    for (const auto& [k, v] : a.meta) {
        if (k.find('#') != std::string::npos || k.find(':') != std::string::npos) continue;
        all[meta_name(k)] = v;
    }
    filter_for_digest(all);
    d.extra_forces_restart = interval == 0 && !a.extra.empty();
    d.all = params_digest(all);
    if (s.ws.options.sanitized) d.secure = secure_digest(s, r, n, op, all);
    if (!op.op_restart_digest.empty()) {
        std::map<std::string, std::string> restart = all;
        if (op.has_op_force_restart) {
            for (auto it = restart.begin(); it != restart.end();) {
                bool listed = op.op_force_restart.find(" " + it->first + " ") != std::string::npos;
                it = listed ? std::next(it) : restart.erase(it);
            }
        }
        d.restart = params_digest(restart);
    }
    return d;
}

enum class digest_rc { match, restart, all, unknown };

digest_rc compare_calculated(const digests& d, const cib::op_record& op);

digest_rc compare_digests(sched& s, rsc_ix r, node_ix n, const cib::op_record& op) {
    digests d = calculate_digests(s, r, n, op);
    digest_rc rc = compare_calculated(d, op);
    // only_sanitized_changed: a saved CIB cannot show secure values, so a change
    // the secure digest does not see is no change
    if (rc != digest_rc::match && s.ws.options.sanitized && !op.op_secure_digest.empty() && !d.secure.empty() &&
        d.secure == op.op_secure_digest)
        return digest_rc::match;
    return rc;
}

digest_rc compare_calculated(const digests& d, const cib::op_record& op) {
    int64_t interval = std::strtoll(op.interval.c_str(), nullptr, 10);
    if (!op.op_restart_digest.empty() && !d.restart.empty() && d.restart != op.op_restart_digest)
        return digest_rc::restart;
    if (op.op_digest.empty()) return digest_rc::unknown;
    if (op.op_digest != d.all) return (interval == 0 && d.extra_forces_restart) ? digest_rc::restart : digest_rc::all;
    return digest_rc::match;
}

bool action_in_config(const sched& s, rsc_ix r, const std::string& task, int64_t interval) {
    const resource& res = s.ws.resources[r];
    if (!res.def) return false;
    for (const auto& o : res.def->ops) {
        if (!o.enabled.empty() && (o.enabled == "false" || o.enabled == "no" || o.enabled == "0" || o.enabled == "off"))
            continue;
        int64_t iv = parse_interval_ms(o.interval);
        if (o.name == task && (iv < 0 ? 0 : iv) == interval) return true;
    }
    return false;
}

void force_restart(sched& s, rsc_ix r, const std::string& task, int64_t interval, node_ix n) {
    action_ix a = s.custom_action(r, op_key(s.ws.resources[r].id, task, interval), task, none, false, true);
    set_action_reason(s.actions[a], "resource definition change", true);
    trigger_unfencing(s, r, n, "Device parameters changed", -1);
}

void schedule_reload(sched& s, rsc_ix r, node_ix n) {
    const resource& res = s.ws.resources[r];
    if (res.variant != rsc_variant::primitive) {
        for (rsc_ix c : res.children) schedule_reload(s, c, n);
        return;
    }
    if (n == none || !(s.rs[r].flags & rf_managed) || (s.rs[r].flags & rf_failed)) return;
    if (s.rs[r].flags & rf_start_pending) {
        s.custom_action(r, op_key(res.id, "stop", 0), "stop", n, false, true);
        return;
    }
    s.rs[r].flags |= rf_reload;
    action_ix reload = s.custom_action(r, op_key(res.id, "reload-agent", 0), "reload-agent", n, false, true);
    set_action_reason(s.actions[reload], "resource definition change", false);
    s.new_ordering(none, "", reload, r, op_key(res.id, "stop", 0), -1, of_optional | of_then_cancels_first);
    s.new_ordering(none, "", reload, r, op_key(res.id, "demote", 0), -1, of_optional | of_then_cancels_first);
}

// pcmk__check_action_config: true if the op's definition changed (or it is an orphan)
bool check_action_config(sched& s, rsc_ix r, node_ix n, const cib::op_record& op) {
    const auto& expired = s.ws.failure_expired_monitors;
    if (std::find(expired.begin(), expired.end(), &op) != expired.end()) {
        cib::op_record forced = op;
        forced.op_restart_digest = "calculated-failure-timeout";
        return check_action_config(s, r, n, forced);
    }
    int64_t interval = std::strtoll(op.interval.c_str(), nullptr, 10);
    const std::string& task = op.operation;
    if (interval > 0 && !action_in_config(s, r, task, interval)) {
        if (s.ws.options.stop_orphan_actions)
            schedule_cancel(s, r, std::to_string(op.call_id), task, interval, n, "orphan");
        return true;
    }
    std::string digest_task = task;
    if (interval == 0 && (task == "monitor" || task == "migrate_from" || task == "promote")) digest_task = "start";
    switch (compare_digests(s, r, n, op)) {
        case digest_rc::restart: force_restart(s, r, digest_task, interval, n); return true;
        case digest_rc::all:
        case digest_rc::unknown:
            if (interval > 0) {
                reschedule_recurring(s, r, digest_task, interval, n);
            } else if (!op.op_restart_digest.empty()) {
                trigger_unfencing(s, r, n, "Device parameters changed (reload)", -1);
                schedule_reload(s, r, n);
            } else {
                force_restart(s, r, digest_task, interval, n);
            }
            return true;
        case digest_rc::match: break;
    }
    return false;
}

bool agent_changed(sched& s, rsc_ix r, node_ix n, const cib::lrm_resource& entry, bool active) {
    const resource& res = s.ws.resources[r];
    bool changed = res.type != entry.type || res.rclass != entry.rclass || res.provider != entry.provider;
    if (!changed) return false;
    trigger_unfencing(s, r, n, "Device definition changed", -1);
    if (active) {
        s.custom_action(r, op_key(res.id, "stop", 0), "stop", n, false, true);
        s.rs[r].flags |= rf_start_pending;
    }
    return true;
}

// rsc_history_as_list + calculate_active_ops: the ops newest last, and where
// the last start (or what implies one) and the last successful stop are
std::vector<const cib::op_record*> sorted_history(const cib::lrm_resource& entry, int& start, int& stop) {
    std::vector<const cib::op_record*> ops;
    for (auto it = entry.ops.rbegin(); it != entry.ops.rend(); ++it) ops.push_back(&*it);
    std::stable_sort(ops.begin(), ops.end(), [](const cib::op_record* a, const cib::op_record* b) {
        auto key = [](const cib::op_record* o) { return o->call_id < 0 ? INT_MAX : o->call_id; };
        return key(a) < key(b);
    });
    start = stop = -1;
    int implied_monitor = -1, implied_clone = -1;
    for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
        const auto& o = *ops[i];
        if (o.operation == "stop" && o.op_status == 0)
            stop = i;
        else if (o.operation == "start" || o.operation == "migrate_from")
            start = i;
        else if (implied_monitor <= stop && o.operation == "monitor") {
            if (o.rc_code == 0 || o.rc_code == 8) implied_monitor = i;
        } else if (o.operation == "promote" || o.operation == "demote")
            implied_clone = i;
    }
    if (start == -1) start = implied_clone != -1 ? implied_clone : implied_monitor;
    return ops;
}

bool in_maintenance(const sched& s, rsc_ix r, node_ix n) {
    return (s.rs[r].flags & rf_maintenance) || s.ws.nodes[n].maintenance;
}

bool anonymous_clone_member(const sched& s, rsc_ix r) {
    rsc_ix top = uber_parent(s, r);
    return s.ws.resources[top].variant == rsc_variant::clone && !s.ws.resources[top].unique;
}

void process_rsc_history(sched& s, const cib::lrm_resource& entry, rsc_ix r, node_ix n) {
    const resource& res = s.ws.resources[r];
    if (res.orphan) {
        if (!anonymous_clone_member(s, r)) schedule_cleanup(s, r, n, false);
        return;
    }
    const bool active = std::find(res.running_on.begin(), res.running_on.end(), n) != res.running_on.end();
    if (!active) {
        if (agent_changed(s, r, n, entry, false)) schedule_cleanup(s, r, n, false);
        return;
    }
    if (agent_changed(s, r, n, entry, true)) schedule_cleanup(s, r, n, false);
    int start = -1, stop = -1;
    auto ops = sorted_history(entry, start, stop);
    if (start < stop) return;
    for (int i = std::max(start, 0); i < static_cast<int>(ops.size()); ++i) {
        const auto& o = *ops[i];
        int64_t interval = std::strtoll(o.interval.c_str(), nullptr, 10);
        if (interval > 0 && in_maintenance(s, r, n)) {
            schedule_cancel(s, r, std::to_string(o.call_id), o.operation, interval, n, "maintenance mode");
        } else if (interval > 0 || o.operation == "monitor" || o.operation == "start" || o.operation == "promote" ||
                   o.operation == "migrate_from") {
            auto fc = res.fail_count.find(n);
            if (check_action_config(s, r, n, o) && fc != res.fail_count.end() && fc->second != 0)
                clear_failcount_action(s, r, n, "action definition changed");
        }
    }
}

// pcmk__rscs_matching_id: every primitive whose id or history name (clone_name)
// is a history entry's id. An anonymous instance's history may be named after
// another instance, so one entry can match the instance of that name and the
// one unpack placed here. The index lists primitives by every name their
// history may use, in the order a walk of the resource tree finds them.
using history_index = std::unordered_map<std::string, std::vector<rsc_ix>>;

history_index index_history_names(const sched& s) {
    history_index index;
    auto visit = [&](auto&& self, rsc_ix r) -> void {
        const resource& res = s.ws.resources[r];
        if (res.variant == rsc_variant::primitive) {
            index[res.id].push_back(r);
            if (!res.clone_name.empty() && res.clone_name != res.id) index[res.clone_name].push_back(r);
        }
        for (rsc_ix c : res.children) self(self, c);
    };
    for (rsc_ix r : s.resources) visit(visit, r);
    return index;
}

// The primitives a history entry belongs to, newest match first (Pacemaker prepends)
std::vector<rsc_ix> rscs_for_history(const history_index& index, const std::string& id) {
    auto it = index.find(id);
    if (it == index.end()) return {};
    return {it->second.rbegin(), it->second.rend()};
}

bool node_available(const node& n) { return n.online && !n.shutdown && !n.unclean && !n.standby && !n.maintenance; }

}  // namespace

device_digests fencing_device_digests(sched& s, rsc_ix device, node_ix node) {
    cib::op_record none_op;
    none_op.operation = "stonith-on";
    none_op.interval = "0";
    std::map<std::string, std::string> all;
    action_ix tmp =
        s.custom_action(device, op_key(s.ws.resources[device].id, "stonith-on", 0), "stonith-on", node, true, false);
    for (const auto& [k, v] : rsc_params(s, device, node)) all[k] = v;
    for (const auto& [k, v] : s.actions[tmp].extra) all[k] = v;
    for (const auto& [k, v] : s.actions[tmp].meta) {
        if (k.find('#') == std::string::npos && k.find(':') == std::string::npos) all[meta_name(k)] = v;
    }
    filter_for_digest(all);
    device_digests d;
    d.all = params_digest(all);
    // Without an op record the CIB's feature set decides (pe__calculate_digests);
    // older ones hash only the agent's own parameters, as calculate_secure_digest does
    const std::string version = (s.ws.cib && !s.ws.cib->crm_feature_set.empty()) ? s.ws.cib->crm_feature_set : "3.16.2";
    const bool old = compare_version(version, "3.16.0") < 0;
    std::map<std::string, std::string> secure = old ? rsc_params(s, device, node) : all;
    for (auto it = secure.begin(); it != secure.end();) {
        const bool secret = it->first == "passwd" || it->first == "password" || it->first == "user";
        it = (secret || (old && is_fence_param(it->first))) ? secure.erase(it) : std::next(it);
    }
    filter_for_digest(secure);
    if (old) secure.erase("CRM_meta_timeout");
    d.secure = params_digest(secure);
    return d;
}

bool history_params_changed(sched& s, rsc_ix r, node_ix node, const cib::op_record& op) {
    digest_rc rc = compare_digests(s, r, node, op);
    return rc != digest_rc::match && rc != digest_rc::unknown;
}

void schedule_cancel(sched& s, rsc_ix r, const std::string& call_id, const std::string& task, int64_t interval_ms,
                     node_ix node, const std::string& reason) {
    (void)reason;
    action_ix cancel = new_cancel_action(s, r, task, interval_ms, node);
    s.actions[cancel].meta.emplace("call-id", call_id);
    s.new_ordering(r, op_key(s.ws.resources[r].id, "stop", 0), -1, r, "", cancel, of_optional);
}

void reschedule_recurring(sched& s, rsc_ix r, const std::string& task, int64_t interval_ms, node_ix node) {
    trigger_unfencing(s, r, node, "Device parameters changed (reschedule)", -1);
    action_ix a = s.custom_action(r, op_key(s.ws.resources[r].id, task, interval_ms), task, node, true, true);
    s.actions[a].flags |= af_reschedule;
}

void schedule_cleanup(sched& s, rsc_ix r, node_ix node, bool optional) {
    if (s.rs[r].flags & rf_failed) return;
    const policy::node& n = s.ws.nodes[node];
    if (n.unclean || !n.online) return;
    s.custom_action(r, op_key(s.ws.resources[r].id, "delete", 0), "delete", node, optional, true);
    const uint32_t flag = optional ? of_implies_then : of_optional;
    order_resource_actions(s, r, "stop", r, "delete", flag);
    order_resource_actions(s, r, "delete", r, "start", flag);
}

void handle_rsc_config_changes(sched& s) {
    if (!s.ws.cib) return;
    const history_index index = index_history_names(s);
    std::unordered_map<std::string, const cib::node_state*> states;
    for (const auto& ns : s.ws.cib->node_states) states.emplace(ns.uname, &ns);  // first one wins
    for (node_ix n : s.nodes) {
        const node& nd = s.ws.nodes[n];
        if (!nd.maintenance && !node_available(nd)) continue;
        auto found = states.find(nd.uname);
        if (found == states.end()) continue;
        for (const auto& entry : found->second->resources) {
            if (entry.ops.empty()) continue;
            for (rsc_ix r : rscs_for_history(index, entry.id)) process_rsc_history(s, entry, r, n);
        }
    }
}

}  // namespace holdfast::policy::sched

namespace holdfast::policy {

std::string operation_digest(std::map<std::string, std::string> params) {
    sched::filter_for_digest(params);
    return sched::params_digest(params);
}

}  // namespace holdfast::policy
