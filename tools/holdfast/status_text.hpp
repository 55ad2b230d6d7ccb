#pragma once
// The body of crm_simulate's "Current cluster status:" section (the crm_mon
// text format): node list, then every resource and its state.
#include <string>

#include "policy/working_set.hpp"

namespace holdfast::tools {

std::string format_cluster_status(const policy::working_set& ws);

// What crm_simulate prints before the initial status: a maintenance-mode
// banner, and how many resource instances are disabled (target-role) or
// blocked by a failure; empty when there is nothing to say.
std::string format_status_header(const policy::working_set& ws);

}  // namespace holdfast::tools
