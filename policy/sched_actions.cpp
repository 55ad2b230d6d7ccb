// Scheduler actions: creation (Pacemaker's custom_action and friends), the
// per-resource scheduling state set up from the working set, and small shared
// helpers. Flag propagation along orderings lives in sched_order.cpp.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "policy/iso8601.hpp"
#include "policy/rules.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {

namespace {

bool is_false(const std::string& v) {
    return iequals(v, "false") || iequals(v, "no") || iequals(v, "off") || iequals(v, "n") || v == "0";
}

const std::string* lookup(const std::map<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? nullptr : &it->second;
}

// crm_get_msec: a number with an optional unit, seconds by default.
int64_t parse_msec(std::string_view text) {
    size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) return -1;
    std::string num(text.substr(start, i - start));
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view units = text.substr(i);
    auto starts = [&](std::string_view p) { return units.size() >= p.size() && iequals(units.substr(0, p.size()), p); };
    int64_t mult = 1000, div = 1;
    if (starts("ms"))
        mult = 1;
    else if (starts("us")) {
        mult = 1;
        div = 1000;
    } else if (starts("s"))
        mult = 1000;
    else if (starts("m"))
        mult = 60000;
    else if (starts("h"))
        mult = 3600000;
    else if (!units.empty() && units[0] != '\n' && units[0] != '\r')
        return -1;
    int64_t v = std::strtoll(num.c_str(), nullptr, 10);
    if (v > INT64_MAX / mult) return INT64_MAX / div;  // saturate instead of overflowing
    return v * mult / div;
}

}  // namespace

int64_t parse_interval_ms(std::string_view text) {
    if (text.empty()) return 0;
    if (text[0] == 'P') {
        // Pacemaker's duration parser (e.g. it takes "P10S" as ten seconds)
        auto ms = iso8601::parse_interval_ms(text);
        return ms ? static_cast<int64_t>(*ms) : -1;
    }
    return parse_msec(text);
}

int numeric_strcasecmp(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            size_t ei = i, ej = j;
            while (ei < a.size() && digit(a[ei])) ++ei;
            while (ej < b.size() && digit(b[ej])) ++ej;
            long na = std::strtol(std::string(a.substr(i, ei - i)).c_str(), nullptr, 10);
            long nb = std::strtol(std::string(b.substr(j, ej - j)).c_str(), nullptr, 10);
            if (na != nb) return na < nb ? -1 : 1;
            // equal values: the longer run ("007" after "7") sorts later
            if (ei - i != ej - j) return (ei - i) < (ej - j) ? -1 : 1;
            i = ei;
            j = ej;
            continue;
        }
        int la = std::tolower(static_cast<unsigned char>(a[i]));
        int lb = std::tolower(static_cast<unsigned char>(b[j]));
        if (la != lb) return la < lb ? -1 : 1;
        ++i;
        ++j;
    }
    if (i == a.size() && j < b.size()) return -1;
    if (i < a.size() && j == b.size()) return 1;
    return 0;
}

int add_scores(int a, int b) {
    if (a <= -score_infinity || b <= -score_infinity) return -score_infinity;
    if (a >= score_infinity || b >= score_infinity) return score_infinity;
    long long sum = static_cast<long long>(a) + b;
    if (sum >= score_infinity) return score_infinity;
    if (sum <= -score_infinity) return -score_infinity;
    return static_cast<int>(sum);
}

std::string op_key(const std::string& rsc_id, std::string_view task, int64_t interval_ms) {
    return rsc_id + "_" + std::string(task) + "_" + std::to_string(interval_ms);
}

void set_action_reason(action& a, const std::string& reason, bool overwrite) {
    if (!a.reason.empty() && !overwrite) return;
    a.reason = reason;
}

// ---- per-resource setup ----

