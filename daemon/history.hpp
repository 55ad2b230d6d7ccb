#pragma once
// history: what happened on this node, when, in a bounded local journal
// (<state-dir>/history.jsonl), for `holdfast history` and `holdfast report`.
//
// An event is a time, a kind and flat string fields:
//   transition  id, state (started|finished), actions | outcome   (the DC only)
//   action      transition, task, rsc, node, interval-ms, result (ok|failed)
//   fencing     target, action, result (ok|failed), device, origin, reason
//   failure     rsc, task, node, interval-ms, rc, status, reason   (from operation records)
//   cib         op, what, section, epoch, version (after), origin, client, user  (configuration changes)
// One JSON object per line, field values masked (cib/secrets.hpp). When the
// file passes max_bytes it becomes history.jsonl.1 (the older one goes), so
// the journal holds between max_bytes and twice that. A torn last line (a
// crash mid-write) is skipped when read.
// Lifecycle: owned by node_daemon; record() and read() on the loop's thread.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace holdfast::daemon {

struct history_event {
    int64_t time_ms = 0;  // epoch milliseconds
    std::string kind;
    std::vector<std::pair<std::string, std::string>> fields;  // names: [a-z-]+

    std::string get(std::string_view name) const;
    bool operator==(const history_event&) const = default;
};

// {"time-ms":N,"kind":"...","name":"value",...} and a newline.
std::string to_json_line(const history_event& e);
// nullopt for a line that is not one such object.
std::optional<history_event> parse_json_line(std::string_view line);
// <event time-ms="N" kind="..." name="value" .../>, the IPC answer's element.
std::string to_xml(const history_event& e);

int64_t now_ms();

class history_journal {
public:
    static constexpr size_t default_max_bytes = 2u << 20;
    // An empty path: nothing is kept (a daemon without a state dir).
    explicit history_journal(std::filesystem::path file, size_t max_bytes = default_max_bytes);

    // Stamps the time when the event has none, masks the values, appends.
    // A failed write is logged (once until one succeeds), never fatal.
    void record(history_event e);
    // The events from since_ms on, oldest first (the rotated file, then the current).
    std::vector<history_event> read(int64_t since_ms) const;
    const std::filesystem::path& file() const { return file_; }

private:
    void rotate_if_full();

    std::filesystem::path file_;
    size_t max_bytes_;
    bool write_failed_ = false;
};

}  // namespace holdfast::daemon
