// holdfast status: the cluster as the local holdfastd's CIB describes it, like
// crm_mon -1. The CIB comes over the IPC; rendering happens here, at the
// wall-clock "now" read once.
#include <cstdio>
#include <ctime>
#include <string>

#include "cib/cib.hpp"
#include "cib/secrets.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/resource_edit.hpp"
#include "tools/holdfast/status_doc.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* status_usage = "usage: holdfast status [--output-as=text|xml|json] [--socket NAME]\n";

}  // namespace

int run_status(const args& a) {
    std::string ipc = default_ipc_name(), format = "text";
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].rfind("--output-as=", 0) == 0)
            format = a[i].substr(12);
        else if (a[i] == "--output-as" && i + 1 < a.size())
            format = a[++i];
        else if (a[i] == "-1" || a[i] == "--one-shot")
            continue;  // crm_mon's habit; status is always one-shot
        else if (!take_ipc_option(a, i, ipc)) {
            std::fprintf(stderr, "holdfast status: unknown or incomplete option '%s'\n%s", a[i].c_str(), status_usage);
            return 2;
        }
    }
    if (format != "text" && format != "xml" && format != "json") {
        std::fprintf(stderr, "holdfast status: --output-as must be text, xml or json\n%s", status_usage);
        return 2;
    }
    auto xml = ask_daemon(ipc, daemon::request_type::cib_query);
    if (!xml) return report("status", xml.error());
    cib::load_options lo;
    lo.validate = false;  // the daemon validated it; a status view need not do it again
    auto doc = cib::load_string(*xml, lo, "<holdfastd>");
    if (!doc) {
        std::fprintf(stderr, "holdfast status: the daemon's CIB does not load: %s\n", doc.error().to_string().c_str());
        return exit_protocol;
    }
    const std::time_t now = std::time(nullptr);
    policy::working_set ws = policy::unpack(doc->model(), now);
    std::string out = format == "xml"    ? format_status_xml(ws)
                      : format == "json" ? format_status_json(ws)
                                         : format_status_text(ws, cib_date(now)) +
                                               resource_edit::format_cli_constraints(doc->model(), now);
    // nothing above prints parameters today; an exit reason or a later section might
    out = cib::mask_secrets(out);
    std::fputs(out.c_str(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace holdfast::tools
