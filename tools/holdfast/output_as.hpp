#pragma once
// tools/ internal: --output-as=text|json|xml of the read-only verbs (node
// attribute show, resource param show, constraints, scores...), and the one
// listing of name/value pairs they print.
#include <string>
#include <utility>
#include <vector>

#include "cib/xml_text.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/json_text.hpp"

namespace holdfast::tools {

enum class output_format { text, json, xml };

// Takes --output-as=FMT or --output-as FMT at a[i] (i moves past its value);
// false when a[i] is something else. A bad or missing value sets `error`.
inline bool take_output_as(const args& a, size_t& i, output_format& f, std::string& error) {
    std::string v;
    if (a[i].rfind("--output-as=", 0) == 0) {
        v = a[i].substr(12);
    } else if (a[i] == "--output-as") {
        if (i + 1 >= a.size()) return error = "--output-as needs text, json or xml", true;
        v = a[++i];
    } else {
        return false;
    }
    if (v == "text")
        f = output_format::text;
    else if (v == "json")
        f = output_format::json;
    else if (v == "xml")
        f = output_format::xml;
    else
        error = "--output-as must be text, json or xml, not '" + v + "'";
    return true;
}

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
