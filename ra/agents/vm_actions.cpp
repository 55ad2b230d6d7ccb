// The VirtualMachine agent's actions (see vm_actions.hpp).
#include "ra/agents/vm_actions.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

namespace holdfast::ra::vm {

namespace {

constexpr auto poll_every = std::chrono::milliseconds(250);

outcome failed(std::string why) { return {ocf_rc::error, std::move(why)}; }

// One polling pause, never past `until`.
void pause_until(steady::time_point until) {
    const auto now = steady::now();
    if (now < until) std::this_thread::sleep_for(std::min<steady::duration>(poll_every, until - now));
}

// The domain's state; nullopt when it no longer exists (a transient domain
// that stopped), an error when libvirt could not say.
virt::result<std::optional<virt::domain_state>> current(virDomainPtr d) {
    auto st = virt::state(d);
    if (st) return std::optional<virt::domain_state>(*st);
    if (st.error().code == VIR_ERR_NO_DOMAIN) return std::optional<virt::domain_state>();
    return virt::unexpected(st.error());
}

bool stopped(const std::optional<virt::domain_state>& st) { return !st || st->state == VIR_DOMAIN_SHUTOFF; }

// Polls until the domain is shut off or gone, or `until` passes.
virt::result<bool> wait_stopped(virDomainPtr d, steady::time_point until) {
    for (;;) {
        auto st = current(d);
        if (!st) return virt::unexpected(st.error());
        if (stopped(*st)) return true;
        if (steady::now() >= until) return false;
        pause_until(until);
    }
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Typed parameters for virDomainMigrateToURI3, freed with the value.
class migrate_params {
public:
    migrate_params() = default;
    migrate_params(const migrate_params&) = delete;
    migrate_params& operator=(const migrate_params&) = delete;
    ~migrate_params() { virTypedParamsFree(params_, count_); }
    bool add(const char* name, const std::string& value) {
        return virTypedParamsAddString(&params_, &count_, &max_, name, value.c_str()) == 0;
    }
    virTypedParameterPtr get() const { return params_; }
    int count() const { return count_; }

private:
    virTypedParameterPtr params_ = nullptr;
    int count_ = 0;
    int max_ = 0;
};

// Makes room for a new start: a crashed domain, or one half way through a
// shutdown, is destroyed first (it was going down anyway).
std::optional<outcome> clear_for_start(virDomainPtr d, int state, const std::string& name) {
    if (state != VIR_DOMAIN_CRASHED && state != VIR_DOMAIN_SHUTDOWN) return std::nullopt;
    if (virDomainDestroy(d) < 0) {
        const auto e = virt::last_error("cannot destroy " + std::string(state_name(state)) + " domain " + name);
        if (e.code != VIR_ERR_NO_DOMAIN && e.code != VIR_ERR_OPERATION_INVALID) return failed(e.message);
    }
    return std::nullopt;
}

}  // namespace

bool is_active(int state) { return state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_CRASHED; }

const char* state_name(int state) {
    switch (state) {
        case VIR_DOMAIN_NOSTATE: return "without state";
        case VIR_DOMAIN_RUNNING: return "running";
        case VIR_DOMAIN_BLOCKED: return "blocked";
        case VIR_DOMAIN_PAUSED: return "paused";
        case VIR_DOMAIN_SHUTDOWN: return "shutting down";
        case VIR_DOMAIN_SHUTOFF: return "shut off";
        case VIR_DOMAIN_CRASHED: return "crashed";
        case VIR_DOMAIN_PMSUSPENDED: return "suspended";
        default: return "in an unknown state";
    }
}

outcome start(const params& p, virConnectPtr c) {
    auto d = virt::lookup(c, p.name);
    if (!d && d.error().code != VIR_ERR_NO_DOMAIN) return failed(d.error().message);
    if (d) {
        auto st = current(d->get());
        if (!st) return failed(st.error().message);
        if (*st && is_active((*st)->state) && (*st)->state != VIR_DOMAIN_SHUTDOWN) return {};  // already running
        if (*st)
            if (auto bad = clear_for_start(d->get(), (*st)->state, p.name)) return *bad;
    }
    virt::domain started;
    if (!p.config.empty()) {
        const std::string xml = slurp(p.config);
        if (xml.empty()) return {ocf_rc::not_installed, "config file " + p.config + " is not readable on this node"};
        started.reset(virDomainCreateXML(c, xml.c_str(), VIR_DOMAIN_NONE));
        if (!started) return failed(virt::last_error("cannot create domain " + p.name + " from " + p.config).message);
    } else {
        if (!d) return {ocf_rc::not_installed, "domain " + p.name + " is not defined on this node"};
        if (virDomainCreate(d->get()) < 0) return failed(virt::last_error("cannot start domain " + p.name).message);
        started = std::move(*d);
    }
    auto st = current(started.get());
    if (!st) return failed(st.error().message);
    if (!*st || !is_active((*st)->state))
        return failed("domain " + p.name + " is " + (*st ? state_name((*st)->state) : "gone") + " after start");
    return {};
}

outcome stop(const params& p, virConnectPtr c, steady::time_point begin, steady::time_point until) {
    auto d = virt::lookup(c, p.name);
    if (!d) return d.error().code == VIR_ERR_NO_DOMAIN ? outcome{} : failed(d.error().message);
    auto st = current(d->get());
    if (!st) return failed(st.error().message);
    if (stopped(*st)) return {};
    if ((*st)->state != VIR_DOMAIN_CRASHED) {
        // The graceful part may not eat the time the destroy needs.
        const auto reserve = std::min<steady::duration>(std::chrono::seconds(10), (until - begin) / 3);
        auto graceful_until = until - reserve;
        if (p.shutdown_timeout_ms > 0)
            graceful_until = std::min(graceful_until, begin + std::chrono::milliseconds(p.shutdown_timeout_ms));
        if (virDomainShutdown(d->get()) == 0) {
            auto done = wait_stopped(d->get(), graceful_until);
            if (!done) return failed(done.error().message);
            if (*done) return {};
            std::fprintf(stderr, "VirtualMachine: %s did not shut down in time; destroying it\n", p.name.c_str());
        } else {
            // A paused guest cannot take the request; destroy it.
            std::fprintf(stderr, "VirtualMachine: %s\n",
                         virt::last_error("graceful shutdown of " + p.name + " refused").message.c_str());
        }
    }
    if (virDomainDestroy(d->get()) < 0) {
        const auto e = virt::last_error("cannot destroy domain " + p.name);
        if (e.code != VIR_ERR_NO_DOMAIN && e.code != VIR_ERR_OPERATION_INVALID) return failed(e.message);
    }
    auto done = wait_stopped(d->get(), until);
    if (!done) return failed(done.error().message);
    return *done ? outcome{} : failed("domain " + p.name + " is still running after destroy");
}

outcome migrate_to(const params& p, virConnectPtr c, const std::function<void(virDomainPtr)>& job) {
    if (p.migrate_target.empty())
        return {ocf_rc::invalid_param, "migrate_to needs the target node (OCF_RESKEY_CRM_meta_migrate_target)"};
    auto d = virt::lookup(c, p.name);
    if (!d) return failed(d.error().message);
    auto st = current(d->get());
    if (!st) return failed(st.error().message);
    if (!*st || !is_active((*st)->state)) return failed("domain " + p.name + " is not running on this node");
    const std::string dest = destination_uri(p, p.migrate_target);
    migrate_params mp;
    if (!p.migration_data_uri.empty() &&
        !mp.add(VIR_MIGRATE_PARAM_URI, expand_node(p.migration_data_uri, p.migrate_target)))
        return failed(virt::last_error("cannot set the migration data URI").message);
    job(d->get());
    // Peer to peer: this node's libvirtd opens `dest` itself, so the agent
    // needs no connection to the target; on failure libvirt resumes the
    // domain here.
    if (virDomainMigrateToURI3(d->get(), dest.c_str(), mp.get(), mp.count(), VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER) <
        0)
        return failed(virt::last_error("live migration of " + p.name + " to " + dest + " failed").message);
    return {};
}

outcome migrate_from(const params& p, virConnectPtr c, steady::time_point until) {
    for (;;) {
        auto d = virt::lookup(c, p.name);
        if (!d && d.error().code != VIR_ERR_NO_DOMAIN) return failed(d.error().message);
        if (d) {
            auto st = current(d->get());
            if (!st) return failed(st.error().message);
            // Paused by the incoming migration: not finished yet.
            const bool incoming =
                *st && (*st)->state == VIR_DOMAIN_PAUSED &&
                ((*st)->reason == VIR_DOMAIN_PAUSED_MIGRATION || (*st)->reason == VIR_DOMAIN_PAUSED_POSTCOPY);
            if (*st && is_active((*st)->state) && !incoming) return {};
        }
        if (steady::now() >= until) return failed("domain " + p.name + " is not running on this node after migration");
        pause_until(until);
    }
}

outcome utilization(const params& p, virConnectPtr c) {
    unsigned vcpus = 0;
    unsigned long long kib = 0;
    std::string why;
    if (c) {
        auto d = virt::lookup(c, p.name);
        virDomainInfo info{};
        if (d && virDomainGetInfo(d->get(), &info) == 0) {
            vcpus = info.nrVirtCpu;
            kib = info.maxMem;
        } else {
            why = d ? virt::last_error("cannot read the size of " + p.name).message : d.error().message;
        }
    }
    if (!vcpus && !p.config.empty()) {
        auto xml = read_domain_xml(p.config);
        if (!xml) return xml.error();
        vcpus = xml->vcpus;
        kib = xml->memory_kib;
    }
    if (!vcpus) return failed(why.empty() ? "the size of domain " + p.name + " is not known" : why);
    std::printf("cpu=%u hv_memory=%llu\n", vcpus, kib / 1024);
    return {};
}

}  // namespace holdfast::ra::vm
