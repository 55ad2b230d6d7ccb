#pragma once
// tools/ internal: the one listing of name/value pairs the read-only verbs
// print (node attribute show, resource param show, ...), in each --output-as
// format.
#include <string>
#include <utility>
#include <vector>

#include "cib/xml_text.hpp"
#include "tools/holdfast/json_text.hpp"
#include "tools/holdfast/output_format.hpp"

namespace holdfast::tools {

using nv_list = std::vector<std::pair<std::string, std::string>>;

// The pairs of one kind of set (`set`: "attributes", "utilization",
// "parameters", "meta") of a node or resource (`owner`: "node"/"resource").
// Text: "NAME=VALUE" lines, or only the value when `single` (show NAME, as
// crm_resource --get-parameter prints it).
inline std::string format_nv_list(output_format f, const char* owner, const std::string& id, const char* set,
                                  const nv_list& pairs, bool single) {
    std::string out;
    if (f == output_format::text) {
        for (const auto& [n, v] : pairs) out += single ? v + "\n" : n + "=" + v + "\n";
        return out;
    }
    if (f == output_format::json) {
        out = std::string("{") + json_string(owner) + ": " + json_string(id) + ", " + json_string(set) + ": {";
        for (size_t i = 0; i < pairs.size(); ++i)
            out += (i ? ", " : "") + json_string(pairs[i].first) + ": " + json_string(pairs[i].second);
        return out + "}}\n";
    }
    out = std::string("<") + set + " " + owner + "=\"" + cib::xml_attr(id) + "\">\n";
    for (const auto& [n, v] : pairs)
        out += "  <nvpair name=\"" + cib::xml_attr(n) + "\" value=\"" + cib::xml_attr(v) + "\"/>\n";
    return out + "</" + set + ">\n";
}

}  // namespace holdfast::tools
