#include "tools/holdfast/change_call.hpp"

#include <unistd.h>

#include <climits>
#include <cstdio>

namespace holdfast::tools {

std::string cib_date(std::time_t t) {
    char buf[64];
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
    return buf;
}

namespace {

std::string host_name() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

}  // namespace

expected<std::string, daemon_failure> send_change(const std::string& ipc_name, cib::change c) {
    c.origin = host_name();
    c.client = "holdfast";
    c.now = cib_date(std::time(nullptr));
    return ask_daemon(ipc_name, daemon::request_type::cib_change, cib::serialize(c));
}

expected<cib::document, int> query_cib(const char* cmd, const std::string& ipc_name, bool as_tool) {
    auto xml = ask_daemon(ipc_name, daemon::request_type::cib_query);
    if (!xml) return unexpected(as_tool ? report_as_tool(cmd, xml.error()) : report(cmd, xml.error()));
    cib::load_options lo;
    lo.validate = false;
    auto doc = cib::load_string(*xml, lo, "<holdfastd>");
    if (!doc) {
        std::fprintf(stderr, "%s%s: the daemon's CIB does not load: %s\n", as_tool ? "" : "holdfast ", cmd,
                     doc.error().to_string().c_str());
        return unexpected(as_tool ? static_cast<int>(crm_ex_protocol) : static_cast<int>(exit_protocol));
    }
    return std::move(*doc);
}

std::optional<std::string> node_id_of(const cib::document& doc, const std::string& name) {
    for (const auto& n : doc.model().nodes)
        if (n.uname == name) return n.id;
    return std::nullopt;
}

}  // namespace holdfast::tools
