// Location constraints and the node criteria applied before assignment
// (Pacemaker 2.1.5's pcmk_sched_location.c and apply_node_criteria()).
#include <regex.h>
#include <algorithm>

#include "policy/iso8601.hpp"
#include "policy/rules.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy::sched {
namespace {

location_rule::discover discover_of(std::string_view mode) {
    if (mode == "never") return location_rule::discover::never;
    if (mode == "exclusive") return location_rule::discover::exclusive;
    return location_rule::discover::always;
}

rule_context node_context(const sched& s, node_ix n) {
    rule_context ctx;
    ctx.node_attrs = &s.ws.nodes[n].attrs;
    ctx.now = s.ws.now;
    ctx.utc_offset = iso8601::host_utc_offset(s.ws.now);
    return ctx;
}

// A <rule> of a location constraint: a location_rule scoring every node the
// rule holds on (generate_location_rule).
void location_from_rule(sched& s, const std::string& id, rsc_ix r, const cib::rule& rule, std::string_view discovery,
                        const std::vector<std::string>* submatches) {
    auto role_filter = location_rule_role(rule);
    if (!role_filter) return;
    int li = new_location(s, rule.id.empty() ? id : rule.id, r, 0, discovery, none);
    if (li < 0) return;
    s.locations[li].role_filter = *role_filter;
    const resource& res = s.ws.resources[r];
    for (node_ix n : s.nodes) {
        const auto params = rsc_params(s, r, n);
        rule_context ctx = node_context(s, n);
        ctx.match = rule_context::match_data{&params, &res.meta, submatches};
        if (!evaluate_rule(rule, ctx)) continue;
        int score = rule_score(rule, s.ws.nodes[n].attrs, submatches);
        s.locations[li].nodes.push_back({n, score});
    }
}

void location_for(sched& s, const cib::location_constraint& c, rsc_ix r, const std::vector<std::string>* submatches) {
    if (!c.node.empty()) {
        auto it = s.ws.node_by_uname.find(c.node);
        if (it == s.ws.node_by_uname.end()) return;  // Pacemaker ignores unknown nodes
        int li = new_location(s, c.id, r, char2score(c.score), c.resource_discovery, it->second);
        if (li >= 0 && !c.role.empty()) {
            role rl = text_to_role(c.role);
            s.locations[li].role_filter = rl == role::started ? role::unknown : rl;
        }
        return;
    }
    for (const auto& rule : c.rules) location_from_rule(s, c.id, r, rule, c.resource_discovery, submatches);
}

// A compiled POSIX extended regular expression, as Pacemaker matches rsc-pattern.
class posix_regex {
public:
    explicit posix_regex(const std::string& pattern) : ok_(regcomp(&re_, pattern.c_str(), REG_EXTENDED) == 0) {}
    ~posix_regex() {
        if (ok_) regfree(&re_);
    }
    posix_regex(const posix_regex&) = delete;
    posix_regex& operator=(const posix_regex&) = delete;
    bool ok() const { return ok_; }
    const regex_t* get() const { return &re_; }

private:
    regex_t re_{};
    bool ok_;
};

void unpack_pattern(sched& s, const cib::location_constraint& c) {
    // A leading '!' selects the resources the pattern does not match
    const bool invert = !c.rsc_pattern.empty() && c.rsc_pattern[0] == '!';
    posix_regex re(invert ? c.rsc_pattern.substr(1) : c.rsc_pattern);
    if (!re.ok()) return;  // an invalid pattern matches nothing, as in Pacemaker
    for (rsc_ix r : s.resources) {
        const std::string& id = s.ws.resources[r].id;
        regmatch_t m[10];
        const bool matched = regexec(re.get(), id.c_str(), 10, m, 0) == 0;
        if (invert) {
            if (!matched) location_for(s, c, r, nullptr);
            continue;
        }
        if (!matched) continue;
        std::vector<std::string> sub;
        for (const auto& g : m) {
            if (g.rm_so < 0) break;
            sub.push_back(id.substr(static_cast<size_t>(g.rm_so), static_cast<size_t>(g.rm_eo - g.rm_so)));
        }
        location_for(s, c, r, &sub);
    }
}

}  // namespace

