#pragma once
// cmap_store: corosync's configuration and runtime key/value map (libcmap):
// typed reads and writes, key iteration under a prefix, change tracking.
//
// Owns one libcmap handle (cmap_finalize in the destructor, which also drops
// every tracking). Lifecycle: open() -> get/set/keys/track ... -> destruction.
// Runs on the daemon's one event loop: watch fd(), call dispatch(); tracking
// callbacks run inside dispatch(). Heap-pinned (unique_ptr, no copy or move)
// because each tracking's user_data points back at it.
// Never destroy it from inside its own callback.
#include <corosync/cmap.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "membership/cs_error.hpp"
#include "membership/error.hpp"
#include "membership/types.hpp"

namespace holdfast::membership {

// A value as cmap stores it: its type and its raw bytes (strings include the
// terminating NUL, as libcmap stores them).
struct cmap_value {
    cmap_value_types_t type = CMAP_VALUETYPE_BINARY;
    std::vector<std::byte> bytes;

    std::optional<std::string> as_string() const;
    std::optional<std::uint32_t> as_u32() const;
    std::optional<std::uint8_t> as_u8() const;
    // Printable form of any type (numbers in decimal, binary in hex).
    std::string to_string() const;
};

struct cmap_key {
    std::string name;
    cmap_value_types_t type = CMAP_VALUETYPE_BINARY;
    std::size_t size = 0;
};

enum class cmap_event { added, deleted, modified };

struct cmap_change {
    cmap_event event = cmap_event::modified;
    std::string key;
    std::optional<cmap_value> new_value;  // absent for deleted
    std::optional<cmap_value> old_value;  // absent for added
};

using cmap_track_id = cmap_track_handle_t;

class cmap_store {
    struct pass_key {};
    struct tracking;

public:
    // CMAP_MAP_DEFAULT: configuration and runtime keys; CMAP_MAP_STATS: statistics.
    static result<std::unique_ptr<cmap_store>> open(cmap_map_t map = CMAP_MAP_DEFAULT);

    explicit cmap_store(pass_key);
    ~cmap_store();
    cmap_store(const cmap_store&) = delete;
    cmap_store& operator=(const cmap_store&) = delete;

    // errc::not_found for a missing key, errc::wrong_type for another type.
    result<cmap_value> get(std::string_view key);
    result<std::string> get_string(std::string_view key);
    result<std::uint32_t> get_u32(std::string_view key);
    result<std::uint8_t> get_u8(std::string_view key);

    result<void> set_string(std::string_view key, std::string_view value);
    result<void> set_u32(std::string_view key, std::uint32_t value);
    result<void> set_u8(std::string_view key, std::uint8_t value);
    result<void> erase(std::string_view key);

    // Every key starting with prefix ("" = all), in cmap's (sorted) order.
    result<std::vector<cmap_key>> keys(std::string_view prefix);

    // Calls on_change for each add, delete or modify of `key`, or of every
    // key under it when `prefix` is true, until untrack() or destruction.
    result<cmap_track_id> track(std::string_view key, bool prefix, std::function<void(const cmap_change&)> on_change);
    result<void> untrack(cmap_track_id id);

    int fd() const { return fd_; }
    result<void> dispatch(dispatch_mode mode = dispatch_mode::all);

private:
    static void on_notify(cmap_handle_t, cmap_track_handle_t, int32_t, const char*, cmap_notify_value,
                          cmap_notify_value, void*);
    template <typename T>
    result<T> get_typed(std::string_view key, std::optional<T> (cmap_value::*as)() const, const char* type);

    cmap_handle_t handle_ = 0;
    bool open_ = false;
    int fd_ = -1;
    std::map<cmap_track_id, std::unique_ptr<tracking>> trackings_;
    detail::callback_guard guard_;
};

}  // namespace holdfast::membership
