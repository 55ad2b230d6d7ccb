// fencing/scsi_pr without a SCSI device: the CDBs and parameter lists both
// transports send, the parsing of PERSISTENT RESERVE IN answers and sense
// data, key derivation, and how unusable devices are reported.
#include <boost/test/unit_test.hpp>
#include <vector>

#include "fencing/scsi_cdb.hpp"
#include "fencing/scsi_pr.hpp"

namespace hf = holdfast::fencing;
namespace cdb = holdfast::fencing::cdb;
using bytes = std::vector<uint8_t>;

template <size_t N>
bytes vec(const std::array<uint8_t, N>& a) {
    return bytes(a.begin(), a.end());
}

BOOST_AUTO_TEST_CASE(fencing_cdbs_are_spc_byte_for_byte) {
    BOOST_TEST(vec(cdb::prin(cdb::prin_action::read_keys, 0x0808)) == (bytes{0x5e, 0, 0, 0, 0, 0, 0, 0x08, 0x08, 0}));
    BOOST_TEST(vec(cdb::prin(cdb::prin_action::read_reservation, 24)) == (bytes{0x5e, 1, 0, 0, 0, 0, 0, 0, 24, 0}));
    BOOST_TEST(vec(cdb::prout(cdb::prout_action::register_key, 0)) == (bytes{0x5f, 0, 0, 0, 0, 0, 0, 0, 24, 0}));
    BOOST_TEST(vec(cdb::prout(cdb::prout_action::preempt_and_abort, 5)) == (bytes{0x5f, 5, 5, 0, 0, 0, 0, 0, 24, 0}));
    BOOST_TEST(vec(cdb::prout(cdb::prout_action::register_ignore, 0)) == (bytes{0x5f, 6, 0, 0, 0, 0, 0, 0, 24, 0}));
    // Scope LU: the type stays in the low nibble whatever is passed.
    BOOST_TEST(vec(cdb::prout(cdb::prout_action::reserve, 0xf8)) == (bytes{0x5f, 1, 8, 0, 0, 0, 0, 0, 24, 0}));
    BOOST_TEST(vec(cdb::write10(0x01020304, 2)) == (bytes{0x2a, 0, 1, 2, 3, 4, 0, 0, 2, 0}));
    BOOST_TEST(vec(cdb::read10(7, 1)) == (bytes{0x28, 0, 0, 0, 0, 7, 0, 0, 1, 0}));
    BOOST_TEST(vec(cdb::test_unit_ready()) == (bytes(6, 0)));
}

BOOST_AUTO_TEST_CASE(fencing_prout_parameter_list) {
    const auto p = vec(cdb::prout_params(0x0102030405060708ULL, 0xa1a2a3a4a5a6a7a8ULL));
    BOOST_TEST(p.size() == 24u);
    BOOST_TEST((bytes(p.begin(), p.begin() + 8) == bytes{1, 2, 3, 4, 5, 6, 7, 8}));
    BOOST_TEST((bytes(p.begin() + 8, p.begin() + 16) == bytes{0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8}));
    BOOST_TEST((bytes(p.begin() + 16, p.end()) == bytes(8, 0)));  // no APTPL, no SPEC_I_PT
}

BOOST_AUTO_TEST_CASE(fencing_read_keys_parsing) {
    const bytes two{0, 0, 0, 9, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0x11, 0, 0, 0, 0, 0, 0, 0, 0x22};
    auto k = cdb::parse_read_keys(two);
    BOOST_TEST_REQUIRE(k.has_value());
    BOOST_TEST(k->generation == 9u);
    BOOST_TEST((k->keys == std::vector<uint64_t>{0x11, 0x22}));
    BOOST_TEST(!k->truncated);
    // The device has more than the buffer held.
    auto t = cdb::parse_read_keys(bytes(two.begin(), two.begin() + 16));
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST((t->keys == std::vector<uint64_t>{0x11}));
    BOOST_TEST(t->truncated);
    auto none = cdb::parse_read_keys(bytes{0, 0, 0, 1, 0, 0, 0, 0});
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(none->keys.empty());
    BOOST_TEST(!cdb::parse_read_keys(bytes{0, 0, 0}).has_value());
    BOOST_TEST(!cdb::parse_read_keys(bytes{0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0}).has_value());
}

