#include "daemon/acl_gate.hpp"

#include "daemon/log.hpp"

namespace holdfast::daemon {
namespace {

bool unrestricted(const cib::document& doc, const peer& p) {
    return p.cls == peer_class::root || p.uid == 0 || !cib::acl::enabled(doc);
}

}  // namespace

cib::acl::subject acl_subject(const peer& p) {
    cib::acl::subject who;
    who.user = user_name(p.uid);
    // '#' keeps a nameless uid from matching any entry (or counting as root)
    if (who.user.empty()) who.user = "#" + std::to_string(p.uid);
    who.groups = group_names(system_groups(p.uid, p.gid));
    return who;
}

std::string readable_cib(const cib::document& doc, const peer& p) {
    if (unrestricted(doc, p)) return doc.to_string();
    return cib::acl::readable_xml(doc, acl_subject(p));
}

std::optional<response> refuse_change(const cib::document& doc, const cib::change& c, const peer& p) {
    if (unrestricted(doc, p)) return std::nullopt;
    const auto who = acl_subject(p);
    auto allowed = cib::acl::check_change(doc, c, who);
    if (allowed || allowed.error().code != cib::errc::permission_denied) return std::nullopt;
    log_event(LOG_NOTICE, "cib_change_denied",
              {{"op", cib::to_string(c.op)},
               {"uid", std::to_string(p.uid)},
               {"user", who.user},
               {"reason", allowed.error().message}});
    return error_response(errc::permission_denied, allowed.error().message);
}

}  // namespace holdfast::daemon
