// holdfast cib show --xml: the CIB the local holdfastd holds, as XML.
#include <cstdio>
#include <string>

#include "cib/secrets.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* cib_usage = "usage: holdfast cib show --xml [--socket NAME]\n";

}  // namespace

int run_cib(const args& a) {
    if (a.empty() || a[0] != "show") {
        std::fputs(cib_usage, stderr);
        return 2;
    }
    std::string ipc = default_ipc_name();
    bool xml = false;
    for (size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--xml")
            xml = true;
        else if (!take_ipc_option(a, i, ipc)) {
            std::fprintf(stderr, "holdfast cib: unknown or incomplete option '%s'\n%s", a[i].c_str(), cib_usage);
            return 2;
        }
    }
    if (!xml) {
        std::fprintf(stderr, "holdfast cib show: only --xml output exists\n%s", cib_usage);
        return 2;
    }
    auto cib = ask_daemon(ipc, daemon::request_type::cib_query);
    if (!cib) return report("cib show", cib.error());
    std::fputs(cib::mask_secrets(*cib).c_str(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace holdfast::tools
