// holdfast status: the cluster as the local holdfastd's CIB describes it, like
// crm_mon -1 (pending actions shown, as crm_mon does by default; and crm status's --inactive, --failcounts, --by-node,
// --full). The CIB comes over the IPC, or from a file with --cib (as CIB_file= makes crm_mon read one); rendering
// happens here, at the wall-clock "now" read once.
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

#include "cib/cib.hpp"
#include "cib/secrets.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/output_format.hpp"
#include "tools/holdfast/resource_edit.hpp"
#include "tools/holdfast/status_doc.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* status_usage =
    "usage: holdfast status [--inactive|-r] [--by-node|-n] [--failcounts|-f] [--show-node-attributes|-A]\n"
    "                       [--operations|-o] [--full] [--output-as=text|xml|json] [--cib FILE] [--socket NAME]\n";

struct status_options {
    status_text_options text;
    output_format format = output_format::text;
    std::string cib_file;
    std::string ipc = default_ipc_name();
};

// A flag of the text view (long name, crm_mon's short one); false if a[i] is none
bool take_view_flag(const std::string& f, status_text_options& t) {
    if (f == "--inactive" || f == "-r") return t.inactive = true;
    if (f == "--by-node" || f == "--group-by-node" || f == "-n") return t.by_node = true;
    if (f == "--failcounts" || f == "-f") return t.failcounts = true;
    if (f == "--show-node-attributes" || f == "-A") return t.attributes = true;
    if (f == "--operations" || f == "-o") return t.operations = true;
    if (f != "--full") return false;
    t = status_text_options{true, true, true, true, true};
    return true;
}

std::optional<status_options> parse(const args& a, int& status) {
    status_options o;
    for (size_t i = 0; i < a.size(); ++i) {
        std::string error;
        if (take_output_option(a, i, o.format, error) || take_view_flag(a[i], o.text) || take_ipc_option(a, i, o.ipc) ||
            a[i] == "-1" || a[i] == "--one-shot") {  // crm_mon's habit; status is always one-shot
            if (error.empty()) continue;
        } else if (a[i] == "--cib" && i + 1 < a.size()) {
            o.cib_file = a[++i];
            continue;
        } else if (a[i].rfind("--cib=", 0) == 0) {
            o.cib_file = a[i].substr(6);
            continue;
        } else {
            error = "unknown or incomplete option '" + a[i] + "'";
        }
        std::fprintf(stderr, "holdfast status: %s\n%s", error.c_str(), status_usage);
        status = exit_usage;
        return std::nullopt;
    }
    return o;
}

expected<cib::document, int> load(const status_options& o) {
    if (o.cib_file.empty()) return query_cib("status", o.ipc);
    cib::load_options lo;
    lo.validate = false;  // a status view shows what is there; holdfast verify checks it
    auto doc = cib::load_file(o.cib_file, lo);
    if (!doc) {
        std::fprintf(stderr, "holdfast status: %s\n", doc.error().to_string().c_str());
        return unexpected(static_cast<int>(exit_error));
    }
    return std::move(*doc);
}

}  // namespace

int run_status(const args& a) {
    if (a.size() == 1 && (a[0] == "-h" || a[0] == "--help" || a[0] == "help")) {
        std::fputs(status_usage, stdout);
        return exit_ok;
    }
    int status = exit_ok;
    auto o = parse(a, status);
    if (!o) return status;
    auto doc = load(*o);
    if (!doc) return doc.error();
    const std::time_t now = std::time(nullptr);
    policy::working_set ws = policy::unpack(doc->model(), now);
    std::string out = o->format == output_format::xml    ? format_status_xml(ws)
                      : o->format == output_format::json ? format_status_json(ws)
                                                         : format_status_text(ws, cib_date(now), o->text) +
                                                               resource_edit::format_cli_constraints(doc->model(), now);
    // nothing above prints parameters today; an exit reason or a later section might
    out = cib::mask_secrets(out);
    std::fputs(out.c_str(), stdout);
    return flushed_stdout();
}

}  // namespace holdfast::tools
