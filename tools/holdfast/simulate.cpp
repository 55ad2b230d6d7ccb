// holdfast simulate: crm_simulate's view of a CIB.
//
// Loads a CIB, prints the current cluster status, computes the transition
// with the policy engine, and with -S executes it against a copy of the
// status section and prints the revised status. The policy engine reads no
// clock: "now" is --date, else the CIB's execution-date, else the wall clock,
// decided here once.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "cib/cib.hpp"
#include "policy/graph_xml.hpp"
#include "policy/iso8601.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/exit_codes.hpp"
#include "tools/holdfast/graph_dot.hpp"
#include "tools/holdfast/output_format.hpp"
#include "tools/holdfast/simulate_doc.hpp"
#include "tools/holdfast/simulate_exec.hpp"
#include "tools/holdfast/status_text.hpp"

namespace holdfast::tools {
namespace {

struct simulate_options {
    std::string xml_file;
    bool xml_pipe = false;
    bool live_check = false;  // -L: not available without a running cluster
    bool simulate = false;
    bool show_scores = false;
    bool quiet = false;
    bool run = false;  // -R: compute and print the transition without status
    std::string save_graph;
    std::string save_dotfile;
    std::string save_output;
    std::string date;
    output_format format = output_format::text;
};

constexpr const char* usage_text =
    "usage: holdfast simulate (-x FILE | -p) [-S] [-s] [-q] [-G FILE] [-D FILE] [-O FILE] "
    "[-d DATE] [--output-as=text|xml|json]\n";

bool needs_value(const std::string& a) {
    return a == "-x" || a == "--xml-file" || a == "-G" || a == "--save-graph" || a == "-D" || a == "--save-dotfile" ||
           a == "-O" || a == "--save-output" || a == "-d" || a == "--date";
}

// Accepts the crm_simulate flags Holdfast implements; anything else is an
// error naming the flag, so a typo never runs a different simulation.
std::optional<simulate_options> parse_args(const args& a) {
    simulate_options o;
    for (size_t i = 0; i < a.size(); ++i) {
        std::string bad_format;
        if (take_output_option(a, i, o.format, bad_format)) {
            if (!bad_format.empty()) {
                std::fprintf(stderr, "holdfast simulate: %s\n", bad_format.c_str());
                return std::nullopt;
            }
            continue;
        }
        std::string flag = a[i];
        std::string value;
        if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        } else if (needs_value(flag)) {
            if (i + 1 >= a.size()) {
                std::fprintf(stderr, "holdfast simulate: option %s needs a value\n", flag.c_str());
                return std::nullopt;
            }
            value = a[++i];
        }
        if (flag == "-x" || flag == "--xml-file")
            o.xml_file = value;
        else if (flag == "-p" || flag == "--xml-pipe")
            o.xml_pipe = true;
        else if (flag == "-S" || flag == "--simulate")
            o.simulate = true;
        else if (flag == "-R" || flag == "--run")
            o.run = true;
        else if (flag == "-s" || flag == "--show-scores")
            o.show_scores = true;
        else if (flag == "-q" || flag == "--quiet")
            o.quiet = true;
        else if (flag == "-G" || flag == "--save-graph")
            o.save_graph = value;
        else if (flag == "-D" || flag == "--save-dotfile")
            o.save_dotfile = value;
        else if (flag == "-O" || flag == "--save-output")
            o.save_output = value;
        else if (flag == "-d" || flag == "--date")
            o.date = value;
        else if (flag == "-Q")
            o.quiet = true;  // crm_simulate's short-hand used by cts
        else {
            std::fprintf(stderr, "holdfast simulate: unknown option '%s'\n%s", a[i].c_str(), usage_text);
            return std::nullopt;
        }
    }
    if (o.xml_file.empty() == !o.xml_pipe) {
        std::fprintf(stderr, "holdfast simulate: give exactly one of -x FILE or -p\n%s", usage_text);
        return std::nullopt;
    }
    return o;
}

// The effective time, as crm_simulate chooses it.
std::optional<std::time_t> effective_now(const simulate_options& o, const cib::cib_model& m) {
    if (!o.date.empty()) {
        auto t = policy::iso8601::parse_date_time(o.date, policy::iso8601::host_parse_env(std::time(nullptr)));
        if (!t) {
            std::fprintf(stderr, "holdfast simulate: --date: cannot parse '%s' as an ISO 8601 date\n", o.date.c_str());
            return std::nullopt;
        }
        return static_cast<std::time_t>(policy::iso8601::to_epoch(*t));
    }
    if (auto t = execution_date(m)) return *t;
    return std::time(nullptr);
}

expected<cib::document, cib::error> load_input(const simulate_options& o) {
    cib::load_options lo;
    // Unless the CIB is written back (-O), its operation history need not be
    // kept as XML: the model alone is a fraction of the memory
    lo.history_xml = !o.save_output.empty();
    if (o.xml_pipe) {
        std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        return cib::load_string(text, lo, "<stdin>");
    }
    return cib::load_file(o.xml_file, lo);
}

bool write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        std::fprintf(stderr, "holdfast simulate: cannot write %s\n", path.c_str());
        return false;
    }
    return true;
}

