// explain(): a resource's placement in plain words, from the scheduler's
// trace (score_trace.hpp) and the annotated working set.
#include "policy/explain.hpp"

#include <algorithm>

#include "policy/sched.hpp"

namespace holdfast::policy {
namespace {

using sched::score_text;

struct tag_words {
    const char* tag;
    const char* kind;
    const char* words;
};

// The scheduler's own tags (resource_location callers) in plain words
constexpr tag_words internal_tags[] = {
    {"stickiness", "stickiness", "stickiness"},
    {"__fail_limit__", "fail-limit", "migration-threshold reached"},
    {"target-role", "target-role", "target-role Stopped"},
    {"shutdown-lock", "shutdown-lock", "shutdown-lock"},
    {"__loss_of_ticket__", "ticket", "ticket lost"},
    {"__no_ticket__", "ticket", "ticket not granted"},
    {"__ticket_standby__", "ticket", "ticket in standby"},
    {"__stateful_without_ticket__", "ticket", "ticket not granted"},
    {"__limit_utilization__", "utilization", "not enough capacity (utilization)"},
    {"clone:limit_reached", "clone-limit", "clone has enough instances"},
    {"__stop_fail__", "failure", "a stop failed here"},
    {"hard-error", "failure", "a hard error here"},
    {"fatal-error", "failure", "a fatal error"},
    {"masked-probe-failure", "failure", "a probe found it cannot run here"},
    {"__action_migration_auto__", "failure", "failed here with on-fail=migrate"},
    {"__orphan_do_not_run__", "orphan", "no longer configured"},
    {"multiple-active=stop_only", "failure", "was active twice (multiple-active=stop_only)"},
};

std::string colocation_words(const std::string& id, const std::string& other) {
    if (id == "group:internal_colocation") return "group: with " + other;
    if (id == "resource-with-container") return "container " + other;
    return "colocation " + id + " with " + other;
}

score_part describe(const working_set& ws, const score_change& c) {
    score_part p;
    p.id = c.id;
    p.score = c.amount;
    if (c.other != none) p.other = ws.resources[c.other].id;
    std::string words;
    switch (c.source) {
        case score_source::location:
            p.kind = c.id.starts_with("cli-ban-") ? "ban" : c.id.starts_with("cli-prefer-") ? "prefer" : "location";
            words = (p.kind == "ban" ? "ban " : p.kind == "prefer" ? "move " : "location ") + c.id;
            break;
        case score_source::colocation:
            p.kind = "colocation";
            words = colocation_words(c.id, p.other);
            break;
        case score_source::attracted:
            p.kind = "attracted";
            words = "colocation " + c.id + " (" + p.other + " with it)";
            break;
        case score_source::exclusive_discovery:
            p.kind = "exclusive-discovery";
            words = "resource-discovery=exclusive elsewhere";
            break;
        case score_source::internal:
            p.kind = "other";
            words = c.id;
            for (const auto& t : internal_tags)
                if (c.id == t.tag) p.kind = t.kind, words = t.words;
            break;
    }
    p.text = words + " " + score_text(p.score);
    return p;
}

score_part plain_part(const char* kind, const char* words, int score) {
    return {kind, "", "", score, std::string(words) + " " + score_text(score)};
}

std::vector<std::string> node_conditions(const node& n) {
    std::vector<std::string> out;
    if (n.unclean) out.push_back("unclean");
    if (!n.online) out.push_back("offline");
    if (n.standby) out.push_back("standby");
    if (n.maintenance) out.push_back("maintenance");
    if (n.shutdown) out.push_back("shutting-down");
    if (n.pending) out.push_back("pending");
    return out;
}

std::string condition_words(const std::string& c) {
    if (c == "unclean") return "is unclean (to be fenced)";
    if (c == "offline") return "is offline";
    if (c == "standby") return "is in standby";
    if (c == "maintenance") return "is in maintenance";
    if (c == "shutting-down") return "is shutting down";
    return "is still joining";
}

// r's score on n and what made it: the node's own score, each traced change,
// and whatever collective placement did without a trace entry
node_facts facts_on(const working_set& ws, const score_trace& t, rsc_ix r, node_ix n,
                    const std::vector<const score_change*>& changes) {
    node_facts f;
    f.node = ws.nodes[n].uname;
    const int final_score = t.final_scores[r][n];
    f.allowed = final_score != score_absent;
    f.score = f.allowed ? final_score : 0;
    f.conditions = node_conditions(ws.nodes[n]);
    if (auto fc = ws.resources[r].fail_count.find(n); fc != ws.resources[r].fail_count.end()) f.fail_count = fc->second;
    const int start = changes.empty() ? final_score : changes.front()->before;
    if (start != score_absent && start != 0) f.parts.push_back(plain_part("initial", "starting score", start));
    for (const auto* c : changes) {
        score_part p = describe(ws, *c);
        // A collective's ban reaches a member once per member that caused it: say it once
        const bool repeated = !f.parts.empty() && f.parts.back().text == p.text && f.parts.back().kind == p.kind;
        if (!repeated) f.parts.push_back(std::move(p));
    }
    const int last = changes.empty() ? final_score : changes.back()->after;
    if (last != final_score && final_score != score_absent)
        f.parts.push_back(plain_part("other", "collective placement", sched::score_delta(last, final_score)));
    return f;
}

std::vector<node_facts> all_node_facts(const working_set& ws, const score_trace& t, rsc_ix r) {
    std::vector<std::vector<const score_change*>> by_node(ws.nodes.size());
    for (const auto& c : t.changes)
        if (c.rsc == r && c.node != none) by_node[c.node].push_back(&c);
    std::vector<node_facts> out;
    for (node_ix n = 0; n < static_cast<node_ix>(ws.nodes.size()); ++n)
        out.push_back(facts_on(ws, t, r, n, by_node[n]));
    std::ranges::stable_sort(out, [](const node_facts& a, const node_facts& b) {
        if (a.allowed != b.allowed) return a.allowed;
        if (a.score != b.score) return a.score > b.score;
        return a.node < b.node;
    });
    return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

// "node2 scores 100 (location vm1-prefers-node2 100)"
std::string score_words(const node_facts& f, bool with_verb) {
    std::vector<std::string> parts;
    for (const auto& p : f.parts) parts.push_back(p.text);
    std::string out = f.node + (with_verb ? " scores " : " ") + score_text(f.score);
    return parts.empty() ? out : out + " (" + join(parts, ", ") + ")";
}

std::vector<std::string> names(const working_set& ws, const std::vector<node_ix>& v) {
    std::vector<std::string> out;
    for (node_ix n : v)
        if (n != none && std::ranges::count(out, ws.nodes[n].uname) == 0) out.push_back(ws.nodes[n].uname);
    return out;
}

std::string verdict(const std::string& id, const std::vector<std::string>& active,
                    const std::vector<std::string>& planned) {
    if (planned.empty()) return active.empty() ? id + " is stopped" : id + " will stop on " + join(active, ", ");
    if (active == planned) return id + " runs on " + join(planned, ", ");
    if (active.empty()) return id + " will start on " + join(planned, ", ");
    if (active.size() == 1 && planned.size() == 1) return id + " will move from " + active[0] + " to " + planned[0];
    return id + " will be active on " + join(planned, ", ") + " (now on " + join(active, ", ") + ")";
}

bool meta_true(const resource& res, const char* name) {
    auto it = res.meta.find(name);
    return it != res.meta.end() && text_is_true(it->second);
}

// Whether the cluster manages r at all, and whether it is told to stay stopped
void management_reasons(const working_set& ws, rsc_ix r, std::vector<std::string>& out) {
    const resource& res = ws.resources[r];
    if (res.orphan) out.push_back("it is no longer in the configuration");
    if (ws.options.maintenance_mode)
        out.push_back("the cluster is in maintenance-mode: resources are left as they are");
    else if (meta_true(res, "maintenance"))
        out.push_back("it is in maintenance (maintenance=true): the cluster leaves it as it is");
    else if (!res.managed)
        out.push_back("it is unmanaged (is-managed=false): the cluster leaves it as it is");
    if (ws.options.stonith_enabled && !has_fence_device(ws))
        out.push_back("stonith-enabled is true but no fence device is configured: the cluster manages no resource");
    if (ws.options.stop_all_resources) out.push_back("stop-all-resources is set");
    for (rsc_ix a = r; a != none; a = ws.resources[a].parent) {
        if (ws.resources[a].target_role != role::stopped) continue;
        out.push_back(a == r ? "its target-role is Stopped"
                             : "the target-role of " + ws.resources[a].id + " is Stopped");
        break;
    }
}

std::string plural(int n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

// What keeps a placed primitive from running: quorum, fencing, its start's inputs, failures
void condition_reasons(const working_set& ws, const score_trace& t, rsc_ix r, std::vector<std::string>& out) {
    const resource& res = ws.resources[r];
    const bool stops = t.planned[r] == none && !res.running_on.empty();
    const std::string& policy = ws.options.no_quorum_policy;
    if (!ws.options.have_quorum && policy != "ignore" && (t.start_blocked[r] || stops || policy == "freeze"))
        out.push_back("the partition has no quorum (no-quorum-policy=" + policy + ")");
    for (node_ix n : res.running_on) {
        const node& nd = ws.nodes[n];
        if (nd.unclean || nd.fenced_in_transition)
            out.push_back(nd.uname + ", where it is active, is fenced first");
        else if (nd.maintenance)
            out.push_back(nd.uname + " is in maintenance: what runs there is left alone");
    }
    if (t.start_blocked[r] && res.allocated_to != none) {
        const start_block& b = t.blocked[r];
        std::string why = "it cannot start on " + ws.nodes[res.allocated_to].uname;
        if (!b.reason.empty() && b.waits_for.empty()) why += " (" + b.reason + ")";
        if (!b.waits_for.empty())
            why += ": it waits for " + join(b.waits_for, ", which waits for ") + ", which cannot run";
        out.push_back(why);
    }
    for (const auto& [n, count] : res.fail_count) {
        if (count <= 0) continue;
        const std::string threshold =
            res.migration_threshold >= score_infinity ? "INFINITY" : std::to_string(res.migration_threshold);
        out.push_back("it failed " + plural(count, "time") + " on " + ws.nodes[n].uname + " (migration-threshold " +
                      threshold + ")");
    }
}

// Colocations r depends on, with where the other resource goes: a mandatory
// one leaves no trace on the node it picks, so say it outright
void colocation_reasons(const working_set& ws, const std::vector<node_facts>& facts, std::vector<std::string>& out) {
    std::vector<std::string> seen;
    for (const auto& f : facts) {
        for (const auto& p : f.parts) {
            if (p.kind != "colocation" || std::ranges::count(seen, p.id + "/" + p.other)) continue;
            seen.push_back(p.id + "/" + p.other);
            auto it = ws.rsc_by_id.find(p.other);
            const node_ix where = it == ws.rsc_by_id.end() ? none : ws.resources[it->second].allocated_to;
            const std::string goes = where == none ? " is not placed" : " goes to " + ws.nodes[where].uname;
            if (p.id == "group:internal_colocation")
                out.push_back("it goes where " + p.other + ", the member before it, goes (" +
                              (where == none ? std::string("nowhere") : ws.nodes[where].uname) + ")");
            else if (p.id == "resource-with-container")
                out.push_back("it runs inside its container " + p.other + ", which" + goes);
            else
                out.push_back("colocation " + p.id + " keeps it with " + p.other + ", which" + goes);
        }
    }
}
int score_on(const std::vector<node_facts>& facts, const std::string& node) {
    auto it = std::ranges::find(facts, node, &node_facts::node);
    return it == facts.end() ? 0 : it->score;
}

// Unavailable nodes, then the chosen node's score against the other candidates
// (or, when none was chosen, why no candidate would do)
void placement_reasons(const working_set& ws, rsc_ix r, const std::vector<node_facts>& facts,
                       std::vector<std::string>& out) {
    std::vector<const node_facts*> usable;
    for (const auto& f : facts) {
        std::vector<std::string> words;
        for (const auto& c : f.conditions) words.push_back(condition_words(c));
        if (!words.empty()) out.push_back(f.node + " " + join(words, " and "));
        if (f.allowed && f.conditions.empty()) usable.push_back(&f);
    }
    const node_ix chosen = ws.resources[r].allocated_to;
    if (chosen != none) {
        std::string line;
        std::vector<std::string> others;
        for (const auto& f : facts) {
            if (f.node == ws.nodes[chosen].uname) line = score_words(f, true);
        }
        bool tied = false;
        for (const auto* f : usable) {
            if (f->node == ws.nodes[chosen].uname) continue;
            others.push_back(score_words(*f, false));
            tied = tied || f->score == score_on(facts, ws.nodes[chosen].uname);
        }
        out.push_back(others.empty() ? line : line + " against " + join(others, ", "));
        if (tied)
            out.push_back(
                "a tie: the scheduler prefers the node running fewer resources, then its current node, "
                "then the node list's order");
        return;
    }
    if (std::ranges::none_of(facts, [](const node_facts& f) { return f.allowed; })) {
        out.push_back(ws.options.symmetric_cluster ? "no node allows it"
                                                   : "no node allows it (symmetric-cluster is false and no location "
                                                     "constraint gives it a node)");
        return;
    }
    if (usable.empty()) {
        out.push_back("no node that allows it is available");
        return;
    }
    std::vector<std::string> scores;
    for (const auto* f : usable) scores.push_back(score_words(*f, false));
    out.push_back("no available node scores 0 or more: " + join(scores, ", "));
}

explanation explain_rsc(const working_set& ws, const schedule_result& result, rsc_ix r);

void membership_reasons(const working_set& ws, rsc_ix r, std::vector<std::string>& out) {
    const rsc_ix parent = ws.resources[r].parent;
    if (parent == none) return;
    const resource& p = ws.resources[parent];
    if (p.variant == rsc_variant::group)
        out.push_back("it is a member of group " + p.id + ", whose members run together and start in order");
    else if (p.variant == rsc_variant::clone)
        out.push_back("it is an instance of clone " + p.id);
}

explanation explain_primitive(const working_set& ws, const schedule_result& result, rsc_ix r) {
    const resource& res = ws.resources[r];
    const score_trace& t = result.trace;
    explanation e;
    e.rsc = res.id;
    e.variant = "primitive";
    if (res.parent != none) e.parent = ws.resources[res.parent].id;
    e.active_on = names(ws, res.running_on);
    e.planned_on = names(ws, {t.planned[r]});
    e.verdict = verdict(res.id, e.active_on, e.planned_on);
    e.nodes = all_node_facts(ws, t, r);
    management_reasons(ws, r, e.reasons);
    membership_reasons(ws, r, e.reasons);
    condition_reasons(ws, t, r, e.reasons);
    colocation_reasons(ws, e.nodes, e.reasons);
    placement_reasons(ws, r, e.nodes, e.reasons);
    return e;
}

explanation explain_collective(const working_set& ws, const schedule_result& result, rsc_ix r) {
    const resource& res = ws.resources[r];
    explanation e;
    e.rsc = res.id;
    e.variant = res.variant == rsc_variant::group ? "group" : "clone";
    if (res.parent != none) e.parent = ws.resources[res.parent].id;
    int running_after = 0;
    for (rsc_ix c : res.children) {
        e.members.push_back(explain_rsc(ws, result, c));
        const auto& m = e.members.back();
        running_after += m.planned_on.empty() ? 0 : 1;
        for (const auto& n : m.active_on)
            if (std::ranges::count(e.active_on, n) == 0) e.active_on.push_back(n);
        for (const auto& n : m.planned_on)
            if (std::ranges::count(e.planned_on, n) == 0) e.planned_on.push_back(n);
    }
    e.verdict = verdict(res.id, e.active_on, e.planned_on);
    management_reasons(ws, r, e.reasons);
    membership_reasons(ws, r, e.reasons);
    const int total = static_cast<int>(res.children.size());
    if (res.variant == rsc_variant::group && !res.children.empty())
        e.reasons.push_back("its members run together, where " + ws.resources[res.children.front()].id + " goes");
    e.reasons.push_back(std::to_string(running_after) + " of " +
                        plural(total, res.variant == rsc_variant::group ? "member" : "instance") +
                        " active after the transition");
    return e;
}

explanation explain_rsc(const working_set& ws, const schedule_result& result, rsc_ix r) {
    return ws.resources[r].variant == rsc_variant::primitive ? explain_primitive(ws, result, r)
                                                             : explain_collective(ws, result, r);
}

// A name for the resource the operator means: its id, else (the primitive
// inside a clone, known by its instances' base id) the clone
rsc_ix find_resource(const working_set& ws, std::string_view id) {
    if (auto it = ws.rsc_by_id.find(std::string(id)); it != ws.rsc_by_id.end()) return it->second;
    for (size_t i = 0; i < ws.resources.size(); ++i) {
        if (ws.resources[i].base_id != id) continue;
        rsc_ix top = static_cast<rsc_ix>(i);
        while (ws.resources[top].parent != none) top = ws.resources[top].parent;
        return top;
    }
    return none;
}

void format_into(const explanation& e, const std::string& indent, std::string& out) {
    out += indent + e.verdict + (e.reasons.empty() ? "" : ": " + join(e.reasons, "; ")) + "\n";
    size_t width = 0;
    for (const auto& f : e.nodes) width = std::max(width, f.node.size());
    for (const auto& f : e.nodes) {
        std::string line = indent + "  " + f.node + std::string(width - f.node.size(), ' ');
        std::string score = f.allowed ? score_text(f.score) : "-";
        line += std::string(score.size() < 10 ? 10 - score.size() : 1, ' ') + score;
        std::vector<std::string> notes;
        if (!f.allowed) notes.push_back("not allowed");
        for (const auto& c : f.conditions) notes.push_back(c);
        for (const auto& p : f.parts) notes.push_back(p.text);
        if (!notes.empty()) line += "  " + join(notes, ", ");
        out += line + "\n";
    }
    for (const auto& m : e.members) format_into(m, indent + "  ", out);
}

}  // namespace

expected<explanation, std::string> explain(const working_set& ws, const schedule_result& r, std::string_view rsc_id) {
    const rsc_ix ix = find_resource(ws, rsc_id);
    if (ix == none) return unexpected(std::string("unknown resource '") + std::string(rsc_id) + "'");
    if (r.trace.final_scores.size() != ws.resources.size())
        return unexpected(std::string("the schedule result does not belong to this working set"));
    return explain_rsc(ws, r, ix);
}

std::string format_explanation(const explanation& e) {
    std::string out;
    format_into(e, "", out);
    return out;
}

}  // namespace holdfast::policy
