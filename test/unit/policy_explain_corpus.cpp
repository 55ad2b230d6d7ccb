// holdfast explain over Pacemaker's scheduler corpus: for every resource of
// every input the scheduler handles, explain() answers, and the node it names
// is the scheduler's: the assignment, and a start (or migration) in the
// transition graph when the resource is not there yet; none when it names none. Skips when the corpus
// (../shared/pacemaker-scheduler, or $HOLDFAST_CORPUS) is absent.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cib/cib.hpp"
#include "policy/explain.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/simulate_exec.hpp"

namespace fs = std::filesystem;
namespace hp = holdfast::policy;

namespace {

fs::path corpus_xml() {
    const char* env = std::getenv("HOLDFAST_CORPUS");
    return fs::path(env ? env : std::string(HOLDFAST_SOURCE_DIR) + "/../shared/pacemaker-scheduler") / "xml";
}

// The graph starts (or migrates) r onto node
bool graph_brings(const hp::schedule_result& result, const hp::resource& r, const std::string& node) {
    return std::ranges::any_of(result.graph.actions, [&](const hp::graph_action& a) {
        // Anonymous clone instances go by their base id, the instance in long-id and key; when the
        // history knows the instance by another name, the key has that name and the internal key its own
        const std::string key = r.id + "_" + a.task + "_0";
        const bool names_r = a.internal_operation_key.empty()
                                 ? a.rsc_id == r.id || a.rsc_long_id == r.id || a.operation_key == key
                                 : a.internal_operation_key == key;
        return names_r && a.node_uname == node && (a.task == "start" || a.task == "migrate_from");
    });
}

struct tally {
    size_t inputs = 0, explained = 0;
    std::vector<std::string> problems;
};

void check_primitive(const std::string& name, const hp::working_set& ws, const hp::schedule_result& result,
                     hp::rsc_ix r, const hp::explanation& e, tally& t) {
    const hp::resource& res = ws.resources[r];
    auto problem = [&](const std::string& what) { t.problems.push_back(name + ": " + res.id + ": " + what); };
    if (e.planned_on.empty()) {
        for (const auto& n : ws.nodes)
            if (graph_brings(result, res, n.uname)) return problem("stopped, but the graph starts it on " + n.uname);
        return;
    }
    if (res.allocated_to == hp::none || e.planned_on != std::vector<std::string>{ws.nodes[res.allocated_to].uname})
        return problem("names " + e.planned_on.front() + ", not the assigned node");
    const std::string& node = e.planned_on.front();
    if (e.verdict.find(node) == std::string::npos) return problem("verdict '" + e.verdict + "' does not name " + node);
    const bool there = std::ranges::any_of(res.running_on, [&](hp::node_ix n) { return ws.nodes[n].uname == node; });
    if (!there && !graph_brings(result, res, node)) problem("no start on " + node + " in the graph");
}

void check_input(const fs::path& file, tally& t) {
    holdfast::cib::load_options lo;
    lo.validate = false;
    lo.history_xml = false;
    auto doc = holdfast::cib::load_file(file.string(), lo);
    if (!doc) return;  // not an input the scheduler gets (the conformance test covers those)
    const std::time_t now = holdfast::tools::execution_date(doc->model()).value_or(0);
    hp::working_set ws = hp::unpack(doc->model(), now);
    ws.options.sanitized = true;
    if (hp::unsupported_feature(ws)) return;
    ++t.inputs;
    const hp::schedule_result result = hp::schedule(ws);
    const std::string name = file.stem().string();
    for (size_t i = 0; i < ws.resources.size(); ++i) {
        const auto r = static_cast<hp::rsc_ix>(i);
        const hp::resource& res = ws.resources[r];
        auto known = ws.rsc_by_id.find(res.id);
        if (known == ws.rsc_by_id.end() || known->second != r) continue;  // explained under another resource
        auto e = hp::explain(ws, result, res.id);
        if (!e) {
            t.problems.push_back(name + ": " + res.id + ": " + e.error());
            continue;
        }
        ++t.explained;
        if (res.variant == hp::rsc_variant::primitive) check_primitive(name, ws, result, r, *e, t);
        if (hp::format_explanation(*e).empty()) t.problems.push_back(name + ": " + res.id + ": empty text");
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_explain_corpus)

BOOST_AUTO_TEST_CASE(explains_every_resource_as_the_scheduler_placed_it) {
    const fs::path dir = corpus_xml();
    if (!fs::is_directory(dir)) {
        BOOST_TEST_MESSAGE("corpus absent: skipped");
        return;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".xml") files.push_back(entry.path());
    std::ranges::sort(files);
    tally t;
    for (const auto& f : files) check_input(f, t);
    BOOST_TEST_MESSAGE("explained " << t.explained << " resources of " << t.inputs << " inputs");
    BOOST_TEST(t.inputs > 500u);
    for (size_t i = 0; i < std::min<size_t>(t.problems.size(), 20); ++i) BOOST_TEST_MESSAGE(t.problems[i]);
    BOOST_TEST(t.problems.empty(), t.problems.size()
                                       << " problems, the first: " << (t.problems.empty() ? "" : t.problems.front()));
}

BOOST_AUTO_TEST_SUITE_END()
