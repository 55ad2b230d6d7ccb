// holdfast cib show: the CIB the local holdfastd holds, as XML (cibadmin
// --query's output; --xml is kept for scripts that pass it) or as JSON.
#include <cstdio>
#include <string>

#include "cib/secrets.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/output_format.hpp"
#include "tools/holdfast/xml_json.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* cib_usage = "usage: holdfast cib show [--xml] [--output-as=xml|json] [--socket NAME]\n";

int usage_error(const std::string& what) {
    std::fprintf(stderr, "holdfast cib: %s\n%s", what.c_str(), cib_usage);
    return exit_usage;
}

}  // namespace

int run_cib(const args& a) {
    if (a.empty() || a[0] != "show")
        return usage_error(a.empty() ? "missing subcommand" : "unknown subcommand '" + a[0] + "'");
    std::string ipc = default_ipc_name();
    output_format f = output_format::xml;
    for (size_t i = 1; i < a.size(); ++i) {
        std::string error;
        if (a[i] == "--xml")
            f = output_format::xml;
        else if (take_output_option(a, i, f, error)) {
            if (!error.empty()) return usage_error(error);
        } else if (!take_ipc_option(a, i, ipc)) {
            return usage_error("unknown or incomplete option '" + a[i] + "'");
        }
    }
    if (f == output_format::text)
        return usage_error("the CIB has no text form: use --output-as=xml, or 'holdfast configure show' for crm text");
    auto cib = ask_daemon(ipc, daemon::request_type::cib_query);
    if (!cib) return report("cib show", cib.error());
    *cib = cib::mask_secrets(*cib);  // before JSON: the masker reads nvpairs as XML
    if (f == output_format::json) {
        auto json = xml_to_json(*cib);
        if (!json) return report("cib show", {daemon::errc::bad_request, "holdfastd's CIB: " + json.error()});
        *cib = std::move(*json);
    }
    std::fputs(cib->c_str(), stdout);
    return flushed_stdout();
}

}  // namespace holdfast::tools
