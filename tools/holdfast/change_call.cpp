#include "tools/holdfast/change_call.hpp"

#include <libxml/tree.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <memory>

#include "cib/secrets.hpp"

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
    // `configure show` masks secrets: its text loaded back must not replace them with the mask
    auto masked = cib::masked_secret_in(c.payload);
    if (!masked && cib::is_secret_param(c.name) && c.value == cib::masked_value) masked = c.name;
    if (masked)
        return unexpected(daemon_failure{
            daemon::errc::bad_request, "the value of secret parameter '" + *masked + "' is the mask '" +
                                           std::string(cib::masked_value) + "' that show prints: give the real value"});
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

std::string configuration_of(const cib::document& doc) {
    auto* x = static_cast<xmlDoc*>(doc.xml());
    xmlNode* root = x ? xmlDocGetRootElement(x) : nullptr;
    for (xmlNode* n = root ? root->children : nullptr; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || !xmlStrEqual(n->name, BAD_CAST "configuration")) continue;
        std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), xmlBufferFree);
        xmlNodeDump(buf.get(), x, n, 0, 1);
        return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())), xmlBufferLength(buf.get()));
    }
    return {};
}

int replace_read_configuration(const char* cmd, const std::string& ipc_name, const cib::document& read,
                               std::string configuration) {
    auto c = cib::change::replace_configuration(std::move(configuration));
    const cib::cib_version v = cib::version(read);
    c.if_epoch = cib::cib_version{v.admin_epoch, v.epoch, 0};  // as the wire carries it
    auto r = send_change(ipc_name, std::move(c));
    return r ? 0 : report(cmd, r.error());
}

std::optional<std::string> node_id_of(const cib::document& doc, const std::string& name) {
    for (const auto& n : doc.model().nodes)
        if (n.uname == name) return n.id;
    return std::nullopt;
}

}  // namespace holdfast::tools
