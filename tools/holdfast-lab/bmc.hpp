#pragma once
// Out-of-band devices on the lab's switch, for fencing tests (`up --bmc`, `up --lun`):
//
// - one simulated BMC per node: an `ipmi_sim` (package openipmi) in the switch namespace, on
//   bmc_address(node):623 (RMCP+, user "admin", password bmc_password, cipher suite 3). Its chassis
//   power is the node: power off runs what `holdfast-lab kill` does, power on what `boot` does, and
//   the power status follows the node (a node killed from outside reads off). That "power" is the
//   hidden verb `__bmc-power`, which ipmi_sim runs as its `startcmd` and SIGTERMs at power off.
// - one `tgtd` (package tgt) in the switch namespace at lun_address():3260 with one 16 MiB LUN
//   (DIR/lun.img), reachable from every node as lun_url().
//
// Both are reachable from the nodes only through the switch; `bmc NODE down` / `lun down` take
// their address off the bridge (the device keeps running but nobody reaches it) and `up` puts it
// back. Every process here lives in the switch namespace, so `down` kills them with it.
#include <string>

#include "tools/holdfast-lab/layout.hpp"

namespace holdfast::lab {

inline constexpr const char* bmc_user = "admin";
inline constexpr const char* bmc_password = "holdfast-lab";

// Starts every node's BMC (the nodes already run: their BMCs start powered on).
result<void> start_bmcs(const lab_layout& l, int nodes);
// Starts tgtd with the lab's LUN.
result<void> start_lun(const lab_layout& l);
// Removes what start_lun left outside the lab's namespaces (tgtd's control socket files); the
// processes die with the switch namespace.
void cleanup_lun(const lab_layout& l);

// `bmc NODE down|up`, `lun down|up`: make the device unreachable or reachable again.
result<void> set_bmc_reachable(const lab_layout& l, int node, bool reachable);
result<void> set_lun_reachable(const lab_layout& l, bool reachable);

// "on", "off", "unreachable" or "dead" (ipmi_sim not running), asked over IPMI from the switch.
std::string bmc_state(const lab_layout& l, int node);
// "up", "unreachable" or "dead".
std::string lun_state(const lab_layout& l);

// The `__bmc-power` verb: the node's power as ipmi_sim sees it. Boots the node unless it runs,
// then waits: SIGTERM (power off) kills the node; the node dying otherwise ends it as well.
int bmc_power_main(const lab_layout& l, int node);

}  // namespace holdfast::lab
