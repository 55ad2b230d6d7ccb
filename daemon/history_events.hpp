#pragma once
// The history events (daemon/history.hpp) of what holdfastd sees: a CIB
// change as it is applied, a fencing outcome, a transition's action. Pure.
#include <optional>
#include <string>
#include <vector>

#include "cib/change.hpp"
#include "daemon/ctl_message.hpp"
#include "daemon/history.hpp"
#include "policy/graph.hpp"

namespace holdfast::daemon {

// An operator's change (configuration, properties, permanent node
// attributes, a cleanup) as a `cib` event, with who made it (the change's
// update-origin, update-client, update-user) and the CIB version after it;
// an operation record's failure (its RSC_last_failure_0 entry, as crm_mon's
// "Failed Resource Actions" reads it) as a `failure` event. The cluster's own
// bookkeeping (node states, transient attributes, successful records) is none.
std::vector<history_event> events_of_change(const cib::change& c, const cib::cib_version& after);

history_event event_of(const fencing_event& e);

// One action of transition `transition` that finished (ok or not); nullopt
// for pseudo actions, which do nothing anyone sees.
std::optional<history_event> action_event(int transition, const policy::graph_action& a, bool ok);

}  // namespace holdfast::daemon