namespace {

bool nvsets_say_unfencing(const std::vector<cib::nvset>& sets) {
    for (const auto& set : sets) {
        for (const auto& p : set.pairs) {
            if ((p.name == "provides" || p.name == "requires") && p.value == "unfencing") return true;
        }
    }
    return false;
}

bool resource_tree_says_unfencing(const cib::resource& r) {
    if (nvsets_say_unfencing(r.meta)) return true;
    for (const auto& c : r.children) {
        if (resource_tree_says_unfencing(c)) return true;
    }
    return false;
}

// unpack_requires: which start precondition a resource has
void set_requires(sched& s, rsc_ix r, bool enable_unfencing) {
    const resource& res = s.ws.resources[r];
    rsc_state& st = s.rs[r];
    const auto& opt = s.ws.options;
    const std::string* v = lookup(res.meta, "requires");
    std::string value = v ? *v : "";
    if (value == "unfencing" && (st.flags & rf_fence_device || !opt.stonith_enabled)) value = "quorum";
    if (value != "nothing" && value != "quorum" && value != "fencing" && value != "unfencing") {
        if (st.flags & rf_fence_device)
            value = "quorum";
        else if (res.variant == rsc_variant::primitive && res.is_remote_connection)
            value = "quorum";
        else if (enable_unfencing)
            value = "unfencing";
        else if (opt.stonith_enabled)
            value = "fencing";
        else if (opt.no_quorum_policy == "ignore")
            value = "nothing";
        else
            value = "quorum";
    }
    if (value == "quorum")
        st.flags |= rf_needs_quorum;
    else if (value == "fencing")
        st.flags |= rf_needs_fencing;
    else if (value == "unfencing")
        st.flags |= rf_needs_fencing | rf_needs_unfencing;
}

// A node's <node score="..."> (0 when absent or for nodes not in <nodes>)
int configured_weight(const working_set& ws, node_ix n) {
    if (!ws.cib) return 0;
    for (const auto& def : ws.cib->nodes) {
        if (def.uname == ws.nodes[n].uname || (def.uname.empty() && def.id == ws.nodes[n].id))
            return def.score.empty() ? 0 : char2score(def.score);
    }
    return 0;
}

uint64_t initial_rsc_flags(const working_set& ws, const resource& res) {
    uint64_t f = 0;
    if (res.orphan) f |= rf_orphan;
    if (res.managed) f |= rf_managed;
    if (res.blocked) f |= rf_block;
    if (const auto* n = lookup(res.meta, "notify"); n && text_is_true(*n)) f |= rf_notify;
    // Only clone members can be anonymous; everything else is unique
    rsc_ix top = static_cast<rsc_ix>(&res - ws.resources.data());
    while (ws.resources[top].parent != none && ws.resources[ws.resources[top].parent].variant != rsc_variant::bundle)
        top = ws.resources[top].parent;
    if (ws.resources[top].variant != rsc_variant::clone || ws.resources[top].unique) f |= rf_unique;
    if (res.variant == rsc_variant::primitive && res.rclass == "stonith") f |= rf_fence_device;
    if (res.promotable) f |= rf_promotable;
    f |= rf_provisional | rf_runnable;
    if (res.critical) f |= rf_critical;
    if (res.failed) f |= rf_failed;
    if (res.stop_required) f |= rf_stop;
    if (res.start_pending) f |= rf_start_pending;
    if (res.allow_migrate) f |= rf_allow_migrate;
    const auto* m = lookup(res.meta, "maintenance");
    if (ws.options.maintenance_mode || (m && text_is_true(*m))) f |= rf_maintenance;
    return f;
}

}  // namespace

