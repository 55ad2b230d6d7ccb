#pragma once
// The body of crm_simulate's "Current cluster status:" section (the crm_mon
// text format): node list, then every resource and its state.
#include <string>

#include "policy/working_set.hpp"

namespace holdfast::tools {

std::string format_cluster_status(const policy::working_set& ws);

}  // namespace holdfast::tools
