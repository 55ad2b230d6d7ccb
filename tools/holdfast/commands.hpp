#pragma once
// Entry points of the `holdfast` subcommands. Each takes the arguments after
// the subcommand name and returns the process exit status.
#include <string>
#include <vector>

namespace holdfast::tools {

using args = std::vector<std::string>;

int run_simulate(const args& a);     // tools/holdfast/simulate.cpp
int run_explain(const args& a);      // tools/holdfast/explain.cpp (holdfastd over IPC, or --cib FILE)
int run_verify(const args& a);       // tools/holdfast/verify.cpp
int run_cluster(const args& a);      // tools/holdfast/cluster.cpp (corosync.conf, authkey, services; ssh to members)
int run_cib(const args& a);          // tools/holdfast/cib_show.cpp (holdfastd over IPC)
int run_status(const args& a);       // tools/holdfast/status.cpp (holdfastd over IPC)
int run_configure(const args& a);    // tools/holdfast/configure.cpp (holdfastd over IPC)
int run_node(const args& a);         // tools/holdfast/node.cpp (holdfastd over IPC)
int run_resource(const args& a);     // tools/holdfast/resource.cpp (holdfastd over IPC)
int run_fence(const args& a);        // tools/holdfast/fence.cpp (fence test: a device driven directly)
int run_fence_admin(const args& a);  // tools/holdfast/fence_admin.cpp (fence NODE, history, confirm, list)
int run_maintenance(const args& a);  // tools/holdfast/resource_attrs.cpp (maintenance on|off [RSC])

// configure edit (tools/holdfast/configure_edit.cpp): a = {"edit"}, holdfastd at `ipc`
int run_configure_edit(const args& a, const std::string& ipc);
int run_history(const args& a);  // tools/holdfast/history_cmd.cpp (holdfastd over IPC)
int run_report(const args& a);   // tools/holdfast/report.cpp (a support bundle)

}  // namespace holdfast::tools
