#pragma once
// One holdfastd process: the event loop and what runs on it (IPC server,
// signals, watchdog), plus the CIB this node holds. No Corosync yet; the
// controller and CIB replication join here.
//
// Lifecycle: start() (load CIB, open IPC, arm signals) -> run(): sends
// READY=1 and serves until SIGTERM/SIGINT or a shutdown request -> the
// shutdown hook runs (the controller will move resources away there; today it
// completes at once) -> STOPPING=1, the IPC server stops, run() returns 0.
// Everything runs on the loop's thread.
#include <sys/reboot.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "cib/expected.hpp"
#include "daemon/cib_service.hpp"
#include "daemon/cluster.hpp"
#include "daemon/controller.hpp"
#include "daemon/event_loop.hpp"
#include "daemon/history.hpp"
#include "daemon/ipc_server.hpp"
#include "daemon/local_executor.hpp"
#include "daemon/options.hpp"

namespace holdfast::daemon {

enum class daemon_state { starting, serving, stopping };
const char* to_string(daemon_state s);

class node_daemon {
public:
    // Error: a one-line reason for the log
    static expected<std::unique_ptr<node_daemon>, std::string> start(const daemon_options& o);
    // ready: called once serving (the detaching parent waits for it)
    int run(const std::function<void()>& ready = {});

    // Called when shutdown begins; must call done() when the node may leave.
    using shutdown_hook = std::function<void(std::function<void()> done)>;
    void set_shutdown_hook(shutdown_hook h) { shutdown_hook_ = std::move(h); }
    void begin_shutdown(const char* why);

    // What serves a cib_change request: called with the parsed change and a
    // reply to call once it is applied (or refused). The default,
    // apply_and_save(), applies it to this node's CIB at once; the cluster
    // replaces it with one that applies the change when replication delivers it.
    using change_handler = std::function<void(cib::change, std::function<void(response)>)>;
    void set_change_handler(change_handler h) { change_handler_ = std::move(h); }
    // Applies the change to cib() and saves it in the state dir (all or
    // nothing): ok with "admin_epoch.epoch.num_updates", or the CIB's refusal
    // (bad_request; internal when saving failed) and its one-line reason.
    response apply_and_save(const cib::change& c);

    const cib::document& cib() const { return cib_->document(); }
    daemon_state state() const { return state_; }

    // run()'s status when the node learned it was fenced while running and
    // fence-reaction is "stop" (or a panic failed): systemd must not restart it.
    static constexpr int exit_fenced = 100;
    // fence-reaction=panic: reboots the machine at once (reboot(2); in a PID
    // namespace that ends the namespace); replaceable for tests.
    void set_panic(std::function<void()> p) { panic_ = std::move(p); }

    struct token {
    private:
        friend class node_daemon;
        token() = default;
    };
    node_daemon(token, daemon_options o, event_loop loop, cib::document cib);

private:
    expected<void, std::string> open();
    expected<void, std::string> join_cluster();
    void submit_change(cib::change c, std::function<void(response)> reply);
    void change_applied(const cib::change& c);
    void change_rejected(const cib::change& c, const cib::error& why);
    void expire_pending();
    void leave_cluster(std::function<void()> done);
    dispatch_table requests();
    deferred_table deferred_requests();
    std::string ping_xml() const;
    response history_answer(const std::string& since) const;
    bool known_node(const std::string& name) const;
    void react_to_own_fencing(const fencing_event& e);

    daemon_options opts_;
    event_loop loop_;
    // <state-dir>/history.jsonl: what happened here (`holdfast history`)
    history_journal history_;
    std::unique_ptr<cib_service> cib_;
    std::unique_ptr<cluster> cluster_;
    std::unique_ptr<controller> controller_;
    std::unique_ptr<local_executor> executor_;
    // cib_change requests sent to the cluster, answered when applied here
    struct pending_change {
        cib::change change;
        std::function<void(response)> reply;
        std::chrono::steady_clock::time_point deadline;
    };
    static constexpr std::chrono::seconds change_deadline{15};
    std::vector<pending_change> pending_;
    std::optional<timer> pending_timer_;
    // orderly shutdown: done() once the coordinator has moved our resources away
    static constexpr std::chrono::seconds shutdown_escalation{120};
    std::function<void()> shutdown_done_;
    std::optional<timer> shutdown_timer_;
    daemon_state state_ = daemon_state::starting;
    std::unique_ptr<ipc_server> ipc_;
    std::vector<event_source> signals_;
    std::optional<timer> watchdog_;
    shutdown_hook shutdown_hook_;
    std::function<void()> panic_ = [] { ::reboot(RB_AUTOBOOT); };
    std::function<void(cib::change, std::function<void(response)>)> change_handler_;
};

// <state-dir>/cib.xml when present, else the empty CIB.
expected<cib::document, cib::error> load_node_cib(const std::string& state_dir);

}  // namespace holdfast::daemon
