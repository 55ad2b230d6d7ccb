#pragma once
// The lab's libvirt (`up --libvirt`): every node runs its own virtlogd and libvirtd, with private
// configuration, state and logs (layout.hpp's node_mounts) and its private /run. libvirtd listens
// on plain TCP without authentication at the node's lab address only (an address that exists
// nowhere but in the lab's namespaces), so peer-to-peer live migration between nodes works the way
// it does between real hosts (qemu+tcp://nodeI/system; node names resolve through DIR/hosts).
// qemu runs as root without a security driver: the lab has no SELinux/AppArmor nor the
// libvirt-qemu user a package would make.
#include <string>

#include "tools/holdfast-lab/layout.hpp"

namespace holdfast::lab {

// libvirtd.conf for one node: TCP listener on the node's address, no auth, a host UUID of its own
// (libvirt refuses to migrate between hosts with the same UUID, and all nodes share the machine's).
std::string libvirtd_conf(const lab_layout& l, int node);
// qemu.conf: root, no security driver, no per-domain mount namespace, migration on the node's address.
std::string qemu_conf(const lab_layout& l, int node);

// Writes both into every node's /etc/libvirt and makes the directories libvirt expects.
result<void> write_libvirt_files(const lab_layout& l, const lab_config& c);

// DIR/passwd and DIR/group: the host's, plus the libvirt-qemu user and group when the host lacks
// them. libvirtd's qemu driver looks that user up before it reads qemu.conf (which says root), and
// only the libvirt-daemon-system package would make it; the lab adds it inside its nodes only.
result<void> write_account_files(const lab_layout& l);

// DIR/hosts: the host's /etc/hosts and one "ADDRESS nodeI" line per node, bind-mounted over every
// node's /etc/hosts, so node names resolve inside the lab.
result<void> write_hosts_file(const lab_layout& l, const lab_config& c);

}  // namespace holdfast::lab
