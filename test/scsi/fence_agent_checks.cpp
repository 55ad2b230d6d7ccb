// fence_holdfast_scsi against tgtd, run the way the fencer runs it
// (fencing::run_action: options on stdin) and from the command line. Two
// nodes, each with a long-lived session standing for its I/O path: unfence
// both, fence node2 from node1, node2's writes conflict and its key is gone,
// status reads off, on refuses until the node has rejoined, then registers.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>

#include "fencing/agent.hpp"
#include "fencing/agent_process.hpp"
#include "fencing/scsi_pr.hpp"
#include "test/scsi/tgtd_target.hpp"

namespace hf = holdfast::fencing;
namespace fs = std::filesystem;
using holdfast::test::tgtd_target;

namespace {

struct scsi_fencing {
    std::unique_ptr<tgtd_target> target;
    fs::path state;
    hf::agent_metadata md;
    std::optional<hf::pr_device> io1, io2;  // the nodes' own paths to the LUN
    uint64_t k1 = hf::node_key("lab", "node1");
    uint64_t k2 = hf::node_key("lab", "node2");
    std::vector<uint8_t> block;

    scsi_fencing() {
        std::string why;
        target = tgtd_target::start(&why);
        BOOST_TEST_REQUIRE(target != nullptr, why);
        setenv("HOLDFAST_FENCE_AGENT_DIR", fs::path(FENCE_SCSI_BIN).parent_path().c_str(), 1);
        auto m = hf::read_metadata("fence_holdfast_scsi");
        BOOST_TEST_REQUIRE(m.has_value(), (m ? "" : m.error().message));
        md = *m;
        char tmpl[] = "/tmp/fence-scsi-XXXXXX";
        BOOST_TEST_REQUIRE(mkdtemp(tmpl) != nullptr);
        state = tmpl;
        io1.emplace(open_io("node1"));
        io2.emplace(open_io("node2"));
    }
    ~scsi_fencing() {
        std::error_code ec;
        fs::remove_all(state, ec);
    }

    hf::pr_device open_io(const std::string& node) {
        auto d = hf::pr_device::open(target->url(), {"iqn.2026-12.org.holdfast.test:" + node + "-io"});
        BOOST_TEST_REQUIRE(d.has_value(), (d ? "" : d.error().message));
        return std::move(*d);
    }

    // The device as configured in the CIB, run on `node` (state per node).
    hf::device as(const std::string& node) const {
        return {"scsi-fencing",
                "fence_holdfast_scsi",
                {{"devices", target->url()},
                 {"cluster_name", "lab"},
                 {"local_node", node},
                 {"state_dir", (state / node).string()},
                 {"pcmk_host_list", "node1 node2"}}};
    }

    hf::action_outcome run(const std::string& on, const std::string& action, const std::string& victim,
                           hf::device d = {}) {
        if (d.id.empty()) d = as(on);
        auto r = hf::run_action(d, md, {action, victim, 0, 30000});
        BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message));
        return *r;
    }

    hf::pr_keys keys() {
        auto k = io1->read_keys();
        BOOST_TEST_REQUIRE(k.has_value());
        return *k;
    }
};

std::string why(const hf::action_outcome& o) {
    return o.ok() ? "ok" : o.failure->message + (o.runs.empty() ? "" : ": " + o.runs.back().err);
}

}  // namespace

BOOST_AUTO_TEST_CASE(fence_agent_metadata_says_on_is_automatic_and_on_target) {
    scsi_fencing f;
    const auto* on = f.md.action("on");
    BOOST_TEST_REQUIRE(on != nullptr);
    BOOST_TEST(on->automatic);
    BOOST_TEST(on->on_target);
    BOOST_TEST(f.md.automatic_unfencing());
    BOOST_TEST(!f.md.has_action("reboot"));
    BOOST_TEST(f.md.default_host_argument() == "plug");
}

