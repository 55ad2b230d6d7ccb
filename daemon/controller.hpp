#pragma once
// controller: the coordinator's work (runs on every node, acts only on the DC).
//
// On the DC, once the replica is settled: keeps the CIB's view of the nodes
// (node_state in_ccm/crmd/join/expected, <nodes> entries, have-quorum,
// dc-uuid) in line with Corosync's; re-plans (once per burst) after every change
// that matters; carries out the plan with a transition_runner, sending each
// action to its node and confirming it when the node's operation record
// arrives in the CIB (or its ack, for actions without one); sets fail counts
// after failures, as Pacemaker's controller does. A change that is not one of
// the transition's own results aborts the transition: the actions in flight
// finish, then the next plan starts from the new CIB. Actions on a node that
// left fail at once.
// Lifecycle: construct after cluster and cib_service; the daemon forwards
// cluster changes, CIB changes and controller messages. Loop thread only.
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/cib_service.hpp"
#include "daemon/cluster.hpp"
#include "daemon/ctl_message.hpp"
#include "daemon/event_loop.hpp"
#include "daemon/fencer.hpp"
#include "daemon/history.hpp"
#include "daemon/transition.hpp"
#include "policy/working_set.hpp"
#include "ra/executor.hpp"

namespace holdfast::daemon {

// A stonith action: fencing its node (the target, not where it runs).
bool is_stonith(const policy::graph_action& a);
// A stonith action with stonith_action=on: unfencing, which the target
// node carries out itself.
bool is_unfencing(const policy::graph_action& a);

class controller {
public:
    static expected<std::unique_ptr<controller>, std::string> create(event_loop& loop, cluster& c, cib_service& cib);

    void on_cluster_changed();
    void on_cib_changed(const cib::change* change);
    void on_message(std::string_view body);
    // Every CIB change this node submitted is in (cluster::callbacks).
    void on_own_changes_in();

    bool idle() const { return !runner_; }
    int transitions() const { return transition_id_; }

    struct token {
    private:
        friend class controller;
        token() = default;
    };
    controller(token, cluster& c, cib_service& cib);
    ~controller();
    const fencer& fencing() const { return *fencer_; }
    // This node was fenced: it fences nobody any more (fencer::cancel_all).
    void stop_fencing() { fencer_->cancel_all(); }
    // Fences `target` with this node's fencer (holdfast fence NODE); the
    // outcome is recorded, sent to every member, then handed to `done`.
    void fence_node(const std::string& target, const std::string& action,
                    std::function<void(const fencing_event&)> done, int delay_s = 0);
    // An operator's word that `target` is down (holdfast fence confirm).
    fencing_event confirm_fenced(const std::string& target);
    // Called when this node learns it was fenced off while it kept running
    // (fence_reaction.hpp); node_daemon reacts.
    std::function<void(const fencing_event&)> on_fenced_while_running;
    // What happened, for the node's history journal (transitions, their
    // actions' outcomes, fencing outcomes); node_daemon records it.
    std::function<void(history_event)> on_history;
    void record_history(history_event e);

private:
    void reconcile();
    void plan();
    void dispatch(size_t index, const policy::graph_action& a);
    void fence(size_t index, const policy::graph_action& a);
    void send_action(size_t index, const policy::graph_action& a);
    void delegate_fencing(size_t index, const policy::graph_action& a);
    void unfence(size_t index, const policy::graph_action& a);
    void unfence_self(uint32_t nodeid, std::function<void(bool)> done);
    void record_unfenced(const policy::graph_action& a);
    void on_unfence_request(const exec_message& m);
    void record_fencing(const fencing_event& e);
    void on_fenced(const fencing_event& e);
    void share_fencings();
    bool records_fencing_done_here(const cib::change& c) const;
    std::string node_id_of(const std::string& name) const;
    void confirm_from_record(const cib::change& c);
    void confirm_recorded();
    // "action:transition:target-rc:dc-uuid", as operation records carry it
    struct transition_key {
        int action_id = -1;
        int transition = -1;
        int target_rc = 0;
        std::string uuid;
    };
    static std::optional<transition_key> parse_transition_key(const std::string& text);
    std::optional<size_t> own_action(const transition_key& k) const;
    void settle(size_t index, const ra::op_result& r);
    bool complete_action(size_t index, bool ok);
    void note_failure(const policy::graph_action& a, const ra::op_result& r);
    bool awaiting_records();
    bool awaiting_own_changes();
    // Failure attributes (name, value) or a fencing's record (name "", value
    // "down": the node state's expected) submitted and not yet seen in the CIB.
    struct awaited_attribute {
        std::string node_id, name, value;
    };
    void await_record(awaited_attribute w);
    void check_finished();
    void expire_actions();
    void submit(const cib::change& c);
    void arm_recheck(const policy::working_set& ws, std::time_t recheck_by);
    static size_t node_action_limit(const policy::working_set& ws);

    cluster& cluster_;
    cib_service& cib_;
    std::string uuid_;
    int transition_id_ = 0;
    std::optional<transition_runner> runner_;
    std::map<int, size_t> index_of_;  // graph action id -> index, current transition
    // Actions sent and not yet reported, with when to give up on them (the
    // action's timeout plus the graph's cluster-delay, as Pacemaker's timer).
    std::map<size_t, std::chrono::steady_clock::time_point> deadlines_;
    std::optional<timer> deadline_timer_;
    std::optional<timer> recheck_timer_;  // plans again when time alone changes the answer
    std::unique_ptr<idle_batch> replan_;  // plans when the loop is idle
    bool plan_deferred_ = false;          // a plan waits for our own changes (on_own_changes_in)
    std::optional<std::chrono::steady_clock::time_point> own_pending_since_;
    // plans wait for these (await_record)
    std::vector<awaited_attribute> awaited_;
    std::chrono::steady_clock::time_point awaited_until_;
    std::optional<timer> awaited_timer_;            // re-plans when they are overdue
    std::vector<uint32_t> last_members_;            // for share_fencings: who joined since
    int64_t started_ = 0;                           // epoch seconds: this daemon's start, for fenced_while_running
    bool replan_after_ = false;                     // something changed while a transition ran
    std::set<std::string> fenced_ids_;              // node ids this transition fenced: their records do not abort it
    std::map<std::string, int64_t> pending_since_;  // target -> epoch s when its first stonith action began
    std::map<std::string, std::vector<size_t>> pending_fencing_;  // target -> its stonith actions, this transition
    std::set<std::string> delegated_;                             // targets another member fences for us (ourselves)
    std::unique_ptr<fencer> fencer_;
};

}  // namespace holdfast::daemon
