#pragma once
// systemd units as a resource class (`systemd:TYPE`), as Pacemaker runs them,
// and `service:TYPE`, which is an init script when /etc/init.d/TYPE exists
// and a systemd unit otherwise.
//
// Every operation is one run of the helper holdfast-systemd-op (built from
// systemd_op/), started and timed out like any agent: it talks to systemd's
// Manager over D-Bus synchronously and exits with the OCF code. This side only
// names the unit, finds the helper and reads its exit status.
#include <string>
#include <vector>

namespace holdfast::ra {

// The unit a resource's type names: TYPE.service unless TYPE already ends in
// .service, .socket, .mount, .timer or .path (the unit types Pacemaker
// manages). A template ("name@" or "name@.service") gets the instance name
// "holdfast" only when `template_instance` is set (look-ups such as
// meta-data), as Pacemaker gives it "pacemaker".
std::string systemd_unit_name(const std::string& type, bool template_instance);

// Actions a systemd unit has; others are unimplemented (rc 3) without a call.
bool systemd_action_supported(const std::string& action);

// The helper: $HOLDFAST_SYSTEMD_OP, else holdfast-systemd-op beside the
// running program (the build tree's bin/), else the installed
// <libexecdir>/holdfast/holdfast-systemd-op.
std::string systemd_helper_path();

// The helper's environment: a fixed PATH and locale, and the two settings
// the daemon passes on from its own environment: HOLDFAST_SYSTEMD_BUS (a
// D-Bus address of a systemd's private socket, e.g.
// unix:path=/run/systemd/private, used instead of the default) and
// HOLDFAST_SYSTEMD_DROPIN_DIR (where the helper writes the drop-in of a unit
// the cluster runs, default /run/systemd/system).
std::vector<std::string> systemd_helper_environment();

// The helper's exit status when it could not get an answer from systemd (no
// bus, a failed call): OCF 1 with op-status error. Every other exit status is
// the OCF code; 5 (not installed) also has op-status not installed.
inline constexpr int systemd_exit_call_failed = 64;

// service:TYPE's class on this node: "lsb" when the init script exists,
// "systemd" otherwise (Pacemaker tries LSB first too).
std::string service_class(const std::string& type);

}  // namespace holdfast::ra
