#pragma once
// SCSI-3 persistent reservations on the wire (SPC-4): the CDBs and the
// PERSISTENT RESERVE OUT parameter list that Holdfast sends, the PERSISTENT
// RESERVE IN answers it reads back, and sense data. Pure functions over
// bytes: both transports (SG_IO, libiscsi) send exactly these CDBs, so the
// unit tests of this file cover what production sends.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace holdfast::fencing::cdb {

using bytes = std::vector<uint8_t>;

// PERSISTENT RESERVE IN service actions.
enum class prin_action : uint8_t { read_keys = 0, read_reservation = 1 };
// PERSISTENT RESERVE OUT service actions.
enum class prout_action : uint8_t {
    register_key = 0,
    reserve = 1,
    release = 2,
    clear = 3,
    preempt = 4,
    preempt_and_abort = 5,
    register_ignore = 6,  // REGISTER AND IGNORE EXISTING KEY
};

inline constexpr uint8_t opcode_prin = 0x5e;
inline constexpr uint8_t opcode_prout = 0x5f;
inline constexpr size_t prout_param_len = 24;  // the basic parameter list

// PERSISTENT RESERVE IN: 10 bytes, allocation length big-endian in bytes 7-8.
std::array<uint8_t, 10> prin(prin_action sa, uint16_t alloc_len);
// PERSISTENT RESERVE OUT: 10 bytes, scope LU (0), type in the low nibble,
// parameter list length 24.
std::array<uint8_t, 10> prout(prout_action sa, uint8_t type);
// The 24-byte basic parameter list: reservation key, service action
// reservation key, APTPL off, no SPEC_I_PT/ALL_TG_PT.
std::array<uint8_t, prout_param_len> prout_params(uint64_t key, uint64_t sa_key);

// Block I/O for checking what a reservation lets through (tests, monitor).
std::array<uint8_t, 10> write10(uint32_t lba, uint16_t blocks);
std::array<uint8_t, 10> read10(uint32_t lba, uint16_t blocks);
std::array<uint8_t, 10> read_capacity10();
std::array<uint8_t, 6> test_unit_ready();

struct read_keys_data {
    uint32_t generation = 0;
    std::vector<uint64_t> keys;
    bool truncated = false;  // the device has more keys than fitted the buffer
};
struct read_reservation_data {
    uint32_t generation = 0;
    bool held = false;
    uint64_t key = 0;
    uint8_t type = 0;  // the low nibble of the type byte
};

// nullopt when the answer is too short or its length field is inconsistent.
std::optional<read_keys_data> parse_read_keys(std::span<const uint8_t> data);
std::optional<read_reservation_data> parse_read_reservation(std::span<const uint8_t> data);
// READ CAPACITY(10): block length in bytes, nullopt when malformed.
std::optional<uint32_t> parse_block_length(std::span<const uint8_t> data);

struct sense {
    uint8_t key = 0;  // sense key (5 illegal request, 6 unit attention ...)
    uint8_t asc = 0;
    uint8_t ascq = 0;
};
// Fixed (0x70/0x71) and descriptor (0x72/0x73) formats; nullopt otherwise.
std::optional<sense> parse_sense(std::span<const uint8_t> data);

}  // namespace holdfast::fencing::cdb