sched::sched(working_set& w) : ws(w) {
    const size_t n_nodes = ws.nodes.size();
    node_weight.resize(n_nodes);
    for (size_t n = 0; n < n_nodes; ++n) {
        const node& nd = ws.nodes[n];
        bool out = nd.kind == node_kind::member && (!nd.online || nd.shutdown);
        node_weight[n] = out ? -score_infinity : configured_weight(ws, static_cast<node_ix>(n));
    }
    rs.resize(ws.resources.size());
    bool enable_unfencing = false;
    if (ws.cib) {
        for (const auto& r : ws.cib->resources) enable_unfencing = enable_unfencing || resource_tree_says_unfencing(r);
        enable_unfencing = enable_unfencing || nvsets_say_unfencing(ws.cib->rsc_defaults);
    }
    this->enable_unfencing = enable_unfencing;
    for (size_t i = 0; i < ws.resources.size(); ++i) {
        const resource& res = ws.resources[i];
        rsc_state& st = rs[i];
        st.flags = initial_rsc_flags(ws, res);
        const auto* ma = lookup(res.meta, "multiple-active");
        if (ma && iequals(*ma, "block"))
            st.recovery_type = recovery::block;
        else if (ma && iequals(*ma, "stop_only"))
            st.recovery_type = recovery::stop_only;
        else if (ma && iequals(*ma, "stop_unexpected"))
            st.recovery_type = recovery::stop_unexpected;
        // Symmetric clusters allow every node (at its configured score, as copied
        // before the status section is read) until constraints say otherwise
        st.allowed.assign(n_nodes, not_allowed);
        // Guest connections may always opt in: their container decides (remote_connection_default)
        if (ws.options.symmetric_cluster || (res.is_remote_connection && res.container != none)) {
            for (size_t n = 0; n < n_nodes; ++n)
                if (!ws.nodes[n].late) st.allowed[n] = configured_weight(ws, static_cast<node_ix>(n));
        }
        // process_orphan_resource: history of a resource no longer configured
        // must not run anywhere (orphaned clone instances are the clone's business)
        if (res.orphan && res.parent == none && ws.options.stop_orphan_resources) {
            for (size_t n = 0; n < n_nodes; ++n) st.allowed[n] = -score_infinity;
        }
        st.known_on.assign(n_nodes, false);
        for (const auto* list : {&res.running_on, &res.known_on}) {
            for (node_ix nd : *list) {
                if (nd >= 0 && static_cast<size_t>(nd) < n_nodes) st.known_on[nd] = true;
            }
        }
        st.role_now = res.current_role;
        st.next_role = res.next_role;
        st.priority = res.priority;
        st.allocated_to = none;
        st.dangling_migrations.clear();
        if (res.dangling_migration != none) st.dangling_migrations.push_back(res.dangling_migration);
        set_requires(*this, static_cast<rsc_ix>(i), enable_unfencing);
    }
    for (node_ix n = 0; n < static_cast<node_ix>(n_nodes); ++n) nodes.push_back(n);
    std::stable_sort(nodes.begin(), nodes.end(), [&](node_ix a, node_ix b) {
        return numeric_strcasecmp(ws.nodes[a].uname, ws.nodes[b].uname) < 0;
    });
    for (rsc_ix r : ws.top_level) {
        if (!ws.resources[r].orphan) resources.push_back(r);
    }
    std::stable_sort(resources.begin(), resources.end(),
                     [&](rsc_ix a, rsc_ix b) { return ws.resources[a].priority > ws.resources[b].priority; });
    for (rsc_ix r : ws.top_level) {
        if (ws.resources[r].orphan) resources.push_back(r);
    }
    have_stonith_resource = has_fence_device(ws);
    if (auto it = ws.options.raw.find("have-watchdog"); it != ws.options.raw.end() && text_is_true(it->second))
        have_stonith_resource = true;
}

// ---- finding actions ----

namespace {

// find_actions semantics: node none matches any; an action without a node
// matching a node-specific lookup gets that node.
bool key_node_match(sched& s, action& a, const std::string& key, node_ix node) {
    if (a.id < 0 || !iequals(a.uuid, key)) return false;
    (void)s;
    if (node == none) return true;
    if (a.node == none) {
        a.node = node;
        return true;
    }
    return a.node == node;
}

}  // namespace

std::vector<action_ix> sched::find_actions(rsc_ix rsc, const std::string& key, node_ix node) const {
    auto& self = const_cast<sched&>(*this);
    std::vector<action_ix> out;
    if (rsc != none) {
        for (action_ix a : rs[rsc].actions) {
            if (key_node_match(self, self.actions[a], key, node)) out.push_back(a);
        }
    } else {
        for (action_ix a = 0; a < static_cast<action_ix>(actions.size()); ++a) {
            if (key_node_match(self, self.actions[a], key, node)) out.push_back(a);
        }
    }
    return out;
}

action_ix sched::find_action(const std::string& key, node_ix node) const {
    auto found = find_actions(none, key, node);
    return found.empty() ? -1 : found.front();
}

std::vector<action_ix> resource_actions(const sched& s, rsc_ix r, node_ix node, std::string_view task,
                                        bool require_node) {
    std::string key = op_key(s.ws.resources[r].id, task, 0);
    if (!require_node) return s.find_actions(r, key, node);
    std::vector<action_ix> out;
    if (node == none) return out;
    for (action_ix a : s.rs[r].actions) {
        const action& act = s.actions[a];
        if (act.node != none && act.node == node && iequals(act.uuid, key)) out.push_back(a);
    }
    return out;
}