int new_location(sched& s, const std::string& id, rsc_ix r, int score, std::string_view discover_mode, node_ix node) {
    if (r == none) return -1;
    location_rule loc;
    loc.id = id;
    loc.rsc = r;
    loc.discover_mode = discover_of(discover_mode);
    if (loc.discover_mode == location_rule::discover::exclusive) s.rs[r].exclusive_discover = true;
    if (node != none) loc.nodes.push_back({node, score});
    s.locations.push_back(std::move(loc));
    int li = static_cast<int>(s.locations.size()) - 1;
    s.rs[r].locations.push_back(li);
    return li;
}

void unpack_locations(sched& s) {
    if (!s.ws.cib) return;
    for (const auto& c : s.ws.cib->locations) {
        if (!c.rsc_pattern.empty()) {
            unpack_pattern(s, c);
            continue;
        }
        std::vector<std::string> ids;
        if (!c.rsc.empty()) ids = expand_tag_reference(s, c.rsc);
        for (const auto& set : c.sets) {
            for (const auto& ref : set.resources) {
                for (auto& e : expand_tag_reference(s, ref)) ids.push_back(e);
            }
        }
        for (const auto& id : ids) {
            rsc_ix r = find_constraint_resource(s, id);
            if (r != none) location_for(s, c, r, nullptr);
        }
    }
}

