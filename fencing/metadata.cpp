// Fence agent metadata (metadata.hpp), parsed with libxml2.
#include "fencing/metadata.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <strings.h>

#include <memory>

namespace holdfast::fencing {
namespace {

struct doc_free {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

bool named(const xmlNode* n, const char* name) {
    return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

std::string attr(const xmlNode* n, const char* a) {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(a));
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

std::string text(const xmlNode* n) {
    xmlChar* v = xmlNodeGetContent(n);
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

const xmlNode* child(const xmlNode* n, const char* name) {
    for (const xmlNode* c = n->children; c; c = c->next)
        if (named(c, name)) return c;
    return nullptr;
}

agent_parameter read_parameter(const xmlNode* p) {
    agent_parameter out;
    out.name = attr(p, "name");
    out.required = xml_true(attr(p, "required"));
    out.deprecated = xml_true(attr(p, "deprecated"));
    out.obsoletes = attr(p, "obsoletes");
    if (const xmlNode* c = child(p, "content")) {
        out.type = attr(c, "type");
        out.default_value = attr(c, "default");
    }
    if (const xmlNode* s = child(p, "shortdesc")) out.shortdesc = text(s);
    return out;
}

agent_action_info read_action(const xmlNode* a) {
    agent_action_info out;
    out.name = attr(a, "name");
    out.automatic = xml_true(attr(a, "automatic")) || xml_true(attr(a, "required"));
    out.on_target = xml_true(attr(a, "on_target"));
    return out;
}

}  // namespace

bool xml_true(std::string_view v) {
    for (const char* t : {"1", "true", "yes", "on", "y"})
        if (v.size() == std::char_traits<char>::length(t) && strncasecmp(v.data(), t, v.size()) == 0) return true;
    return false;
}

bool agent_metadata::has_parameter(std::string_view n) const {
    for (const auto& p : parameters)
        if (p.name == n) return true;
    return false;
}

const agent_action_info* agent_metadata::action(std::string_view n) const {
    for (const auto& a : actions)
        if (a.name == n) return &a;
    return nullptr;
}

bool agent_metadata::has_action(std::string_view n) const { return action(n) != nullptr; }

bool agent_metadata::automatic_unfencing() const {
    const auto* on = action("on");
    return on && on->automatic;
}

std::string agent_metadata::default_host_argument() const {
    if (has_parameter("port")) return "port";
    if (has_parameter("plug")) return "plug";
    return "port";
}

result<agent_metadata> parse_metadata(std::string_view xml) {
    // Agents print warnings before the XML now and then (Python deprecations)
    const auto start = xml.find("<?xml") != std::string_view::npos ? xml.find("<?xml") : xml.find("<resource-agent");
    if (start == std::string_view::npos)
        return unexpected(error{errc::bad_metadata, "no <resource-agent> element in the agent's metadata"});
    xml.remove_prefix(start);
    std::unique_ptr<xmlDoc, doc_free> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "metadata.xml",
                                                        nullptr,
                                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!root || !named(root, "resource-agent"))
        return unexpected(error{errc::bad_metadata, "the agent's metadata is not a <resource-agent> document"});
    agent_metadata md;
    md.name = attr(root, "name");
    md.shortdesc = attr(root, "shortdesc");
    if (const xmlNode* ps = child(root, "parameters"))
        for (const xmlNode* p = ps->children; p; p = p->next)
            if (named(p, "parameter")) md.parameters.push_back(read_parameter(p));
    if (const xmlNode* as = child(root, "actions"))
        for (const xmlNode* a = as->children; a; a = a->next)
            if (named(a, "action")) md.actions.push_back(read_action(a));
    if (md.actions.empty()) return unexpected(error{errc::bad_metadata, "the agent's metadata lists no actions"});
    return md;
}

}  // namespace holdfast::fencing
