#pragma once
// The body of crm_simulate's "Current cluster status:" section (the crm_mon
// text format): node list, then every resource and its state.
#include <string>

#include "policy/working_set.hpp"

namespace holdfast::tools {

// show_pending: name resources by their pending action ("Starting", "Monitoring"),
// as crm_simulate does for the current status but not for the revised one
std::string format_cluster_status(const policy::working_set& ws, bool show_pending = true);

// crm_simulate's line before the status when resources are disabled or blocked
// ("N of M resource instances DISABLED and K BLOCKED from further action due
// to failure"), with its newline; empty when there are none.
std::string format_resource_counts(const policy::working_set& ws);

}  // namespace holdfast::tools
