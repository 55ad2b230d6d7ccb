#pragma once
// CIB access control lists: who may read and write which part of a CIB, as
// Pacemaker's CIB manager decides it from the <acls> section.
//
// Pure functions of a document and a subject (a user name and the names of
// its groups; the daemon looks them up). Nothing is cached: every call reads
// the ACLs of the document it is given, so a CIB change to <acls> or to
// enable-acl takes effect on the next request.
//
// Semantics (Pacemaker's lib/common/acl.c):
// - ACLs apply only when crm_config says enable-acl=true, and never to root,
//   to the cluster's own user (hacluster) or to an empty user name.
// - A user's permissions are the acl_permission (and legacy read/write/deny)
//   entries of every acl_target/acl_user naming it (by name, else id) and of
//   every acl_group naming one of its groups, including those of the
//   acl_roles they reference (role id=...), in document order.
// - Each permission selects elements (xpath, or object-type + reference (an
//   id) + attribute, turned into an xpath as Pacemaker does) and marks them
//   read, write or deny. To do something with an element, walk up from it to
//   <cib>: the first element with a mark decides when it is deny (refused) or
//   grants the access (write grants read); a mark that grants less (read
//   when writing) does not decide, the walk goes on. Nothing decided: refused.
// - A user with no entry at all gets nothing.
#include <string>
#include <vector>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "cib/error.hpp"
#include "cib/expected.hpp"

namespace holdfast::cib::acl {

struct subject {
    std::string user;
    std::vector<std::string> groups;  // names of all its groups
};

enum class mode { read, write, deny };
const char* to_string(mode m);

struct permission {
    std::string id;  // of the acl_permission element ("" when it has none)
    mode kind = mode::read;
    std::string xpath;  // as given, or made from object-type/reference/attribute
};

// true: enable-acl is true in crm_config (any cluster_property_set).
bool enabled(const document& doc);
// false for "", "root" and "hacluster": they are never restricted.
bool required(const std::string& user);

struct resolved {
    bool has_entry = false;  // some acl_target/acl_user/acl_group applies
    std::vector<permission> permissions;
};
// The permissions of `who` from doc's <acls> section (its order kept).
resolved resolve(const document& doc, const subject& who);

// true: `who` is restricted by doc's ACLs (enabled and required).
bool restricted(const document& doc, const subject& who);

// The CIB `who` may read, serialised like document::to_string(). Unrestricted:
// the whole document. Otherwise as Pacemaker filters a query: the elements a
// deny selects, and every element without read access, lose their attributes
// (but id) and are dropped unless something under them is readable. Unlike
// Pacemaker (which then refuses the query), <cib> itself always stays with
// its attributes, so the answer is still a CIB a tool can load.
std::string readable_xml(const document& doc, const subject& who);

// Whether `who` may make change `c` to `doc`: the change is applied to a copy
// and every element it modified, created (beyond a bare element with only an
// id, outside <acls>) or deleted must be writable; the version counters and
// the update-* stamps the CIB manager puts on <cib> are not the user's edit.
// Refused: errc::permission_denied, naming the first element denied. A
// change the CIB refuses anyway gives that error (the same apply() gives).
expected<void, error> check_change(const document& doc, const change& c, const subject& who);

}  // namespace holdfast::cib::acl
