#pragma once
// Controller messages on the "holdfast-ctl" CPG group (pure encode/decode).
//
//   exec: the coordinator asks `target` to carry out one graph action:
//         "exec <transition> <dc-uuid> <target>\n" + a one-action transition
//         graph in Pacemaker's graph XML (the action with its attributes)
//   ack:  the target's answer for actions whose result is not an operation
//         record in the CIB (cancels, cluster events):
//         "ack <transition> <dc-uuid> <action-id> <0|1>\n"
// Results of resource operations travel as CIB changes instead, so the
// coordinator sees them in the same order as every other CIB change.
#include <optional>
#include <string>
#include <string_view>

#include "policy/graph.hpp"

namespace holdfast::daemon {

struct exec_message {
    int transition = 0;
    std::string dc_uuid;
    std::string target;  // node name
    policy::graph_action action;
};

struct ack_message {
    int transition = 0;
    std::string dc_uuid;
    int action_id = 0;
    bool ok = false;
};

std::string encode(const exec_message& m);
std::string encode(const ack_message& m);
// nullopt for anything else (or malformed)
std::optional<exec_message> decode_exec(std::string_view body);
std::optional<ack_message> decode_ack(std::string_view body);

}  // namespace holdfast::daemon
