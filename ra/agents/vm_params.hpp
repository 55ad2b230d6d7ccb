#pragma once
// The VirtualMachine agent's parameters: read from the OCF environment,
// checked (validate-all), and what the agent learns from a domain XML file.
// Pure values; nothing here talks to libvirt.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cib/expected.hpp"
#include "ra/ocf.hpp"

namespace holdfast::ra::vm {

// An action's result: the OCF exit code and, for failures, the reason
// printed as an `ocf-exit-reason:` line.
struct outcome {
    ocf_rc rc = ocf_rc::success;
    std::string reason;
};

struct params {
    std::string config;  // domain XML file (start creates a transient domain from it)
    std::string name;    // the domain's name: `domain`, or <name> of `config`
    std::string hypervisor = "qemu:///system";
    int64_t shutdown_timeout_ms = 0;    // 0: most of the stop's timeout
    int64_t hypervisor_timeout_ms = 0;  // 0: derived from the action's timeout
    std::string pid_dir;                // where the hypervisor keeps NAME.pid ("" : none known)
    std::string migration_transport = "ssh";
    std::string migration_uri;       // destination libvirt URI template, %n = target node
    std::string migration_data_uri;  // hypervisor data URI template (VIR_MIGRATE_PARAM_URI), %n = target node
    int64_t timeout_ms = 20000;      // this action's timeout (OCF_RESKEY_CRM_meta_timeout)
    std::string migrate_target;      // OCF_RESKEY_CRM_meta_migrate_target
};

// What start and utilization need from a domain XML file.
struct domain_xml {
    std::string name;
    unsigned vcpus = 1;
    uint64_t memory_kib = 0;
};

using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;
// OCF_RESKEY_<name> from the process environment.
env_lookup process_env();

// Reads and checks every parameter: not_configured for a bad value,
// not_installed for a config file missing on this node.
expected<params, outcome> load(const env_lookup& env);
expected<domain_xml, outcome> read_domain_xml(const std::string& path);

// The pid-file directory libvirt uses for a URI's driver on the system
// instance (qemu:///system -> /run/libvirt/qemu); "" when not known.
std::string default_pid_dir(const std::string& uri);
// The destination libvirt URI for a peer-to-peer migration to `node`.
std::string destination_uri(const params& p, const std::string& node);
// `tmpl` with every %n replaced by `node`.
std::string expand_node(const std::string& tmpl, const std::string& node);

const char* meta_data();

}  // namespace holdfast::ra::vm
