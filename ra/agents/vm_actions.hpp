#pragma once
// The VirtualMachine agent's actions on an open libvirt connection. Each
// returns an outcome; none blocks past `until` by its own choice (a libvirt
// call that hangs is bounded by the caller, virtual_machine.cpp).
#include <chrono>
#include <functional>
#include <string>

#include "ra/agents/vm_params.hpp"
#include "ra/libvirt.hpp"

namespace holdfast::ra::vm {

using steady = std::chrono::steady_clock;

// Running in the OCF sense: anything but shut off and crashed.
bool is_active(int state);
const char* state_name(int state);

outcome start(const params& p, virConnectPtr c);
outcome stop(const params& p, virConnectPtr c, steady::time_point begin, steady::time_point until);
// `job` receives the domain being migrated before the migration starts, so
// another thread can abort it (virDomainAbortJob) when time runs out.
outcome migrate_to(const params& p, virConnectPtr c, const std::function<void(virDomainPtr)>& job);
outcome migrate_from(const params& p, virConnectPtr c, steady::time_point until);
// Prints "cpu=N hv_memory=MiB" on stdout.
outcome utilization(const params& p, virConnectPtr c);

}  // namespace holdfast::ra::vm
