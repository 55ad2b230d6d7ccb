#include "daemon/node_daemon.hpp"

#include <sys/reboot.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <utility>

#include "cib/store.hpp"
#include "cib/xml_text.hpp"
#include "daemon/acl_gate.hpp"
#include "daemon/empty_cib.hpp"
#include "daemon/fence_reaction.hpp"
#include "daemon/history_events.hpp"
#include "daemon/log.hpp"
#include "daemon/notify.hpp"
#include "daemon/request_payload.hpp"
#include "policy/unpack.hpp"

#ifndef HOLDFAST_VERSION
#define HOLDFAST_VERSION "0.0.0"
#endif

namespace holdfast::daemon {
namespace {

std::string xml_escape(const std::string& s) { return cib::xml_attr(s); }

// One fencing event as the fence requests answer it.
std::string fencing_xml(const fencing_event& e) {
    return "<fencing target=\"" + xml_escape(e.target) + "\" action=\"" + xml_escape(e.action) + "\" state=\"" +
           (e.ok ? "success" : "failed") + "\" device=\"" + xml_escape(e.device) + "\" origin=\"" +
           xml_escape(e.origin) + "\" completed=\"" + std::to_string(e.completed) + "\" elapsed-ms=\"" +
           std::to_string(e.elapsed_ms) + "\" reason=\"" + xml_escape(e.reason) + "\"/>\n";
}

std::string errno_text(int negative_errno) { return std::strerror(-negative_errno); }

// A change the CIB refused is the request's fault; failing to store it is ours.
errc errc_of(const cib::error& e) {
    switch (e.code) {
        case cib::errc::io:
        case cib::errc::absent:
        case cib::errc::corrupt: return errc::internal;
        default: return errc::bad_request;
    }
}

// The user a connection runs as, by name (its uid when it has none).
std::string peer_user(const peer& p) {
    if (p.uid == 0) return "root";
    std::string name = user_name(p.uid);
    return name.empty() ? std::to_string(p.uid) : name;
}

std::string one_line(std::string s) {
    if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
    return s;
}

}  // namespace

const char* to_string(daemon_state s) {
    switch (s) {
        case daemon_state::starting: return "starting";
        case daemon_state::serving: return "serving";
        case daemon_state::stopping: return "stopping";
    }
    return "unknown";
}

// A damaged copy is moved aside by the store and reported; the node then
// starts from the empty CIB, whose version loses to the cluster's copy.
expected<cib::document, cib::error> load_node_cib(const std::string& state_dir) {
    auto stored = cib::load(state_dir);
    if (stored) return stored;
    if (stored.error().code == cib::errc::corrupt)
        log_event(LOG_ERR, "cib_corrupt", {{"dir", state_dir}, {"error", stored.error().to_string()}});
    else if (stored.error().code != cib::errc::absent)
        return stored;
    return cib::load_string(empty_cib_xml, {}, "<empty CIB>");
}

node_daemon::node_daemon(token, daemon_options o, event_loop loop, cib::document cib)
    : opts_(std::move(o)),
      loop_(std::move(loop)),
      history_(opts_.state_dir.empty() ? std::filesystem::path()
                                       : std::filesystem::path(opts_.state_dir) / "history.jsonl"),
      cib_(std::make_unique<cib_service>(std::move(cib), opts_.state_dir)) {
    // every change this node applies, standalone or replicated, in delivery order
    cib_->add_listener([this](const cib::change* change, const cib::applied* result) {
        if (!change || !result) return;
        for (auto& e : events_of_change(*change, result->after)) history_.record(std::move(e));
    });
}

expected<std::unique_ptr<node_daemon>, std::string> node_daemon::start(const daemon_options& o) {
    auto doc = load_node_cib(o.state_dir);
    if (!doc) return unexpected("cannot load the CIB: " + doc.error().to_string());
    const auto& m = doc->model();
    log_event(LOG_NOTICE, "cib_loaded",
              {{"admin_epoch", m.admin_epoch}, {"epoch", m.epoch}, {"num_updates", m.num_updates}});
    auto loop = event_loop::create();
    if (!loop) return unexpected("cannot create the event loop: " + errno_text(loop.error()));
    auto d = std::make_unique<node_daemon>(token{}, o, std::move(*loop), std::move(*doc));
    if (auto r = d->open(); !r) return unexpected(r.error());
    if (!o.standalone) {
        // Corosync may still be starting (the lab starts both at once; systemd
        // orders them): wait for it a while before giving up
        for (int attempt = 1;; ++attempt) {
            auto r = d->join_cluster();
            if (r) break;
            if (attempt == 120) return unexpected(r.error());
            if (attempt == 1) log_event(LOG_NOTICE, "waiting_for_corosync", {{"error", r.error()}});
            ::usleep(500'000);
        }
    }
    return d;
}

// Corosync, the replica, the coordinator and the executor, wired together:
// every controller message goes to both the executor (requests for this
// node) and the controller (acks); every CIB change to the controller.
expected<void, std::string> node_daemon::join_cluster() {
    cluster::callbacks cb;
    cb.changed = [this] {
        if (controller_) controller_->on_cluster_changed();
    };
    cb.message = [this](membership::nodeid_t, std::string_view body) {
        if (executor_) executor_->on_message(body);
        if (controller_) controller_->on_message(body);
    };
    cb.own_changes_in = [this] {
        if (controller_) controller_->on_own_changes_in();
    };
    auto c = cluster::start(loop_, *cib_, std::move(cb));
    if (!c) return unexpected("cannot join the cluster: " + c.error());
    cluster_ = std::move(*c);
    cib_->save_on(loop_);
    auto ctl = controller::create(loop_, *cluster_, *cib_);
    if (!ctl) return unexpected(ctl.error());
    controller_ = std::move(*ctl);
    controller_->on_history = [this](history_event e) { history_.record(std::move(e)); };
    executor_ = std::make_unique<local_executor>(loop_, *cluster_, *cib_);
    cib_->add_listener([this](const cib::change* change, const cib::applied*) {
        if (change && change->op == cib::change_op::clear_resource_history && executor_ &&
            change->node_id == std::to_string(cluster_->local_id()))
            executor_->forget(change->target);
        if (controller_) controller_->on_cib_changed(change);
        if (change) change_applied(*change);
    });
    cib_->on_rejected = [this](const cib::change& c, const cib::error& why) { change_rejected(c, why); };
    auto t = timer::create(loop_, [this] { expire_pending(); });
    if (!t) return unexpected(std::string("cannot create the change timer"));
    pending_timer_ = std::move(*t);
    set_change_handler(
        [this](cib::change c, std::function<void(response)> reply) { submit_change(std::move(c), std::move(reply)); });
    controller_->on_fenced_while_running = [this](const fencing_event& e) { react_to_own_fencing(e); };
    executor_->on_shutdown_confirmed = [this] {
        if (auto done = std::exchange(shutdown_done_, {})) done();
    };
    set_shutdown_hook([this](std::function<void()> done) { leave_cluster(std::move(done)); });
    return {};
}

// SIGTERM in a cluster, as Pacemaker does it: the node asks to shut down
// (transient attribute "shutdown"), the coordinator moves its resources away
// and then sends it do_shutdown, and only then does it leave. Alone, without
// a synced replica, or past the escalation deadline, it leaves at once.
void node_daemon::leave_cluster(std::function<void()> done) {
    if (!cluster_ || !cluster_->synced()) return done();
    const std::string id = std::to_string(cluster_->local_id());
    const std::string now = std::to_string(static_cast<long long>(std::time(nullptr)));
    auto asked = cluster_->submit(cib::change::set_node_attribute(id, cluster_->local_name(), "shutdown", now,
                                                                  cib::attribute_lifetime::transient));
    if (!asked) return done();
    shutdown_done_ = std::move(done);
    auto t = timer::create(loop_, [this] {
        log_event(LOG_WARNING, "shutdown_escalated", {{"after_s", std::to_string(shutdown_escalation.count())}});
        if (auto d = std::exchange(shutdown_done_, {})) d();
    });
    if (t) {
        shutdown_timer_ = std::move(*t);
        (void)shutdown_timer_->arm(std::chrono::duration_cast<usec>(shutdown_escalation));
    }
    log_event(LOG_NOTICE, "shutdown_requested_from_cluster", {{"node", cluster_->local_name()}});
}

expected<void, std::string> node_daemon::open() {
    for (int signo : {SIGTERM, SIGINT}) {
        auto s = loop_.add_signal(signo, [this](int sig) { begin_shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT"); });
        if (!s) return unexpected("cannot watch signals: " + errno_text(s.error()));
        signals_.push_back(std::move(*s));
    }
    auto usr1 = loop_.add_signal(SIGUSR1, [](int) {
        auto path = dump_blackbox();
        if (path)
            log_event(LOG_NOTICE, "blackbox_dumped", {{"file", *path}});
        else
            log_event(LOG_ERR, "blackbox_dump_failed", {{"error", errno_text(path.error())}});
    });
    if (!usr1) return unexpected("cannot watch signals: " + errno_text(usr1.error()));
    signals_.push_back(std::move(*usr1));

    if (auto interval = watchdog_interval()) {
        // keep-alives at half the interval, as sd_watchdog_enabled(3) advises
        auto t = timer::create(loop_, [this, half = *interval / 2] {
            notify("WATCHDOG=1");
            watchdog_->arm(half);
        });
        if (!t) return unexpected("cannot create the watchdog timer: " + errno_text(t.error()));
        watchdog_ = std::move(*t);
        watchdog_->arm(*interval / 2);
        log_event(LOG_INFO, "watchdog_enabled", {{"usec", std::to_string(interval->count())}});
    }

    auto haclient = group_id("haclient");
    if (!haclient) log_event(LOG_WARNING, "haclient_group_missing");
    auto server = ipc_server::start(loop_, opts_.ipc_name, haclient, requests(), deferred_requests());
    if (!server) return unexpected("cannot serve IPC name " + opts_.ipc_name + ": " + errno_text(server.error()));
    ipc_ = std::move(*server);
    return {};
}

dispatch_table node_daemon::requests() {
    dispatch_table t;
    t[request_type::ping] = [this](const request&, const peer&) { return response{errc::ok, ping_xml()}; };
    t[request_type::cib_query] = [this](const request&, const peer& p) {
        return response{errc::ok, readable_cib(cib_->document(), p)};
    };
    t[request_type::shutdown] = [this](const request&, const peer& p) {
        log_event(LOG_NOTICE, "shutdown_requested", {{"uid", std::to_string(p.uid)}, {"pid", std::to_string(p.pid)}});
        // after this answer is sent: the server must not stop inside its own callback
        auto later = loop_.add_defer([this] { begin_shutdown("request"); });
        if (!later) return error_response(errc::internal);
        signals_.push_back(std::move(*later));
        return response{errc::ok, {}};
    };
    t[request_type::fence_history] = [this](const request& r, const peer&) {
        if (!controller_) return error_response(errc::not_supported, "this node is not in a cluster");
        auto target = parse_node_payload(r.payload, true);
        if (!target) return error_response(errc::bad_request, target.error());
        std::string x = "<fencing-history>\n";
        for (const auto& e : controller_->fencing().history())
            if (target->empty() || e.target == *target) x += fencing_xml(e);
        return response{errc::ok, x + "</fencing-history>\n"};
    };
    t[request_type::history] = [this](const request& r, const peer&) { return history_answer(r.payload); };
    t[request_type::fence_confirm] = [this](const request& r, const peer& p) {
        if (!controller_) return error_response(errc::not_supported, "this node is not in a cluster");
        auto target = parse_node_payload(r.payload, false);
        if (!target) return error_response(errc::bad_request, target.error());
        if (!known_node(*target)) return error_response(errc::bad_request, "unknown node '" + *target + "'");
        log_event(LOG_WARNING, "fence_confirm_requested", {{"target", *target}, {"uid", std::to_string(p.uid)}});
        return response{errc::ok, fencing_xml(controller_->confirm_fenced(*target))};
    };
    return t;
}

// The nodes the cluster knows: Corosync's list and the CIB's <nodes>.
bool node_daemon::known_node(const std::string& name) const {
    if (cluster_ && cluster_->id_of(name)) return true;
    for (const auto& n : cib_->document().model().nodes)
        if (n.uname == name) return true;
    return false;
}

deferred_table node_daemon::deferred_requests() {
    deferred_table t;
    t[request_type::fence] = [this](const request& r, const peer& p, reply_fn reply) {
        if (!controller_) return reply(error_response(errc::not_supported, "this node is not in a cluster"));
        auto parsed = parse_fence_payload(r.payload);
        if (!parsed) return reply(error_response(errc::bad_request, parsed.error()));
        const std::string& target = parsed->target;
        const std::string& action = parsed->action;
        if (!known_node(target)) return reply(error_response(errc::bad_request, "unknown node '" + target + "'"));
        if (target == cluster_->local_name() && action != "on")
            return reply(error_response(errc::bad_request, "a node does not fence itself; ask another node"));
        log_event(LOG_NOTICE, "fence_requested",
                  {{"target", target}, {"action", action}, {"uid", std::to_string(p.uid)}});
        controller_->fence_node(target, action, [reply = std::move(reply)](const fencing_event& e) {
            reply({errc::ok, fencing_xml(e)});
        });
    };
    t[request_type::cib_change] = [this](const request& r, const peer& p, reply_fn reply) {
        auto c = cib::parse_change(r.payload);
        if (!c) return reply(error_response(errc::bad_request, "bad change: " + one_line(c.error().to_string())));
        // who changed it is what the connection's credentials say, not the client (update-user, the history)
        c->user = peer_user(p);
        log_event(LOG_INFO, "cib_change_requested",
                  {{"op", cib::to_string(c->op)}, {"uid", std::to_string(p.uid)}, {"pid", std::to_string(p.pid)}});
        if (auto refused = refuse_change(cib_->document(), *c, p)) return reply(std::move(*refused));
        if (change_handler_) return change_handler_(std::move(*c), std::move(reply));
        reply(apply_and_save(*c));
    };
    return t;
}

response node_daemon::apply_and_save(const cib::change& c) {
    auto applied = cib_->apply_local(c);
    if (!applied) {
        const errc code = applied.error().code == cib::errc::io ? errc::internal : errc_of(applied.error());
        return error_response(code, one_line(applied.error().message));
    }
    log_event(
        LOG_NOTICE, "cib_changed",
        {{"op", cib::to_string(c.op)}, {"before", applied->before.to_string()}, {"after", applied->after.to_string()}});
    return response{errc::ok, applied->after.to_string()};
}

// In a cluster a change is tried first, as a dry run (a bad one is refused
// at once, with nothing sent), then multicast; the client hears back when it
// comes back in delivery order and is applied here, or after a deadline.
void node_daemon::submit_change(cib::change c, std::function<void(response)> reply) {
    auto tried = cib_->try_change(c);
    if (!tried) return reply(error_response(errc_of(tried.error()), one_line(tried.error().message)));
    if (!tried->changed) return reply(response{errc::ok, tried->after.to_string()});
    if (auto sent = cluster_->submit(c); !sent)
        return reply(error_response(errc::internal,
                                    "the cluster cannot take the change now: " + one_line(sent.error().to_string())));
    pending_.push_back({std::move(c), std::move(reply), std::chrono::steady_clock::now() + change_deadline});
    if (!pending_timer_->armed()) (void)pending_timer_->arm(usec(1'000'000));
}

void node_daemon::change_applied(const cib::change& c) {
    auto it = std::find_if(pending_.begin(), pending_.end(), [&](const pending_change& p) { return p.change == c; });
    if (it == pending_.end()) return;
    auto reply = std::move(it->reply);
    pending_.erase(it);
    const auto v = cib::version(cib_->document());
    log_event(LOG_NOTICE, "cib_changed", {{"op", cib::to_string(c.op)}, {"after", v.to_string()}});
    reply(response{errc::ok, v.to_string()});
}

void node_daemon::change_rejected(const cib::change& c, const cib::error& why) {
    auto it = std::find_if(pending_.begin(), pending_.end(), [&](const pending_change& p) { return p.change == c; });
    if (it == pending_.end()) return;
    auto reply = std::move(it->reply);
    pending_.erase(it);
    reply(error_response(errc_of(why), one_line(why.message)));
}

void node_daemon::expire_pending() {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->deadline > now) {
            ++it;
            continue;
        }
        it->reply(error_response(errc::timeout, "the change was sent but has not come back applied"));
        it = pending_.erase(it);
    }
    if (!pending_.empty()) (void)pending_timer_->arm(usec(1'000'000));
}

// The journal's events from `since` (epoch ms; "" for all), newest kept
// when they would not fit in one answer.
response node_daemon::history_answer(const std::string& since) const {
    auto start = parse_history_payload(since);
    if (!start) return error_response(errc::bad_request, start.error());
    const int64_t from = *start;
    std::vector<std::string> lines;
    size_t bytes = 0;
    for (const auto& e : history_.read(from)) bytes += lines.emplace_back(to_xml(e)).size();
    size_t first = 0;
    for (; first < lines.size() && bytes > ipc_buffer_bytes - (64u << 10); ++first) bytes -= lines[first].size();
    const std::string node = cluster_ ? cluster_->local_name() : std::string();
    std::string x = "<history node=\"" + xml_escape(node) + "\">\n";
    for (size_t i = first; i < lines.size(); ++i) x += lines[i];
    return response{errc::ok, x + "</history>\n"};
}

std::string node_daemon::ping_xml() const {
    const auto& m = cib_->document().model();
    // the node's own name and id, once it is in the cluster (crm_node -n asks)
    const std::string identity = cluster_ ? " node=\"" + xml_escape(cluster_->local_name()) + "\" node_id=\"" +
                                                std::to_string(cluster_->local_id()) + "\""
                                          : std::string();
    return "<holdfastd version=\"" HOLDFAST_VERSION "\" state=\"" + std::string(to_string(state_)) + "\" pid=\"" +
           std::to_string(getpid()) + "\" admin_epoch=\"" + xml_escape(m.admin_epoch) + "\" epoch=\"" +
           xml_escape(m.epoch) + "\" num_updates=\"" + xml_escape(m.num_updates) + "\"" + identity + "/>\n";
}

// This node was fenced off (on its LUNs) while it kept running: the cluster
// has recovered what it ran elsewhere. fence-reaction says what now; either
// way nothing here may run the cluster's resources any more.
void node_daemon::react_to_own_fencing(const fencing_event& e) {
    const auto ws = policy::unpack(cib_->document().model(), std::time(nullptr));
    const auto it = ws.options.raw.find("fence-reaction");
    const auto reaction = parse_fence_reaction(it == ws.options.raw.end() ? "" : it->second);
    log_event(LOG_CRIT, "fenced_while_running",
              {{"by", e.origin}, {"device", e.device}, {"reaction", to_string(reaction)}});
    // a fenced node shoots nobody: a fencing it began (a pcmk_delay_base
    // still running) would otherwise finish while the daemon exits
    if (controller_) controller_->stop_fencing();
    if (reaction == fence_reaction::panic) {
        // as Pacemaker's panic: no sync, no orderly stop (the node's writes are fenced anyway)
        (void)dump_blackbox();
        panic_();
        log_event(LOG_CRIT, "panic_failed", {{"error", std::strerror(errno)}});
    }
    // stop: out of the cluster at once, not restarted (holdfastd.service: RestartPreventExitStatus)
    if (ipc_) ipc_->stop();
    state_ = daemon_state::stopping;
    loop_.exit(exit_fenced);
}

void node_daemon::begin_shutdown(const char* why) {
    if (state_ == daemon_state::stopping) return;
    state_ = daemon_state::stopping;
    log_event(LOG_NOTICE, "shutdown_started", {{"reason", why}});
    notify("STOPPING=1\nSTATUS=shutting down");
    auto finish = [this] {
        if (ipc_) ipc_->stop();
        log_event(LOG_NOTICE, "shutdown_complete");
        loop_.exit(0);
    };
    if (shutdown_hook_)
        shutdown_hook_(finish);
    else
        finish();
}

int node_daemon::run(const std::function<void()>& ready) {
    state_ = daemon_state::serving;
    notify("READY=1\nSTATUS=serving " + opts_.ipc_name);
    log_event(LOG_NOTICE, "daemon_ready", {{"ipc", opts_.ipc_name}, {"pid", std::to_string(getpid())}});
    if (ready) ready();
    int r = loop_.run();
    cib_->flush();
    executor_.reset();
    controller_.reset();
    cluster_.reset();
    ipc_.reset();
    signals_.clear();
    watchdog_.reset();
    return r < 0 ? 1 : r;
}

}  // namespace holdfast::daemon
