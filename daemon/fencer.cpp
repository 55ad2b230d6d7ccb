// Fencing on worker threads, results on the loop (see fencer.hpp).
#include "daemon/fencer.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
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
    std::thread worker;
    std::atomic<bool> finished{false};
    fencing::fencing_result result;
    std::chrono::steady_clock::time_point began;
};

fencer::fencer(event_loop& loop, const cib_service& cib, std::string local_name)
    : loop_(loop), cib_(cib), local_name_(std::move(local_name)) {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
        log_event(LOG_ERR, "fencer_unavailable", {{"errno", std::to_string(errno)}});
        return;
    }
    auto w = loop_.add_io(wake_fd_, EPOLLIN, [this](int, uint32_t) { collect(); });
    if (w) wake_ = std::move(*w);
}

fencer::~fencer() {
    for (auto& [target, o] : ops_)
        if (o->worker.joinable()) o->worker.join();
    wake_.reset();
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

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
    if (it == ops_.end() || wake_fd_ < 0) return;
    op& o = *it->second;
    o.began = std::chrono::steady_clock::now();
    const auto& model = cib_.document().model();
    auto plan = fencing::plan_fencing(model, target, node_attributes(model, target));
    log_event(LOG_NOTICE, "fencing_started",
              {{"target", target}, {"action", o.req.action}, {"delay_s", std::to_string(o.req.delay_s)}});
    o.worker = std::thread([this, &o, plan = std::move(plan)] {
        if (plan && o.unfence)
            o.result = fencing::execute_unfencing(*plan, o.req, metadata_);
        else if (plan)
            o.result = fencing::execute_plan(*plan, o.req, metadata_);
        else
            o.result.reason = plan.error().message;
        o.finished = true;
        const uint64_t one = 1;
        (void)!::write(wake_fd_, &one, sizeof one);
    });
}

void fencer::record(const fencing_event& e) {
    history_.push_back(e);
    // as Pacemaker's fencer, a bounded history: the newest 500
    if (history_.size() > 500) history_.erase(history_.begin());
}

void fencer::collect() {
    uint64_t n = 0;
    (void)!::read(wake_fd_, &n, sizeof n);
    for (auto it = ops_.begin(); it != ops_.end();) {
        op& o = *it->second;
        if (!o.finished) {
            ++it;
            continue;
        }
        o.worker.join();
        fencing_event e{
            o.req.target,
            o.req.action,
            o.result.ok,
            o.result.device,
            o.result.reason,
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
        it = ops_.erase(it);
        for (auto& w : waiters) w(e);
    }
}

}  // namespace holdfast::daemon