node_ix find_active_on(const sched& s, rsc_ix r, unsigned& all, unsigned& clean) {
    const resource& res = s.ws.resources[r];
    all = clean = 0;
    node_ix active = none;
    auto happy = [&](node_ix n) { return s.ws.nodes[n].online && !s.ws.nodes[n].unclean; };
    for (node_ix n : res.running_on) {
        ++all;
        if (happy(n)) ++clean;
        if (res.partial_migration_source != none) {
            if (n == res.partial_migration_source) active = n;
        } else if (!(s.rs[r].flags & rf_needs_fencing)) {
            // Without fencing needs, the first cleanly active node counts
            if (happy(n) && (active == none || !happy(active))) active = n;
        }
        if (active == none) active = n;
    }
    return active;
}

node_ix rsc_location(const sched& s, rsc_ix r, bool current, std::vector<node_ix>* all) {
    std::vector<node_ix> result;
    const resource& res = s.ws.resources[r];
    auto add = [&](node_ix n) {
        if (std::find(result.begin(), result.end(), n) == result.end()) result.push_back(n);
    };
    if (!res.children.empty()) {
        for (rsc_ix c : res.children) {
            std::vector<node_ix> sub;
            rsc_location(s, c, current, &sub);
            for (node_ix n : sub) add(n);
        }
    } else if (current) {
        for (node_ix n : res.running_on) add(n);
    } else if (s.rs[r].allocated_to != none) {
        add(s.rs[r].allocated_to);
    }
    if (all) {
        for (node_ix n : result) {
            if (std::find(all->begin(), all->end(), n) == all->end()) all->push_back(n);
        }
    }
    return result.size() == 1 ? result.front() : none;
}

}  // namespace holdfast::policy::sched

// ---- creating actions (custom_action) ----