namespace {

// pcmk__apply_location: add a constraint's node scores to the resource's allowed nodes
void apply_location(sched& s, const location_rule& loc) {
    rsc_state& st = s.rs[loc.rsc];
    if (loc.role_filter != role::unknown && loc.role_filter != st.next_role) return;
    auto apply = [&](auto&& self, rsc_ix r, node_ix n, int score) -> void {
        for (rsc_ix c : s.ws.resources[r].children) self(self, c, n, score);
        int& cur = s.rs[r].allowed[n];
        const int before = cur;
        cur = cur == not_allowed ? score : add_scores(cur, score);
        s.note_score(r, n, before, cur, score, score_source::location, loc.id);
        auto& modes = s.rs[r].discover_mode;
        if (modes.empty()) modes.assign(s.ws.nodes.size(), 0);
        const auto mode = static_cast<uint8_t>(loc.discover_mode);
        if (modes[n] < mode) {
            if (loc.discover_mode == location_rule::discover::exclusive) s.rs[r].exclusive_discover = true;
            modes[n] = mode;
        }
    };
    for (const auto& [n, score] : loc.nodes) apply(apply, loc.rsc, n, score);
}

// Failures at or beyond migration-threshold ban the resource from a node,
// unless failure-timeout has expired them (check_failure_threshold).
bool failcount_clear_exists(const sched& s, rsc_ix r, node_ix n) {
    for (action_ix a : s.rs[r].actions)
        if (s.actions[a].task == "clear_failcount" && s.actions[a].node == n) return true;
    return false;
}

int effective_failcount(const sched& s, const resource& res, node_ix n) {
    auto fc = res.fail_count.find(n);
    if (fc == res.fail_count.end() || fc->second <= 0) return 0;
    if (res.failure_timeout > 0) {
        auto lf = res.last_failure.find(n);
        if (lf != res.last_failure.end() && lf->second + res.failure_timeout <= s.ws.now) return 0;
        if (lf != res.last_failure.end()) note_recheck(s.ws, lf->second + res.failure_timeout);
    }
    return fc->second;
}

// pe_get_failcount with pe_fc_fillers: a container's count includes the
// failures of the resources inside it (fillers: container -> contained)
int failcount_with_fillers(const sched& s, rsc_ix r, node_ix n, const std::vector<std::vector<rsc_ix>>& fillers) {
    int count = effective_failcount(s, s.ws.resources[r], n);
    for (rsc_ix f : fillers[r]) count = add_scores(count, effective_failcount(s, s.ws.resources[f], n));
    return count;
}

void check_failure_threshold(sched& s, rsc_ix r, const std::vector<std::vector<rsc_ix>>& fillers) {
    const resource& res = s.ws.resources[r];
    for (rsc_ix c : res.children) check_failure_threshold(s, c, fillers);
    // Ignored failures (on-fail=ignore) never ban
    if (res.variant != rsc_variant::primitive || res.migration_threshold <= 0 || res.failure_ignored) return;
    for (node_ix n : s.nodes) {
        if (failcount_clear_exists(s, r, n)) continue;  // the count is about to be cleared
        const int count = failcount_with_fillers(s, r, n, fillers);
        if (count <= 0 || count < res.migration_threshold) continue;
        // Anonymous clone instances ban the whole clone from the node
        const rsc_ix target = (s.rs[r].flags & rf_unique) ? r : uber_parent(s, r);
        resource_location(s, target, n, -score_infinity, "__fail_limit__");
    }
}

// Stickiness: a resource running on one node prefers to stay there.
void apply_stickiness(sched& s, rsc_ix r) {
    const resource& res = s.ws.resources[r];
    for (rsc_ix c : res.children) apply_stickiness(s, c);
    if (res.variant != rsc_variant::primitive) return;
    if (!(s.rs[r].flags & rf_managed) || res.stickiness < 1 || res.running_on.size() != 1) return;
    node_ix n = res.running_on.front();
    if (!s.ws.options.symmetric_cluster && s.rs[r].allowed[n] == not_allowed) return;
    resource_location(s, r, n, res.stickiness, "stickiness");
}

// apply_exclusive_discovery: with exclusive discovery, a node no exclusive
// constraint names may not run the resource
void apply_exclusive_discovery(sched& s, rsc_ix r, node_ix n) {
    rsc_ix top = uber_parent(s, r);
    if (!s.rs[r].exclusive_discover && !s.rs[top].exclusive_discover) return;
    for (rsc_ix c : s.ws.resources[r].children) apply_exclusive_discovery(s, c, n);
    if (s.rs[r].allowed[n] != not_allowed &&
        discover_mode_on(s, r, n) != static_cast<uint8_t>(location_rule::discover::exclusive)) {
        s.note_score(r, n, s.rs[r].allowed[n], -score_infinity, -score_infinity, score_source::exclusive_discovery, "");
        s.rs[r].allowed[n] = -score_infinity;
    }
}

// shutdown_time: when the node's shutdown was requested (now if unknown)
int64_t shutdown_time(const sched& s, node_ix n) {
    auto it = s.ws.nodes[n].attrs.find("shutdown");
    const long long t = it == s.ws.nodes[n].attrs.end() ? 0 : std::atoll(it->second.c_str());
    return t == 0 ? static_cast<int64_t>(s.ws.now) : t;
}

// rsc->cmds->shutdown_lock: a primitive active on one node that shuts down
// cleanly is locked there (banned elsewhere); a lock from history holds
// unless the resource is active again. Groups lock their members; clones,
// fence devices and remote connections are never locked.
void shutdown_lock(sched& s, rsc_ix r) {
    resource& res = s.ws.resources[r];
    if (res.variant == rsc_variant::group) {
        for (rsc_ix c : res.children) shutdown_lock(s, c);
        return;
    }
    if (res.variant != rsc_variant::primitive || res.rclass == "stonith") return;
    if (res.is_remote_connection && res.container == none) return;
    if (res.lock_node != none) {
        if (!res.running_on.empty()) {  // started elsewhere anyway: leave it be
            s.custom_action(r, op_key(res.id, "lrm_delete", 0), "lrm_delete", res.lock_node, false, true);
            res.lock_node = none;
            res.lock_time = 0;
        }
    } else if (res.running_on.size() == 1) {
        const node_ix n = res.running_on.front();
        if (s.ws.nodes[n].shutdown && !s.ws.nodes[n].unclean) {
            res.lock_node = n;
            res.lock_time = shutdown_time(s, n);
        }
    }
    if (res.lock_node == none) return;
    for (node_ix n : s.nodes)
        if (n != res.lock_node) resource_location(s, r, n, -score_infinity, "shutdown-lock");
}

}  // namespace

uint8_t discover_mode_on(const sched& s, rsc_ix r, node_ix n) {
    const auto& modes = s.rs[r].discover_mode;
    return modes.empty() ? 0 : modes[n];
}

void apply_node_criteria(sched& s) {
    if (s.ws.options.shutdown_lock_enabled) {
        for (rsc_ix r : s.resources) shutdown_lock(s, r);
    }
    for (const auto& loc : s.locations) apply_location(s, loc);
    for (rsc_ix r : s.resources) apply_stickiness(s, r);
    std::vector<std::vector<rsc_ix>> fillers(s.ws.resources.size());  // container -> resources inside it
    for (size_t i = 0; i < s.ws.resources.size(); ++i)
        if (s.ws.resources[i].container != none) fillers[s.ws.resources[i].container].push_back(static_cast<rsc_ix>(i));
    for (rsc_ix r : s.resources) check_failure_threshold(s, r, fillers);
    for (node_ix n : s.nodes)
        for (rsc_ix r : s.resources) apply_exclusive_discovery(s, r, n);
}

}  // namespace holdfast::policy::sched
