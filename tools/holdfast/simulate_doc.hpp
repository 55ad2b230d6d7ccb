#pragma once
// `holdfast simulate --output-as=xml|json` (man/holdfast.8, SIMULATE): what
// the text shows, as one document. The statuses are `holdfast status
// --output-as`'s documents, nested; summary actions carry what the text line
// is worded from.
//
//   <holdfast-simulate version="1" now="ISO 8601 UTC">
//     <status><holdfast-status .../></status>                (not with -q)
//     <transition-summary>
//       <action change= resource= node= fence-action= from= to= role= next-role= reason= blocked=/>...
//     </transition-summary>
//     <allocation-scores><score kind=allocation|promotion stage= resource= node= score=/>...
//     </allocation-scores>                                    (-s)
//     <executed><step kind=pseudo|fence|cluster|resource task= resource= node= interval=/>...
//     </executed>                                             (-S)
//     <revised-status><holdfast-status .../></revised-status> (-S, not with -q)
//   </holdfast-simulate>
//
// JSON: {"version": 1, "now", "status": {...}, "transition-summary": [{...}],
// "allocation-scores": [{...}], "executed": [{...}], "revised-status": {...}},
// the optional keys present exactly when the XML has the element. Scores are
// numbers, INFINITY written as 1000000; interval is in milliseconds.
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "policy/working_set.hpp"
#include "tools/holdfast/output_format.hpp"
#include "tools/holdfast/simulate_exec.hpp"

namespace holdfast::tools {

// What goes in: the statuses already as documents of the chosen format
// (simulate_status), as they were before the scheduler annotated the working set.
struct simulate_report {
    output_format format = output_format::xml;  // xml or json
    std::time_t now = 0;
    std::optional<std::string> status;  // the input's status (none with -q)
    const policy::schedule_result* result = nullptr;
    bool scores = false;                    // -s
    const exec_result* executed = nullptr;  // -S
    std::optional<std::string> revised;     // -S without -q
};

std::string simulate_status(const policy::working_set& ws, output_format f);
std::string format_simulate(const simulate_report& r);

}  // namespace holdfast::tools