namespace holdfast::policy::sched {

namespace {

void unpack_op_nvsets(const sched& s, const std::vector<cib::nvset>& sets, const action& a, const resource& res,
                      std::map<std::string, std::string>& out, bool overwrite) {
    rule_context ctx;
    ctx.now = s.ws.now;
    ctx.utc_offset = iso8601::host_utc_offset(s.ws.now);
    ctx.rsc = rule_context::resource_agent{res.rclass, res.provider, res.type};
    ctx.op = rule_context::operation{a.task, static_cast<uint32_t>(a.interval_ms)};
    unpack_nvsets(sets, ctx, out, overwrite);
}

const cib::op_def* find_op_entry(const resource& res, const std::string& key) {
    if (!res.def) return nullptr;
    auto search = [&](const std::string& k) -> const cib::op_def* {
        for (const auto& op : res.def->ops) {
            int64_t iv = parse_interval_ms(op.interval);
            if (iv < 0) iv = 0;
            if (iequals(op_key(res.id, op.name, iv), k)) return &op;
            if (!res.clone_name.empty() && iequals(op_key(res.clone_name, op.name, iv), k)) return &op;
        }
        return nullptr;
    };
    if (const auto* op = search(key)) return op;
    if (key.find("migrate_to") != std::string::npos || key.find("migrate_from") != std::string::npos)
        return search(op_key(res.id, "migrate", 0));
    if (key.find("_notify_") != std::string::npos) return search(op_key(res.id, "notify", 0));
    return nullptr;
}

const cib::op_def* find_min_interval_monitor(const resource& res) {
    const cib::op_def* best = nullptr;
    int64_t best_iv = 0;
    if (!res.def) return nullptr;
    for (const auto& op : res.def->ops) {
        if (!op.enabled.empty() && is_false(op.enabled)) continue;
        if (!iequals(op.name, "monitor")) continue;
        int64_t iv = parse_interval_ms(op.interval);
        if (iv > 0 && (best == nullptr || iv < best_iv)) {
            best = &op;
            best_iv = iv;
        }
    }
    return best;
}

void copy_op_attributes(const cib::op_def& op, std::map<std::string, std::string>& meta) {
    auto put = [&](const char* name, const std::string& v) {
        if (!v.empty()) meta[name] = v;
    };
    put("name", op.name);
    put("interval", op.interval);
    put("role", op.role);
    put("timeout", op.timeout);
    put("on-fail", op.on_fail);
    put("enabled", op.enabled);
    put("start-delay", op.start_delay);
    put("interval-origin", op.interval_origin);
    put("record-pending", op.record_pending);
    put("requires", op.requires_);
    for (const auto& [k, v] : op.other) meta[k] = v;
    meta.erase("id");
}

bool valid_demote_monitor(const cib::op_def& op) {
    return iequals(op.name, "monitor") && (op.role == "Promoted" || op.role == "Master") &&
           parse_interval_ms(op.interval) > 0;
}

// unpack_operation_on_fail: the effective on-fail text, or empty for the default
std::string effective_on_fail(const action& a, const resource& res, const cib::op_def* entry) {
    const std::string* value = lookup(a.meta, "on-fail");
    if (a.task == "stop" && value &&
        (iequals(*value, "standby") || iequals(*value, "demote") || iequals(*value, "stop")))
        return "";
    if (a.task == "stop" && !value) return "";
    if (a.task == "demote" && !value) {
        if (!res.def) return "";
        for (const auto& op : res.def->ops) {
            if (op.on_fail.empty() || (!op.enabled.empty() && is_false(op.enabled))) continue;
            if (!valid_demote_monitor(op) || iequals(op.on_fail, "demote")) continue;
            return op.on_fail;
        }
        return "";
    }
    if (a.task == "lrm_delete") return "ignore";
    if (value && iequals(*value, "demote")) {
        bool ok = entry && (iequals(entry->name, "promote") || valid_demote_monitor(*entry));
        if (!ok) return "";
    }
    return value ? *value : "";
}

void apply_on_fail(sched& s, action& a, const resource& res, const std::string& value) {
    const bool stonith = s.ws.options.stonith_enabled;
    bool known = true;
    if (value.empty())
        known = false;
    else if (iequals(value, "block")) {
        a.fail_response = on_fail::block;
        a.meta["on-fail"] = "block";
    } else if (iequals(value, "fence")) {
        a.fail_response = on_fail::fence;
        if (!stonith) {
            a.fail_response = on_fail::stop;
            a.fail_role = role::stopped;
        }
    } else if (iequals(value, "standby"))
        a.fail_response = on_fail::standby;
    else if (iequals(value, "ignore") || iequals(value, "nothing"))
        a.fail_response = on_fail::ignore;
    else if (iequals(value, "migrate"))
        a.fail_response = on_fail::migrate;
    else if (iequals(value, "stop")) {
        a.fail_response = on_fail::stop;
        a.fail_role = role::stopped;
    } else if (iequals(value, "restart"))
        a.fail_response = on_fail::recover;
    else if (iequals(value, "demote"))
        a.fail_response = on_fail::demote;
    else if (iequals(value, "restart-container") && res.container != none)
        a.fail_response = on_fail::restart_container;
    else
        known = false;  // restart-container without a container, or unknown text

    const bool managed = s.rs[&res - s.ws.resources.data()].flags & rf_managed;
    if (!known && res.container != none) {
        a.fail_response = on_fail::restart_container;
    } else if ((!known || !managed) && res.is_remote_connection && !(a.task == "monitor" && a.interval_ms == 0) &&
               a.task != "start") {
        if (!managed) {
            a.fail_response = on_fail::stop;
            a.fail_role = role::stopped;
        } else {
            a.fail_response = on_fail::reset_remote;
            if (res.remote_reconnect_ms > 0) a.fail_role = role::stopped;
        }
    } else if (!known && a.task == "stop") {
        a.fail_response = stonith ? on_fail::fence : on_fail::block;
    } else if (!known) {
        a.fail_response = on_fail::recover;
    }
    if (a.fail_role == role::unknown) a.fail_role = (a.task == "promote") ? role::unpromoted : role::started;
}

// unpack_interval_origin: a recurring op with an interval-origin waits until
// the next multiple of its interval after the origin (milliseconds)
std::optional<int64_t> interval_origin_delay(const sched& s, const action& a) {
    const auto* origin_text = lookup(a.meta, "interval-origin");
    const int64_t interval_sec = a.interval_ms / 1000;
    if (!origin_text || a.interval_ms == 0 || interval_sec == 0) return std::nullopt;
    auto origin = iso8601::parse_date_time(*origin_text, iso8601::host_parse_env(s.ws.now));
    if (!origin) return std::nullopt;
    int64_t since = (static_cast<int64_t>(s.ws.now) - iso8601::to_epoch(*origin)) % interval_sec;
    return (((since <= 0) ? 0 : interval_sec) - since) * 1000;
}

void unpack_operation(sched& s, action& a, const cib::op_def* entry) {
    const resource& res = s.ws.resources[a.rsc];
    const bool is_probe = a.task == "monitor" && a.interval_ms == 0;
    if (s.ws.cib) unpack_op_nvsets(s, s.ws.cib->op_defaults, a, res, a.meta, false);
    if (is_probe) {
        if (const auto* mon = find_min_interval_monitor(res); mon && !mon->timeout.empty())
            a.meta["timeout"] = mon->timeout;
    }
    if (entry) {
        unpack_op_nvsets(s, entry->meta, a, res, a.meta, true);
        copy_op_attributes(*entry, a.meta);
    }
    if (a.interval_ms > 0)
        a.meta["interval"] = std::to_string(a.interval_ms);
    else
        a.meta.erase("interval");

    if (res.rclass == "stonith" && (a.task == "start" || is_probe)) {
        if (const auto* t = lookup(res.params, "pcmk_monitor_timeout")) a.meta["timeout"] = *t;
    }
    int64_t timeout = -1;
    if (const auto* t = lookup(a.meta, "timeout")) timeout = parse_msec(*t);
    if (timeout < 0) timeout = 20000;
    a.meta["timeout"] = std::to_string(timeout);

    const uint64_t rf = s.rs[a.rsc].flags;
    if (a.task != "start" && a.task != "promote")
        a.needs = start_requirement::nothing;
    else if (rf & rf_needs_fencing)
        a.needs = start_requirement::fencing;
    else if (rf & rf_needs_quorum)
        a.needs = start_requirement::quorum;
    else
        a.needs = start_requirement::nothing;

    a.fail_role = role::unknown;
    apply_on_fail(s, a, res, effective_on_fail(a, res, entry));

    if (auto delay = interval_origin_delay(s, a)) {
        a.meta["start-delay"] = std::to_string(*delay);
    } else if (const auto* d = lookup(a.meta, "start-delay")) {
        int64_t ms = parse_msec(*d);
        a.meta["start-delay"] = std::to_string(ms < 0 ? 0 : ms);
    }
}

int64_t interval_of_key(const std::string& key) {
    auto pos = key.rfind('_');
    if (pos == std::string::npos) return 0;
    const std::string tail = key.substr(pos + 1);
    if (tail.empty() ||
        !std::all_of(tail.begin(), tail.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
        return 0;
    return std::strtoll(tail.c_str(), nullptr, 10);
}

bool rsc_active(const sched& s, rsc_ix r, bool all) {
    const resource& res = s.ws.resources[r];
    if (res.children.empty()) return !res.running_on.empty();
    bool any = false;
    for (rsc_ix c : res.children) {
        bool act = rsc_active(s, c, all);
        if (all && !act) return false;
        any = any || act;
    }
    return any;
}

enum class quorum_policy { ignore, stop, freeze, other };

quorum_policy effective_quorum_policy(sched& s, rsc_ix r) {
    const auto& opt = s.ws.options;
    if (opt.have_quorum) return quorum_policy::ignore;
    const std::string& p = opt.no_quorum_policy;
    if (p == "demote") {
        rsc_state& st = s.rs[r];
        if (st.role_now == role::promoted || st.role_now == role::unpromoted) {
            if (st.next_role > role::unpromoted) st.next_role = role::unpromoted;
            return quorum_policy::ignore;
        }
        return quorum_policy::stop;
    }
    if (p == "ignore") return quorum_policy::ignore;
    if (p == "freeze") return quorum_policy::freeze;
    if (p == "stop") return quorum_policy::stop;
    return quorum_policy::other;
}

void update_runnable(sched& s, action_ix ai, bool for_graph) {
    action& a = s.actions[ai];
    if (a.flags & af_pseudo) return;
    if (a.node == none) {
        a.flags &= ~af_runnable;
        return;
    }
    const node& n = s.ws.nodes[a.node];
    if (!(a.flags & af_dc) && !n.online && (n.kind != node_kind::guest || n.remote_requires_reset)) {
        a.flags &= ~af_runnable;
        if ((s.rs[a.rsc].flags & rf_managed) && for_graph && a.task == "stop" && !n.unclean) {
            node_ix nd = a.node;
            fence_node(s, nd, "stop is unrunnable", false);
        }
        return;
    }
    if (!(a.flags & af_dc) && n.pending) {
        a.flags &= ~af_runnable;
        return;
    }
    if (a.needs == start_requirement::nothing) {
        a.reason.clear();
        if (n.kind == node_kind::guest && !can_fence(s, a.node))
            a.flags &= ~af_runnable;
        else
            a.flags |= af_runnable;
        return;
    }
    switch (effective_quorum_policy(s, a.rsc)) {
        case quorum_policy::stop:
            s.actions[ai].flags &= ~af_runnable;
            set_action_reason(s.actions[ai], "no quorum", true);
            break;
        case quorum_policy::freeze: {
            const rsc_state& st = s.rs[s.actions[ai].rsc];
            if (!rsc_active(s, s.actions[ai].rsc, true) || st.next_role > st.role_now) {
                s.actions[ai].flags &= ~af_runnable;
                set_action_reason(s.actions[ai], "quorum freeze", true);
            }
            break;
        }
        default: s.actions[ai].flags |= af_runnable; break;
    }
}

action_ix new_action(sched& s, const std::string& key, const std::string& task, rsc_ix rsc, node_ix node, bool optional,
                     bool for_graph) {
    action a;
    a.rsc = rsc;
    a.task = task;
    a.uuid = key;
    a.node = node;
    if (task == "lrm_delete") a.flags |= af_dc;
    a.flags |= af_runnable;
    if (optional) a.flags |= af_optional;
    a.id = for_graph ? s.next_action_id++ : -1;
    const action_ix ai = static_cast<action_ix>(s.actions.size());
    s.actions.push_back(std::move(a));
    if (rsc != none) {
        action& act = s.actions[ai];
        act.interval_ms = interval_of_key(key);
        const cib::op_def* entry = find_op_entry(s.ws.resources[rsc], key);
        act.has_op_entry = entry != nullptr;
        act.op_entry = entry;
        unpack_operation(s, act, entry);
    }
    if (for_graph) {
        if (rsc == none)
            s.singletons.push_back(ai);
        else
            s.rs[rsc].actions.push_back(ai);
    }
    return ai;
}

}  // namespace

action_ix sched::custom_action(rsc_ix rsc, const std::string& key, const std::string& task, node_ix node, bool optional,
                               bool save) {
    action_ix ai = -1;
    if (save) {
        auto found = find_actions(rsc, key, node);
        if (!found.empty()) ai = found.front();
    }
    if (ai < 0) ai = new_action(*this, key, task, rsc, node, optional, save);

    action& a = actions[ai];
    // A non-recurring action of an unmanaged resource is never required
    if (a.rsc != none && a.node != none && !(a.flags & af_pseudo) && !(rs[a.rsc].flags & rf_managed) &&
        a.meta.find("interval") == a.meta.end()) {
        a.flags |= af_optional;
    } else if (!optional) {
        a.flags &= ~af_optional;
    }
    if (rsc != none && a.node != none && !(a.flags & af_have_node_attrs) && a.op_entry) {
        // <op> instance attributes, evaluated for the node the action runs on
        a.flags |= af_have_node_attrs;
        rule_context ctx;
        ctx.node_attrs = &ws.nodes[a.node].attrs;
        ctx.now = ws.now;
        ctx.utc_offset = iso8601::host_utc_offset(ws.now);
        unpack_nvsets(a.op_entry->instance, ctx, a.extra, false);
    }
    if (rsc != none) {
        update_runnable(*this, ai, save);
        if (save) {
            action& b = actions[ai];
            if (b.task == "stop")
                rs[rsc].flags |= rf_stopping;
            else if (b.task == "start") {
                if (b.flags & af_runnable)
                    rs[rsc].flags |= rf_starting;
                else
                    rs[rsc].flags &= ~rf_starting;
            }
        }
    }
    return ai;
}

std::map<std::string, std::string> rsc_params(const sched& s, rsc_ix r, node_ix n) {
    const resource& res = s.ws.resources[r];
    if (n == none) return res.params;
    // get_rsc_attributes: r's instance attributes evaluated for the node, then
    // its parents' (the first value set wins)
    rule_context ctx;
    ctx.now = s.ws.now;
    ctx.utc_offset = iso8601::host_utc_offset(s.ws.now);
    ctx.node_attrs = &s.ws.nodes[n].attrs;
    std::map<std::string, std::string> out;
    for (rsc_ix it = r; it != none; it = s.ws.resources[it].parent) {
        if (const cib::resource* def = s.ws.resources[it].def) unpack_nvsets(def->instance, ctx, out);
    }
    // what holds without a node (and anything set beyond the definitions) still applies
    for (const auto& [k, v] : res.params) out.emplace(k, v);
    return out;
}

action_ix new_rsc_pseudo_action(sched& s, rsc_ix r, std::string_view task, bool optional, bool runnable) {
    action_ix a = s.custom_action(r, op_key(s.ws.resources[r].id, task, 0), std::string(task), none, optional, true);
    s.actions[a].flags |= af_pseudo;
    if (runnable) s.actions[a].flags |= af_runnable;
    return a;
}

action_ix get_pseudo_op(sched& s, const std::string& name) {
    for (action_ix a : s.singletons) {
        if (s.actions[a].uuid == name) return a;
    }
    action_ix a = s.custom_action(none, name, name, none, true, true);
    s.actions[a].flags |= af_pseudo | af_runnable;
    return a;
}

action_ix new_cancel_action(sched& s, rsc_ix r, const std::string& name, int64_t interval_ms, node_ix node) {
    action_ix a = s.custom_action(r, op_key(s.ws.resources[r].id, name, interval_ms), "cancel", node, false, true);
    action& act = s.actions[a];
    act.task = "cancel";
    act.cancel_task = name;
    act.meta.emplace("operation", name);
    act.meta.emplace("interval", std::to_string(interval_ms));
    return a;
}

action_ix new_shutdown_action(sched& s, node_ix node) {
    const std::string key = "do_shutdown-" + s.ws.nodes[node].uname;
    action_ix a = s.custom_action(none, key, "do_shutdown", node, false, true);
    order_stops_before_shutdown(s, node, a);
    s.actions[a].meta.emplace("op_no_wait", "true");
    return a;
}

action_ix clear_failcount_action(sched& s, rsc_ix r, node_ix node, const std::string& reason) {
    (void)reason;
    action_ix a =
        s.custom_action(r, op_key(s.ws.resources[r].id, "clear_failcount", 0), "clear_failcount", node, false, true);
    s.actions[a].meta.emplace("op_no_wait", "true");
    return a;
}

bool sched::order_actions(action_ix first, action_ix then, uint32_t type) {
    if (type == of_none || first < 0 || then < 0 || first == then) return false;
    // Every edge is in both lists; search the shorter one (a fencing action can
    // have thousands of edges on one side)
    const auto& afters = actions[first].after;
    const auto& befores = actions[then].before;
    if (afters.size() <= befores.size()) {
        for (const auto& l : afters)
            if (l.other == then && (l.type & type)) return false;
    } else {
        for (const auto& l : befores)
            if (l.other == first && (l.type & type)) return false;
    }
    actions[first].after.push_back({then, type});
    actions[then].before.push_back({first, type});
    return true;
}

}  // namespace holdfast::policy::sched

namespace holdfast::policy::sched {

void resource_location(sched& s, rsc_ix r, node_ix node, int score, std::string_view tag) {
    auto score_one = [&](auto&& self, rsc_ix x, node_ix n) -> void {
        for (rsc_ix c : s.ws.resources[x].children) self(self, c, n);
        int& cur = s.rs[x].allowed[n];
        const int before = cur;
        cur = add_scores(cur == not_allowed ? s.node_weight[n] : cur, score);
        s.note_score(x, n, before, cur, score, score_source::internal, tag);
    };
    if (node != none) {
        score_one(score_one, r, node);
        return;
    }
    for (node_ix n = 0; n < static_cast<node_ix>(s.ws.nodes.size()); ++n) score_one(score_one, r, n);
    if (score == -score_infinity) s.rs[r].allocated_to = none;
}

namespace {

bool ticket_attr_true(const sched& s, const std::string& ticket, const char* attr) {
    auto t = s.ws.tickets.find(ticket);
    if (t == s.ws.tickets.end()) return false;
    auto a = t->second.find(attr);
    return a != t->second.end() && text_is_true(a->second);
}

}  // namespace

bool ticket_granted(const sched& s, const std::string& ticket) { return ticket_attr_true(s, ticket, "granted"); }
bool ticket_standby(const sched& s, const std::string& ticket) { return ticket_attr_true(s, ticket, "standby"); }

}  // namespace holdfast::policy::sched
