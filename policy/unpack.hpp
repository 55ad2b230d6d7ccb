#pragma once
// unpack(): the cluster as a CIB describes it at time `now`, as the policy
// engine sees it (Pacemaker's cluster_status()). Pure: no I/O, no clock.
#include <ctime>

#include "cib/model.hpp"
#include "policy/working_set.hpp"

namespace holdfast::policy {

// The returned working_set points into `cib` (ws.cib, resource::def): keep the
// model alive and unchanged while the working set is in use.
working_set unpack(const cib::cib_model& cib, std::time_t now);

}  // namespace holdfast::policy
