// SharedDisk's actions (shared_disk.hpp).
//
// Every action opens its own path to the LUN and closes it on exit. With a
// kernel initiator (SG_IO) the I_T nexus is the same for every process of the
// node. With libiscsi each process logs in anew, and tgtd keeps a finished
// session's registration as an orphan of the same key. So: start registers
// and reserves (the orphan left behind is "this node's key" to everyone),
// monitor only reads (PERSISTENT RESERVE IN works unregistered), and stop
// registers its own session, PREEMPTs its own key (which by SPC removes every
// other registration of that key and moves a reservation held under it to
// this session), releases and unregisters. A node whose key is gone (fenced)
// is never re-registered by monitor or stop.
//
// On a LUN that also fences nodes (fence_holdfast_scsi unfenced this node
// there: its record exists), the key is the node's, registered by
// unfencing, and every unfenced node may write under the Registrants Only
// reservation; exclusivity is the cluster's placement plus fencing, as with
// Pacemaker's fence_scsi. Then SharedDisk never registers nor unregisters:
// start checks the key is there (a fenced node's is not: it fails) and a
// reservation is held (reserving if none), and records that it runs here in a
// state file; monitor checks that file, the key and the LUN; stop removes the
// file and leaves the registration to unfencing.
#include "ra/agents/shared_disk.hpp"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>

#include <cstdlib>
#include <fstream>

#include "ra/ocf.hpp"

namespace holdfast::ra::shared_disk {
namespace {

namespace pr = holdfast::fencing;

constexpr int rc_success = static_cast<int>(ocf_rc::success);
constexpr int rc_generic = static_cast<int>(ocf_rc::error);
constexpr int rc_installed = static_cast<int>(ocf_rc::not_installed);
constexpr int rc_configured = static_cast<int>(ocf_rc::not_configured);
constexpr int rc_not_running = static_cast<int>(ocf_rc::not_running);

std::string env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    return v ? v : "";
}

// totem.cluster_name from corosync.conf: the cluster identity every node shares.
std::string corosync_cluster_name() {
    std::string path = env("COROSYNC_MAIN_CONFIG_FILE");
    if (path.empty()) path = "/etc/corosync/corosync.conf";
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find("cluster_name:");
        if (at == std::string::npos || line.find_first_not_of(" \t") != at) continue;
        const auto b = line.find_first_not_of(" \t", at + 13);
        const auto e = line.find_last_not_of(" \t\r");
        if (b != std::string::npos) return line.substr(b, e - b + 1);
    }
    return {};
}

bool all_registrants(pr::pr_type t) {
    return t == pr::pr_type::write_exclusive_all_registrants || t == pr::pr_type::exclusive_access_all_registrants;
}

// Does `key` hold reservation `r`? (All-registrants types report key 0 and
// every registrant holds them.)
bool held_by(const pr::pr_reservation& r, uint64_t key, bool registered) {
    if (!r.held) return false;
    return r.key == key || (all_registrants(r.type) && registered);
}

// The OCF code for a library error: a LUN that lacks persistent reservations
// cannot work anywhere; anything else may be this node's path.
outcome failed(const pr::pr_error& e, const std::string& during) {
    const int rc = e.code == pr::pr_errc::not_supported      ? rc_configured
                   : e.code == pr::pr_errc::invalid_argument ? rc_configured
                                                             : rc_generic;
    return {rc, during + ": " + e.message};
}

pr::pr_result<pr::pr_device> open(const config& c) { return pr::pr_device::open(c.device, {c.initiator}); }

std::string describe(const pr::pr_reservation& r) {
    return "key " + pr::key_to_string(r.key) + " (" + pr::to_string(r.type) + ")";
}

// Takes the reservation when free, or from another holder when allowed.
outcome acquire(pr::pr_device& d, const config& c, const pr::pr_reservation& r) {
    if (r.held && r.key != c.key && !all_registrants(r.type)) {
        if (!c.preempt)
            return {rc_generic, "LUN " + c.device + " is reserved by " + describe(r) +
                                    "; set preempt=true only if that holder is fenced or stopped"};
        if (auto ok = d.register_ignore(c.key); !ok) return failed(ok.error(), "register");
        if (auto ok = d.preempt(c.key, r.key, c.type); !ok) return failed(ok.error(), "preempt " + describe(r));
        return {};
    }
    if (auto ok = d.register_ignore(c.key); !ok) return failed(ok.error(), "register");
    if (r.held) return {};  // ours already (or shared by all registrants)
    if (auto ok = d.reserve(c.key, c.type); !ok) {
        // Not holding it, so not registered either: under a Registrants Only
        // type a registration alone would let this node write.
        (void)d.register_key(c.key, 0);
        auto now = d.read_reservation();  // lost a race with another node?
        if (now && now->held && now->key != c.key)
            return {rc_generic, "LUN " + c.device + " was reserved meanwhile by " + describe(*now)};
        return failed(ok.error(), "reserve");
    }
    return {};
}

