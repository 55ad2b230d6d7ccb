#pragma once
// The pure parts of `holdfast resource`: the ids and XML crm_resource writes
// (meta attributes, the cli-prefer / cli-ban location constraints move and
// ban leave behind, their lifetime), the transient fail-count attributes, and
// the status section listing those constraints. Nothing here talks to
// holdfastd or reads the clock.
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "cib/expected.hpp"
#include "cib/model.hpp"

namespace holdfast::tools::resource_edit {

// An id made from names as Pacemaker's crm_xml_sanitize_id does: characters
// an XML ID cannot hold become '.'.
std::string sanitize_id(std::string id);

// Where crm_resource --set-parameter / crm_attribute put NAME in one kind of
// set (instance_attributes, meta_attributes, utilization) of an element: the
// pair of that name where there is one (in any of `sets`), else a new pair
// SET-NAME in the first set, else in a new set `new_set_id`.
struct nv_target {
    std::string set_id;
    std::string pair_id;
    bool exists = false;  // a pair of that name is there already
    std::string value;    // its value when it exists
};
nv_target nv_attribute(const std::vector<cib::nvset>& sets, const std::string& new_set_id, const std::string& name);
// The ids of every pair named NAME in `sets` (what a delete removes).
std::vector<std::string> nv_pair_ids(const std::vector<cib::nvset>& sets, const std::string& name);
// <ELEMENT id=ID ATTRS><SET_TAG id=..><nvpair id=.. name= value=/></SET_TAG></ELEMENT>:
// what an update merges to set one pair. `attrs` is added as written (" uname=\"n1\"").
std::string nv_update_xml(const std::string& element, const std::string& id, const std::string& attrs,
                          const char* set_tag, const nv_target& t, const std::string& name, const std::string& value);

// crm_resource --meta --set-parameter: the set RSC-meta_attributes and the
// pair SET-NAME, unless the resource already has a set (its first) or a pair
// of that name (anywhere in its meta_attributes), which are reused.
using meta_target = nv_target;
meta_target meta_attribute(const cib::resource& r, const std::string& name);

// The element name of a resource (primitive, group, clone, master, bundle).
const char* tag_of(const cib::resource& r);

// The <primitive id=..><meta_attributes id=..><nvpair .../></..></..> an
// update merges into the configuration to set one meta attribute.
std::string meta_update_xml(const cib::resource& r, const meta_target& t, const std::string& name,
                            const std::string& value);

// crm_resource's constraint ids.
std::string prefer_id(const std::string& rsc);                        // cli-prefer-RSC
std::string ban_id(const std::string& rsc, const std::string& node);  // cli-ban-RSC-on-NODE

// The end of a lifetime given as an ISO 8601 duration ("PT1H", "P2D"),
// counted from `now` in the UTC offset `offset` (seconds east), written as
// crm_resource writes it: "2026-12-01 08:30:00 +00:00". The error names the
// bad text.
expected<std::string, std::string> lifetime_end(const std::string& duration, std::time_t now, int offset);

// The rsc_location crm_resource --move (prefer, INFINITY) or --ban
// (-INFINITY) writes: the short form (node=, score=) without a lifetime, else
// a rule on #uname with a date_expression "lt" the end.
std::string prefer_xml(const std::string& rsc, const std::string& node, const std::string& until = "");
std::string ban_xml(const std::string& rsc, const std::string& node, const std::string& until = "");

// A constraint move or ban left: its id, resource, node, whether it bans,
// and the end of its lifetime ("" for none).
struct cli_constraint {
    std::string id;
    std::string rsc;
    std::string node;
    bool ban = false;
    std::string until;
};
// The cli-prefer-* / cli-ban-* rsc_locations of the configuration, in order.
std::vector<cli_constraint> cli_constraints(const cib::cib_model& m);

// Whether a lifetime's end ("" = none) has passed at `now`.
bool expired(const std::string& until, std::time_t now);

// `holdfast status`'s section for them ("" when there are none):
//   Constraints left by move/ban (holdfast resource clear RSC removes them):
//     * cli-ban-vm-on-node1	prevents vm from running on node1
//     * cli-prefer-vm	prefers node2 for vm (until 2026-12-01 08:30:00 +00:00)
// A lifetime that ended reads "(expired ...)".
std::string format_cli_constraints(const cib::cib_model& m, std::time_t now);

// Pacemaker's transient failure attributes of a resource on a node:
// fail-count-RSC#OP_INTERVAL and last-failure-RSC#OP_INTERVAL (and the older
// fail-count-RSC / last-failure-RSC), RSC being the id its history uses.
struct failure_attribute {
    bool fail_count = false;  // else last-failure
    std::string rsc;
};
std::optional<failure_attribute> parse_failure_attribute(const std::string& name);

// Whether a history id (lrm_resource, failure attribute) is of this
// primitive: its id, or "id:N" for a clone instance.
bool history_of(const std::string& history_id, const std::string& primitive);

// A fail count's value as Pacemaker adds them: INFINITY (and anything at or
// above 1000000) is 1000000; a bad value counts 0.
int fail_count_value(const std::string& value);
std::string fail_count_text(int sum);  // "INFINITY" at 1000000

}  // namespace holdfast::tools::resource_edit