void print_summary(std::string& out, const policy::schedule_result& r) {
    out += "Transition Summary:\n";
    for (const auto& line : r.summary) out += "  * " + line.text + "\n";
}

// crm_simulate's note when "now" is the CIB's own execution-date.
std::string execution_date_note(const simulate_options& o, const cib::cib_model& m, std::time_t now) {
    if (!o.date.empty() || m.execution_date.empty()) return {};
    constexpr auto fmt = policy::iso8601::fmt_date | policy::iso8601::fmt_time | policy::iso8601::fmt_with_timezone;
    return "Using the original execution date of: " + policy::iso8601::format(policy::iso8601::from_epoch(now), fmt) +
           "\n";
}

// -G and -D: the graph as XML and as dot; false (after a message) when one cannot be written.
bool save_graph_files(const simulate_options& o, const policy::transition_graph& g) {
    return (o.save_graph.empty() || write_text(o.save_graph, policy::write_graph_xml(g))) &&
           (o.save_dotfile.empty() || write_text(o.save_dotfile, write_graph_dot(g)));
}

// HOLDFAST_TIMING=1 prints how long each phase took to stderr (for benchmarks)
class phase_timer {
public:
    phase_timer() : on_(std::getenv("HOLDFAST_TIMING") != nullptr), last_(std::chrono::steady_clock::now()) {}
    void mark(const char* phase) {
        if (!on_) return;
        const auto now = std::chrono::steady_clock::now();
        std::fprintf(stderr, "holdfast timing: %-10s %8.3f s\n", phase,
                     std::chrono::duration<double>(now - last_).count());
        last_ = now;
    }

private:
    bool on_;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace

int run_simulate(const args& a) {
    auto opts = parse_args(a);
    if (!opts) return exit_usage;
    phase_timer timer;
    auto doc = load_input(*opts);
    timer.mark("load");
    if (!doc) {
        std::fprintf(stderr, "holdfast simulate: %s\n", doc.error().to_string().c_str());
        return exit_error;
    }
    auto now = effective_now(*opts, doc->model());
    if (!now) return exit_usage;

    std::string out;
    const std::string date_note = execution_date_note(*opts, doc->model(), *now);
    if (!opts->quiet && opts->format == output_format::text) out += date_note;
    auto ws = std::make_unique<policy::working_set>(policy::unpack(doc->model(), *now));
    timer.mark("unpack");
    // Like crm_simulate: a saved CIB hides secret parameters, so a change only
    // in them is not a definition change
    ws->options.sanitized = true;
    if (auto why = policy::unsupported_feature(*ws)) {
        std::fprintf(stderr, "holdfast simulate: %s\n", why->c_str());
        return exit_unimplemented;
    }
    const bool text = opts->format == output_format::text;
    simulate_report report;
    report.format = opts->format;
    report.now = *now;
    report.scores = opts->show_scores;
    if (!opts->quiet && text) {
        std::string preamble = format_status_preamble(*ws);
        if (!preamble.empty()) out += preamble + "\n";
        out += "Current cluster status:\n" + format_cluster_status(*ws) + "\n";
    } else if (!opts->quiet) {
        report.status = simulate_status(*ws, opts->format);
    }
    timer.mark("status");
    policy::schedule_result result = policy::schedule(*ws);
    report.result = &result;
    ws.reset();  // the result stands alone; the revised state gets a working set of its own
    timer.mark("schedule");
    if (opts->show_scores) out += policy::format_scores(result);
    print_summary(out, result);

    if (!save_graph_files(*opts, result.graph)) return exit_error;

    exec_result run;
    if (opts->simulate) {
        run = simulate_transition(*doc, result.graph);
        report.executed = &run;
        out += "\nExecuting Cluster Transition:\n";
        for (const auto& line : run.lines) out += line + "\n";
        timer.mark("execute");
        if (!opts->quiet) {
            policy::working_set revised = policy::unpack(doc->model(), *now);
            if (text)
                out += date_note + "\nRevised Cluster Status:\n" + format_cluster_status(revised, false);
            else
                report.revised = simulate_status(revised, opts->format);
            timer.mark("revised");
        }
    }
    if (!text) out = format_simulate(report);
    std::fputs(out.c_str(), stdout);
    if (!opts->save_output.empty()) {
        if (auto w = doc->write_file(opts->save_output); !w) {
            std::fprintf(stderr, "holdfast simulate: %s\n", w.error().to_string().c_str());
            return exit_error;
        }
    }
    return exit_ok;
}

}  // namespace holdfast::tools
