#pragma once
// The Pacemaker command-line tools resource agents call to read and write
// node attributes and learn about the cluster: crm_attribute (with
// --promotion), crm_master, attrd_updater and crm_node, answered by holdfastd
// so that agents such as ocf:pacemaker:Stateful run unmodified.
//
// The `holdfast` binary takes these names when called through a link of that
// name; the executor puts the directory of links (agent-tools) first in the
// agents' PATH and in HA_SBIN_DIR. Only what agents use is here: attributes
// are written at once (attrd_updater's --delay dampening is accepted and not
// applied), and private attributes are stored like the others.
#include "tools/holdfast/commands.hpp"

namespace holdfast::tools {

// Options as Pacemaker 2.1 takes them; exit codes Pacemaker's crm_exit_t
// (exit_codes.hpp: 0, 64 usage, 105 no such attribute or node, 102
// holdfastd not reachable, 4 permission denied, 76 protocol mismatch).
int run_crm_attribute(const args& a);
int run_crm_master(const args& a);
int run_attrd_updater(const args& a);
int run_crm_node(const args& a);

}  // namespace holdfast::tools
