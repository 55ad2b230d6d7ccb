#pragma once
// local_executor: carries out the coordinator's actions addressed to this
// node, on the daemon's loop.
//
// Owns the agent runs in flight (a child per run, watched by its pidfd, with
// a timeout timer) and the recurring monitors (a timer each, keyed by
// "<rsc>_<task>_<interval>"). A finished run becomes cib::change records of
// its history entries (as Pacemaker's controller writes them), multicast to
// every member; a recurring monitor records again only when its result
// changes. Cancels and cluster events are answered with an ack message.
// An operation with a start-delay waits that long before its first run.
// After a resource starts here (start, migrate_from), an agent whose
// meta-data offers a `utilization` action is asked what the resource needs,
// and the answer goes into the resource's <utilization> (utilization.hpp);
// the meta-data is read once per agent. Fence devices (class stonith) are
// registered, checked and forgotten as device_ops.hpp says, their agents run
// on background threads.
// Lifecycle: construct after the cluster is up -> on_message() for every
// controller message -> destruction kills runs in flight.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "daemon/background.hpp"
#include "daemon/cib_service.hpp"
#include "daemon/cluster.hpp"
#include "daemon/ctl_message.hpp"
#include "daemon/event_loop.hpp"
#include "fencing/topology.hpp"
#include "ra/executor.hpp"

namespace holdfast::daemon {

class local_executor {
public:
    local_executor(event_loop& loop, cluster& c, const cib_service& cib);
    ~local_executor();
    local_executor(const local_executor&) = delete;
    local_executor& operator=(const local_executor&) = delete;

    void on_message(std::string_view body);
    // The resource's history on this node was cleared (cleanup, refresh):
    // its recurring monitors stop, as Pacemaker's executor cancels them, so
    // that no late result re-creates the history the scheduler probes again.
    void forget(const std::string& rsc_id);
    // Called for a do_shutdown addressed to us (the orderly shutdown's end).
    std::function<void()> on_shutdown_confirmed;

    size_t running() const { return runs_.size(); }

private:
    struct run;
    struct recurring;
    using internal_done = std::function<void(const ra::op_result&)>;
    void start(const exec_message& m, bool repeat);
    bool hold(const exec_message& m, int64_t delay_ms);
    void run_now(const exec_message& m, bool repeat, std::chrono::steady_clock::time_point queued);
    // Runs an agent action of the executor's own (meta-data, utilization):
    // not in the history, its result goes to `done`.
    void start_internal(const ra::operation& op, internal_done done);
    bool launch(const ra::operation& op, std::unique_ptr<run> r);
    void record_utilization(const exec_message& m);
    void ask_utilization(const exec_message& m);
    void finished(uint64_t serial);
    // A run's result, from an agent process or a device operation.
    void deliver(const run& done, const ra::op_result& r);
    void run_device(std::unique_ptr<run> r);
    void record(const exec_message& m, const ra::op_result& r, int64_t started, int64_t exec_ms, int64_t queue_ms);
    void cancel(const exec_message& m);
    void ack(const exec_message& m, bool ok);
    void arm_recurring(const exec_message& m, const ra::op_result& r);

    event_loop& loop_;
    cluster& cluster_;
    const cib_service& cib_;
    int call_id_ = 0;
    uint64_t next_serial_ = 0;
    std::map<uint64_t, std::unique_ptr<run>> runs_;
    std::map<std::string, std::unique_ptr<recurring>> recurring_;
    std::map<std::string, bool> offers_utilization_;
    struct held {
        exec_message msg;
        timer wait;
        std::chrono::steady_clock::time_point since;
    };
    std::map<uint64_t, held> delayed_;  // waiting out their start-delay
    std::set<std::string> devices_;     // fence devices started (registered) here
    fencing::metadata_cache device_metadata_;
    background device_jobs_;  // last: its threads go first, before what their continuations use
};

}  // namespace holdfast::daemon
