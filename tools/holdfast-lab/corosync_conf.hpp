#pragma once
// The lab's corosync configuration: knet with encryption, every node in the nodelist by name,
// votequorum. One shared key made by corosync-keygen.
#include <string>

#include "tools/holdfast-lab/layout.hpp"

namespace holdfast::lab {

// corosync.conf for a lab of c.nodes nodes (the same text on every node).
std::string corosync_conf(const lab_layout& l, const lab_config& c);

// Makes the lab's key (corosync-keygen) and installs key and corosync.conf in every node's /etc/corosync.
result<void> write_corosync_files(const lab_layout& l, const lab_config& c);

}  // namespace holdfast::lab