bool unfenced_here(const config& c) {
    return access(pr::unfence_record_path(c.fencing_state_dir, c.key, c.device).c_str(), F_OK) == 0;
}

bool registrants_may_write(pr::pr_type t) {
    return t != pr::pr_type::write_exclusive && t != pr::pr_type::exclusive_access;
}

outcome check_unfenced(pr::pr_device& d, const config& c) {
    auto keys = d.read_keys();
    if (!keys) return failed(keys.error(), "read keys");
    if (!keys->has(c.key))
        return {rc_generic, "key " + pr::key_to_string(c.key) + " of " + c.node + " is not registered on " + c.device +
                                " although this node was unfenced there (fenced?); SharedDisk does not register it"};
    return {};
}

outcome start_unfenced(pr::pr_device& d, const config& c) {
    if (auto o = check_unfenced(d, c); o.rc != rc_success) return o;
    auto r = d.read_reservation();
    if (!r) return failed(r.error(), "read reservation");
    if (!r->held) {
        if (auto ok = d.reserve(c.key, c.type); !ok) {
            r = d.read_reservation();  // another node reserved meanwhile: as good
            if (!r || !r->held) return failed(ok.error(), "reserve");
        }
        r = d.read_reservation();
        if (!r) return failed(r.error(), "read reservation");
    }
    if (r->held && r->key != c.key && !registrants_may_write(r->type))
        return {rc_generic, "LUN " + c.device + " is reserved by " + describe(*r) + ", which registrants cannot write"};
    // HA_RSCTMP is made at boot by resource-agents' tmpfiles.d rule, which a node without it skips
    (void)mkdir(c.state_file.substr(0, c.state_file.rfind('/')).c_str(), 01755);
    std::ofstream f(c.state_file, std::ios::trunc);
    f << pr::key_to_string(c.key) << "\n";
    if (!f.flush()) return {rc_generic, "cannot write " + c.state_file};
    return {};
}

outcome monitor_unfenced(const config& c) {
    if (access(c.state_file.c_str(), F_OK) != 0) return {rc_not_running, {}};
    auto d = open(c);
    if (!d) return failed(d.error(), "open " + c.device);
    if (auto o = check_unfenced(*d, c); o.rc != rc_success) return o;
    if (auto ok = d->test_unit_ready(); !ok) return failed(ok.error(), "LUN does not answer");
    auto r = d->read_reservation();
    if (!r) return failed(r.error(), "read reservation");
    if (!r->held || (r->key != c.key && !registrants_may_write(r->type)))
        return {rc_generic, "reservation lost: " + (r->held ? "held by " + describe(*r) : std::string("not held"))};
    return {};
}

}  // namespace

holdfast::expected<config, outcome> load_config() {
    config c;
    c.device = env("OCF_RESKEY_device");
    if (c.device.empty()) return unexpected(outcome{rc_configured, "parameter 'device' is required"});
    c.node = env("OCF_RESKEY_CRM_meta_on_node");
    if (c.node.empty()) {
        utsname u{};
        uname(&u);
        c.node = u.nodename;
    }
    c.cluster = env("OCF_RESKEY_cluster_name");
    if (c.cluster.empty()) c.cluster = corosync_cluster_name();
    if (c.cluster.empty()) c.cluster = "holdfast";
    c.key = pr::node_key(c.cluster, c.node);
    if (const auto k = env("OCF_RESKEY_key"); !k.empty()) {
        auto parsed = pr::parse_key(k);
        if (!parsed) return unexpected(outcome{rc_configured, parsed.error().message});
        c.key = *parsed;
    }
    const auto t = env("OCF_RESKEY_reservation_type");
    auto type = pr::parse_pr_type(t.empty() ? "WE-RO" : t);
    if (!type) return unexpected(outcome{rc_configured, type.error().message});
    c.type = *type;
    const auto p = env("OCF_RESKEY_preempt");
    c.preempt = p == "true" || p == "yes" || p == "1" || p == "on" || p == "y";
    c.initiator = env("OCF_RESKEY_initiator");
    if (c.initiator.empty()) c.initiator = "iqn.2026-12.org.holdfast:" + c.node;
    if (const auto dir = env("OCF_RESKEY_fencing_state_dir"); !dir.empty()) c.fencing_state_dir = dir;
    auto tmp = env("HA_RSCTMP");
    if (tmp.empty()) tmp = "/run/resource-agents";
    auto instance = env("OCF_RESOURCE_INSTANCE");
    if (instance.empty()) instance = "SharedDisk";
    for (char& ch : instance)
        if (ch == '/') ch = '_';
    c.state_file = tmp + "/SharedDisk-" + instance + ".state";
    return c;
}

