#pragma once
// The verbs of `holdfast cluster` (cluster.cpp: options, init, join;
// cluster_ops.cpp: remove, start, stop, status) and what they share.
#include <string>
#include <vector>

#include "cib/expected.hpp"
#include "tools/holdfast/cluster_conf.hpp"
#include "tools/holdfast/cluster_run.hpp"

namespace holdfast::tools::cluster {

struct cli {
    std::string verb;
    settings s;
    std::vector<std::string> words;  // the positional arguments
    std::string cluster_name;        // init --name
    std::string address;             // join --address
    std::string output = "text";     // status --output-as
    bool force = false;
    bool start = false;  // init --start
    bool all = false;    // start/stop --all
};

// Prints "holdfast cluster VERB: message" and returns `code`.
int fail(const cli& c, const std::string& message, int code = 1);

// The local corosync.conf, parsed, with its nodes.
struct local_conf {
    corosync::conf conf;
    std::vector<corosync::node> nodes;
};
expected<local_conf, std::string> load_local(const settings& s);

// Where to reach a node: "" for this node (its name is settings::node_name), else its ring0_addr (or name).
std::string host_of(const settings& s, const corosync::node& n);

// Writes `conf` to every node in `to` (here directly, others over ssh), then
// has corosync reload it (`corosync-cfgtool -R` on the first member where it runs, which reloads them all); a node
// whose corosync does not run reads it when it starts. Stops at the first node it cannot write to.
expected<void, std::string> distribute(const settings& s, const corosync::conf& conf,
                                       const std::vector<corosync::node>& to);

int run_init(const cli& c);
int run_join(const cli& c);
int run_remove(const cli& c);
int run_start_stop(const cli& c, bool start);
int run_status(const cli& c);

}  // namespace holdfast::tools::cluster
