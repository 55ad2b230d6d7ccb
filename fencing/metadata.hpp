#pragma once
// A fence agent's metadata (`-o metadata`, the fence-agent API's
// <resource-agent> XML): its parameters and actions, read the way
// Pacemaker's fencer reads them.
#include <string>
#include <string_view>
#include <vector>

#include "fencing/error.hpp"

namespace holdfast::fencing {

struct agent_parameter {
    std::string name;
    bool required = false;
    bool deprecated = false;
    std::string obsoletes;  // the older name this one replaces
    std::string type;       // content type: string, boolean, integer, select, second
    std::string default_value;
    std::string shortdesc;
};

struct agent_action_info {
    std::string name;
    // on: the cluster unfences a node with it when the node joins
    // (automatic="1"; "required" is the older spelling)
    bool automatic = false;
    // the action runs on the target node itself (fence_scsi's on)
    bool on_target = false;
};

struct agent_metadata {
    std::string name;
    std::string shortdesc;
    std::vector<agent_parameter> parameters;
    std::vector<agent_action_info> actions;

    bool has_parameter(std::string_view n) const;
    bool has_action(std::string_view n) const;
    const agent_action_info* action(std::string_view n) const;
    // unfencing: `on` exists and is automatic
    bool automatic_unfencing() const;
    // The agent parameter that carries the target when pcmk_host_argument is
    // not set: "port" if the agent has it, else "plug", else "port" (as
    // Pacemaker 2.1.5 checks them).
    std::string default_host_argument() const;
};

result<agent_metadata> parse_metadata(std::string_view xml);

// An XML attribute that means true to Pacemaker: 1 true yes on y (any case).
bool xml_true(std::string_view v);

}  // namespace holdfast::fencing
