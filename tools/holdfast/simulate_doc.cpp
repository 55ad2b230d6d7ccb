#include "tools/holdfast/simulate_doc.hpp"

#include <cstdlib>
#include <sstream>
#include <utility>

#include "tools/holdfast/json_text.hpp"
#include "tools/holdfast/record_doc.hpp"
#include "tools/holdfast/status_doc.hpp"
#include "tools/holdfast/status_failures.hpp"

namespace holdfast::tools {
namespace {

using rows = std::vector<std::vector<field>>;

rows summary_rows(const policy::schedule_result& r) {
    rows out;
    for (const auto& l : r.summary)
        out.push_back({text_field("change", l.change), text_field("resource", l.resource), text_field("node", l.node),
                       text_field("fence-action", l.fence_op), text_field("from", l.from), text_field("to", l.to),
                       text_field("role", l.role_from), text_field("next-role", l.role_to),
                       text_field("reason", l.reason), bool_field("blocked", l.blocked)});
    return out;
}

long long score_value(const std::string& s) {
    if (s == "INFINITY" || s == "+INFINITY") return 1000000;
    if (s == "-INFINITY") return -1000000;
    return std::atoll(s.c_str());
}

// The engine's score lines have two fixed shapes:
//   "STAGE: RSC allocation score on NODE: SCORE" and "RSC promotion score on NODE: SCORE"
rows score_rows(const policy::schedule_result& r) {
    rows out;
    for (const auto& line : r.scores) {
        const char* kind = "allocation";
        std::string marker = " allocation score on ";
        size_t mark = line.find(marker);
        if (mark == std::string::npos) {
            kind = "promotion";
            marker = " promotion score on ";
            mark = line.find(marker);
        }
        const size_t colon = line.rfind(": ");
        if (mark == std::string::npos || colon == std::string::npos || colon < mark) continue;
        std::string head = line.substr(0, mark), stage;
        if (size_t s = head.find(": "); s != std::string::npos) {
            stage = head.substr(0, s);
            head = head.substr(s + 2);
        }
        const size_t node_at = mark + marker.size();
        out.push_back({text_field("kind", kind), text_field("stage", stage), text_field("resource", head),
                       text_field("node", line.substr(node_at, colon - node_at)),
                       number_field("score", score_value(line.substr(colon + 2)))});
    }
    return out;
}

rows step_rows(const exec_result& e) {
    rows out;
    for (const auto& s : e.steps)
        out.push_back({text_field("kind", s.kind), text_field("task", s.task), text_field("resource", s.resource),
                       text_field("node", s.node), number_field("interval", s.interval_ms)});
    return out;
}

// Every line of a document indented by `pad` (a nested document keeps its shape).
std::string indented(const std::string& doc, const std::string& pad, bool first_too) {
    std::istringstream in(doc);
    std::string out;
    bool first = true;
    for (std::string line; std::getline(in, line); first = false)
        out += (first && !first_too ? "" : (first ? "" : "\n") + pad) + line;
    return out;
}

std::string xml_list(const char* list, const char* item, const rows& rs) {
    std::string out = std::string("  <") + list + ">\n";
    for (const auto& r : rs) out += std::string("    <") + item + xml_fields(r) + "/>\n";
    return out + "  </" + list + ">\n";
}

std::string json_list(const char* key, const rows& rs) {
    std::string out = std::string(",\n  ") + json_string(key) + ": [";
    for (size_t i = 0; i < rs.size(); ++i) out += std::string(i ? "," : "") + "\n    {" + json_fields(rs[i]) + "}";
    return out + (rs.empty() ? "]" : "\n  ]");
}

}  // namespace

std::string simulate_status(const policy::working_set& ws, output_format f) {
    return f == output_format::json ? format_status_json(ws) : format_status_xml(ws);
}

namespace {

std::string simulate_xml(const simulate_report& r) {
    std::string out = "<holdfast-simulate version=\"1\"" + xml_fields({text_field("now", iso_utc(r.now))}) + ">\n";
    if (r.status) out += "  <status>\n" + indented(*r.status, "    ", true) + "\n  </status>\n";
    out += xml_list("transition-summary", "action", summary_rows(*r.result));
    if (r.scores) out += xml_list("allocation-scores", "score", score_rows(*r.result));
    if (r.executed) out += xml_list("executed", "step", step_rows(*r.executed));
    if (r.revised) out += "  <revised-status>\n" + indented(*r.revised, "    ", true) + "\n  </revised-status>\n";
    return out + "</holdfast-simulate>\n";
}

std::string simulate_json(const simulate_report& r) {
    std::string out = "{\n  \"version\": 1,\n  \"now\": " + json_string(iso_utc(r.now));
    if (r.status) out += ",\n  \"status\": " + indented(*r.status, "  ", false);
    out += json_list("transition-summary", summary_rows(*r.result));
    if (r.scores) out += json_list("allocation-scores", score_rows(*r.result));
    if (r.executed) out += json_list("executed", step_rows(*r.executed));
    if (r.revised) out += ",\n  \"revised-status\": " + indented(*r.revised, "  ", false);
    return out + "\n}\n";
}

}  // namespace

std::string format_simulate(const simulate_report& r) {
    return r.format == output_format::json ? simulate_json(r) : simulate_xml(r);
}

}  // namespace holdfast::tools
