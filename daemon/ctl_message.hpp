#pragma once
// Controller messages on the "holdfast-ctl" CPG group (pure encode/decode).
//
//   exec: the coordinator asks `target` to carry out one graph action:
//         "exec <transition> <dc-uuid> <target>\n" + a one-action transition
//         graph in Pacemaker's graph XML (the action with its attributes)
//   ack:  the target's answer for actions whose result is not an operation
//         record in the CIB (cancels, cluster events):
//         "ack <transition> <dc-uuid> <action-id> <0|1>\n"
//   fenced: a fencing operation's outcome, from the node that carried it out
//         (or where an operator confirmed a node down by hand), so that
//         every node keeps the same history and the coordinator stops
//         waiting for a target someone else fenced: "fenced\n" then one
//         field a line (target, action, ok, device, reason, origin,
//         completed, elapsed_ms; line breaks in a field become spaces)
// Results of resource operations travel as CIB changes instead, so the
// coordinator sees them in the same order as every other CIB change.
#include <cstdint>
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

struct fencing_event {
    std::string target;
    std::string action;  // reboot off on
    bool ok = false;
    std::string device;     // what did it ("operator" for a manual confirmation)
    std::string reason;     // why it failed
    std::string origin;     // the node that carried it out
    int64_t completed = 0;  // epoch seconds
    int64_t elapsed_ms = 0;
};

std::string encode(const exec_message& m);
std::string encode(const fencing_event& e);
std::optional<fencing_event> decode_fenced(std::string_view body);
std::string encode(const ack_message& m);
// nullopt for anything else (or malformed)
std::optional<exec_message> decode_exec(std::string_view body);
std::optional<ack_message> decode_ack(std::string_view body);

}  // namespace holdfast::daemon
