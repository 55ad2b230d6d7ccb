#pragma once
// Evidence that a domain's hypervisor process is alive, without libvirt: the
// pid file libvirt writes for a running domain (PID_DIR/NAME.pid) and /proc.
// Used by monitor when libvirtd does not answer.
#include <sys/types.h>

#include <string>

namespace holdfast::ra::vm {

struct process_evidence {
    bool alive = false;
    pid_t pid = 0;
    std::string detail;  // what was found, for the agent's stderr
};

// Alive when PID_DIR/NAME.pid names a live (not zombie) process whose command
// line carries the domain's name the way libvirt passes it (qemu's
// "-name guest=NAME,..." or "-name NAME"; the lxc controller's "--name NAME"),
// so a recycled pid is not taken for the domain.
process_evidence domain_process(const std::string& pid_dir, const std::string& name);

}  // namespace holdfast::ra::vm