BOOST_AUTO_TEST_CASE(fence_agent_unfence_fence_status_and_no_reregistration) {
    scsi_fencing f;
    auto on1 = f.run("node1", "on", "node1");
    BOOST_TEST_REQUIRE(on1.ok(), why(on1));
    auto on2 = f.run("node2", "on", "node2");
    BOOST_TEST_REQUIRE(on2.ok(), why(on2));
    BOOST_TEST((f.keys().has(f.k1) && f.keys().has(f.k2)));
    auto res = f.io1->read_reservation();
    BOOST_TEST_REQUIRE(res.has_value());
    BOOST_TEST(res->held);
    BOOST_TEST((res->type == hf::pr_type::write_exclusive_registrants_only));
    // Each node's I/O path carries its key (over SG_IO it is the same nexus)
    BOOST_TEST_REQUIRE(f.io1->register_ignore(f.k1).has_value());
    BOOST_TEST_REQUIRE(f.io2->register_ignore(f.k2).has_value());
    auto bl = f.io1->block_length();
    BOOST_TEST_REQUIRE(bl.has_value());
    f.block.assign(*bl, 0xa5);
    BOOST_TEST(f.io2->write(0, f.block).has_value());

    auto st = f.run("node1", "status", "node2");
    BOOST_TEST_REQUIRE(st.ok(), why(st));
    BOOST_TEST((st.state == hf::power_state::on));

    auto off = f.run("node1", "off", "node2");
    BOOST_TEST_REQUIRE(off.ok(), why(off));
    BOOST_TEST(!f.keys().has(f.k2));
    BOOST_TEST(f.keys().has(f.k1));
    auto w = f.io2->write(0, f.block);
    BOOST_TEST_REQUIRE(!w.has_value());
    BOOST_TEST((w.error().code == hf::pr_errc::reservation_conflict), w.error().message);
    BOOST_TEST(f.io1->write(1, f.block).has_value());

    st = f.run("node1", "status", "node2");
    BOOST_TEST_REQUIRE(st.ok(), why(st));
    BOOST_TEST((st.state == hf::power_state::off));
    // fencing an already fenced node succeeds (the key stays gone)
    auto again = f.run("node1", "off", "node2");
    BOOST_TEST(again.ok(), why(again));

    // node2 was fenced: on refuses until it has rejoined cleanly
    auto refused = f.run("node2", "on", "node2");
    BOOST_TEST(!refused.ok());
    BOOST_TEST(!f.keys().has(f.k2));
    auto rejoined = f.as("node2");
    rejoined.params["rejoined"] = "1";
    auto on2b = f.run("node2", "on", "node2", rejoined);
    BOOST_TEST_REQUIRE(on2b.ok(), why(on2b));
    BOOST_TEST(f.keys().has(f.k2));
    st = f.run("node1", "status", "node2");
    BOOST_TEST((st.state == hf::power_state::on));
}

BOOST_AUTO_TEST_CASE(fence_agent_refusals_monitor_list_and_command_line) {
    scsi_fencing f;
    BOOST_TEST_REQUIRE(f.run("node1", "on", "node1").ok());
    // node3 never unfenced: it fences nobody
    auto rogue = f.run("node3", "off", "node1");
    BOOST_TEST(!rogue.ok());
    BOOST_TEST(f.keys().has(f.k1));
    // a node does not unfence another (on runs on its target)
    BOOST_TEST(!f.run("node1", "on", "node2").ok());
    BOOST_TEST(!f.keys().has(f.k2));
    BOOST_TEST(f.run("node1", "monitor", "").ok());

    auto list = f.run("node1", "list", "", [&] {
        auto d = f.as("node1");
        d.params["nodes"] = "node1,node2";
        return d;
    }());
    BOOST_TEST_REQUIRE(list.ok(), why(list));
    BOOST_TEST(hf::contains_name(list.targets, "node1"));
    BOOST_TEST(hf::contains_name(list.targets, "node2"));
    auto elig = hf::check_target(f.as("node1"), f.md, "node2");
    BOOST_TEST_REQUIRE(elig.has_value());
    BOOST_TEST(elig->can);

    // fence-agents' command line: status of node2 (never registered) is off
    auto cli = hf::run_process({{FENCE_SCSI_BIN, "-o", "status", "-n", "node2", "-d", f.target->url(),
                                 "--cluster-name=lab", "--local-node", "node1"},
                                "",
                                30000});
    BOOST_TEST_REQUIRE(cli.has_value());
    BOOST_TEST(cli->code == 2, cli->err);
    cli = hf::run_process({{FENCE_SCSI_BIN, "--action=list-status", "-d", f.target->url(), "--cluster-name", "lab",
                            "--nodes", "node1,node2"},
                           "",
                           30000});
    BOOST_TEST_REQUIRE(cli.has_value());
    BOOST_TEST(cli->code == 0, cli->err);
    BOOST_TEST(cli->out == "node1," + hf::key_to_string(f.k1) + ",on\nnode2," + hf::key_to_string(f.k2) + ",off\n");
}
