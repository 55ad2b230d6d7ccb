// holdfast history [--since T] [--output-as=text|json|xml]: holdfastd's
// journal plus the cluster's fencing history (tools/holdfast/history.hpp).
#include <cstdio>
#include <ctime>
#include <string>

#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/history.hpp"
#include "tools/holdfast/output_format.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* history_usage =
    "usage: holdfast history [--since T] [--output-as=text|json|xml] [--socket NAME]\n"
    "       T: ISO 8601 (2026-12-02T12:00:00Z, \"2026-12-02 12:00\"), 30s, 30m, 2h, 1d, 1w, today, yesterday\n";

int usage_error(const std::string& why) {
    std::fprintf(stderr, "holdfast history: %s\n%s", why.c_str(), history_usage);
    return exit_usage;
}

}  // namespace

expected<std::vector<history_item>, daemon_failure> fetch_history(const std::string& ipc, std::time_t since) {
    const std::string payload = since > 0 ? std::to_string(static_cast<long long>(since) * 1000) : std::string();
    auto journal = ask_daemon(ipc, daemon::request_type::history, payload);
    if (!journal) return unexpected(journal.error());
    // a node outside a cluster has no fencer: its journal is all there is
    auto fencing = ask_daemon(ipc, daemon::request_type::fence_history);
    std::vector<history_item> fenced;
    if (fencing)
        for (auto& f : parse_fencing_xml(*fencing))
            if (f.time_ms >= static_cast<int64_t>(since) * 1000) fenced.push_back(std::move(f));
    return merge_history(parse_history_xml(*journal), fenced);
}

int run_history(const args& a) {
    std::string ipc = default_ipc_name();
    output_format format = output_format::text;
    std::time_t since = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        std::string value, bad;
        if (take_output_option(a, i, format, bad)) {
            if (!bad.empty()) return usage_error(bad);
        } else if (a[i].rfind("--since=", 0) == 0 || (a[i] == "--since" && i + 1 < a.size())) {
            value = a[i] == "--since" ? a[++i] : a[i].substr(8);
            auto t = parse_since(value, std::time(nullptr));
            if (!t) return usage_error("cannot read the time '" + value + "'");
            since = *t;
        } else if (!take_ipc_option(a, i, ipc))
            return usage_error("unknown or incomplete option '" + a[i] + "'");
    }
    auto events = fetch_history(ipc, since);
    if (!events) return report("history", events.error());
    const std::string out = format == output_format::json  ? history_json(*events)
                            : format == output_format::xml ? history_xml(*events)
                                                           : history_text(*events);
    std::fputs(out.c_str(), stdout);
    return flushed_stdout();
}

}  // namespace holdfast::tools
