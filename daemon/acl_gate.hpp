#pragma once
// The CIB's ACLs at the IPC boundary: what a peer that is not root may read
// of the CIB and whether it may make a change. The one place holdfastd
// applies cib/acl.hpp; the cib_query and cib_change handlers call it before
// answering or before a change is applied or sent to the cluster.
//
// Root peers are never restricted. Any other peer is known by its uid's user
// name and the names of its groups (SO_PEERCRED gid + the system's group
// list), looked up only when the CIB has enable-acl=true. A uid without a
// user name is restricted under a name no ACL entry can have, so it gets
// nothing (Pacemaker would let a nameless user through unchecked).
#include <optional>
#include <string>

#include "cib/acl.hpp"
#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "daemon/dispatch.hpp"

namespace holdfast::daemon {

// Who the peer is for the ACLs (names looked up from the system).
cib::acl::subject acl_subject(const peer& p);

// The CIB text a cib_query answers this peer (all of it when unrestricted).
std::string readable_cib(const cib::document& doc, const peer& p);

// An error response (permission_denied, with the one-line reason) when the
// ACLs do not let this peer make the change; nullopt when they do, or when
// the CIB refuses the change anyway (the change path reports that).
std::optional<response> refuse_change(const cib::document& doc, const cib::change& c, const peer& p);

}  // namespace holdfast::daemon
