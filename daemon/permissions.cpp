#include "daemon/permissions.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace holdfast::daemon {
namespace {

struct table_row {
    request_type type;
    permission needs;
};

// Every request type has exactly one row (a unit test enforces it). A type
// missing here is treated as admin-only, so forgetting a row fails closed.
constexpr table_row permission_table[] = {
    {request_type::ping, permission::read},           {request_type::cib_query, permission::read},
    {request_type::cib_change, permission::write},    {request_type::shutdown, permission::admin},
    {request_type::fence, permission::admin},         {request_type::fence_history, permission::read},
    {request_type::fence_confirm, permission::admin}, {request_type::history, permission::read},
};

}  // namespace

const char* to_string(permission p) {
    switch (p) {
        case permission::read: return "read";
        case permission::write: return "write";
        case permission::admin: return "admin";
    }
    return "admin";
}

const char* to_string(peer_class c) {
    switch (c) {
        case peer_class::root: return "root";
        case peer_class::haclient_member: return "haclient_member";
        case peer_class::refused: return "refused";
    }
    return "refused";
}

permission required_permission(request_type t) {
    for (const auto& row : permission_table)
        if (row.type == t) return row.needs;
    return permission::admin;
}

std::optional<permission> granted_permission(peer_class c) {
    switch (c) {
        case peer_class::root: return permission::admin;
        case peer_class::haclient_member: return permission::write;
        case peer_class::refused: return std::nullopt;
    }
    return std::nullopt;
}

bool allowed(peer_class c, request_type t) {
    auto granted = granted_permission(c);
    return granted && static_cast<int>(*granted) >= static_cast<int>(required_permission(t));
}

std::vector<gid_t> system_groups(uid_t uid, gid_t primary) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return {primary};
    int n = 64;
    std::vector<gid_t> groups(n);
    // getgrouplist reports the size it needs when the array is too small
    while (getgrouplist(found->pw_name, primary, groups.data(), &n) < 0) {
        if (n <= static_cast<int>(groups.size())) return {primary};
        groups.resize(n);
    }
    groups.resize(n);
    return groups;
}

peer_class classify_peer(uid_t uid, gid_t gid, std::optional<gid_t> haclient, const group_lookup& groups) {
    if (uid == 0) return peer_class::root;
    if (!haclient) return peer_class::refused;
    if (gid == *haclient) return peer_class::haclient_member;
    auto all = groups(uid, gid);
    return std::find(all.begin(), all.end(), *haclient) != all.end() ? peer_class::haclient_member
                                                                     : peer_class::refused;
}

std::optional<gid_t> group_id(const char* name) {
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    if (getgrnam_r(name, &gr, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
    return found->gr_gid;
}

std::string user_name(uid_t uid) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return {};
    return found->pw_name;
}

std::vector<std::string> group_names(const std::vector<gid_t>& gids) {
    std::vector<std::string> out;
    std::vector<char> buf(16384);
    for (gid_t gid : gids) {
        group gr{};
        group* found = nullptr;
        if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found) out.emplace_back(found->gr_name);
    }
    return out;
}

}  // namespace holdfast::daemon
