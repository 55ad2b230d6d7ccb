#pragma once
// What corosync's own tools say about the running cluster, read into values
// for `holdfast cluster status` and stop's quorum check: corosync-quorumtool
// -s (quorum, votes, members) and corosync-cfgtool -s (knet links). Pure:
// cluster.cpp runs the tools and hands their output here.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cib/expected.hpp"

namespace holdfast::tools::corosync {

struct member {
    int nodeid = 0;
    int votes = 0;
    std::string name;
    bool local = false;
};

struct quorum_info {
    int local_id = 0;
    std::string ring_id;
    bool quorate = false;
    int expected_votes = 0;
    int total_votes = 0;
    int quorum = 0;
    std::vector<std::string> flags;  // votequorum's: Quorate, 2Node, WaitForAll, ...
    std::vector<member> members;
};

struct link_peer {
    int nodeid = 0;
    std::string state;  // localhost, connected, disconnected, ...
};

struct link_info {
    int id = 0;
    std::string transport;  // udp, sctp
    std::string addr;
    std::vector<link_peer> peers;
};

// corosync-quorumtool -s output; refuses text without "Quorate:" (not its output).
expected<quorum_info, std::string> parse_quorumtool(std::string_view text);
// corosync-cfgtool -s output (knet); links in order.
std::vector<link_info> parse_cfgtool(std::string_view text);

// Whether stopping the members with these nodeids would leave fewer votes
// than the quorum: the reason in one line, else nullopt. Stopping every
// member is stopping the cluster, not losing quorum.
std::optional<std::string> quorum_loss(const quorum_info& q, const std::vector<int>& stopping);

}  // namespace holdfast::tools::corosync
