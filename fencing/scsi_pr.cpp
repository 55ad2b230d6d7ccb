// Persistent-reservation operations over a transport (scsi_pr.hpp).
#include "fencing/scsi_pr.hpp"

#include <unistd.h>

#include <cstdio>

#include "fencing/scsi_cdb.hpp"
#include "fencing/transport.hpp"

namespace holdfast::fencing {
namespace {

using detail::command_result;
using status = command_result::status;

// A unit attention reports an earlier event (a preemption, a reset) once per
// nexus; the command itself was not run, so it is sent again.
constexpr int unit_attention_retries = 5;
constexpr uint8_t sense_illegal_request = 0x05;
constexpr uint8_t sense_unit_attention = 0x06;
constexpr uint16_t prin_alloc_len = 8 + 8 * 256;  // room for 256 registrations

std::string describe(const cdb::sense& s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "sense key 0x%x, asc/ascq 0x%02x/0x%02x", s.key, s.asc, s.ascq);
    return buf;
}

// The outcome of one command as the module's error, if it is one.
pr_result<void> check(const command_result& r, const char* what) {
    const std::string op = what;
    switch (r.st) {
        case status::good: return {};
        case status::reservation_conflict:
            return unexpected(pr_error{pr_errc::reservation_conflict, op + ": reservation conflict"});
        case status::check_condition:
            if (r.sense.key == sense_illegal_request)
                return unexpected(
                    pr_error{pr_errc::not_supported, op + ": illegal request (" + describe(r.sense) + ")"});
            if (r.sense.key == sense_unit_attention)
                return unexpected(
                    pr_error{pr_errc::unit_attention, op + ": unit attention (" + describe(r.sense) + ")"});
            return unexpected(pr_error{pr_errc::device_error, op + ": check condition (" + describe(r.sense) + ")"});
        case status::other_status:
            return unexpected(pr_error{pr_errc::device_error, op + ": SCSI status " + std::to_string(r.scsi_status)});
        case status::failed: break;
    }
    return unexpected(pr_error{pr_errc::transport_failure, op + ": " + r.message});
}

bool is_unit_attention(const command_result& r) {
    return r.st == status::check_condition && r.sense.key == sense_unit_attention;
}

command_result run(detail::transport& t, std::span<const uint8_t> c, std::span<const uint8_t> out, size_t in_len) {
    command_result r = t.execute(c, out, in_len);
    for (int i = 0; i < unit_attention_retries && is_unit_attention(r); ++i) r = t.execute(c, out, in_len);
    return r;
}

}  // namespace

const char* to_string(pr_errc e) {
    switch (e) {
        case pr_errc::invalid_argument: return "invalid_argument";
        case pr_errc::transport_failure: return "transport_failure";
        case pr_errc::reservation_conflict: return "reservation_conflict";
        case pr_errc::not_supported: return "not_supported";
        case pr_errc::unit_attention: return "unit_attention";
        case pr_errc::device_error: return "device_error";
        case pr_errc::malformed_response: return "malformed_response";
    }
    return "unknown";
}

pr_device::pr_device(std::unique_ptr<detail::transport> t) : t_(std::move(t)) {}
pr_device::pr_device(pr_device&&) noexcept = default;
pr_device& pr_device::operator=(pr_device&&) noexcept = default;
pr_device::~pr_device() = default;

pr_result<pr_device> pr_device::open(const std::string& device, const pr_open_options& opts) {
    if (device.rfind("iscsi://", 0) == 0) {
        std::string initiator = opts.initiator;
        if (initiator.empty()) {
            char host[256] = {};
            gethostname(host, sizeof host - 1);
            initiator = std::string("iqn.2026-12.org.holdfast:") + host;
        }
        auto t = detail::open_iscsi(device, initiator);
        if (!t) return unexpected(t.error());
        return pr_device(std::move(*t));
    }
    if (device.empty() || device[0] != '/')
        return unexpected(pr_error{pr_errc::invalid_argument,
                                   "device '" + device + "' is neither an absolute path nor an iscsi:// URL"});
    auto t = detail::open_sg(device);
    if (!t) return unexpected(t.error());
    return pr_device(std::move(*t));
}

pr_result<std::vector<uint8_t>> pr_device::prin(uint8_t action) {
    const auto c = cdb::prin(static_cast<cdb::prin_action>(action), prin_alloc_len);
    command_result r = run(*t_, c, {}, prin_alloc_len);
    if (auto ok = check(r, "PERSISTENT RESERVE IN"); !ok) return unexpected(ok.error());
    return std::move(r.data_in);
}

