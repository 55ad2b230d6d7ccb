#pragma once
// holdfast history: holdfastd's journal of what happened (daemon/history.hpp)
// and the cluster's fencing history, merged, as text, JSON or XML. The pure
// parts are here for the unit tests and for `holdfast report`.
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {

// One event as holdfastd's `history` request answers it.
struct history_item {
    int64_t time_ms = 0;
    std::string kind;  // transition action fencing failure cib
    std::vector<std::pair<std::string, std::string>> fields;
    std::string get(std::string_view name) const;
};

// --since T: ISO 8601 as Pacemaker reads it ("2026-12-02 12:00", "2026-12-02T12:00:00Z",
// a zone-less time is local), a relative "N" + s|m|h|d|w ago ("30m", "2h", "1d"),
// "today" or "yesterday" (local midnight). Epoch seconds; nullopt when unreadable.
std::optional<std::time_t> parse_since(std::string_view text, std::time_t now);

// The <event> elements of a `history` answer, and the <fencing> ones of a
// `fence_history` answer (as fencing items, at their completion), in order.
std::vector<history_item> parse_history_xml(const std::string& xml);
std::vector<history_item> parse_fencing_xml(const std::string& xml);
// The journal's events plus the fencings it lacks (the cluster's, from
// before this node's journal or from nodes it did not hear), oldest first.
std::vector<history_item> merge_history(std::vector<history_item> journal, const std::vector<history_item>& fencing);

// One line per event, time first (local time), in plain words.
std::string history_line(const history_item& e);
std::string history_text(const std::vector<history_item>& events);
std::string history_json(const std::vector<history_item>& events);
std::string history_xml(const std::vector<history_item>& events);

// The journal of holdfastd at `ipc` from `since` (epoch s, 0: all) merged with
// the fencing history (none when the node is not in a cluster).
expected<std::vector<history_item>, daemon_failure> fetch_history(const std::string& ipc, std::time_t since);

}  // namespace holdfast::tools
