// ocf:holdfast:VirtualMachine: one libvirt domain as a cluster resource,
// through libvirt's C API (meta-data: vm_meta_data.cpp; actions:
// vm_actions.cpp).
//
// Every libvirt conversation runs on a worker thread and the main thread
// waits for it with a deadline inside the action's timeout: a libvirtd that
// accepts the connection and then never answers blocks libvirt calls with no
// timeout of their own, and an agent killed by the executor's timeout reports
// nothing useful. When the deadline passes, monitor falls back to process
// evidence, migrate_to aborts the migration job, and the others fail with a
// reason. The worker may still sit inside libvirt then, so the agent always
// leaves through _exit(), never through static destructors.
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "ra/agents/vm_actions.hpp"
#include "ra/agents/vm_params.hpp"
#include "ra/agents/vm_process.hpp"
#include "ra/libvirt.hpp"

namespace holdfast::ra::vm {

namespace {

using std::chrono::milliseconds;

// fn() on its own thread; wait_until() gives its value or nullopt when the
// deadline came first (the thread is then left to itself).
template <typename T>
class async_call {
public:
    explicit async_call(std::function<T()> fn) : slot_(std::make_shared<slot>()) {
        std::thread([s = slot_, fn = std::move(fn)] {
            T value = fn();
            std::lock_guard lock(s->m);
            s->value = std::move(value);
            s->cv.notify_all();
        }).detach();
    }
    std::optional<T> wait_until(steady::time_point t) {
        std::unique_lock lock(slot_->m);
        slot_->cv.wait_until(lock, t, [&] { return slot_->value.has_value(); });
        return slot_->value;
    }

private:
    struct slot {
        std::mutex m;
        std::condition_variable cv;
        std::optional<T> value;
    };
    std::shared_ptr<slot> slot_;
};

// libvirt's keepalive needs an event loop; with it, a libvirtd that stops
// answering in the middle of a long call (a migration) closes the connection
// after about 15 s and the call returns an error.
void start_event_loop() {
    if (virEventRegisterDefaultImpl() < 0) {
        virResetLastError();
        return;
    }
    std::thread([] {
        while (virEventRunDefaultImpl() == 0) {
        }
    }).detach();
}

virt::result<virt::connection> connect(const params& p) {
    auto c = virt::open(p.hypervisor);
    // Drivers without keepalive (test:///, a local driver) decline: fine.
    if (c && virConnectSetKeepAlive(c->get(), 5, 3) < 0) virResetLastError();
    return c;
}

// How long before the executor's own timeout the agent gives its answer.
steady::time_point answer_by(const params& p, steady::time_point begin) {
    const int64_t reserve = std::clamp<int64_t>(p.timeout_ms / 10, 1000, 5000);
    return begin + milliseconds(std::max<int64_t>(p.timeout_ms - reserve, p.timeout_ms / 2));
}

// What libvirt said about the domain; answered=false when it could not be asked.
struct hv_answer {
    bool answered = false;
    int state = VIR_DOMAIN_NOSTATE;
    bool exists = false;
    std::string message;
};

hv_answer ask(const params& p) {
    hv_answer a;
    auto c = connect(p);
    if (!c) {
        a.message = c.error().message;
        return a;
    }
    auto d = virt::lookup(c->get(), p.name);
    if (!d) {
        a.answered = d.error().code == VIR_ERR_NO_DOMAIN;
        a.message = d.error().message;
        return a;
    }
    auto st = virt::state(d->get());
    a.answered = st || st.error().code == VIR_ERR_NO_DOMAIN;
    a.exists = bool(st);
    if (st) a.state = st->state;
    if (!st) a.message = st.error().message;
    return a;
}

outcome monitor(const params& p, steady::time_point begin) {
    const int64_t limit =
        p.hypervisor_timeout_ms > 0 ? p.hypervisor_timeout_ms : std::min<int64_t>(30000, p.timeout_ms / 2);
    const auto deadline = std::min(begin + milliseconds(limit), answer_by(p, begin));
    async_call<hv_answer> call([p] { return ask(p); });
    const auto a = call.wait_until(deadline);
    if (a && a->answered) {
        if (!a->exists || a->state == VIR_DOMAIN_SHUTOFF) return {ocf_rc::not_running, {}};
        if (a->state == VIR_DOMAIN_CRASHED) return {ocf_rc::error, "domain " + p.name + " crashed"};
        return {};
    }
    // libvirt is hung or down: that is not the domain failing.
    const std::string why = a ? a->message : "libvirt did not answer within " + std::to_string(limit) + " ms";
    if (p.pid_dir.empty())
        return {ocf_rc::error, why + ", and no pid directory is known for " + p.hypervisor + " (set pid_dir)"};
    const auto ev = domain_process(p.pid_dir, p.name);
    std::fprintf(stderr, "VirtualMachine: %s; %s\n", why.c_str(), ev.detail.c_str());
    return ev.alive ? outcome{} : outcome{ocf_rc::not_running, {}};
}

// Any action but monitor: the libvirt conversation bounded by the answer time.
outcome converse(const std::string& action, const params& p, steady::time_point begin) {
    const auto until = answer_by(p, begin);
    // The actions' own polling ends a little earlier, so that a domain that
    // never comes or goes is reported as such, not as a silent libvirt.
    const auto inner = until - std::min<steady::duration>(milliseconds(1000), (until - begin) / 5);
    auto job = std::make_shared<std::pair<std::mutex, virt::domain>>();
    async_call<outcome> call([action, p, begin, inner, job]() -> outcome {
        auto c = connect(p);
        if (!c) {
            if (action == "utilization") return utilization(p, nullptr);
            return {ocf_rc::error, c.error().message};
        }
        if (action == "start") return start(p, c->get());
        if (action == "stop") return stop(p, c->get(), begin, inner);
        if (action == "migrate_from") return migrate_from(p, c->get(), inner);
        if (action == "utilization") return utilization(p, c->get());
        return migrate_to(p, c->get(), [job](virDomainPtr d) {
            std::lock_guard lock(job->first);
            if (virDomainRef(d) == 0) job->second.reset(d);
        });
    });
    if (auto done = call.wait_until(until)) return *done;
    bool aborting = false;
    {
        std::lock_guard lock(job->first);
        aborting = job->second && virDomainAbortJob(job->second.get()) == 0;
    }
    if (aborting) {
        // The migration may have completed just as it was aborted: its own
        // result, if it comes before the executor's timeout, is the truth.
        const auto executor_kills = begin + milliseconds(p.timeout_ms);
        const auto last = until + (executor_kills - until) / 2;
        if (auto late = call.wait_until(last)) return *late;
        return {ocf_rc::error, "live migration of " + p.name + " did not finish in time and was aborted"};
    }
    // The config file still knows the domain's size.
    if (action == "utilization" && !p.config.empty()) return utilization(p, nullptr);
    return {ocf_rc::error, action + " of " + p.name + ": libvirt did not answer in time (" + p.hypervisor + ")"};
}

bool known_action(const std::string& a) {
    return a == "start" || a == "stop" || a == "monitor" || a == "migrate_to" || a == "migrate_from" ||
           a == "utilization" || a == "validate-all" || a == "meta-data";
}

// The parameters; stop and monitor may go on by the domain's name when the
// config file is missing here but domain is set.
expected<params, outcome> parameters(const std::string& action) {
    const env_lookup env = process_env();
    auto p = load(env);
    if (p || p.error().rc != ocf_rc::not_installed || (action != "stop" && action != "monitor")) return p;
    return load([env](const std::string& name) { return name == "config" ? std::nullopt : env(name); });
}

outcome run(int argc, char** argv) {
    if (argc < 2) return {ocf_rc::invalid_param, "usage: VirtualMachine ACTION (see meta-data)"};
    const std::string action = argv[1];
    if (action == "meta-data") {
        std::fputs(meta_data(), stdout);
        return {};
    }
    if (!known_action(action)) return {ocf_rc::unimplemented, "action " + action + " is not implemented"};
    const auto begin = steady::now();
    auto p = parameters(action);
    if (!p) return p.error();
    if (action == "validate-all") return {};
    virt::quiet();
    start_event_loop();
    if (action == "monitor") return monitor(*p, begin);
    return converse(action, *p, begin);
}

}  // namespace

}  // namespace holdfast::ra::vm

int main(int argc, char** argv) {
    const auto result = holdfast::ra::vm::run(argc, argv);
    if (!result.reason.empty() && result.rc != holdfast::ra::ocf_rc::success)
        std::fprintf(stderr, "ocf-exit-reason:%s\n", result.reason.c_str());
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(static_cast<int>(result.rc));
}
