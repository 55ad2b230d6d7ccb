// holdfast explain RESOURCE: why a resource runs where it runs, or why it is
// stopped, from the policy engine's own scores and constraints
// (policy/explain.hpp). The CIB is holdfastd's (over the IPC, scheduled at the
// wall clock's "now") or, with --cib FILE, a saved one (scheduled at its
// execution-date when it has one, as simulate does).
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "cib/cib.hpp"
#include "policy/explain.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/explain_doc.hpp"
#include "tools/holdfast/output_format.hpp"
#include "tools/holdfast/simulate_exec.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* explain_usage =
    "usage: holdfast explain RESOURCE [--cib FILE] [--output-as=text|xml|json] [--socket NAME]\n";

struct explain_options {
    std::string rsc;
    std::string cib_file;
    output_format format = output_format::text;
    std::string ipc = default_ipc_name();
};

int usage_error(const std::string& what) {
    std::fprintf(stderr, "holdfast explain: %s\n%s", what.c_str(), explain_usage);
    return exit_usage;
}

// "--name=value" or "--name value" at a[i] (consumed); false when a[i] is not --name
bool take_value(const args& a, size_t& i, const std::string& name, std::string& value, bool& missing) {
    if (a[i].rfind(name + "=", 0) == 0) {
        value = a[i].substr(name.size() + 1);
        return true;
    }
    if (a[i] != name) return false;
    missing = i + 1 >= a.size();
    if (!missing) value = a[++i];
    return true;
}

std::optional<explain_options> parse(const args& a, int& status) {
    explain_options o;
    for (size_t i = 0; i < a.size(); ++i) {
        bool missing = false;
        std::string bad_format;
        if (take_output_option(a, i, o.format, bad_format)) {
            if (!bad_format.empty()) return status = usage_error(bad_format), std::nullopt;
            continue;
        }
        if (take_value(a, i, "--cib", o.cib_file, missing) || take_ipc_option(a, i, o.ipc)) {
            if (missing) return status = usage_error(a[i] + " needs a value"), std::nullopt;
            continue;
        }
        if (a[i].size() > 1 && a[i][0] == '-')
            return status = usage_error("unknown option '" + a[i] + "'"), std::nullopt;
        if (!o.rsc.empty()) return status = usage_error("explains one RESOURCE at a time"), std::nullopt;
        o.rsc = a[i];
    }
    if (o.rsc.empty()) return status = usage_error("missing RESOURCE"), std::nullopt;
    return o;
}

// The CIB to explain and the time to schedule it at
struct input {
    cib::document doc;
    std::time_t now = 0;
    bool saved = false;  // from a file
};

expected<input, int> load(const explain_options& o) {
    if (o.cib_file.empty()) {
        auto doc = query_cib("explain", o.ipc);
        if (!doc) return unexpected(doc.error());
        return input{std::move(*doc), std::time(nullptr), false};
    }
    cib::load_options lo;
    lo.history_xml = false;  // the model is all explain reads
    auto doc = cib::load_file(o.cib_file, lo);
    if (!doc) {
        std::fprintf(stderr, "holdfast explain: %s\n", doc.error().to_string().c_str());
        return unexpected(exit_error);
    }
    const std::time_t now = execution_date(doc->model()).value_or(std::time(nullptr));
    return input{std::move(*doc), now, true};
}

}  // namespace

int run_explain(const args& a) {
    if (a.size() == 1 && (a[0] == "-h" || a[0] == "--help" || a[0] == "help")) {
        std::fputs(explain_usage, stdout);
        return exit_ok;
    }
    int status = 0;
    auto o = parse(a, status);
    if (!o) return status;
    auto in = load(*o);
    if (!in) return in.error();
    auto ws = std::make_unique<policy::working_set>(policy::unpack(in->doc.model(), in->now));
    // As simulate: a saved CIB hides secret parameters, so a change only in them is no change
    ws->options.sanitized = in->saved;
    if (auto why = policy::unsupported_feature(*ws)) {
        std::fprintf(stderr, "holdfast explain: %s\n", why->c_str());
        return exit_unimplemented;
    }
    const policy::schedule_result result = policy::schedule(*ws);
    auto e = policy::explain(*ws, result, o->rsc);
    if (!e) {
        std::fprintf(stderr, "holdfast explain: %s\n", e.error().c_str());
        return exit_error;
    }
    const std::string out = o->format == output_format::xml    ? format_explanation_xml(*e)
                            : o->format == output_format::json ? format_explanation_json(*e)
                                                               : policy::format_explanation(*e);
    std::fputs(out.c_str(), stdout);
    return flushed_stdout();
}

}  // namespace holdfast::tools
