// Running a transition graph as crm_simulate does: fire every synapse whose
// inputs are confirmed, in graph order, pass after pass; every action
// succeeds at once; resource results and fencing are recorded in the CIB's
// status (the model, and the XML when the document keeps it) so that it can
// be read back as the revised cluster state.
#include "tools/holdfast/simulate_exec.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <utility>

#include "tools/holdfast/exec_status.hpp"

namespace holdfast::tools {
namespace {

using policy::action_kind;
using policy::graph_action;

struct recorders {
    exec::model_recorder model;
    std::optional<exec::xml_recorder> xml;
    // Resource names the status history holds before the run. Pacemaker
    // prints a clone instance by its configuration name only when some
    // instance was loaded under that name from history; otherwise by its
    // instance name.
    std::set<std::string> known;

    explicit recorders(cib::document& doc) : model(doc.model()), known(model.history_names()) {
        if (doc.complete()) xml.emplace(doc);
    }
    void fence(const graph_action& a) {
        model.fence(a.node_uname, a.node_id);
        if (xml) xml->fence(a.node_uname, a.node_id);
    }
    void record(const graph_action& a, const std::string& shown) {
        const exec::op_result r = exec::result_of(a);
        const std::string& node_id = a.router_node.empty() ? a.node_id : a.node_uname;
        model.record(a, r, shown, node_id);
        if (xml) xml->record(a, r, shown, node_id);
    }
};

// The action's line ("" when it prints none) and what the line says in `step`.
std::string fire(recorders& ix, const graph_action& a, exec_step& step) {
    char buf[512];
    step.node = a.node_uname;
    step.task = a.task;
    switch (a.kind) {
        case action_kind::pseudo:
            step.kind = "pseudo";
            step.task = a.operation_key;
            return "  * Pseudo action:   " + a.operation_key + (a.node_uname.empty() ? "" : " on " + a.node_uname);
        case action_kind::crm_event:
            if (a.task == "stonith") {
                std::string op = a.meta("stonith_action", "reboot");
                if (op != "on") ix.fence(a);
                step.kind = "fence";
                step.task = op;
                return "  * Fencing " + a.node_uname + " (" + op + ")";
            }
            step.kind = "cluster";
            step.resource = a.rsc_id;
            if (!a.rsc_id.empty()) return "  * Cluster action:  " + a.task + " for " + a.rsc_id + " on " + a.node_uname;
            return "  * Cluster action:  " + a.task + " on " + a.node_uname;
        case action_kind::rsc_op: break;
    }
    // A re-probe request leaves no history and prints nothing.
    if (a.task == "probe_again") return {};
    const bool instance = !a.rsc_long_id.empty() && ix.known.count(a.rsc_id) == 0;
    const std::string& shown = instance ? a.rsc_long_id : a.rsc_id;
    step.kind = "resource";
    step.resource = shown;
    step.interval_ms = static_cast<long long>(a.interval_ms);
    if (a.task != "delete" && a.task != "meta-data") ix.record(a, shown);
    if (a.interval_ms > 0)
        std::snprintf(buf, sizeof buf, "  * Resource action: %-15s %s=%lld on %s", shown.c_str(), a.task.c_str(),
                      static_cast<long long>(a.interval_ms), a.node_uname.c_str());
    else
        std::snprintf(buf, sizeof buf, "  * Resource action: %-15s %s on %s", shown.c_str(), a.task.c_str(),
                      a.node_uname.c_str());
    return buf;
}

}  // namespace

// Pacemaker's consumer runs the graph in passes: each pass walks the synapses
// in graph order and fires every one whose inputs are
// confirmed; a simulated action confirms at once, so a synapse later in the
// same pass may fire too. Instead of rescanning, each pass keeps a min-heap of
// ready positions: a synapse made ready behind the walking position joins the
// current pass, one made ready at or before it waits for the next pass. Same
// order, O((S + E) log S).
exec_result simulate_transition(cib::document& doc, const policy::transition_graph& g) {
    exec_result result;
    recorders ix(doc);
    const size_t n = g.synapses.size();
    // Pacemaker keeps the graph's synapse order (priority only matters once
    // a transition is aborted, which a simulation never does).
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    // waiting[action] = positions whose synapse has that action as an input
    std::vector<std::vector<size_t>> waiting(g.actions.size());
    std::vector<size_t> pending(n, 0);
    for (size_t pos = 0; pos < n; ++pos) {
        for (int in : g.synapses[order[pos]].inputs) {
            waiting[in].push_back(pos);
            ++pending[pos];
        }
    }
    using heap = std::priority_queue<size_t, std::vector<size_t>, std::greater<>>;
    heap current, next;
    for (size_t pos = 0; pos < n; ++pos)
        if (pending[pos] == 0) current.push(pos);
    size_t fired = 0;
    while (!current.empty()) {
        while (!current.empty()) {
            const size_t pos = current.top();
            current.pop();
            const auto& syn = g.synapses[order[pos]];
            exec_step step;
            std::string line = fire(ix, g.actions[syn.action], step);
            if (!line.empty()) {
                result.lines.push_back(std::move(line));
                result.steps.push_back(std::move(step));
            }
            ++fired;
            for (size_t w : waiting[syn.action])
                if (--pending[w] == 0) (w > pos ? current : next).push(w);
        }
        std::swap(current, next);
    }
    result.unfired = n - fired;
    return result;
}

std::optional<std::time_t> execution_date(const cib::cib_model& m) {
    if (m.execution_date.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(m.execution_date.c_str(), &end, 10);
    if (errno != 0 || !end || *end != '\0') return std::nullopt;
    return static_cast<std::time_t>(v);
}

}  // namespace holdfast::tools
