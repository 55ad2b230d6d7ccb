// The line crm_simulate prints before the cluster status when resource
// instances are disabled (target-role Stopped) or blocked.
#include <boost/test/unit_test.hpp>

#include <string>

#include "policy/working_set.hpp"
#include "tools/holdfast/status_text.hpp"

namespace hp = holdfast::policy;

namespace {

hp::rsc_ix add(hp::working_set& ws, const std::string& id, hp::rsc_ix parent) {
    hp::resource r;
    r.id = id;
    r.base_id = id;
    r.parent = parent;
    r.variant = hp::rsc_variant::primitive;
    const auto ix = static_cast<hp::rsc_ix>(ws.resources.size());
    ws.resources.push_back(r);
    if (parent == hp::none)
        ws.top_level.push_back(ix);
    else
        ws.resources[parent].children.push_back(ix);
    return ix;
}

}  // namespace

BOOST_AUTO_TEST_CASE(no_line_without_disabled_or_blocked_resources) {
    hp::working_set ws;
    add(ws, "a", hp::none);
    BOOST_TEST(holdfast::tools::format_resource_counts(ws).empty());
}

BOOST_AUTO_TEST_CASE(counts_instances_disabled_and_blocked) {
    hp::working_set ws;
    add(ws, "a", hp::none);
    ws.resources[add(ws, "b", hp::none)].meta["target-role"] = "Stopped";
    const hp::rsc_ix clone = add(ws, "c", hp::none);
    ws.resources[clone].variant = hp::rsc_variant::clone;
    ws.resources[add(ws, "c:0", clone)].blocked = true;
    add(ws, "c:1", clone);
    // a stopped orphan is not an instance
    ws.resources[add(ws, "gone", hp::none)].orphan = true;
    BOOST_TEST(holdfast::tools::format_resource_counts(ws) ==
               "1 of 4 resource instances DISABLED and 1 BLOCKED from further action due to failure\n");
}
