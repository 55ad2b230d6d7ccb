// Fencing on worker threads, results on the loop (see fencer.hpp).
#include "daemon/fencer.hpp"

#include <algorithm>
#include <ctime>

#include "daemon/log.hpp"
#include "fencing/agent.hpp"

namespace holdfast::daemon {

namespace {

std::string option(const cib::cib_model& m, const std::string& name) {
    for (const auto& set : m.crm_config)
        for (const auto& p : set.pairs)
            if (p.name == name) return p.value;
    return {};
}

// stonith-timeout (or its newer name fencing-timeout), Pacemaker's 60 s by default
int stonith_timeout_ms(const cib::cib_model& m) {
    for (const char* name : {"fencing-timeout", "stonith-timeout"})
        if (auto ms = fencing::parse_interval_ms(option(m, name)); ms && *ms > 0) return static_cast<int>(*ms);
    return fencing::default_stonith_timeout_ms;
}

// The target's permanent node attributes (fencing-level target-attribute).
std::map<std::string, std::string> node_attributes(const cib::cib_model& m, const std::string& target) {
    std::map<std::string, std::string> out;
    for (const auto& n : m.nodes)
        if (n.uname == target)
            for (const auto& set : n.attributes)
                for (const auto& p : set.pairs) out.emplace(p.name, p.value);
    return out;
}

}  // namespace

struct fencer::op {
    fencing::fencing_request req;
    bool unfence = false;
    std::vector<done_fn> waiters;
    std::optional<timer> wait;  // the back-off before this attempt
    std::chrono::steady_clock::time_point began;
};

fencer::fencer(event_loop& loop, const cib_service& cib, std::string local_name)
    : loop_(loop), cib_(cib), local_name_(std::move(local_name)), jobs_(loop) {}

fencer::~fencer() = default;

std::chrono::milliseconds fencer::backoff(const std::string& target) const {
    auto it = failures_.find(target);
    if (it == failures_.end() || it->second == 0) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(std::min<int64_t>(60000, int64_t{1000} << std::min(it->second - 1, 6)));
}

void fencer::fence(const std::string& target, uint32_t nodeid, const std::string& action, done_fn done, int delay_s) {
    begin(target, nodeid, action, false, std::move(done), delay_s, false);
}

void fencer::unfence(uint32_t nodeid, bool rejoined, done_fn done) {
    begin(local_name_, nodeid, "on", true, std::move(done), 0, rejoined);
}

void fencer::begin(const std::string& target, uint32_t nodeid, const std::string& action, bool unfence, done_fn done,
                   int delay_s, bool rejoined) {
    if (auto it = ops_.find(target); it != ops_.end()) {
        it->second->waiters.push_back(std::move(done));  // the operation in progress answers this one too
        return;
    }
    auto o = std::make_unique<op>();
    o->req = {target, nodeid, action, stonith_timeout_ms(cib_.document().model())};
    o->unfence = unfence;
    o->req.delay_s = delay_s;
    o->req.rejoined = rejoined;
    o->req.cancel_fd = cancel_.fd();
    o->waiters.push_back(std::move(done));
    const auto wait = backoff(target);
    op& ref = *o;
    ops_.emplace(target, std::move(o));
    if (wait.count() > 0) {
        auto t = timer::create(loop_, [this, target] { launch(target); });
        if (t && t->arm(wait)) {
            ref.wait = std::move(*t);
            log_event(LOG_NOTICE, "fencing_delayed", {{"target", target}, {"after_ms", std::to_string(wait.count())}});
            return;
        }
    }
    launch(target);
}

void fencer::launch(const std::string& target) {
    auto it = ops_.find(target);
    if (it == ops_.end()) return;
    op& o = *it->second;
    o.began = std::chrono::steady_clock::now();
    const auto& model = cib_.document().model();
    auto plan = fencing::plan_fencing(model, target, node_attributes(model, target));
    log_event(LOG_NOTICE, "fencing_started",
              {{"target", target}, {"action", o.req.action}, {"delay_s", std::to_string(o.req.delay_s)}});
    // the worker touches only its copies and the (thread-safe) metadata cache
    const bool started = jobs_.run([this, target, req = o.req, unfence = o.unfence, plan = std::move(plan)] {
        fencing::fencing_result result;
        if (plan && unfence)
            result = fencing::execute_unfencing(*plan, req, metadata_);
        else if (plan)
            result = fencing::execute_plan(*plan, req, metadata_);
        else
            result.reason = plan.error().message;
        return background::continuation([this, target, result = std::move(result)] { finish(target, result); });
    });
    if (!started) {
        fencing::fencing_result none;
        none.reason = "no thread to run the fencing on";
        finish(target, none);
    }
}

void fencer::cancel_all() {
    if (cancel_.cancelled()) return;
    log_event(LOG_CRIT, "fencing_cancelled", {{"in_progress", std::to_string(ops_.size())}});
    cancel_.cancel();
}

void fencer::record(const fencing_event& e) {
    // the same outcome comes again when its target rejoins (controller::share_fencings)
    const auto same = [&](const fencing_event& h) {
        return h.target == e.target && h.action == e.action && h.ok == e.ok && h.device == e.device &&
               h.origin == e.origin && h.completed == e.completed;
    };
    if (std::any_of(history_.begin(), history_.end(), same)) return;
    history_.push_back(e);
    // as Pacemaker's fencer, a bounded history: the newest 500
    if (history_.size() > 500) history_.erase(history_.begin());
    if (on_recorded) on_recorded(e);
}

void fencer::finish(const std::string& target, const fencing::fencing_result& result) {
    auto it = ops_.find(target);
    if (it == ops_.end()) return;
    op& o = *it->second;
    fencing_event e{
        o.req.target,
        o.req.action,
        result.ok,
        result.device,
        result.reason,
        local_name_,
        static_cast<int64_t>(std::time(nullptr)),
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - o.began).count()};
    failures_[e.target] = e.ok ? 0 : failures_[e.target] + 1;
    log_event(e.ok ? LOG_NOTICE : LOG_ERR, e.ok ? "fencing_succeeded" : "fencing_failed",
              {{"target", e.target},
               {"action", e.action},
               {"device", e.device},
               {"reason", e.reason},
               {"elapsed_ms", std::to_string(e.elapsed_ms)}});
    record(e);
    auto waiters = std::move(o.waiters);
    ops_.erase(it);
    for (auto& w : waiters) w(e);
}

}  // namespace holdfast::daemon
