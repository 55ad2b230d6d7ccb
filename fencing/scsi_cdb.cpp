// CDBs, parameter lists and answers of persistent reservations (scsi_cdb.hpp).
#include "fencing/scsi_cdb.hpp"

#include <algorithm>

namespace holdfast::fencing::cdb {
namespace {

void put_be(uint8_t* p, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v & 0xff);
}

uint64_t get_be(std::span<const uint8_t> d, size_t off, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | d[off + i];
    return v;
}

std::array<uint8_t, 10> rw10(uint8_t opcode, uint32_t lba, uint16_t blocks) {
    std::array<uint8_t, 10> c{};
    c[0] = opcode;
    put_be(&c[2], lba, 4);
    put_be(&c[7], blocks, 2);
    return c;
}

}  // namespace

std::array<uint8_t, 10> prin(prin_action sa, uint16_t alloc_len) {
    std::array<uint8_t, 10> c{};
    c[0] = opcode_prin;
    c[1] = static_cast<uint8_t>(sa) & 0x1f;
    put_be(&c[7], alloc_len, 2);
    return c;
}

std::array<uint8_t, 10> prout(prout_action sa, uint8_t type) {
    std::array<uint8_t, 10> c{};
    c[0] = opcode_prout;
    c[1] = static_cast<uint8_t>(sa) & 0x1f;
    c[2] = type & 0x0f;  // scope 0: the logical unit
    put_be(&c[5], prout_param_len, 4);
    return c;
}

std::array<uint8_t, prout_param_len> prout_params(uint64_t key, uint64_t sa_key) {
    std::array<uint8_t, prout_param_len> p{};
    put_be(&p[0], key, 8);
    put_be(&p[8], sa_key, 8);
    return p;
}

std::array<uint8_t, 10> write10(uint32_t lba, uint16_t blocks) { return rw10(0x2a, lba, blocks); }
std::array<uint8_t, 10> read10(uint32_t lba, uint16_t blocks) { return rw10(0x28, lba, blocks); }
std::array<uint8_t, 10> read_capacity10() { return std::array<uint8_t, 10>{0x25}; }
std::array<uint8_t, 6> test_unit_ready() { return std::array<uint8_t, 6>{}; }

std::optional<read_keys_data> parse_read_keys(std::span<const uint8_t> d) {
    if (d.size() < 8) return std::nullopt;
    read_keys_data r;
    r.generation = static_cast<uint32_t>(get_be(d, 0, 4));
    const uint64_t len = get_be(d, 4, 4);  // bytes of keys the device has
    if (len % 8 != 0) return std::nullopt;
    const uint64_t have = std::min<uint64_t>(len, d.size() - 8);
    r.truncated = have < len;
    for (uint64_t off = 8; off + 8 <= 8 + have; off += 8) r.keys.push_back(get_be(d, off, 8));
    return r;
}

std::optional<read_reservation_data> parse_read_reservation(std::span<const uint8_t> d) {
    if (d.size() < 8) return std::nullopt;
    read_reservation_data r;
    r.generation = static_cast<uint32_t>(get_be(d, 0, 4));
    const uint64_t len = get_be(d, 4, 4);
    if (len == 0) return r;  // no reservation
    if (len < 16 || d.size() < 24) return std::nullopt;
    r.held = true;
    r.key = get_be(d, 8, 8);
    r.type = d[21] & 0x0f;
    return r;
}

std::optional<uint32_t> parse_block_length(std::span<const uint8_t> d) {
    if (d.size() < 8) return std::nullopt;
    const auto len = static_cast<uint32_t>(get_be(d, 4, 4));
    if (len == 0) return std::nullopt;
    return len;
}

std::optional<sense> parse_sense(std::span<const uint8_t> d) {
    if (d.empty()) return std::nullopt;
    const uint8_t code = d[0] & 0x7f;
    if ((code == 0x70 || code == 0x71) && d.size() >= 14) return sense{static_cast<uint8_t>(d[2] & 0x0f), d[12], d[13]};
    if ((code == 0x72 || code == 0x73) && d.size() >= 4) return sense{static_cast<uint8_t>(d[1] & 0x0f), d[2], d[3]};
    return std::nullopt;
}

}  // namespace holdfast::fencing::cdb
