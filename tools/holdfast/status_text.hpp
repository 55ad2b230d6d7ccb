#pragma once
// The body of crm_simulate's "Current cluster status:" section (the crm_mon
// text format): node list, then every resource and its state.
#include <string>
#include <vector>

#include "policy/working_set.hpp"

namespace holdfast::tools {

// How a resource list is drawn. pending: name resources by their pending
// actions, as crm_simulate before the transition; inactive: stopped resources
// too (crm_mon -r; crm_simulate always), else only active ones, a group
// counting its inactive members; node_names: the node after each primitive
// (not under crm_mon -n, where the node heads the list).
struct resource_view {
    bool pending = true;
    bool inactive = true;
    bool node_names = true;
};

// The list items (indented for a section of crm_mon: "  * ...") of the given
// top-level resources.
std::string format_resource_items(const policy::working_set& ws, const resource_view& v,
                                  const std::vector<policy::rsc_ix>& which);
// One primitive's line without indent ("id\t(class:provider:type):\t Started"),
// an anonymous clone instance by its base id.
std::string format_primitive_line(const policy::working_set& ws, policy::rsc_ix r, const resource_view& v);
// native/group/clone active(): something of it runs (on a node that counts).
bool resource_active(const policy::working_set& ws, policy::rsc_ix r);

// A node's state as the node list words it ("online", "UNCLEAN (offline)", "standby").
const char* node_status_text(const policy::node& n);
// " (health is RED)", " (health is YELLOW)" or "", from the #health-* attributes.
const char* node_health_text(const policy::working_set& ws, const policy::node& n);
// The items of crm_simulate's "Node List:" ("  * Node List:" and its items).
std::string format_node_list(const policy::working_set& ws);
// The nodes in Pacemaker's display order (natural, case-insensitive).
std::vector<policy::node_ix> nodes_by_name(const policy::working_set& ws);

// with_pending: name resources by their pending actions ("Starting") as
// crm_simulate does before the transition (not in the revised status)
std::string format_cluster_status(const policy::working_set& ws, bool with_pending = true);

// crm_simulate's line before the status when resources are disabled or blocked
// ("N of M resource instances DISABLED and K BLOCKED from further action due
// to failure"), with its newline; empty when there are none.
std::string format_resource_counts(const policy::working_set& ws);

// The same counts as numbers (pe__count_common): every primitive instance
// that exists or is active, those disabled (target-role), those blocked.
struct instance_counts {
    int instances = 0;
    int disabled = 0;
    int blocked = 0;
};
instance_counts count_instances(const policy::working_set& ws);

// What crm_simulate prints before "Current cluster status:": the maintenance-mode
// banner and the count of disabled and blocked resource instances, when any.
std::string format_status_preamble(const policy::working_set& ws);

// Pacemaker's text for an OCF exit code ("not running", "promoted", ...).
const char* ocf_exit_text(int rc);

}  // namespace holdfast::tools
