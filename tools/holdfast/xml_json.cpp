#include "tools/holdfast/xml_json.hpp"

#include <libxml/parser.h>

#include "cib/xml.hpp"
#include "tools/holdfast/json_text.hpp"

namespace holdfast::tools {
namespace {

std::string own_text(const xmlNode* n) {
    std::string text;
    for (const xmlNode* c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            text += reinterpret_cast<const char*>(c->content);
    return text.find_first_not_of(" \t\r\n") == std::string::npos ? std::string() : text;
}

void element(const xmlNode* n, int depth, std::string& out) {
    const std::string pad(2 * depth, ' ');
    out += pad + "{\"element\": " + json_string(cib::xml::name(n)) + ", \"attributes\": {";
    bool first = true;
    for (const xmlAttr* a = n->properties; a; a = a->next) {
        out += std::string(first ? "" : ", ") + json_string(reinterpret_cast<const char*>(a->name)) + ": " +
               json_string(cib::xml::attr_value(n, a));
        first = false;
    }
    out += "}";
    if (const std::string text = own_text(n); !text.empty()) out += ", \"text\": " + json_string(text);
    const auto kids = cib::xml::children(n);
    if (kids.empty()) {
        out += ", \"children\": []}";
        return;
    }
    out += ", \"children\": [\n";
    for (size_t i = 0; i < kids.size(); ++i) {
        element(kids[i], depth + 1, out);
        out += i + 1 < kids.size() ? ",\n" : "\n";
    }
    out += pad + "]}";
}

}  // namespace

expected<std::string, std::string> xml_to_json(std::string_view xml) {
    cib::xml::doc_ptr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "document", nullptr,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!root) return unexpected(std::string("the document is not well-formed XML"));
    std::string out;
    element(root, 0, out);
    return out + "\n";
}

}  // namespace holdfast::tools
