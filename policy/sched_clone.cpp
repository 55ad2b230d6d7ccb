// Clones and bundles. This build does not schedule them yet: callers check
// policy::unsupported_feature() and refuse such a CIB with a clear message
// instead of computing a transition that Pacemaker would not.
#include <cstdio>
#include <cstdlib>

#include "policy/policy.hpp"
#include "policy/sched.hpp"

namespace holdfast::policy {

std::optional<std::string> unsupported_feature(const working_set& ws) {
    for (rsc_ix r : ws.top_level) {
        const resource& res = ws.resources[r];
        if (res.variant == rsc_variant::clone)
            return "clone '" + res.id + "': scheduling clones is not implemented yet";
        if (res.variant == rsc_variant::bundle)
            return "bundle '" + res.id + "': scheduling bundles is not implemented yet";
    }
    for (const auto& res : ws.resources) {
        auto it = res.meta.find("notify");
        if (it != res.meta.end() && sched::text_is_true(it->second))
            return "resource '" + res.id + "': notifications are not implemented yet";
        if (res.is_remote_connection || res.meta.count("remote-node"))
            return "resource '" + res.id + "': remote and guest nodes are not implemented yet";
    }
    return std::nullopt;
}

namespace sched {

void unsupported_collective(const sched& s, rsc_ix r) {
    // A broken invariant, not a user error: schedule() was called on a
    // working set that unsupported_feature() rejects.
    std::fprintf(stderr, "holdfast: internal error: %s '%s' reached the scheduler, which cannot handle it\n",
                 s.ws.resources[r].variant == rsc_variant::bundle ? "bundle" : "clone", s.ws.resources[r].id.c_str());
    std::abort();
}

uint32_t clone_action_flags(sched& s, action_ix a, node_ix) { unsupported_collective(s, s.actions[a].rsc); }
uint32_t bundle_action_flags(sched& s, action_ix a, node_ix) { unsupported_collective(s, s.actions[a].rsc); }
uint32_t multi_update_ordered_actions(sched& s, action_ix, action_ix then, node_ix, uint32_t, uint32_t, uint32_t) {
    unsupported_collective(s, s.actions[then].rsc);
}
void order_notifs_after_fencing(sched& s, action_ix, rsc_ix r, action_ix) { unsupported_collective(s, r); }
void clone_add_actions_to_graph(sched& s, rsc_ix clone) { unsupported_collective(s, clone); }
void bundle_add_actions_to_graph(sched& s, rsc_ix bundle) { unsupported_collective(s, bundle); }
void clone_add_graph_meta(sched& s, rsc_ix clone, std::map<std::string, std::string>&) {
    unsupported_collective(s, clone);
}

}  // namespace sched
}  // namespace holdfast::policy
