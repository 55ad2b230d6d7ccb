#pragma once
// SCSI-3 persistent reservations on one logical unit: the library shared by
// the SharedDisk agent (ra/agents) and SCSI fencing.
//
// A pr_device owns one path to the LUN: an SG_IO file descriptor on a block
// or sg device (production), or one libiscsi session for iscsi:// URLs (the
// lab's tgtd). The path lives as long as the object (RAII): on targets that
// tie registrations to the I_T nexus, keep one pr_device per node and reuse
// it. Each call sends one command (unit attentions are retried a few times)
// and blocks until the answer; not thread-safe, one user at a time.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cib/expected.hpp"

namespace holdfast::fencing {

enum class pr_errc {
    invalid_argument,      // a device string or key that cannot be used
    transport_failure,     // open/login/ioctl/connection failed, or a timeout
    reservation_conflict,  // the device answered RESERVATION CONFLICT
    not_supported,         // ILLEGAL REQUEST: opcode or CDB field not supported
    unit_attention,        // still UNIT ATTENTION after the retries
    device_error,          // another CHECK CONDITION or status
    malformed_response,    // an answer that does not parse
};
const char* to_string(pr_errc e);

struct pr_error {
    pr_errc code;
    std::string message;
};
template <typename T>
using pr_result = holdfast::expected<T, pr_error>;

// Reservation types (SPC-4 table "persistent reservation type codes").
enum class pr_type : uint8_t {
    write_exclusive = 1,
    exclusive_access = 3,
    write_exclusive_registrants_only = 5,  // Holdfast's default: "WE-RO"
    exclusive_access_registrants_only = 6,
    write_exclusive_all_registrants = 7,
    exclusive_access_all_registrants = 8,
};
// Short names: WE, EA, WE-RO, EA-RO, WE-AR, EA-AR.
const char* to_string(pr_type t);
pr_result<pr_type> parse_pr_type(const std::string& name);

struct pr_keys {
    uint32_t generation = 0;
    std::vector<uint64_t> keys;  // one entry per registered I_T nexus
    bool has(uint64_t key) const;
};
struct pr_reservation {
    uint32_t generation = 0;
    bool held = false;
    uint64_t key = 0;  // the holder's key, when held
    pr_type type = pr_type::write_exclusive_registrants_only;
};

// The key of node `node` in cluster `cluster`: 64-bit FNV-1a over
// "holdfast-pr\0<cluster>\0<node>\0", never 0 (0 means "no key" in SPC). It
// depends on names only, so it is stable when node ids change and every node
// computes every other node's key without asking. The one place Holdfast
// derives keys; the agent and fencing both call it.
uint64_t node_key(const std::string& cluster, const std::string& node);
// 16 lowercase hex digits (and back: optional 0x prefix, 1-16 hex digits, not 0).
std::string key_to_string(uint64_t key);
pr_result<uint64_t> parse_key(const std::string& text);

// Where fence_holdfast_scsi's unfencing (`on`) records that it registered
// `key` on `device` (the device as configured). The fence agent keeps a
// fenced node from registering again by it; SharedDisk reads it to know the
// node's key on that LUN belongs to unfencing, not to the disk resource.
inline constexpr const char* default_unfence_state_dir = "/var/lib/holdfast/fence_holdfast_scsi";
std::string unfence_record_path(const std::string& state_dir, uint64_t key, const std::string& device);

struct pr_open_options {
    // iSCSI initiator name (IQN) for iscsi:// devices; its own I_T nexus per
    // node. Empty: iqn.2026-12.org.holdfast:<hostname>.
    std::string initiator;
};

namespace detail {
class transport;
}

class pr_device {
public:
    // `device`: a block/sg device path, or iscsi://HOST[:PORT]/IQN/LUN.
    static pr_result<pr_device> open(const std::string& device, const pr_open_options& opts = {});

    pr_device(pr_device&&) noexcept;
    pr_device& operator=(pr_device&&) noexcept;
    ~pr_device();

    pr_result<pr_keys> read_keys();
    pr_result<pr_reservation> read_reservation();
    // REGISTER: old_key is this nexus' current key (0 when unregistered);
    // new_key 0 unregisters.
    pr_result<void> register_key(uint64_t old_key, uint64_t new_key);
    // REGISTER AND IGNORE EXISTING KEY: whatever this nexus had, now new_key.
    pr_result<void> register_ignore(uint64_t new_key);
    pr_result<void> reserve(uint64_t key, pr_type type);
    pr_result<void> release(uint64_t key, pr_type type);
    // Removes every registration and the reservation.
    pr_result<void> clear(uint64_t key);
    // Removes victim's registrations; if victim held the reservation, this
    // nexus now holds it with `type`. abort: PREEMPT AND ABORT (also aborts
    // the victim's queued commands); not_supported where the target refuses.
    pr_result<void> preempt(uint64_t key, uint64_t victim, pr_type type, bool abort = false);

    // TEST UNIT READY: does the LUN answer?
    pr_result<void> test_unit_ready();
    // Block I/O (READ/WRITE(10)); data is a multiple of the block length.
    pr_result<uint32_t> block_length();
    pr_result<void> write(uint32_t lba, const std::vector<uint8_t>& data);
    pr_result<std::vector<uint8_t>> read(uint32_t lba, uint16_t blocks);

private:
    explicit pr_device(std::unique_ptr<detail::transport> t);
    pr_result<void> prout(uint8_t action, uint8_t type, uint64_t key, uint64_t sa_key);
    pr_result<std::vector<uint8_t>> prin(uint8_t action);

    std::unique_ptr<detail::transport> t_;
};

}  // namespace holdfast::fencing
