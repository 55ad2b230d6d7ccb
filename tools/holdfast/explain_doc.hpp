#pragma once
// `holdfast explain --output-as=xml|json` (man/holdfast.8, EXPLAIN): the
// policy::explanation as a document. Scores are numbers, INFINITY written as
// 1000000 (and -INFINITY as -1000000).
//
//   <holdfast-explain version="1">
//     <resource id= variant=primitive|group|clone parent= verdict=>
//       <active node=/>... <planned node=/>... <reason text=/>...
//       <node name= allowed= score= fail-count=>
//         <condition name=/>... <part kind= id= other= score= text=/>...
//       </node>...
//       <resource ...>...</resource>...   (group members, clone instances)
//     </resource>
//   </holdfast-explain>
//
// JSON: {"version": 1, "resource": {"id", "variant", "parent", "verdict",
// "active-on": [names], "planned-on": [names], "reasons": [texts], "nodes":
// [{"name", "allowed", "score", "fail-count", "conditions": [names], "parts":
// [{"kind", "id", "other", "score", "text"}]}], "members": [resources]}}.
#include <string>

#include "policy/explain.hpp"

namespace holdfast::tools {

std::string format_explanation_xml(const policy::explanation& e);
std::string format_explanation_json(const policy::explanation& e);

}  // namespace holdfast::tools
