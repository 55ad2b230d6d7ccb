#pragma once
// The transition graph: what schedule() decided to do, in Pacemaker's graph
// shape (synapses with one action each and the actions they wait for).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace holdfast::policy {

enum class action_kind {
    rsc_op,     // <rsc_op>: an agent call on a node
    pseudo,     // <pseudo_event>: a bookkeeping point (group started, fencing done on a lost node)
    crm_event,  // <crm_event>: stonith, do_shutdown, clear_failcount, lrm_refresh
};

struct graph_action {
    int id = 0;
    action_kind kind = action_kind::rsc_op;
    std::string task;  // start stop monitor promote demote migrate_to migrate_from notify stonith do_shutdown ...
    std::string operation_key;           // rsc_task_interval, e.g. "rsc1_monitor_10000", "grp_running_0"
    std::string internal_operation_key;  // when operation_key uses a clone's history name: the instance's key
    std::string rsc_id;                  // resource id as the graph names it (clone instances "rsc:0")
    std::string rsc_long_id;             // long-id attribute when it differs ("clone:rsc:0"); else empty
    std::string rsc_class;
    std::string rsc_provider;
    std::string rsc_type;
    std::string node_uname;  // empty for pseudo actions without a node
    std::string node_id;
    std::string router_node;  // remote nodes: the cluster node that executes
    int64_t interval_ms = 0;
    // <attributes>: CRM_meta_* and instance parameters, as Pacemaker writes them
    std::map<std::string, std::string> attributes;
    std::vector<std::string> downed;  // <downed>: ids of nodes this action takes down (shutdown, fencing)

    // The CRM_meta_<name> attribute (as the graph carries it), or `fallback`.
    std::string meta(std::string_view name, std::string_view fallback = {}) const {
        auto it = attributes.find("CRM_meta_" + std::string(name));
        return it == attributes.end() ? std::string(fallback) : it->second;
    }
};

struct synapse {
    int id = 0;
    int priority = 0;
    int action = 0;           // index into transition_graph::actions
    std::vector<int> inputs;  // indexes into transition_graph::actions
};

struct transition_graph {
    std::string cluster_delay = "60s";
    std::string stonith_timeout = "60s";
    std::string failed_stop_offset = "INFINITY";
    std::string failed_start_offset = "INFINITY";
    int transition_id = 0;
    int batch_limit = 0;
    std::string migration_limit;  // written only when set to a positive number
    std::string recheck_by;       // epoch seconds of the next time-based re-check; written when set
    std::vector<graph_action> actions;
    std::vector<synapse> synapses;
};

// One "Transition Summary" line, already formatted without leading "  * ",
// and what it was formatted from (simulate --output-as=xml|json).
struct summary_line {
    std::string text;
    std::string change;     // Start, Stop, Move, Recover, ... ; Fence, Shutdown for node actions
    std::string resource;   // "" for node actions
    std::string node;       // node actions: the node (a guest node's name alone)
    std::string fence_op;   // Fence: reboot, off, on
    std::string from, to;   // origin and destination node ("" when none)
    std::string role_from;  // the resource's role now and next
    std::string role_to;
    std::string reason;  // why (the "due to ..." text without "due to"), "" when none
    bool blocked = false;
};

}  // namespace holdfast::policy
