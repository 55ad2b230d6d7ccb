#pragma once
// `holdfast status` output: crm_mon -1's text, and a simple documented
// structure as XML or JSON (man/holdfast.8, STATUS OUTPUT):
//
//   <holdfast-status version="1">
//     <summary stack= dc= dc-id= have-quorum= nodes-configured= resources-configured=
//              admin-epoch= epoch= num-updates=/>
//     <nodes><node name= id= type=member|remote|guest online= standby= maintenance=
//                  unclean= pending= is-dc= resources-running=/>...</nodes>
//     <resources><resource id= parent= agent= role= managed= failed= blocked=>
//                  <node name=/>...</resource>...</resources>
//     <failures><failure op_key= node= ... task=/>...</failures>   (when there are some)
//     <cli-constraints><constraint id= rsc= node= kind=prefer|ban until= expired=/>...
//     </cli-constraints>
//     <node-attributes><attribute node= name= value=/>...</node-attributes>   (what -A shows)
//     <fail-counts><fail-count node= resource= fail-count= last-failure=/>...</fail-counts>   (-f)
//   </holdfast-status>
//
// JSON has the same names: {"version":1,"summary":{...},"nodes":[{...}],
// "resources":[{..., "nodes":["node1"]}],"failures":[...],"cli-constraints":[{...}],
// "node-attributes":[...],"fail-counts":[...]}; booleans are JSON booleans,
// counts and epochs numbers. Resources are primitives (clone instances as
// "id:N"), parent is their top-level resource ("" when none). cli-constraints
// are what `holdfast resource move/ban` left (until: the lifetime's end, "" for
// none; expired: that end has passed).
#include <string>

#include "policy/working_set.hpp"

namespace holdfast::tools {

// What the text shows besides crm_mon -1's default (status_sections.hpp):
// stopped resources too (-r), resources under their nodes (-n), node
// attributes (-A), fail counts (-f), operation history (-o; it includes the
// fail counts, so -f adds nothing then).
struct status_text_options {
    bool inactive = false;
    bool by_node = false;
    bool attributes = false;
    bool failcounts = false;
    bool operations = false;
};
std::string format_status_text(const policy::working_set& ws, const std::string& last_updated,
                               const status_text_options& o = {});
std::string format_status_xml(const policy::working_set& ws);
std::string format_status_json(const policy::working_set& ws);

}  // namespace holdfast::tools
