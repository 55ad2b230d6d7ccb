#pragma once
// A fence device as configured (a CIB primitive of class stonith) and the
// pure rules Pacemaker's fencer applies to it: which nodes it can fence
// (pcmk_host_map, pcmk_host_list, pcmk_host_check), how the target is passed
// to the agent (pcmk_host_argument), which agent action an operation runs
// (pcmk_<action>_action), its timeout and number of tries
// (pcmk_<action>_timeout, pcmk_<action>_retries), the random delay before
// off/reboot (pcmk_delay_base, pcmk_delay_max), and the key=value lines the
// agent reads on stdin.
//
// Values only: no clock, no randomness, no processes. Whatever varies (the
// random draw, the time spent so far) is an argument.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cib/model.hpp"
#include "fencing/error.hpp"

namespace holdfast::fencing {

struct agent_metadata;

// Options that the fencer interprets and never passes to the agent.
bool is_fencer_option(std::string_view name);

struct device {
    std::string id;
    std::string agent;                          // fence_xxx (the type of the stonith primitive)
    std::map<std::string, std::string> params;  // instance attributes
    bool provides_unfencing = false;            // meta (or instance) attribute provides=unfencing
};

// A stonith primitive of the CIB as a device. Instance attributes of sets
// without rules, the first set that names a parameter winning (sets with
// rules are skipped: the fencer does not evaluate them yet).
result<device> device_from_resource(const cib::resource& r);
// The stonith primitive `id` of a CIB (searched through groups and clones).
result<device> find_device(const cib::cib_model& cib, const std::string& id);

// pcmk_host_map "node1:plug1;node2=plug2 node3:plug3" (separators ; space
// tab, assignment : or =, backslash escapes the next character). Node names
// compare case-insensitively, as in Pacemaker.
using host_map = std::vector<std::pair<std::string, std::string>>;
result<host_map> parse_host_map(std::string_view text);
// The plug for `target` in the map, if any.
std::optional<std::string> map_lookup(const host_map& map, std::string_view target);

// Names in pcmk_host_list or in a `list` action's output: entries separated
// by whitespace, commas or semicolons, made of letters, digits, _ - and .;
// "on"/"off" and lines mentioning "invalid" or "variable" (an agent
// complaining about its options) are skipped.
std::vector<std::string> parse_targets(std::string_view text);
bool contains_name(const std::vector<std::string>& names, std::string_view name);

enum class host_check { none, static_list, dynamic_list, status };
const char* to_string(host_check c);
// pcmk_host_check, or the default: static-list when pcmk_host_list or
// pcmk_host_map is set, dynamic-list when the agent has `list`, status when
// it has `status`, none otherwise.
result<host_check> host_check_of(const device& d, const agent_metadata& md);

// The agent action an operation runs: pcmk_<action>_action when set; an
// agent without `reboot` gets `off` for a reboot (Pacemaker remaps it).
std::string agent_action(const device& d, const agent_metadata& md, const std::string& action);

// pcmk_<action>_timeout (a Pacemaker interval: 90, 90s, 1500ms, 2min, PT1M),
// else `fallback_ms` (stonith-timeout).
result<int> action_timeout_ms(const device& d, const std::string& action, int fallback_ms);
// How many times the action may run within its timeout: pcmk_<action>_retries
// (default 2), at least once.
result<int> action_tries(const device& d, const std::string& action);
// Another try after a failed one? Only while tries remain, the failure was
// not a timeout and less than 70% of the timeout is spent (Pacemaker's rule).
bool should_retry(int tries_done, int max_tries, bool timed_out, int64_t elapsed_ms, int timeout_ms);

// The delay (seconds) before a fencing action (off, reboot; 0 for the
// others): pcmk_delay_base (a value, or a per-target map "node1:5s;node2:0")
// plus, when pcmk_delay_max is larger, `random_draw` modulo the difference.
result<int> fencing_delay_s(const device& d, const std::string& action, const std::string& target,
                            uint32_t random_draw);

// Milliseconds in a Pacemaker interval: plain seconds, a unit suffix (ms,
// msec, us, s, sec, m, min, h, hr), or ISO 8601 PTnHnMnS.
std::optional<int64_t> parse_interval_ms(std::string_view text);

// The options the agent reads on stdin, in order: action (after
// pcmk_<action>_action), and for an operation on a target nodename=, nodeid=
// (when known) and the host argument (pcmk_host_argument, else the
// metadata's port or plug, with the plug from pcmk_host_map when mapped)
// unless pcmk_host_argument is none, the argument is configured with a fixed
// value or the agent is fence_legacy, then every device parameter that is
// not a fencer option.
using agent_args = std::vector<std::pair<std::string, std::string>>;
agent_args make_agent_args(const device& d, const agent_metadata& md, const std::string& agent_action,
                           const std::string& target, uint32_t nodeid);
// "key=value\n" per option.
std::string stdin_text(const agent_args& args);

}  // namespace holdfast::fencing