BOOST_AUTO_TEST_CASE(fencing_read_reservation_parsing) {
    auto none = cdb::parse_read_reservation(bytes{0, 0, 0, 3, 0, 0, 0, 0});
    BOOST_TEST_REQUIRE(none.has_value());
    BOOST_TEST(!none->held);
    BOOST_TEST(none->generation == 3u);
    bytes held{0, 0, 0, 4, 0, 0, 0, 16, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1};
    held.resize(24, 0);
    held[21] = 0x05;  // scope LU, type WE-RO
    auto r = cdb::parse_read_reservation(held);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->held);
    BOOST_TEST(r->key == 0xdeadbeef00000001ULL);
    BOOST_TEST(r->type == 5);
    BOOST_TEST(!cdb::parse_read_reservation(bytes(held.begin(), held.begin() + 20)).has_value());
}

BOOST_AUTO_TEST_CASE(fencing_sense_parsing) {
    bytes fixed(18, 0);
    fixed[0] = 0x70, fixed[2] = 0x05, fixed[12] = 0x24, fixed[13] = 0x00;
    auto f = cdb::parse_sense(fixed);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST((f->key == 5 && f->asc == 0x24 && f->ascq == 0));
    auto d = cdb::parse_sense(bytes{0x72, 0x06, 0x2a, 0x03, 0, 0, 0, 0});
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST((d->key == 6 && d->asc == 0x2a && d->ascq == 3));
    BOOST_TEST(!cdb::parse_sense(bytes{0x12, 0, 0}).has_value());
    BOOST_TEST(!cdb::parse_sense(bytes{}).has_value());
    BOOST_TEST(cdb::parse_block_length(bytes{0, 0, 0x3f, 0xff, 0, 0, 2, 0}).value() == 512u);
}

BOOST_AUTO_TEST_CASE(fencing_node_keys) {
    const uint64_t k = hf::node_key("lab", "node1");
    // Pinned (an independent FNV-1a of "holdfast-pr\0lab\0node1\0"): every
    // node must compute every other node's key the same way,
    // across builds and versions; changing this breaks mixed-version fencing.
    BOOST_TEST(hf::key_to_string(k) == "a2027b17bc71e9dd");
    BOOST_TEST(k != hf::node_key("lab", "node2"));
    BOOST_TEST(k != hf::node_key("lab2", "node1"));
    BOOST_TEST(hf::node_key("a", "bc") != hf::node_key("ab", "c"));
    BOOST_TEST(hf::node_key("", "") != 0u);
}

BOOST_AUTO_TEST_CASE(fencing_key_and_type_text) {
    BOOST_TEST(hf::key_to_string(0xabc) == "0000000000000abc");
    BOOST_TEST(hf::parse_key("0xABC").value() == 0xabcu);
    BOOST_TEST(hf::parse_key("ffffffffffffffff").value() == ~0ULL);
    for (const char* bad : {"", "0", "0x", "12345678901234567", "12g", "-1"}) {
        auto r = hf::parse_key(bad);
        BOOST_TEST((!r && r.error().code == hf::pr_errc::invalid_argument), bad);
    }
    for (const char* name : {"WE", "EA", "WE-RO", "EA-RO", "WE-AR", "EA-AR"})
        BOOST_TEST(hf::to_string(hf::parse_pr_type(name).value()) == std::string(name));
    BOOST_TEST(!hf::parse_pr_type("we-ro").has_value());
    BOOST_TEST((hf::parse_pr_type("WE-RO").value() == hf::pr_type::write_exclusive_registrants_only));
}

BOOST_AUTO_TEST_CASE(fencing_unusable_devices) {
    auto rel = hf::pr_device::open("sdb");
    BOOST_TEST((!rel && rel.error().code == hf::pr_errc::invalid_argument));
    auto missing = hf::pr_device::open("/nonexistent/lun");
    BOOST_TEST((!missing && missing.error().code == hf::pr_errc::transport_failure));
    // A file that is no SCSI device: SG_IO fails, reported as a transport failure.
    auto null = hf::pr_device::open("/dev/null");
    BOOST_TEST_REQUIRE(null.has_value());
    auto keys = null->read_keys();
    BOOST_TEST((!keys && keys.error().code == hf::pr_errc::transport_failure));
    auto url = hf::pr_device::open("iscsi://");
    BOOST_TEST((!url && url.error().code == hf::pr_errc::invalid_argument));
    // Nothing listens on loopback port 1: the login fails.
    auto refused = hf::pr_device::open("iscsi://127.0.0.1:1/iqn.2026-12.org.holdfast.test:none/1");
    BOOST_TEST((!refused && refused.error().code == hf::pr_errc::transport_failure));
}
