#pragma once
// Lets Boost.Test print daemon values in failure messages.
#include <ostream>

#include "daemon/errc.hpp"
#include "daemon/permissions.hpp"

namespace holdfast::daemon {

inline std::ostream& operator<<(std::ostream& o, errc e) { return o << to_string(e); }
inline std::ostream& operator<<(std::ostream& o, permission p) { return o << to_string(p); }
inline std::ostream& operator<<(std::ostream& o, peer_class c) { return o << to_string(c); }

}  // namespace holdfast::daemon
