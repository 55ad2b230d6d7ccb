// ocf:holdfast:SharedDisk run the real way (ra::run: its own process, OCF
// environment, exit code and reason) against a tgtd LUN, with a pr_device of
// its own as an observer that reads the device's truth and plays the fencer.
#include <stdlib.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "fencing/agent.hpp"
#include "fencing/scsi_pr.hpp"
#include "ra/executor.hpp"
#include "test/scsi/tgtd_target.hpp"

namespace hf = holdfast::fencing;
namespace fs = std::filesystem;
using holdfast::test::tgtd_target;

namespace {

constexpr int ocf_success = 0, ocf_generic = 1, ocf_configured = 6, ocf_not_running = 7;
const char* const cluster = "labc";

// An OCF_ROOT holding only resource.d/holdfast/SharedDisk -> the built agent.
struct ocf_root {
    fs::path dir;
    ocf_root() {
        char tmpl[] = "/tmp/holdfast-ocf-XXXXXX";
        dir = mkdtemp(tmpl);
        fs::create_directories(dir / "resource.d/holdfast");
        fs::create_symlink(SHARED_DISK_BIN, dir / "resource.d/holdfast/SharedDisk");
        setenv("OCF_ROOT", dir.c_str(), 1);
    }
    ~ocf_root() {
        unsetenv("OCF_ROOT");
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

struct lab {
    ocf_root root;
    std::unique_ptr<tgtd_target> target;
    std::optional<hf::pr_device> observer;
    std::string url;  // kept: the agent still names it after the target is gone
    const uint64_t observer_key = 0xfe;

    lab() {
        std::string why;
        target = tgtd_target::start(&why);
        BOOST_TEST_REQUIRE(target != nullptr, why);
        url = target->url();
        auto d = hf::pr_device::open(url, {"iqn.2026-12.org.holdfast.test:observer"});
        BOOST_TEST_REQUIRE(d.has_value());
        observer.emplace(std::move(*d));
    }

    holdfast::ra::op_result agent(const std::string& action, const std::string& node,
                                  std::map<std::string, std::string> extra = {}) {
        holdfast::ra::operation op;
        op.rsc_id = "disk1";
        op.rclass = "ocf";
        op.provider = "holdfast";
        op.type = "SharedDisk";
        op.action = action;
        op.timeout_ms = 30000;
        op.params = {
            {"device", url}, {"cluster_name", cluster}, {"CRM_meta_on_node", node}, {"CRM_meta_timeout", "30000"}};
        for (auto& [k, v] : extra) op.params[k] = v;
        return holdfast::ra::run(op);
    }
    hf::pr_keys keys() {
        auto k = observer->read_keys();
        BOOST_TEST_REQUIRE(k.has_value());
        return *k;
    }
    hf::pr_reservation reservation() {
        auto r = observer->read_reservation();
        BOOST_TEST_REQUIRE(r.has_value());
        return *r;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(shared_disk_meta_data_and_validate) {
    ocf_root root;
    holdfast::ra::operation op{"disk1", "ocf", "holdfast", "SharedDisk", "meta-data", 0, 10000, {}};
    auto md = holdfast::ra::run(op);
    BOOST_TEST(md.rc == ocf_success);
    BOOST_TEST(md.output.find("<resource-agent name=\"SharedDisk\"") != std::string::npos);
    BOOST_TEST(md.output.find("<version>1.1</version>") != std::string::npos);
    op.action = "validate-all";
    auto v = holdfast::ra::run(op);  // no device
    BOOST_TEST(v.rc == ocf_configured);
    BOOST_TEST(!v.exit_reason.empty());
    op.params = {{"device", "/nonexistent/lun"}, {"reservation_type", "WE-RO"}};
    BOOST_TEST(holdfast::ra::run(op).rc == 5);  // not installed on this node
    op.params = {{"device", "iscsi://127.0.0.1/iqn.x:y/1"}, {"reservation_type", "bogus"}};
    BOOST_TEST(holdfast::ra::run(op).rc == ocf_configured);
}

BOOST_AUTO_TEST_CASE(shared_disk_start_monitor_stop_fence) {
    lab l;
    const uint64_t k1 = hf::node_key(cluster, "node1"), k2 = hf::node_key(cluster, "node2");
    const auto we_ro = hf::pr_type::write_exclusive_registrants_only;
    BOOST_TEST(l.agent("monitor", "node1").rc == ocf_not_running);  // a probe before start

    auto s1 = l.agent("start", "node1");
    BOOST_TEST_REQUIRE(s1.rc == ocf_success, s1.exit_reason);
    BOOST_TEST(l.agent("monitor", "node1").rc == ocf_success);
    BOOST_TEST(l.keys().has(k1));
    BOOST_TEST(l.reservation().key == k1);
    BOOST_TEST((l.reservation().type == we_ro));
    BOOST_TEST(l.agent("start", "node1").rc == ocf_success);  // start is idempotent
    // An unregistered initiator may not write.
    std::vector<uint8_t> block(512, 7);
    auto w = l.observer->write(0, block);
    BOOST_TEST((!w && w.error().code == hf::pr_errc::reservation_conflict));

    // node2 may not take a held LUN unless told to preempt.
    auto s2 = l.agent("start", "node2");
    BOOST_TEST(s2.rc == ocf_generic);
    BOOST_TEST(!s2.exit_reason.empty());
    BOOST_TEST(!l.keys().has(k2));
    BOOST_TEST(l.agent("monitor", "node2").rc == ocf_not_running);

    // Fencing node1 (preempting its key): its monitor reports not running and
    // its stop succeeds without registering the key again.
    BOOST_TEST_REQUIRE(l.observer->register_ignore(l.observer_key).has_value());
    BOOST_TEST_REQUIRE(l.observer->preempt(l.observer_key, k1, we_ro).has_value());
    BOOST_TEST(l.agent("monitor", "node1").rc == ocf_not_running);
    BOOST_TEST(l.agent("stop", "node1").rc == ocf_success);
    BOOST_TEST(!l.keys().has(k1));
    BOOST_TEST_REQUIRE(l.observer->clear(l.observer_key).has_value());

    // Failover with preempt=true, under a key given by parameter.
    BOOST_TEST_REQUIRE(l.agent("start", "node1").rc == ocf_success);
    auto s3 = l.agent("start", "node2", {{"preempt", "true"}, {"key", "0x2222"}});
    BOOST_TEST_REQUIRE(s3.rc == ocf_success, s3.exit_reason);
    BOOST_TEST(l.reservation().key == 0x2222u);
    BOOST_TEST(l.agent("monitor", "node1").rc == ocf_not_running);
    BOOST_TEST(l.agent("monitor", "node2", {{"key", "2222"}}).rc == ocf_success);

    // stop releases and unregisters, and is idempotent.
    auto st = l.agent("stop", "node2", {{"key", "2222"}});
    BOOST_TEST_REQUIRE(st.rc == ocf_success, st.exit_reason);
    BOOST_TEST(l.keys().keys.empty());
    BOOST_TEST(!l.reservation().held);
    BOOST_TEST(l.agent("monitor", "node2", {{"key", "2222"}}).rc == ocf_not_running);
    BOOST_TEST(l.agent("stop", "node2", {{"key", "2222"}}).rc == ocf_success);
    BOOST_TEST(l.observer->write(0, block).has_value());

    // An unreachable LUN is a failure (not "not running"), for monitor and stop.
    BOOST_TEST_REQUIRE(l.agent("start", "node1").rc == ocf_success);
    l.target.reset();
    auto m = l.agent("monitor", "node1");
    BOOST_TEST(m.rc == ocf_generic);
    BOOST_TEST(!m.exit_reason.empty());
    BOOST_TEST(l.agent("stop", "node1").rc == ocf_generic);
}

// A LUN that also fences: fence_holdfast_scsi unfenced both nodes there, so the
// keys are the nodes' own. SharedDisk then neither registers nor unregisters:
// its stop leaves node1 unfenced, node2 may start too (Registrants Only), and
// once node2 is fenced its start fails instead of registering it again.
BOOST_AUTO_TEST_CASE(shared_disk_on_a_lun_that_fences_leaves_the_keys_to_unfencing) {
    lab l;
    const uint64_t k1 = hf::node_key(cluster, "node1"), k2 = hf::node_key(cluster, "node2");
    char tmpl[] = "/tmp/holdfast-unfence-XXXXXX";
    BOOST_TEST_REQUIRE(mkdtemp(tmpl) != nullptr);
    const fs::path state = tmpl;
    setenv("HOLDFAST_FENCE_AGENT_DIR", fs::path(FENCE_SCSI_BIN).parent_path().c_str(), 1);
    auto md = hf::read_metadata("fence_holdfast_scsi");
    BOOST_TEST_REQUIRE(md.has_value());
    auto fence = [&](const std::string& node, const std::string& action, const std::string& target) {
        hf::device d{"scsi",
                     "fence_holdfast_scsi",
                     {{"devices", l.url},
                      {"cluster_name", cluster},
                      {"local_node", node},
                      {"state_dir", (state / node).string()},
                      {"pcmk_host_list", "node1 node2"}},
                     true};
        auto r = hf::run_action(d, *md, {action, target, 0, 30000});
        return r && r->ok();
    };
    auto disk = [&](const std::string& action, const std::string& node) {
        return l.agent(action, node, {{"fencing_state_dir", (state / node).string()}});
    };
    BOOST_TEST_REQUIRE(fence("node1", "on", "node1"));
    BOOST_TEST_REQUIRE(fence("node2", "on", "node2"));
    BOOST_TEST((l.keys().has(k1) && l.keys().has(k2)));

    BOOST_TEST(disk("monitor", "node1").rc == ocf_not_running);
    auto s1 = disk("start", "node1");
    BOOST_TEST_REQUIRE(s1.rc == ocf_success, s1.exit_reason);
    BOOST_TEST(disk("monitor", "node1").rc == ocf_success);
    BOOST_TEST(disk("stop", "node1").rc == ocf_success);
    BOOST_TEST(l.keys().has(k1));  // still unfenced
    BOOST_TEST(disk("monitor", "node1").rc == ocf_not_running);

    auto s2 = disk("start", "node2");
    BOOST_TEST_REQUIRE(s2.rc == ocf_success, s2.exit_reason);
    BOOST_TEST(disk("stop", "node2").rc == ocf_success);

    BOOST_TEST_REQUIRE(fence("node1", "off", "node2"));
    BOOST_TEST(!l.keys().has(k2));
    auto s3 = disk("start", "node2");
    BOOST_TEST(s3.rc == ocf_generic);
    BOOST_TEST(s3.exit_reason.find("not registered") != std::string::npos, s3.exit_reason);
    BOOST_TEST(!l.keys().has(k2));  // never registered again by the disk
    BOOST_TEST(disk("start", "node1").rc == ocf_success);
    BOOST_TEST(disk("stop", "node1").rc == ocf_success);
    std::error_code ec;
    fs::remove_all(state, ec);
}
