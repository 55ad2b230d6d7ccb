#pragma once
// fence_holdfast_scsi: Holdfast's SCSI-3 persistent-reservation fence agent,
// speaking the fence-agent API (options as key=value lines on stdin, or
// fence-agents' command-line options), on fencing/scsi_pr.
//
// Every node has a key on every shared LUN, node_key(cluster, node). The
// LUN carries a Write Exclusive - Registrants Only reservation, so only
// registered nodes write. off removes the victim's key (PREEMPT AND ABORT,
// PREEMPT where the target refuses it) and checks it is gone; on (unfencing,
// run on the node itself) registers the node's key and makes the
// reservation if there is none; status says whether the key is registered.
//
// The rule that a fenced node never registers again until it has rejoined
// the cluster cleanly is kept by a record per (key, device) in state_dir,
// written by on: when on finds its record but not its key, someone removed
// the key, which is fencing, and on refuses unless the caller says the node
// has rejoined cleanly (rejoined=1, passed by Holdfast's unfencing only).
//
// Each run is one short-lived process: opens each device, acts, exits.
#include <string>
#include <vector>

#include "cib/expected.hpp"
#include "fencing/scsi_pr.hpp"

namespace holdfast::fencing::scsi_agent {

// fence-agent API exit statuses
inline constexpr int rc_ok = 0;
inline constexpr int rc_error = 1;
inline constexpr int rc_off = 2;  // status: the node is off (its key is gone)

struct options {
    std::string action = "off";
    std::vector<std::string> devices;  // paths or iscsi:// URLs
    std::string plug;                  // the node acted on
    std::string cluster;               // cluster name, for keys
    std::string local_node;            // this node (uname -n by default)
    std::string initiator;             // iSCSI initiator IQN for iscsi:// devices
    std::vector<std::string> nodes;    // names `list` reports
    std::string state_dir = default_unfence_state_dir;
    bool rejoined = false;  // on: the node has rejoined the cluster cleanly
    bool help = false;
    bool version = false;
    std::vector<std::string> warnings;  // unknown stdin options, ignored
};

// key=value lines (fence-agent API); unknown keys are ignored with a warning,
// as fence-agents do. Lines starting with # and blank lines are skipped.
holdfast::expected<options, std::string> parse_stdin(const std::string& text);
// fence-agents' style: -o/--action, -n/--plug, -d/--devices, --cluster-name,
// --local-node, --initiator, --nodes, --state-dir, --rejoined, -h, -V;
// "--opt value" or "--opt=value".
holdfast::expected<options, std::string> parse_argv(const std::vector<std::string>& args);
// Defaults that depend on the machine: cluster name from corosync.conf
// (else "holdfast"), local node from uname, initiator from the local node.
void fill_defaults(options& o);
// What validate-all checks: the options alone, no device touched. Empty if fine.
std::string validate(const options& o);

// The XML metadata (on is automatic and runs on the target).
const char* metadata();
const char* usage();

// Runs o.action; messages to stderr, list output to stdout. The exit status.
int run(const options& o);

}  // namespace holdfast::fencing::scsi_agent
