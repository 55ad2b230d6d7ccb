#pragma once
// Who may talk to holdfastd, and what each request needs: the only place
// authorization is decided. The IPC server applies it at the boundary, at
// accept (peer_class) and before any handler runs (allowed); handlers never
// check permissions themselves.
//
//   peer class        granted
//   root (uid 0)      admin (and so write and read)
//   haclient member   write (and read); the CIB's ACLs narrow this per user
//                     (daemon/acl_gate.hpp)
//   anyone else       refused at accept
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/protocol.hpp"

namespace holdfast::daemon {

enum class permission { read = 1, write = 2, admin = 3 };  // each includes the ones below
const char* to_string(permission p);

enum class peer_class { root, haclient_member, refused };
const char* to_string(peer_class c);

// THE table: what each request type needs.
permission required_permission(request_type t);
// What a peer class may do (nothing for refused).
std::optional<permission> granted_permission(peer_class c);
bool allowed(peer_class c, request_type t);

// All groups of a user (primary included), as the system's group database says.
using group_lookup = std::function<std::vector<gid_t>(uid_t uid, gid_t primary)>;
std::vector<gid_t> system_groups(uid_t uid, gid_t primary);  // getpwuid_r + getgrouplist

// uid and gid are the peer's credentials from SO_PEERCRED. haclient is the
// gid of group haclient, absent when the group does not exist (then only
// root is let in).
peer_class classify_peer(uid_t uid, gid_t gid, std::optional<gid_t> haclient, const group_lookup& groups);

std::optional<gid_t> group_id(const char* name);  // getgrnam_r

// Names for CIB ACLs: the user's name (getpwuid_r; empty when the uid has no
// entry) and the names of groups (getgrgid_r; ids without a name are left out).
std::string user_name(uid_t uid);
std::vector<std::string> group_names(const std::vector<gid_t>& gids);

}  // namespace holdfast::daemon
