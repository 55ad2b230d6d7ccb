#pragma once
// fencer: carries out the fencing a transition asks of this node (the DC),
// and keeps the history of what it did.
//
// A fencing operation runs on a worker thread, because fence agents block
// for seconds (a BMC that does not answer: twenty): the plan is made on the
// loop from the CIB (fencing/topology.hpp), the agents run on a
// `background` thread, and the result comes back to the loop, where `done`
// runs. One operation per target at a time; a request for a target already
// being fenced joins it. A target whose fencing failed is fenced again
// only after a back-off (1, 2, 4 ... 60 s), so a broken device is not
// hammered while nothing a lost node ran may be recovered.
// Lifecycle: construct on the loop -> fence()... -> destruction waits for
// the workers (their agents are killed at their timeouts).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/background.hpp"
#include "daemon/cib_service.hpp"
#include "daemon/ctl_message.hpp"
#include "daemon/event_loop.hpp"
#include "fencing/cancel.hpp"
#include "fencing/topology.hpp"

namespace holdfast::daemon {

class fencer {
public:
    using done_fn = std::function<void(const fencing_event&)>;
    fencer(event_loop& loop, const cib_service& cib, std::string local_name);
    ~fencer();
    fencer(const fencer&) = delete;
    fencer& operator=(const fencer&) = delete;

    // Fences `target` (reboot, off or on); `done` runs on the loop.
    // delay_s: priority-fencing-delay (fencing::fencing_request::delay_s).
    void fence(const std::string& target, uint32_t nodeid, const std::string& action, done_fn done, int delay_s = 0);
    // Unfences this node (fencing::execute_unfencing): the coordinator asks
    // the node itself, where on_target agents must run.
    // rejoined: this node is in a quorate partition (fencing_request::rejoined).
    void unfence(uint32_t nodeid, bool rejoined, done_fn done);
    const std::vector<fencing_event>& history() const { return history_; }
    // An outcome from elsewhere (another node's fencing, a manual confirmation).
    void record(const fencing_event& e);
    // Every outcome record() keeps (its own and others', once each): the history journal.
    std::function<void(const fencing_event&)> on_recorded;
    bool busy(const std::string& target) const { return ops_.count(target) != 0; }
    // This node was fenced: what it is fencing stops (delays end, agents are
    // killed) and fails, and so does every later request. For good.
    void cancel_all();

private:
    struct op;
    void begin(const std::string& target, uint32_t nodeid, const std::string& action, bool unfence, done_fn done,
               int delay_s, bool rejoined);
    void launch(const std::string& target);
    void finish(const std::string& target, const fencing::fencing_result& result);
    std::chrono::milliseconds backoff(const std::string& target) const;

    event_loop& loop_;
    const cib_service& cib_;
    std::string local_name_;
    fencing::metadata_cache metadata_;
    fencing::cancel_source cancel_;  // outlives jobs_, whose workers poll its fd
    std::map<std::string, std::unique_ptr<op>> ops_;
    std::map<std::string, int> failures_;  // consecutive failed attempts per target
    std::vector<fencing_event> history_;
    background jobs_;  // last: its threads are joined before what they use goes
};

}  // namespace holdfast::daemon