outcome validate(const config& c) {
    if (c.device.rfind("iscsi://", 0) == 0) return {};
    if (c.device[0] != '/') return {rc_configured, "device '" + c.device + "' is neither a path nor an iscsi:// URL"};
    struct stat st {};
    if (stat(c.device.c_str(), &st) != 0) return {rc_installed, "device " + c.device + " does not exist on this node"};
    if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode))
        return {rc_configured, c.device + " is not a block or character device"};
    return {};
}

outcome start(const config& c) {
    if (auto v = validate(c); v.rc != rc_success) return v;
    auto d = open(c);
    if (!d) return failed(d.error(), "open " + c.device);
    if (unfenced_here(c)) return start_unfenced(*d, c);
    auto r = d->read_reservation();
    if (!r) return failed(r.error(), "read reservation");
    if (auto o = acquire(*d, c, *r); o.rc != rc_success) return o;
    auto keys = d->read_keys();
    r = d->read_reservation();
    if (!keys || !r) return failed(!keys ? keys.error() : r.error(), "verify");
    if (!keys->has(c.key) || !held_by(*r, c.key, true))
        return {rc_generic, "after start the key " + pr::key_to_string(c.key) + " is " +
                                (keys->has(c.key) ? "registered" : "not registered") + " and the reservation is " +
                                (r->held ? describe(*r) : "not held")};
    if (r->type != c.type)
        return {rc_configured, "this node holds the reservation as " + std::string(pr::to_string(r->type)) +
                                   ", configured " + pr::to_string(c.type) + ": stop it before changing the type"};
    return {};
}

outcome monitor(const config& c) {
    if (unfenced_here(c)) return monitor_unfenced(c);
    auto d = open(c);
    if (!d) return failed(d.error(), "open " + c.device);
    auto keys = d->read_keys();
    if (!keys) return failed(keys.error(), "read keys");
    if (!keys->has(c.key)) return {rc_not_running, "key " + pr::key_to_string(c.key) + " is not registered"};
    if (auto ok = d->test_unit_ready(); !ok) return failed(ok.error(), "LUN does not answer");
    auto r = d->read_reservation();
    if (!r) return failed(r.error(), "read reservation");
    if (!held_by(*r, c.key, true))
        return {rc_generic, "reservation lost: " + (r->held ? "held by " + describe(*r) : std::string("not held"))};
    return {};
}

outcome stop(const config& c) {
    if (unfenced_here(c)) {
        if (unlink(c.state_file.c_str()) != 0 && errno != ENOENT) return {rc_generic, "cannot remove " + c.state_file};
        return {};
    }
    auto d = open(c);
    if (!d) return failed(d.error(), "open " + c.device);
    auto keys = d->read_keys();
    auto r = d->read_reservation();
    if (!keys || !r) return failed(!keys ? keys.error() : r.error(), "read state");
    const bool ours = r->held && r->key == c.key;
    if (!keys->has(c.key) && !ours) return {};  // stopped already, or fenced: never re-register
    if (auto ok = d->register_ignore(c.key); !ok) return failed(ok.error(), "register");
    const pr::pr_type type = ours ? r->type : c.type;
    if (auto ok = d->preempt(c.key, c.key, type); !ok) return failed(ok.error(), "preempt own key");
    if (ours)
        if (auto ok = d->release(c.key, type); !ok) return failed(ok.error(), "release");
    if (auto ok = d->register_key(c.key, 0); !ok) return failed(ok.error(), "unregister");
    keys = d->read_keys();
    r = d->read_reservation();
    if (!keys || !r) return failed(!keys ? keys.error() : r.error(), "verify");
    if (keys->has(c.key) || (r->held && r->key == c.key))
        return {rc_generic, "key " + pr::key_to_string(c.key) + " still registered or holding after stop"};
    return {};
}

}  // namespace holdfast::ra::shared_disk
