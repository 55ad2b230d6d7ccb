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
// Lifecycle: construct after the cluster is up -> on_message() for every
// controller message -> destruction kills runs in flight.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "daemon/cluster.hpp"
#include "daemon/ctl_message.hpp"
#include "daemon/event_loop.hpp"
#include "ra/executor.hpp"

namespace holdfast::daemon {

class local_executor {
public:
    local_executor(event_loop& loop, cluster& c);
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
    void start(const exec_message& m, bool repeat);
    void finished(uint64_t serial);
    void record(const exec_message& m, const ra::op_result& r, int64_t started, int64_t exec_ms);
    void cancel(const exec_message& m);
    void ack(const exec_message& m, bool ok);
    void arm_recurring(const exec_message& m, const ra::op_result& r);

    event_loop& loop_;
    cluster& cluster_;
    int call_id_ = 0;
    uint64_t next_serial_ = 0;
    std::map<uint64_t, std::unique_ptr<run>> runs_;
    std::map<std::string, std::unique_ptr<recurring>> recurring_;
};

}  // namespace holdfast::daemon
