#pragma once
// The body of crm_simulate's "Current cluster status:" section (the crm_mon
// text format): node list, then every resource and its state.
#include <string>

#include "policy/working_set.hpp"

namespace holdfast::tools {

// with_pending: name resources by their pending actions ("Starting") as
// crm_simulate does before the transition (not in the revised status)
std::string format_cluster_status(const policy::working_set& ws, bool with_pending = true);

// crm_simulate's line before the status when resources are disabled or blocked
// ("N of M resource instances DISABLED and K BLOCKED from further action due
// to failure"), with its newline; empty when there are none.
std::string format_resource_counts(const policy::working_set& ws);

// What crm_simulate prints before "Current cluster status:": the maintenance-mode
// banner and the count of disabled and blocked resource instances, when any.
std::string format_status_preamble(const policy::working_set& ws);

// Pacemaker's text for an OCF exit code ("not running", "promoted", ...).
const char* ocf_exit_text(int rc);

}  // namespace holdfast::tools
