#pragma once
// A lab node seen from the host: start its PID 1, power it off, freeze it, run commands in it.
// A node's processes are found by its PID namespace (recorded at boot), never by name.
#include <sys/types.h>

#include <string>
#include <vector>

#include "tools/holdfast-lab/layout.hpp"

namespace holdfast::lab {

// Starts the node's PID 1 (`__node-init`) in its network namespace and new mount, UTS and PID
// namespaces, and records it in the node's pid file. The node's directories are kept as they are.
result<void> boot_node(const lab_layout& l, int node);

// The recorded PID 1 when it is running; nullopt when the node is down.
std::optional<pid_record> running_node(const lab_layout& l, int node);

// Power cut: SIGKILL to the node's PID 1 (the kernel then kills the rest of the node); waits
// until no process of the node is left.
result<void> kill_node(const lab_layout& l, int node);

// Every live process of the node (PID 1 included).
std::vector<pid_t> node_processes(const pid_record& r);

// SIGSTOP / SIGCONT to every process of the node; freeze waits until all are stopped.
result<void> freeze_node(const lab_layout& l, int node);
result<void> thaw_node(const lab_layout& l, int node);
// True when every process of the node is stopped.
bool node_frozen(const pid_record& r);

// SIGKILL to a set of processes, then waits (with a deadline) until they are gone.
result<void> kill_and_wait(const std::vector<pid_t>& pids, const std::vector<ino_t>& pid_namespaces,
                           const std::vector<ino_t>& net_namespaces);

}  // namespace holdfast::lab
