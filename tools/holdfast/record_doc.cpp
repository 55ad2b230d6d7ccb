#include "tools/holdfast/record_doc.hpp"

#include "cib/xml_text.hpp"
#include "tools/holdfast/json_text.hpp"

namespace holdfast::tools {
std::string xml_fields(const std::vector<field>& fs) {
    std::string out;
    for (const auto& f : fs) out += " " + f.name + "=\"" + cib::xml_attr(f.value) + "\"";
    return out;
}

std::string json_fields(const std::vector<field>& fs) {
    std::string out;
    for (const auto& f : fs) {
        out += (out.empty() ? "" : ", ") + json_string(f.name) + ": ";
        out += f.type == field::kind::text ? json_string(f.value) : f.value;
    }
    return out;
}

std::string records_xml(const record_list& l) {
    std::string out = "<" + l.list + ">\n";
    for (const auto& r : l.records) {
        out += "  <" + l.item + xml_fields(r.fields);
        if (r.children.empty()) {
            out += "/>\n";
            continue;
        }
        out += ">\n";
        for (const auto& c : r.children) out += "    <" + l.child + xml_fields(c) + "/>\n";
        out += "  </" + l.item + ">\n";
    }
    return out + "</" + l.list + ">\n";
}

std::string records_json(const record_list& l) {
    std::string out = "{" + json_string(l.list) + ": [";
    for (size_t i = 0; i < l.records.size(); ++i) {
        const auto& r = l.records[i];
        out += std::string(i ? "," : "") + "\n  {" + json_fields(r.fields);
        if (!l.child.empty()) {
            out += std::string(r.fields.empty() ? "" : ", ") + json_string(l.child + "s") + ": [";
            for (size_t c = 0; c < r.children.size(); ++c)
                out += std::string(c ? ", " : "") + "{" + json_fields(r.children[c]) + "}";
            out += "]";
        }
        out += "}";
    }
    return out + (l.records.empty() ? "]}\n" : "\n]}\n");
}

}  // namespace holdfast::tools