pr_result<void> pr_device::prout(uint8_t action, uint8_t type, uint64_t key, uint64_t sa_key) {
    const auto c = cdb::prout(static_cast<cdb::prout_action>(action), type);
    const auto p = cdb::prout_params(key, sa_key);
    return check(run(*t_, c, p, 0), "PERSISTENT RESERVE OUT");
}

pr_result<pr_keys> pr_device::read_keys() {
    auto d = prin(static_cast<uint8_t>(cdb::prin_action::read_keys));
    if (!d) return unexpected(d.error());
    auto k = cdb::parse_read_keys(*d);
    if (!k) return unexpected(pr_error{pr_errc::malformed_response, "READ KEYS answer does not parse"});
    return pr_keys{k->generation, std::move(k->keys)};
}

pr_result<pr_reservation> pr_device::read_reservation() {
    auto d = prin(static_cast<uint8_t>(cdb::prin_action::read_reservation));
    if (!d) return unexpected(d.error());
    auto r = cdb::parse_read_reservation(*d);
    if (!r) return unexpected(pr_error{pr_errc::malformed_response, "READ RESERVATION answer does not parse"});
    pr_reservation out;
    out.generation = r->generation;
    out.held = r->held;
    out.key = r->key;
    if (r->held) out.type = static_cast<pr_type>(r->type);
    return out;
}

pr_result<void> pr_device::register_key(uint64_t old_key, uint64_t new_key) {
    return prout(static_cast<uint8_t>(cdb::prout_action::register_key), 0, old_key, new_key);
}

pr_result<void> pr_device::register_ignore(uint64_t new_key) {
    return prout(static_cast<uint8_t>(cdb::prout_action::register_ignore), 0, 0, new_key);
}

pr_result<void> pr_device::reserve(uint64_t key, pr_type type) {
    return prout(static_cast<uint8_t>(cdb::prout_action::reserve), static_cast<uint8_t>(type), key, 0);
}

pr_result<void> pr_device::release(uint64_t key, pr_type type) {
    return prout(static_cast<uint8_t>(cdb::prout_action::release), static_cast<uint8_t>(type), key, 0);
}

pr_result<void> pr_device::clear(uint64_t key) {
    return prout(static_cast<uint8_t>(cdb::prout_action::clear), 0, key, 0);
}

pr_result<void> pr_device::preempt(uint64_t key, uint64_t victim, pr_type type, bool abort) {
    const auto sa = abort ? cdb::prout_action::preempt_and_abort : cdb::prout_action::preempt;
    return prout(static_cast<uint8_t>(sa), static_cast<uint8_t>(type), key, victim);
}

pr_result<void> pr_device::test_unit_ready() {
    const auto c = cdb::test_unit_ready();
    return check(run(*t_, c, {}, 0), "TEST UNIT READY");
}

pr_result<uint32_t> pr_device::block_length() {
    const auto c = cdb::read_capacity10();
    command_result r = run(*t_, c, {}, 8);
    if (auto ok = check(r, "READ CAPACITY"); !ok) return unexpected(ok.error());
    auto len = cdb::parse_block_length(r.data_in);
    if (!len) return unexpected(pr_error{pr_errc::malformed_response, "READ CAPACITY answer does not parse"});
    return *len;
}

pr_result<void> pr_device::write(uint32_t lba, const std::vector<uint8_t>& data) {
    auto bl = block_length();
    if (!bl) return unexpected(bl.error());
    if (data.empty() || data.size() % *bl != 0 || data.size() / *bl > 0xffff)
        return unexpected(pr_error{
            pr_errc::invalid_argument,
            "write of " + std::to_string(data.size()) + " bytes is not whole blocks of " + std::to_string(*bl)});
    const auto c = cdb::write10(lba, static_cast<uint16_t>(data.size() / *bl));
    return check(run(*t_, c, data, 0), "WRITE");
}

pr_result<std::vector<uint8_t>> pr_device::read(uint32_t lba, uint16_t blocks) {
    auto bl = block_length();
    if (!bl) return unexpected(bl.error());
    const auto c = cdb::read10(lba, blocks);
    command_result r = run(*t_, c, {}, size_t{*bl} * blocks);
    if (auto ok = check(r, "READ"); !ok) return unexpected(ok.error());
    return std::move(r.data_in);
}

}  // namespace holdfast::fencing
