#pragma once
// crmsh's `resource trace` / `untrace` as a configuration edit (pure, no
// I/O): the op instance attribute trace_ra=1, which ocf-shellfuncs reads
// (OCF_RESKEY_trace_ra) to write a shell trace of the agent's run under
// /var/lib/heartbeat/trace_ra/TYPE/.
#include <string>

#include "cib/expected.hpp"

namespace holdfast::tools {

inline constexpr const char* trace_ra_dir = "/var/lib/heartbeat/trace_ra";

// `base` is a <configuration> as XML text; the result is the edited one.
// op "" traces every op, adding start and stop (and promote and demote in a
// promotable clone) with interval 0 when they are not configured; an op
// without interval traces every op of that name (one with interval 0 is
// added when there is none, except monitor); "probe" is monitor with
// interval 0. Errors: one line naming the resource, op or interval.
expected<std::string, std::string> trace_configuration(const std::string& base, const std::string& rsc, std::string op,
                                                       std::string interval);
// Takes trace_ra off the op(s) (all of them without op); an op that trace
// added (nothing but name and interval 0 left) goes too.
expected<std::string, std::string> untrace_configuration(const std::string& base, const std::string& rsc,
                                                         std::string op, std::string interval);

}  // namespace holdfast::tools
