// Carrying out actions on this node (see local_executor.hpp).
#include "daemon/local_executor.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <ctime>

#include "cib/xml_text.hpp"
#include "daemon/log.hpp"
#include "daemon/op_update.hpp"

namespace holdfast::daemon {

namespace {

constexpr const char* feature_set = "3.16.2";

ra::operation operation_of(const policy::graph_action& a) {
    ra::operation op;
    op.rsc_id = a.rsc_long_id.empty() ? a.rsc_id : a.rsc_long_id;
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

// The <lrm_resource> with one <lrm_rsc_op> a record_operation change carries.
std::string entry_xml(const op_update& u, const std::map<std::string, std::string>& entry) {
    auto esc = [](const std::string& s) { return cib::xml_attr(s); };
    std::string x = "<lrm_resource id=\"" + esc(u.rsc_id) + "\" class=\"" + esc(u.rclass) + "\"";
    if (!u.provider.empty()) x += " provider=\"" + esc(u.provider) + "\"";
    x += " type=\"" + esc(u.type) + "\"><lrm_rsc_op";
    for (const auto& [k, v] : entry) x += " " + k + "=\"" + esc(v) + "\"";
    return x + "/></lrm_resource>";
}

}  // namespace

struct local_executor::run {
    exec_message msg;
    std::optional<ra::child_process> child;
    event_source watch;
    std::optional<timer> timeout;
    int64_t started = 0;
    std::chrono::steady_clock::time_point began;
    bool repeat = false;
};

struct local_executor::recurring {
    exec_message msg;
    std::optional<timer> next;
    int last_rc = -1;
    int last_status = -1;
};

local_executor::local_executor(event_loop& loop, cluster& c) : loop_(loop), cluster_(c) {
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
    const ra::operation op = operation_of(m.action);
    const auto began = std::chrono::steady_clock::now();
    const auto now = static_cast<int64_t>(std::time(nullptr));
    auto child = ra::start(op);
    if (!child) {
        const ra::op_result r = ra::not_started(child.error());
        return record(m, r, now, 0);
    }
    const uint64_t serial = next_serial_++;
    auto r = std::make_unique<run>();
    r->msg = m;
    r->started = now;
    r->began = began;
    r->repeat = repeat;
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
        log_event(LOG_ERR, "executor_watch_failed", {{"rsc", m.action.rsc_id}});
        return record(m, {1, ra::exec_status::error, "cannot watch the agent", {}}, now, 0);
    }
    r->child.emplace(std::move(*child));
    r->watch = std::move(*watch);
    r->timeout = std::move(*t);
    (void)r->timeout->arm(std::chrono::milliseconds(op.timeout_ms));
    runs_.emplace(serial, std::move(r));
}

void local_executor::finished(uint64_t serial) {
    auto it = runs_.find(serial);
    if (it == runs_.end()) return;
    auto done = std::move(it->second);
    runs_.erase(it);
    done->watch.reset();
    auto exit = done->child->reap();
    const ra::operation op = operation_of(done->msg.action);
    const ra::op_result r = exit ? ra::finish(op, *exit) : ra::not_started(exit.error());
    const auto exec_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - done->began).count();
    if (done->msg.action.interval_ms > 0) {
        auto rec = recurring_.find(recurring_key(done->msg.action));
        if (done->repeat && rec == recurring_.end()) return;  // cancelled while it ran
        const bool same = rec != recurring_.end() && rec->second->last_rc == r.rc &&
                          rec->second->last_status == static_cast<int>(r.status);
        if (!done->repeat || !same) record(done->msg, r, done->started, exec_ms);
        arm_recurring(done->msg, r);
        return;
    }
    record(done->msg, r, done->started, exec_ms);
}

void local_executor::record(const exec_message& m, const ra::op_result& r, int64_t started, int64_t exec_ms) {
    const op_context c{m.transition, m.dc_uuid, ++call_id_, started, exec_ms, 0, feature_set};
    const op_update u = make_op_update(m.action, r, c);
    const std::string node_id = std::to_string(cluster_.local_id());
    for (const auto& entry : u.entries) {
        auto s = cluster_.submit(cib::change::record_operation(node_id, cluster_.local_name(), entry_xml(u, entry)));
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
    ack(m, true);
}

void local_executor::forget(const std::string& rsc_id) {
    std::erase_if(recurring_, [&](const auto& entry) { return entry.second->msg.action.rsc_id == rsc_id; });
}

void local_executor::ack(const exec_message& m, bool ok) {
    cluster_.send(encode(ack_message{m.transition, m.dc_uuid, m.action.id, ok}));
}

}  // namespace holdfast::daemon
