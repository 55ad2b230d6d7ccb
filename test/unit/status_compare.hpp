#pragma once
// Comparing the status part of two CIB models (test helper): the first
// difference, described, or "" when they hold the same node states.
#include <string>

#include "cib/model.hpp"

namespace holdfast::test {

inline std::string first_status_difference(const cib::cib_model& a, const cib::cib_model& b) {
    if (a.node_states.size() != b.node_states.size())
        return "node_state count " + std::to_string(a.node_states.size()) + " vs " +
               std::to_string(b.node_states.size());
    for (size_t i = 0; i < a.node_states.size(); ++i) {
        const auto& x = a.node_states[i];
        const auto& y = b.node_states[i];
        const std::string where = "node_state " + x.uname + ": ";
        if (x.id != y.id || x.uname != y.uname || x.in_ccm != y.in_ccm || x.crmd != y.crmd || x.join != y.join ||
            x.expected != y.expected || x.crm_debug_origin != y.crm_debug_origin || x.shutdown != y.shutdown ||
            x.remote_node != y.remote_node || x.node_fenced != y.node_fenced || x.has_lrm != y.has_lrm)
            return where + "attributes differ";
        if (x.transient_attributes.size() != y.transient_attributes.size()) return where + "transient attribute sets";
        for (size_t t = 0; t < x.transient_attributes.size(); ++t)
            if (x.transient_attributes[t].pairs != y.transient_attributes[t].pairs)
                return where + "transient attributes";
        if (x.resources.size() != y.resources.size()) return where + "resource count";
        for (size_t r = 0; r < x.resources.size(); ++r)
            if (!(x.resources[r] == y.resources[r])) return where + "history of " + x.resources[r].id;
    }
    if (a.ticket_states.size() != b.ticket_states.size()) return "ticket_state count";
    return "";
}

}  // namespace holdfast::test
