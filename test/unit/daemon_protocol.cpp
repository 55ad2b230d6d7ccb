// daemon/: the IPC encoding, the permission table and the one dispatch path.
#include <qb/qbipc_common.h>

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

#include "daemon/dispatch.hpp"
#include "daemon/permissions.hpp"
#include "daemon/protocol.hpp"
#include "test/daemon/print.hpp"

using namespace holdfast::daemon;

BOOST_AUTO_TEST_CASE(request_round_trip) {
    request r{request_type::cib_query, "<x a=\"é\"/>"};
    auto bytes = encode_request(r);
    auto back = decode_request(as_bytes(bytes));
    BOOST_REQUIRE(back);
    BOOST_TEST(static_cast<int>(back->type) == static_cast<int>(request_type::cib_query));
    BOOST_TEST(back->payload == r.payload);
    BOOST_TEST(peek_request_id(as_bytes(bytes)) == static_cast<int32_t>(request_type::cib_query));
}

BOOST_AUTO_TEST_CASE(response_round_trip) {
    auto bytes = encode_response(2, response{errc::permission_denied, "no"});
    auto back = decode_response(as_bytes(bytes));
    BOOST_REQUIRE(back);
    BOOST_TEST(static_cast<int>(back->status) == static_cast<int>(errc::permission_denied));
    BOOST_TEST(back->payload == "no");
}

BOOST_AUTO_TEST_CASE(malformed_requests_are_errors) {
    auto good = encode_request({request_type::ping, "abc"});
    auto code = [](const std::string& b) {
        auto r = decode_request(as_bytes(b));
        return r ? errc::ok : r.error();
    };
    BOOST_TEST(code(good.substr(0, 5)) == errc::bad_request);                // shorter than the header
    BOOST_TEST(code(good.substr(0, good.size() - 1)) == errc::bad_request);  // size field disagrees
    std::string v2 = good;
    v2[sizeof(qb_ipc_request_header)] = 2;  // the version word follows libqb's header
    BOOST_TEST(code(v2) == errc::unsupported_version);
    std::string unknown = good;
    unknown[0] = 99;
    BOOST_TEST(code(unknown) == errc::unknown_request);
    BOOST_TEST(code(encode_request({request_type::ping, "\xff\xfe"})) == errc::bad_request);
}

BOOST_AUTO_TEST_CASE(utf8_validation) {
    BOOST_TEST(valid_utf8("plain"));
    BOOST_TEST(valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
    BOOST_TEST(!valid_utf8("\xc0\xaf"));          // overlong
    BOOST_TEST(!valid_utf8("\xed\xa0\x80"));      // surrogate
    BOOST_TEST(!valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
    BOOST_TEST(!valid_utf8("\xe2\x82"));          // truncated
}

BOOST_AUTO_TEST_CASE(every_request_type_has_a_permission_row) {
    std::set<int> wire;
    for (request_type t : all_request_types) {
        BOOST_TEST(wire.insert(static_cast<int>(t)).second);  // wire values unique
        BOOST_TEST(request_type_from_wire(static_cast<int>(t)).has_value());
    }
    BOOST_TEST(required_permission(request_type::ping) == permission::read);
    BOOST_TEST(required_permission(request_type::cib_query) == permission::read);
    BOOST_TEST(required_permission(request_type::cib_change) == permission::write);
    BOOST_TEST(required_permission(request_type::shutdown) == permission::admin);
    BOOST_TEST(required_permission(request_type::history) == permission::read);  // like fence_history
    BOOST_TEST(static_cast<int>(request_type::history) == 8);                    // on the wire
}

BOOST_AUTO_TEST_CASE(peer_classes_and_what_they_may_do) {
    for (request_type t : all_request_types) {
        BOOST_TEST(allowed(peer_class::root, t));
        BOOST_TEST(!allowed(peer_class::refused, t));
    }
    BOOST_TEST(allowed(peer_class::haclient_member, request_type::cib_query));
    BOOST_TEST(allowed(peer_class::haclient_member, request_type::cib_change));
    BOOST_TEST(!allowed(peer_class::haclient_member, request_type::shutdown));
}

BOOST_AUTO_TEST_CASE(classify_peer_uses_primary_and_supplementary_groups) {
    const gid_t haclient = 105;
    auto groups_of = [](uid_t uid, gid_t primary) {
        std::vector<gid_t> g{primary};
        if (uid == 1000) g.push_back(105);  // a member through /etc/group only
        return g;
    };
    BOOST_TEST(classify_peer(0, 0, haclient, groups_of) == peer_class::root);
    BOOST_TEST(classify_peer(0, 0, std::nullopt, groups_of) == peer_class::root);
    BOOST_TEST(classify_peer(102, 105, haclient, groups_of) == peer_class::haclient_member);
    BOOST_TEST(classify_peer(1000, 1000, haclient, groups_of) == peer_class::haclient_member);
    BOOST_TEST(classify_peer(1001, 1001, haclient, groups_of) == peer_class::refused);
    BOOST_TEST(classify_peer(102, 105, std::nullopt, groups_of) == peer_class::refused);
}

BOOST_AUTO_TEST_CASE(system_groups_include_the_primary_group) {
    auto g = system_groups(0, 0);
    BOOST_TEST((std::find(g.begin(), g.end(), gid_t(0)) != g.end()));
}

BOOST_AUTO_TEST_CASE(serve_request_checks_permission_before_the_handler) {
    int ran = 0;
    dispatch_table table;
    table[request_type::shutdown] = [&](const request&, const peer&) {
        ++ran;
        return response{errc::ok, "bye"};
    };
    table[request_type::ping] = [&](const request& r, const peer&) {
        ++ran;
        return response{errc::ok, r.payload};
    };
    peer member{102, 105, 1, peer_class::haclient_member};
    peer root{0, 0, 1, peer_class::root};
    auto shutdown = encode_request({request_type::shutdown, ""});
    BOOST_TEST(serve_request(table, member, as_bytes(shutdown)).status == errc::permission_denied);
    BOOST_TEST(ran == 0);
    BOOST_TEST(serve_request(table, root, as_bytes(shutdown)).status == errc::ok);
    BOOST_TEST(ran == 1);
    auto ping = encode_request({request_type::ping, "hi"});
    BOOST_TEST(serve_request(table, member, as_bytes(ping)).payload == "hi");
    auto change = encode_request({request_type::cib_change, "<x/>"});
    BOOST_TEST(serve_request(table, root, as_bytes(change)).status == errc::not_supported);
    auto big = encode_request({request_type::ping, std::string(max_request_bytes, 'x')});
    BOOST_TEST(serve_request(table, root, as_bytes(big)).status == errc::request_too_large);
    BOOST_TEST(ran == 2);
}
