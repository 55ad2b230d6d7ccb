// fence_holdfast_scsi's actions (scsi_agent.hpp).
//
// A note on iSCSI (the lab's tgtd): each run logs in anew, tgtd ties a
// registration to the session, and a finished session's registration stays
// behind as this key's. So on leaves the node's key registered after it
// exits, and off first registers its own session under the local node's key
// (PREEMPT must come from a registered nexus) after checking that key is
// already there: a node that is not itself registered (fenced, or with
// another cluster name and so other keys) fences nobody. Over SG_IO the
// nexus is the host's, and registering again under the same key changes
// nothing.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <set>

#include "fencing/agents/scsi_agent.hpp"
#include "fencing/scsi_pr.hpp"

namespace holdfast::fencing::scsi_agent {
namespace {

constexpr auto reservation_type = pr_type::write_exclusive_registrants_only;

struct failure {
    std::string message;
};
using step = holdfast::expected<void, failure>;

void say(const std::string& m) { std::fprintf(stderr, "fence_holdfast_scsi: %s\n", m.c_str()); }

holdfast::expected<pr_device, failure> open(const options& o, const std::string& dev) {
    auto d = pr_device::open(dev, {o.initiator});
    if (!d) return holdfast::unexpected(failure{dev + ": " + d.error().message});
    return std::move(*d);
}

step fail(const std::string& dev, const pr_error& e) { return holdfast::unexpected(failure{dev + ": " + e.message}); }

// The record that on registered `key` on `dev` (see the header: fenced nodes
// do not register again).
std::string record_path(const options& o, uint64_t key, const std::string& dev) {
    return unfence_record_path(o.state_dir, key, dev);
}

bool has_record(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

step write_record(const std::string& path, const std::string& dev) {
    const auto dir = path.substr(0, path.rfind('/'));
    for (size_t i = 1; i <= dir.size(); ++i)
        if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0700);
    std::ofstream out(path, std::ios::trunc);
    out << dev << "\n";
    if (!out.flush()) return holdfast::unexpected(failure{"cannot write " + path});
    return {};
}

// on, one device: register unless fenced; reserve when nobody holds it.
step unfence(const options& o, const std::string& dev, uint64_t key) {
    auto d = open(o, dev);
    if (!d) return holdfast::unexpected(d.error());
    auto keys = d->read_keys();
    if (!keys) return fail(dev, keys.error());
    const auto record = record_path(o, key, dev);
    if (!keys->has(key)) {
        if (has_record(record) && !o.rejoined)
            return holdfast::unexpected(
                failure{dev + ": key " + key_to_string(key) + " of " + o.plug +
                        " was removed since this node registered it (fenced); it registers again only after a clean "
                        "rejoin (rejoined=1)"});
        if (auto ok = d->register_ignore(key); !ok) return fail(dev, ok.error());
    }
    auto r = d->read_reservation();
    if (!r) return fail(dev, r.error());
    if (!r->held) {
        auto ok = d->reserve(key, reservation_type);
        auto now = d->read_reservation();  // another node may have won the race: fine
        if (!ok && !(now && now->held)) return fail(dev, ok.error());
    }
    auto after = d->read_keys();
    if (!after) return fail(dev, after.error());
    if (!after->has(key)) return holdfast::unexpected(failure{dev + ": key still not registered after REGISTER"});
    return write_record(record, dev);
}

// off, one device: preempt the victim's key and check it is gone.
step fence(const options& o, const std::string& dev, uint64_t mine, uint64_t victim) {
    auto d = open(o, dev);
    if (!d) return holdfast::unexpected(d.error());
    auto keys = d->read_keys();
    if (!keys) return fail(dev, keys.error());
    if (!keys->has(mine))
        return holdfast::unexpected(failure{dev + ": this node's key " + key_to_string(mine) + " (" + o.local_node +
                                            ") is not registered: an unfenced node fences, no other"});
    if (auto ok = d->register_ignore(mine); !ok) return fail(dev, ok.error());
    if (keys->has(victim)) {
        auto ok = d->preempt(mine, victim, reservation_type, true);
        if (!ok && ok.error().code == pr_errc::not_supported) {
            say(dev + ": PREEMPT AND ABORT refused (" + ok.error().message + "), using PREEMPT");
            ok = d->preempt(mine, victim, reservation_type, false);
        }
        if (!ok) return fail(dev, ok.error());
    }
    // without a Registrants Only reservation an unregistered node still writes
    auto r = d->read_reservation();
    if (!r) return fail(dev, r.error());
    if (!r->held)
        if (auto ok = d->reserve(mine, reservation_type); !ok) return fail(dev, ok.error());
    auto after = d->read_keys();
    if (!after) return fail(dev, after.error());
    if (after->has(victim))
        return holdfast::unexpected(
            failure{dev + ": key " + key_to_string(victim) + " still registered after PREEMPT"});
    return {};
}

int for_each_device(const options& o, const std::function<step(const std::string&)>& f) {
    int rc = rc_ok;
    for (const auto& dev : o.devices)
        if (auto ok = f(dev); !ok) {
            say(ok.error().message);
            rc = rc_error;
        }
    return rc;
}

int status(const options& o, uint64_t key) {
    bool any = false;
    const int rc = for_each_device(o, [&](const std::string& dev) -> step {
        auto d = open(o, dev);
        if (!d) return holdfast::unexpected(d.error());
        auto keys = d->read_keys();
        if (!keys) return fail(dev, keys.error());
        any = any || keys->has(key);
        return {};
    });
    if (rc != rc_ok) return rc;
    std::printf("Status: %s\n", any ? "ON" : "OFF");
    return any ? rc_ok : rc_off;
}

int monitor(const options& o) {
    return for_each_device(o, [&](const std::string& dev) -> step {
        auto d = open(o, dev);
        if (!d) return holdfast::unexpected(d.error());
        if (auto ok = d->test_unit_ready(); !ok) return fail(dev, ok.error());
        if (auto keys = d->read_keys(); !keys) return fail(dev, keys.error());
        return {};
    });
}

// list: the nodes named in `nodes` with their keys ("node,key"), or without
// `nodes` the keys registered on the devices; list-status adds on/off.
int list(const options& o, bool with_status) {
    std::set<uint64_t> registered;
    const int rc = for_each_device(o, [&](const std::string& dev) -> step {
        auto d = open(o, dev);
        if (!d) return holdfast::unexpected(d.error());
        auto keys = d->read_keys();
        if (!keys) return fail(dev, keys.error());
        registered.insert(keys->keys.begin(), keys->keys.end());
        return {};
    });
    if (rc != rc_ok) return rc;
    auto line = [&](const std::string& name, uint64_t key) {
        const std::string state = registered.count(key) ? "on" : "off";
        std::printf("%s,%s%s\n", name.c_str(), key_to_string(key).c_str(), with_status ? ("," + state).c_str() : "");
    };
    if (o.nodes.empty())
        for (uint64_t k : registered) line(key_to_string(k), k);
    for (const auto& n : o.nodes) line(n, node_key(o.cluster, n));
    return rc_ok;
}

}  // namespace

int run(const options& o) {
    if (o.action == "metadata") {
        std::fputs(metadata(), stdout);
        return rc_ok;
    }
    if (const auto why = validate(o); !why.empty()) {
        say(why);
        return rc_error;
    }
    const uint64_t key = node_key(o.cluster, o.plug);
    if (o.action == "validate-all") return rc_ok;
    if (o.action == "on") return for_each_device(o, [&](const std::string& dev) { return unfence(o, dev, key); });
    if (o.action == "off") {
        const uint64_t mine = node_key(o.cluster, o.local_node);
        return for_each_device(o, [&](const std::string& dev) { return fence(o, dev, mine, key); });
    }
    if (o.action == "status") return status(o, key);
    if (o.action == "monitor") return monitor(o);
    return list(o, o.action == "list-status");
}

}  // namespace holdfast::fencing::scsi_agent
