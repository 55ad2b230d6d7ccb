// The score trace schedule() hands back for `holdfast explain`
// (score_trace.hpp): the score changes the placement steps noted, each
// primitive's final scores, and where each primitive is active once the
// transition has run, or why its start cannot run.
#include <algorithm>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {

int score_delta(int before, int after) {
    const bool saturated = after >= score_infinity || after <= -score_infinity;
    if (saturated || before == not_allowed) return after;
    return before >= score_infinity || before <= -score_infinity ? 0 : after - before;
}

void note_score_diff(sched& s, rsc_ix r, const std::vector<int>& before, score_source source, std::string_view id,
                     rsc_ix other) {
    const auto& now = s.rs[r].allowed;
    for (node_ix n = 0; n < static_cast<node_ix>(now.size()); ++n)
        if (now[n] != before[n])
            s.note_score(r, n, before[n], now[n], score_delta(before[n], now[n]), source, id, other);
}

namespace {

std::string action_name(const sched& s, action_ix a) {
    const action& act = s.actions[a];
    const std::string what = act.rsc == none ? act.uuid : s.ws.resources[act.rsc].id + " " + act.task;
    return act.node == none ? what : what + " on " + s.ws.nodes[act.node].uname;
}

// The actions that cannot run which `start` waits for, nearest first: at
// each step the first unrunnable input, until one has none (the root cause).
std::vector<std::string> unrunnable_inputs(const sched& s, action_ix start) {
    std::vector<std::string> chain;
    std::vector<action_ix> seen{start};
    for (action_ix a = start; chain.size() < 16;) {
        action_ix next = -1;
        for (const auto& link : s.actions[a].before) {
            const action_ix o = link.other;
            if (o < 0 || (s.actions[o].flags & af_runnable) || std::ranges::count(seen, o)) continue;
            next = o;
            break;
        }
        if (next < 0) break;
        seen.push_back(next);
        // Pseudo actions of the same resource (a group's "start") are steps, not causes
        if (s.actions[next].rsc != s.actions[start].rsc) chain.push_back(action_name(s, next));
        a = next;
    }
    return chain;
}

// Where primitive r is active after the transition (none: nowhere), and why
// a start there cannot run.
node_ix plan_of(const sched& s, rsc_ix r, start_block& block, bool& blocked) {
    const rsc_state& st = s.rs[r];
    const node_ix n = st.allocated_to;
    if (n == none || st.next_role == role::stopped) return none;
    const auto& running = s.ws.resources[r].running_on;
    const bool running_there = std::ranges::count(running, n) > 0;
    action_ix start = -1;
    for (action_ix a : s.rs[r].actions)
        if (s.actions[a].task == "start" && s.actions[a].node == n) start = a;
    if (running_there && (start < 0 || (s.actions[start].flags & af_optional))) return n;
    if (start >= 0 && (s.actions[start].flags & af_runnable)) return n;
    if (!(st.flags & rf_managed)) return running_there ? n : none;
    blocked = true;
    if (start >= 0) {
        block.reason = s.actions[start].reason;
        block.waits_for = unrunnable_inputs(s, start);
    }
    return none;
}

}  // namespace

score_trace take_trace(sched& s) {
    score_trace t;
    t.changes = std::move(s.score_changes);
    const size_t count = s.ws.resources.size();
    t.final_scores.reserve(count);
    t.planned.assign(count, none);
    t.blocked.resize(count);
    t.start_blocked.assign(count, false);
    for (size_t r = 0; r < count; ++r) {
        t.final_scores.push_back(s.rs[r].allowed);
        if (s.ws.resources[r].variant != rsc_variant::primitive) continue;
        bool blocked = false;
        t.planned[r] = plan_of(s, static_cast<rsc_ix>(r), t.blocked[r], blocked);
        t.start_blocked[r] = blocked;
    }
    return t;
}

}  // namespace holdfast::policy::sched
