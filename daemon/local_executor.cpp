// Carrying out actions on this node (see local_executor.hpp).
#include "daemon/local_executor.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <ctime>

#include "daemon/device_ops.hpp"
#include "daemon/log.hpp"
#include "daemon/op_update.hpp"
#include "daemon/utilization.hpp"
#include "ra/ocf.hpp"

namespace holdfast::daemon {

namespace {

constexpr const char* feature_set = "3.16.2";

ra::operation operation_of(const policy::graph_action& a) {
    ra::operation op;
    op.rsc_id = a.rsc_id;  // Pacemaker registers a resource with the executor by its graph id
    op.rclass = a.rsc_class;
    op.provider = a.rsc_provider;
    op.type = a.rsc_type;
    op.action = a.task;
    op.interval_ms = a.interval_ms;
    const std::string timeout = a.meta("timeout");
    op.timeout_ms = timeout.empty() ? 20000 : std::atoll(timeout.c_str());
    op.params = a.attributes;
    return op;
}

std::string recurring_key(const policy::graph_action& a) { return a.operation_key; }

}  // namespace

struct local_executor::run {
    exec_message msg;
    ra::operation op;
    std::optional<ra::child_process> child;
    event_source watch;
    std::optional<timer> timeout;
    int64_t started = 0;
    std::chrono::steady_clock::time_point began;
    bool repeat = false;
    std::chrono::steady_clock::time_point queued;        // when it was asked for (before a start-delay)
    std::function<void(const ra::op_result&)> internal;  // set for the executor's own runs
};

struct local_executor::recurring {
    exec_message msg;
    std::optional<timer> next;
    int last_rc = -1;
    int last_status = -1;
};

local_executor::local_executor(event_loop& loop, cluster& c, const cib_service& cib)
    : loop_(loop), cluster_(c), cib_(cib), device_jobs_(loop) {
    // Agents keep their state under HA_RSCTMP; resource-agents' tmpfiles.d
    // rule makes it at boot, which a node without systemd-tmpfiles skips
    if (::mkdir("/run/resource-agents", 01755) != 0 && errno != EEXIST)
        log_event(LOG_WARNING, "agent_tmp_dir_missing", {{"dir", "/run/resource-agents"}});
}
local_executor::~local_executor() = default;

void local_executor::on_message(std::string_view body) {
    auto m = decode_exec(body);
    if (!m || m->target != cluster_.local_name()) return;
    const auto& a = m->action;
    if (a.kind == policy::action_kind::crm_event) {
        if (a.task == "stonith") return;  // unfencing: the controller's, answered when done
        const bool shutdown = a.task == "do_shutdown";
        ack(*m, true);
        if (shutdown && on_shutdown_confirmed) on_shutdown_confirmed();
        return;
    }
    if (a.task == "cancel") return cancel(*m);
    if (a.task == "delete" || a.task == "probe_again") return ack(*m, a.task == "probe_again");
    // Any action that changes the resource's state (start, stop, migrate_to, migrate_from, promote,
    // demote, ...) first stops its recurring operations here, as Pacemaker's controller does
    // (should_cancel_recurring): a monitor that fires between a migrate_to and the stop that follows
    // would find the VM gone and report a failure that restarts it on its new node.
    if (a.interval_ms == 0 && a.task != "monitor" && a.task != "notify") forget(a.rsc_id);
    start(*m, false);
}

void local_executor::start(const exec_message& m, bool repeat) {
    // start-delay holds back an operation's first run (Pacemaker's executor:
    // any operation; a recurring one's interval counts from its first run)
    const int64_t delay = std::atoll(m.action.meta("start_delay", "0").c_str());
    if (!repeat && delay > 0 && hold(m, delay)) return;
    run_now(m, repeat, std::chrono::steady_clock::now());
}

bool local_executor::hold(const exec_message& m, int64_t delay_ms) {
    const uint64_t serial = next_serial_++;
    const auto since = std::chrono::steady_clock::now();  // before the timer is armed: queue-time >= the delay
    auto t = timer::create(loop_, [this, serial] {
        auto it = delayed_.find(serial);
        if (it == delayed_.end()) return;
        held h = std::move(it->second);
        delayed_.erase(it);
        run_now(h.msg, false, h.since);
    });
    if (!t || !t->arm(std::chrono::milliseconds(delay_ms))) {
        log_event(LOG_WARNING, "start_delay_ignored", {{"rsc", m.action.rsc_id}, {"task", m.action.task}});
        return false;
    }
    delayed_.emplace(serial, held{m, std::move(*t), since});
    return true;
}

void local_executor::run_now(const exec_message& m, bool repeat, std::chrono::steady_clock::time_point queued) {
    auto r = std::make_unique<run>();
    r->msg = m;
    r->started = static_cast<int64_t>(std::time(nullptr));
    r->repeat = repeat;
    r->queued = queued;
    r->op = operation_of(m.action);
    if (m.action.rsc_class == "stonith") return run_device(std::move(r));
    const ra::operation op = r->op;  // launch takes ownership of r
    launch(op, std::move(r));
}

// A fence device's start, stop or monitor (device_ops.hpp). Stop, and a
// monitor of a device not started here, answer at once; the rest runs the
// agent on a background thread.
void local_executor::run_device(std::unique_ptr<run> r) {
    r->began = std::chrono::steady_clock::now();
    const std::string id = r->msg.action.rsc_id;
    const std::string& task = r->msg.action.task;
    auto answer = [&](ra::ocf_rc rc, ra::exec_status status, std::string why) {
        deliver(*r, {static_cast<int>(rc), status, std::move(why), {}});
    };
    if (task == "stop") {
        devices_.erase(id);
        return answer(ra::ocf_rc::success, ra::exec_status::done, {});
    }
    if (task != "start" && task != "monitor")
        return answer(ra::ocf_rc::unimplemented, ra::exec_status::done, task + " is not an action of fence devices");
    if (task == "monitor" && !devices_.count(id)) return answer(ra::ocf_rc::not_running, ra::exec_status::done, {});
    auto dev = fencing::find_device(cib_.document().model(), id);
    if (!dev) {
        devices_.erase(id);
        return answer(ra::ocf_rc::not_configured, ra::exec_status::error, dev.error().message);
    }
    if (task == "start") devices_.insert(id);
    const int timeout_ms = static_cast<int>(r->op.timeout_ms);
    auto* cache = &device_metadata_;
    std::shared_ptr<run> shared(std::move(r));
    const bool started = device_jobs_.run([this, shared, cache, d = std::move(*dev), timeout_ms] {
        auto result = std::make_shared<ra::op_result>(run_device_check(d, *cache, timeout_ms));
        return background::continuation([this, shared, result] {
            const auto& a = shared->msg.action;
            if (a.task == "start" && result->rc != 0) devices_.erase(a.rsc_id);
            deliver(*shared, *result);
        });
    });
    if (!started) {
        devices_.erase(id);
        deliver(*shared, {static_cast<int>(ra::ocf_rc::error), ra::exec_status::error, "no thread for the agent", {}});
    }
}

void local_executor::start_internal(const ra::operation& op, internal_done done) {
    auto r = std::make_unique<run>();
    r->msg.action.rsc_id = op.rsc_id;
    r->started = static_cast<int64_t>(std::time(nullptr));
    r->internal = std::move(done);
    launch(op, std::move(r));
}

// Starts the agent for `r` and watches it; a run that cannot start ends at
// once (recorded, or handed to its internal callback).
bool local_executor::launch(const ra::operation& op, std::unique_ptr<run> r) {
    r->began = std::chrono::steady_clock::now();
    if (r->queued == std::chrono::steady_clock::time_point{}) r->queued = r->began;
    r->op = op;
    auto fail = [&](const ra::op_result& res) {
        if (r->internal)
            r->internal(res);
        else
            record(r->msg, res, r->started, 0, 0);
        return false;
    };
    auto child = ra::start(op);
    if (!child) return fail(ra::not_started(child.error()));
    const uint64_t serial = next_serial_++;
    auto watch = loop_.add_io(child->pidfd(), EPOLLIN, [this, serial](int, uint32_t) { finished(serial); });
    // at the timeout TERM to the agent's group, and KILL if it is still there after the grace
    auto t = timer::create(loop_, [this, serial] {
        auto it = runs_.find(serial);
        if (it == runs_.end()) return;
        auto& child = *it->second->child;
        if (child.timed_out()) return child.kill_now();
        child.kill_for_timeout();
        (void)it->second->timeout->arm(std::chrono::milliseconds(ra::child_process::kill_grace_ms));
    });
    if (!watch || !t) {
        log_event(LOG_ERR, "executor_watch_failed", {{"rsc", op.rsc_id}});
        return fail({1, ra::exec_status::error, "cannot watch the agent", {}});
    }
    r->child.emplace(std::move(*child));
    r->watch = std::move(*watch);
    r->timeout = std::move(*t);
    (void)r->timeout->arm(std::chrono::milliseconds(op.timeout_ms));
    runs_.emplace(serial, std::move(r));
    return true;
}

void local_executor::finished(uint64_t serial) {
    auto it = runs_.find(serial);
    if (it == runs_.end()) return;
    auto done = std::move(it->second);
    runs_.erase(it);
    done->watch.reset();
    auto exit = done->child->reap();
    const ra::op_result r = exit ? ra::finish(done->op, *exit) : ra::not_started(exit.error());
    if (done->internal) return done->internal(r);
    deliver(*done, r);
}

void local_executor::deliver(const run& done, const ra::op_result& r) {
    using std::chrono::duration_cast, std::chrono::milliseconds;
    const int64_t exec_ms = duration_cast<milliseconds>(std::chrono::steady_clock::now() - done.began).count();
    const int64_t queue_ms = duration_cast<milliseconds>(done.began - done.queued).count();
    if (done.msg.action.interval_ms > 0) {
        auto rec = recurring_.find(recurring_key(done.msg.action));
        if (done.repeat && rec == recurring_.end()) return;  // cancelled while it ran
        const bool same = rec != recurring_.end() && rec->second->last_rc == r.rc &&
                          rec->second->last_status == static_cast<int>(r.status);
        if (!done.repeat || !same) record(done.msg, r, done.started, exec_ms, queue_ms);
        arm_recurring(done.msg, r);
        return;
    }
    record(done.msg, r, done.started, exec_ms, queue_ms);
    const auto& a = done.msg.action;
    if ((a.task == "start" || a.task == "migrate_from") && r.rc == 0 && r.status == ra::exec_status::done &&
        a.rsc_class == "ocf")
        record_utilization(done.msg);
}

// The agent's meta-data is read once; an agent without a utilization action
// is never asked again.
void local_executor::record_utilization(const exec_message& m) {
    const std::string agent = m.action.rsc_provider + ":" + m.action.rsc_type;
    if (auto it = offers_utilization_.find(agent); it != offers_utilization_.end()) {
        if (it->second) ask_utilization(m);
        return;
    }
    ra::operation op = operation_of(m.action);
    op.action = "meta-data";
    op.interval_ms = 0;
    op.timeout_ms = 10000;
    start_internal(op, [this, m, agent](const ra::op_result& r) {
        if (r.status != ra::exec_status::done || r.rc != 0) return;  // asked again at the next start
        const bool offers = offers_action(r.output, "utilization");
        offers_utilization_[agent] = offers;
        if (offers) ask_utilization(m);
    });
}

void local_executor::ask_utilization(const exec_message& m) {
    ra::operation op = operation_of(m.action);
    op.action = "utilization";
    op.interval_ms = 0;
    op.timeout_ms = 10000;
    start_internal(op, [this, m](const ra::op_result& r) {
        if (r.status != ra::exec_status::done || r.rc != 0) {
            log_event(LOG_WARNING, "utilization_unknown", {{"rsc", m.action.rsc_id}, {"reason", r.exit_reason}});
            return;
        }
        const auto values = parse_utilization(r.output);
        const cib::resource* primitive = find_primitive(cib_.document().model().resources, m.action.rsc_id);
        if (values.empty() || !primitive) return;
        const std::string update = utilization_update(*primitive, values);
        if (update.empty()) return;
        if (auto s = cluster_.submit(cib::change::update_configuration(update)); !s)
            log_event(LOG_ERR, "utilization_lost", {{"rsc", m.action.rsc_id}, {"error", s.error().to_string()}});
        else
            log_event(LOG_INFO, "utilization_recorded", {{"rsc", primitive->id}, {"values", r.output}});
    });
}

void local_executor::record(const exec_message& m, const ra::op_result& r, int64_t started, int64_t exec_ms,
                            int64_t queue_ms) {
    const op_context c{m.transition, m.dc_uuid, ++call_id_, started, exec_ms, queue_ms, feature_set};
    const op_update u = make_op_update(m.action, r, c);
    const std::string node_id = std::to_string(cluster_.local_id());
    for (const auto& entry : u.entries) {
        auto s =
            cluster_.submit(cib::change::record_operation(node_id, cluster_.local_name(), lrm_resource_xml(u, entry)));
        if (!s) log_event(LOG_ERR, "operation_record_lost", {{"rsc", u.rsc_id}, {"error", s.error().to_string()}});
    }
    log_event(LOG_INFO, "operation_done",
              {{"rsc", m.action.rsc_id},
               {"task", m.action.task},
               {"interval_ms", std::to_string(m.action.interval_ms)},
               {"rc", std::to_string(r.rc)},
               {"status", std::to_string(static_cast<int>(r.status))},
               {"reason", r.exit_reason}});
}

void local_executor::arm_recurring(const exec_message& m, const ra::op_result& r) {
    const std::string key = recurring_key(m.action);
    auto& slot = recurring_[key];
    if (!slot) {
        slot = std::make_unique<recurring>();
        auto t = timer::create(loop_, [this, key] {
            auto it = recurring_.find(key);
            if (it != recurring_.end()) start(it->second->msg, true);
        });
        if (!t) return;
        slot->next = std::move(*t);
    }
    slot->msg = m;
    slot->last_rc = r.rc;
    slot->last_status = static_cast<int>(r.status);
    (void)slot->next->arm(std::chrono::milliseconds(m.action.interval_ms));
}

void local_executor::cancel(const exec_message& m) {
    // A cancel carries the operation key of the recurring op it stops
    recurring_.erase(m.action.operation_key);
    std::erase_if(delayed_, [&](const auto& d) { return d.second.msg.action.operation_key == m.action.operation_key; });
    ack(m, true);
}

void local_executor::forget(const std::string& rsc_id) {
    std::erase_if(recurring_, [&](const auto& entry) { return entry.second->msg.action.rsc_id == rsc_id; });
    std::erase_if(delayed_, [&](const auto& d) {
        return d.second.msg.action.rsc_id == rsc_id && d.second.msg.action.interval_ms > 0;
    });
}

void local_executor::ack(const exec_message& m, bool ok) {
    cluster_.send(encode(ack_message{m.transition, m.dc_uuid, m.action.id, ok}));
}

}  // namespace holdfast::daemon
