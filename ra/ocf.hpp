#pragma once
// The OCF resource agent API (OCF 1.1) as Holdfast's executor uses it: exit
// codes and what they mean to recovery, where agents live, and the
// environment an agent is called with.
#include <map>
#include <string>
#include <vector>

namespace holdfast::ra {

// OCF exit codes (the agent's exit status).
enum class ocf_rc : int {
    success = 0,
    error = 1,               // generic: a soft error, recovered on the same node
    invalid_param = 2,       // hard: not recoverable on this node
    unimplemented = 3,       // hard
    insufficient_priv = 4,   // hard
    not_installed = 5,       // hard
    not_configured = 6,      // fatal: not recoverable anywhere
    not_running = 7,         // not an error for probes and stops
    running_promoted = 8,    // monitor of a promoted instance
    failed_promoted = 9,     // soft
    degraded = 190,          // running, with reduced service (OCF 1.1)
    degraded_promoted = 191  // promoted, degraded
};

// How far a failure with this code reaches (Pacemaker's soft/hard/fatal).
enum class failure_scope { none, soft, hard, fatal };

failure_scope scope_of(int rc);

// Where agents live: $OCF_ROOT (default /usr/lib/ocf) and resource.d/<provider>/<type>.
std::string ocf_root();
// The directory of links that answer agents' crm_attribute, crm_master,
// attrd_updater and crm_node through holdfastd: $HOLDFAST_AGENT_TOOLS, else
// agent-tools/ beside the running binary (a build tree), else the installed one.
const std::string& agent_tools_dir();
std::string ocf_agent_path(const std::string& provider, const std::string& type);

// The environment of one OCF call (besides PATH and the like): OCF_ROOT,
// OCF_RA_VERSION_MAJOR/MINOR, OCF_RESOURCE_INSTANCE/TYPE/PROVIDER, and
// OCF_RESKEY_<name> for every instance parameter and CRM_meta_* value (as the
// transition graph carries them: timeout and interval in milliseconds).
std::vector<std::string> ocf_environment(const std::string& instance, const std::string& provider,
                                         const std::string& type, const std::map<std::string, std::string>& params);

// The reason an agent gave for its result: the text after the last
// "ocf-exit-reason:" line prefix in its stderr, trimmed; empty when none.
std::string exit_reason(const std::string& stderr_text);

}  // namespace holdfast::ra
