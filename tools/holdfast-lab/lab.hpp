#pragma once
// The verbs of holdfast-lab that concern the whole lab: build it, tear it down, report on it.
// A lab lives in its directory and in kernel objects named after it; no process stays behind to
// manage it, so every verb works from what the directory and /proc say now.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tools/holdfast-lab/layout.hpp"
#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

struct up_options {
    lab_config config;
    bool wait = true;  // wait until every node is in one quorate membership
    std::chrono::seconds wait_timeout{120};
};

// Holds the lab's lock (flock on DIR/lock) while it lives, so verbs that change one lab do not
// interleave.
result<unique_fd> lock_lab(const lab_layout& l);

// Builds the lab; on any failure or interruption tears down what it made.
result<void> lab_up(const lab_layout& l, const up_options& opt);
// Kills every process of the lab, deletes its namespaces (and so its bridge and cables) and its
// directory. Works from any partial state, also when nothing is left.
result<void> lab_down(const lab_layout& l);

// What one node reports of itself.
struct node_view {
    bool running = false;
    pid_t pid = 0;                 // host PID of the node's PID 1, when running
    std::optional<bool> cable_up;  // nullopt when the switch port is missing
    bool frozen = false;
    std::optional<bool> quorate;  // nullopt when corosync could not be asked
    std::vector<int> members;     // node ids in the node's current membership
};
node_view query_node(const lab_layout& l, int node);
// One "key=value ..." line per node, after a header line for the lab.
result<void> print_status(const lab_layout& l);

// Runs argv inside the node, with this terminal; returns its exit status.
result<int> exec_in_node(const lab_layout& l, int node, const std::vector<std::string>& argv);

}  // namespace holdfast::lab
