// Recording what a resource's agent says it needs (see utilization.hpp).
#include "daemon/utilization.hpp"

#include <libxml/parser.h>

#include <cctype>
#include <climits>

#include "cib/xml.hpp"
#include "cib/xml_text.hpp"

namespace holdfast::daemon {

namespace {

bool valid_name(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    return true;
}

bool valid_amount(std::string_view s) {
    if (s.empty() || s.size() > 18) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace

bool offers_action(std::string_view meta_data, std::string_view action) {
    if (meta_data.empty() || meta_data.size() > static_cast<size_t>(INT_MAX)) return false;
    cib::xml::doc_ptr doc(xmlReadMemory(meta_data.data(), static_cast<int>(meta_data.size()), "meta-data", nullptr,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) return false;
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!root || !cib::xml::is(root, "resource-agent")) return false;
    for (const xmlNode* actions : cib::xml::children(root, "actions"))
        for (const xmlNode* a : cib::xml::children(actions, "action"))
            if (cib::xml::attr(a, "name") == action) return true;
    return false;
}

std::map<std::string, std::string> parse_utilization(std::string_view output) {
    std::map<std::string, std::string> out;
    size_t i = 0;
    while (i < output.size()) {
        while (i < output.size() && std::isspace(static_cast<unsigned char>(output[i]))) ++i;
        size_t end = i;
        while (end < output.size() && !std::isspace(static_cast<unsigned char>(output[end]))) ++end;
        const std::string_view token = output.substr(i, end - i);
        i = end;
        const size_t eq = token.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = token.substr(0, eq), value = token.substr(eq + 1);
        if (valid_name(name) && valid_amount(value)) out[std::string(name)] = std::string(value);
    }
    return out;
}

std::string utilization_update(const cib::resource& primitive, const std::map<std::string, std::string>& values) {
    using cib::xml_attr;
    const std::string first_set =
        primitive.utilization.empty() ? primitive.id + "-utilization" : primitive.utilization[0].id;
    std::map<std::string, std::string> by_set;  // set id -> the nvpairs to write into it
    for (const auto& [name, value] : values) {
        // an existing pair is updated in place, wherever it is; a new one joins the first set
        std::string set_id = first_set, id = first_set + "-" + name;
        bool same = false, found = false;
        for (const auto& set : primitive.utilization)
            for (const auto& p : set.pairs)
                if (p.name == name && !found) {
                    found = true;
                    same = p.value == value;
                    set_id = set.id;
                    id = p.id;
                }
        if (same) continue;
        by_set[set_id] +=
            "<nvpair id=\"" + xml_attr(id) + "\" name=\"" + xml_attr(name) + "\" value=\"" + xml_attr(value) + "\"/>";
    }
    if (by_set.empty()) return {};
    std::string x = "<primitive id=\"" + xml_attr(primitive.id) + "\">";
    for (const auto& [set_id, pairs] : by_set)
        x += "<utilization id=\"" + xml_attr(set_id) + "\">" + pairs + "</utilization>";
    return x + "</primitive>";
}

const cib::resource* find_primitive(const std::vector<cib::resource>& resources, std::string_view rsc_id) {
    const std::string_view id = rsc_id.substr(0, rsc_id.find(':'));
    for (const auto& r : resources) {
        if (r.kind == cib::resource_kind::primitive && r.id == id) return &r;
        if (const cib::resource* inner = find_primitive(r.children, id)) return inner;
    }
    return nullptr;
}

}  // namespace holdfast::daemon
