#pragma once
// "Failed Resource Actions", as crm_mon -1 shows them: the operations the
// scheduler counted as failed (policy::working_set::failed_ops).
#include <ctime>
#include <string>

#include "policy/working_set.hpp"

namespace holdfast::tools {

// Pacemaker's pcmk__readable_interval: 2000 -> "2s", 61500 -> "1m1.500s", 16 -> "16ms".
std::string readable_interval(long long ms);

// Pacemaker's names of an operation's execution status (op-status).
const char* exec_status_text(int op_status);

// One failed operation's line, as crm_mon 2.1 words it ("d1 2s-interval monitor
// on node1 returned 'not running' (reason) at DATE after 16ms").
std::string failed_action_line(const policy::working_set& ws, const policy::failed_op& f);

// The whole section ("" when nothing failed), for the text status.
std::string format_failed_actions(const policy::working_set& ws);

// last-rc-change as crm_mon's XML writes it: "2026-12-01 06:43:07Z" (UTC).
std::string iso_utc(std::time_t t);

}  // namespace holdfast::tools
