#include "tools/holdfast/explain_doc.hpp"

#include "cib/xml_text.hpp"
#include "tools/holdfast/json_text.hpp"

namespace holdfast::tools {
namespace {

std::string attr(const char* name, const std::string& value) {
    return std::string(" ") + name + "=\"" + cib::xml_attr(value) + "\"";
}

void xml_node(const policy::node_facts& f, const std::string& pad, std::string& out) {
    out += pad + "<node" + attr("name", f.node) + attr("allowed", f.allowed ? "true" : "false") +
           attr("score", std::to_string(f.score)) + attr("fail-count", std::to_string(f.fail_count));
    if (f.conditions.empty() && f.parts.empty()) {
        out += "/>\n";
        return;
    }
    out += ">\n";
    for (const auto& c : f.conditions) out += pad + "  <condition" + attr("name", c) + "/>\n";
    for (const auto& p : f.parts)
        out += pad + "  <part" + attr("kind", p.kind) + attr("id", p.id) + attr("other", p.other) +
               attr("score", std::to_string(p.score)) + attr("text", p.text) + "/>\n";
    out += pad + "</node>\n";
}

void xml_resource(const policy::explanation& e, const std::string& pad, std::string& out) {
    out += pad + "<resource" + attr("id", e.rsc) + attr("variant", e.variant) + attr("parent", e.parent) +
           attr("verdict", e.verdict) + ">\n";
    const std::string in = pad + "  ";
    for (const auto& n : e.active_on) out += in + "<active" + attr("node", n) + "/>\n";
    for (const auto& n : e.planned_on) out += in + "<planned" + attr("node", n) + "/>\n";
    for (const auto& r : e.reasons) out += in + "<reason" + attr("text", r) + "/>\n";
    for (const auto& f : e.nodes) xml_node(f, in, out);
    for (const auto& m : e.members) xml_resource(m, in, out);
    out += pad + "</resource>\n";
}

std::string json_list(const std::vector<std::string>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_string(v[i]);
    return out + "]";
}

std::string json_node(const policy::node_facts& f) {
    std::string parts = "[";
    for (size_t i = 0; i < f.parts.size(); ++i) {
        const auto& p = f.parts[i];
        parts += std::string(i ? ", " : "") + "{\"kind\": " + json_string(p.kind) + ", \"id\": " + json_string(p.id) +
                 ", \"other\": " + json_string(p.other) + ", \"score\": " + std::to_string(p.score) +
                 ", \"text\": " + json_string(p.text) + "}";
    }
    return "{\"name\": " + json_string(f.node) + ", \"allowed\": " + (f.allowed ? "true" : "false") +
           ", \"score\": " + std::to_string(f.score) + ", \"fail-count\": " + std::to_string(f.fail_count) +
           ", \"conditions\": " + json_list(f.conditions) + ", \"parts\": " + parts + "]}";
}

std::string json_resource(const policy::explanation& e, const std::string& pad) {
    const std::string in = pad + "  ";
    std::string out =
        "{\n" + in + "\"id\": " + json_string(e.rsc) + ",\n" + in + "\"variant\": " + json_string(e.variant) + ",\n" +
        in + "\"parent\": " + json_string(e.parent) + ",\n" + in + "\"verdict\": " + json_string(e.verdict) + ",\n" +
        in + "\"active-on\": " + json_list(e.active_on) + ",\n" + in + "\"planned-on\": " + json_list(e.planned_on) +
        ",\n" + in + "\"reasons\": " + json_list(e.reasons) + ",\n" + in + "\"nodes\": [";
    for (size_t i = 0; i < e.nodes.size(); ++i)
        out += std::string(i ? "," : "") + "\n" + in + "  " + json_node(e.nodes[i]);
    out += std::string(e.nodes.empty() ? "" : "\n" + in) + "],\n" + in + "\"members\": [";
    for (size_t i = 0; i < e.members.size(); ++i) out += std::string(i ? ", " : "") + json_resource(e.members[i], in);
    return out + "]\n" + pad + "}";
}

}  // namespace

std::string format_explanation_xml(const policy::explanation& e) {
    std::string out = "<holdfast-explain version=\"1\">\n";
    xml_resource(e, "  ", out);
    return out + "</holdfast-explain>\n";
}

std::string format_explanation_json(const policy::explanation& e) {
    return "{\n  \"version\": 1,\n  \"resource\": " + json_resource(e, "  ") + "\n}\n";
}

}  // namespace holdfast::tools
