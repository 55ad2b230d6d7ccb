// corosync.conf as `holdfast cluster` reads, writes and edits it: the text
// init writes, round trips (comments and foreign keys kept), nodeid
// allocation, the two_node rule, and refusals of bad input.
#include <boost/test/unit_test.hpp>

#include "tools/holdfast/cluster_conf.hpp"
#include "tools/holdfast/cluster_state.hpp"

namespace cc = holdfast::tools::corosync;

namespace {

cc::conf made(int n) {
    std::vector<cc::node> nodes;
    for (int i = 1; i <= n; ++i)
        nodes.push_back({i, "node" + std::to_string(i), "192.168.7." + std::to_string(10 + i)});
    return cc::make("alpha", nodes);
}

std::vector<int> ids(const cc::conf& c) {
    std::vector<int> out;
    auto nodes = cc::nodes(c);
    BOOST_REQUIRE(nodes);
    for (const auto& n : *nodes) out.push_back(n.nodeid);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tools_cluster_conf)

BOOST_AUTO_TEST_CASE(init_writes_knet_crypto_nodelist_and_two_node) {
    const std::string text = cc::print(made(2));
    for (const char* line : {"totem {\n", "    version: 2\n", "    cluster_name: alpha\n", "    transport: knet\n",
                             "    crypto_cipher: aes256\n", "    crypto_hash: sha256\n", "nodelist {\n",
                             "        nodeid: 2\n", "        name: node2\n", "        ring0_addr: 192.168.7.12\n",
                             "    provider: corosync_votequorum\n", "    two_node: 1\n", "    to_syslog: yes\n"})
        BOOST_TEST(text.find(line) != std::string::npos, line);
    BOOST_TEST(!cc::two_node(made(1)));
    BOOST_TEST(cc::two_node(made(2)));
    BOOST_TEST(!cc::two_node(made(3)));
}

BOOST_AUTO_TEST_CASE(round_trip_keeps_comments_and_foreign_keys) {
    const std::string text =
        "# site file\n"
        "totem {\n"
        "    version: 2\n"
        "    cluster_name: beta\n"
        "    token: 3000\n"
        "    interface {\n"
        "        linknumber: 0\n"
        "        knet_transport: sctp\n"
        "    }\n"
        "}\n"
        "\n"
        "nodelist {\n"
        "    node {\n"
        "        ring0_addr: 10.1.0.1\n"
        "        ring1_addr: 10.2.0.1\n"
        "        nodeid: 7\n"
        "    }\n"
        "}\n";
    auto c = cc::parse(text);
    BOOST_REQUIRE(c);
    BOOST_TEST(cc::print(*c) == text);
    BOOST_TEST(cc::cluster_name(*c) == "beta");
    auto n = cc::nodes(*c);
    BOOST_REQUIRE(n);
    BOOST_REQUIRE(n->size() == 1u);
    BOOST_TEST((*n)[0].nodeid == 7);
    BOOST_TEST((*n)[0].name == "10.1.0.1");  // corosync's name for a node without one
    // corosync accepts "key:value" without a space and tabs: read, printed in the house form
    auto tight = cc::parse("quorum {\n\tprovider:corosync_votequorum\n}\n");
    BOOST_REQUIRE(tight);
    BOOST_TEST(cc::print(*tight) == "quorum {\n    provider: corosync_votequorum\n}\n");
    auto again = cc::parse(cc::print(made(3)));
    BOOST_REQUIRE(again);
    BOOST_TEST(cc::print(*again) == cc::print(made(3)));
}

BOOST_AUTO_TEST_CASE(add_takes_the_lowest_free_nodeid_and_drops_two_node) {
    auto c = made(2);
    auto id = cc::add_node(c, "node3", "192.168.7.13");
    BOOST_REQUIRE(id);
    BOOST_TEST(*id == 3);
    cc::apply_two_node_rule(c);
    BOOST_TEST(!cc::two_node(c));
    BOOST_REQUIRE(cc::remove_node(c, "node1"));
    BOOST_TEST(ids(c) == std::vector<int>({2, 3}));
    cc::apply_two_node_rule(c);
    BOOST_TEST(cc::two_node(c));  // two remain: two_node comes back
    id = cc::add_node(c, "node4", "192.168.7.14");
    BOOST_REQUIRE(id);
    BOOST_TEST(*id == 1);  // the gap node1 left
    BOOST_TEST(ids(c) == std::vector<int>({2, 3, 1}));
    // the edited text reads back to the same nodes
    auto back = cc::parse(cc::print(c));
    BOOST_REQUIRE(back);
    BOOST_TEST(ids(*back) == ids(c));
}

BOOST_AUTO_TEST_CASE(edits_refuse_duplicates_and_unknown_nodes) {
    auto c = made(2);
    const auto before = cc::print(c);
    auto dup_name = cc::add_node(c, "node2", "192.168.7.99");
    BOOST_REQUIRE(!dup_name);
    BOOST_TEST(dup_name.error().find("'node2'") != std::string::npos);
    auto dup_addr = cc::add_node(c, "node9", "192.168.7.11");
    BOOST_REQUIRE(!dup_addr);
    BOOST_TEST(dup_addr.error().find("192.168.7.11") != std::string::npos);
    auto missing = cc::remove_node(c, "node9");
    BOOST_REQUIRE(!missing);
    BOOST_TEST(missing.error().find("'node9'") != std::string::npos);
    BOOST_TEST(cc::print(c) == before);  // nothing changed
}

BOOST_AUTO_TEST_CASE(parse_refuses_bad_text_naming_the_line) {
    auto stray = cc::parse("totem {\n}\n}\n");
    BOOST_REQUIRE(!stray);
    BOOST_TEST(stray.error().find("line 3") == 0u);
    auto open = cc::parse("totem {\n  version: 2\n");
    BOOST_REQUIRE(!open);
    BOOST_TEST(open.error().find("not closed") != std::string::npos);
    auto nokey = cc::parse("totem {\n  version 2\n}\n");
    BOOST_REQUIRE(!nokey);
    BOOST_TEST(nokey.error().find("line 2") == 0u);
    BOOST_TEST(nokey.error().find("'version 2'") != std::string::npos);
    auto dup = cc::parse("nodelist {\nnode {\nnodeid: 1\nname: a\n}\nnode {\nnodeid: 1\nname: b\n}\n}\n");
    BOOST_REQUIRE(dup);
    BOOST_REQUIRE(!cc::nodes(*dup));
    BOOST_TEST(cc::nodes(*dup).error().find("nodeid 1") != std::string::npos);
    auto noid = cc::parse("nodelist {\nnode {\nname: a\nnodeid: x\n}\n}\n");
    BOOST_REQUIRE(noid);
    BOOST_TEST(!cc::nodes(*noid));
}

BOOST_AUTO_TEST_CASE(names_and_addresses_are_checked) {
    BOOST_TEST(!cc::check_node_name("node-1.example_a"));
    BOOST_TEST(cc::check_node_name("no de")->find("'no de'") != std::string::npos);
    BOOST_TEST(cc::check_node_name("-x").has_value());
    BOOST_TEST(cc::check_node_name("").has_value());
    BOOST_TEST(!cc::check_cluster_name("prod_1"));
    BOOST_TEST(cc::check_cluster_name(std::string(33, 'a')).has_value());
    BOOST_TEST(cc::check_cluster_name("a:b")->find("':'") != std::string::npos);
    BOOST_TEST(!cc::check_address("10.0.0.1"));
    BOOST_TEST(!cc::check_address("fd00::1"));
    BOOST_TEST(cc::check_address("10.0.0.256")->find("'10.0.0.256'") != std::string::npos);
    BOOST_TEST(cc::check_address("node1").has_value());
}

// corosync-quorumtool -s and corosync-cfgtool -s as corosync 3.1 prints them
// (captured from lab_cluster_cli's nodes), and stop's quorum arithmetic.
const char* quorumtool_3 =
    "Quorum information\n"
    "------------------\n"
    "Date:             Wed Dec  2 17:40:00 2026\n"
    "Quorum provider:  corosync_votequorum\n"
    "Nodes:            3\n"
    "Node ID:          1\n"
    "Ring ID:          1.11\n"
    "Quorate:          Yes\n"
    "\n"
    "Votequorum information\n"
    "----------------------\n"
    "Expected votes:   3\n"
    "Highest expected: 3\n"
    "Total votes:      3\n"
    "Quorum:           2  \n"
    "Flags:            Quorate \n"
    "\n"
    "Membership information\n"
    "----------------------\n"
    "    Nodeid      Votes Name\n"
    "         1          1 n1 (local)\n"
    "         2          1 n2\n"
    "         3          1 n3\n";

BOOST_AUTO_TEST_CASE(quorumtool_output_and_the_quorum_check) {
    auto q = cc::parse_quorumtool(quorumtool_3);
    BOOST_REQUIRE(q);
    BOOST_TEST(q->quorate);
    BOOST_TEST(q->local_id == 1);
    BOOST_TEST(q->ring_id == "1.11");
    BOOST_TEST(q->total_votes == 3);
    BOOST_TEST(q->quorum == 2);
    BOOST_TEST(q->flags == std::vector<std::string>({"Quorate"}));
    BOOST_REQUIRE(q->members.size() == 3u);
    BOOST_TEST(q->members[0].local);
    BOOST_TEST(q->members[2].name == "n3");
    BOOST_TEST(!cc::quorum_loss(*q, {3}));                // 2 of 3 left: quorate
    BOOST_TEST(cc::quorum_loss(*q, {2, 3}).has_value());  // 1 of 3: not
    BOOST_TEST(!cc::quorum_loss(*q, {1, 2, 3}));          // the whole cluster stops
    BOOST_TEST(!cc::quorum_loss(*q, {9}));                // not a member: no votes leave
    // two_node: quorum 1, either node may stop
    auto two = *q;
    two.members.pop_back();
    two.total_votes = 2;
    two.quorum = 1;
    BOOST_TEST(!cc::quorum_loss(two, {2}));
    BOOST_TEST(!cc::parse_quorumtool("Cannot initialize QUORUM service\n"));
}

BOOST_AUTO_TEST_CASE(cfgtool_links) {
    auto links = cc::parse_cfgtool(
        "Local node ID 1, transport knet\n"
        "LINK ID 0 udp\n"
        "\taddr\t= 192.168.77.1\n"
        "\tstatus:\n"
        "\t\tnodeid:          1:\tlocalhost\n"
        "\t\tnodeid:          2:\tconnected\n"
        "\t\tnodeid:          3:\tdisconnected\n");
    BOOST_REQUIRE(links.size() == 1u);
    BOOST_TEST(links[0].id == 0);
    BOOST_TEST(links[0].transport == "udp");
    BOOST_TEST(links[0].addr == "192.168.77.1");
    BOOST_REQUIRE(links[0].peers.size() == 3u);
    BOOST_TEST(links[0].peers[1].nodeid == 2);
    BOOST_TEST(links[0].peers[1].state == "connected");
    BOOST_TEST(links[0].peers[2].state == "disconnected");
}

BOOST_AUTO_TEST_SUITE_END()
