// The crm shell text of a configuration: the walk over <configuration> and
// the resource, node and option-set forms (constraints and rules live in
// crm_constraints.cpp).
#include "tools/holdfast/crm_text.hpp"

#include <memory>

#include "tools/holdfast/crm_text_parts.hpp"

namespace holdfast::tools::crm {

std::string attr(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetProp(n, BAD_CAST name);
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

bool has_attr(const xmlNode* n, const char* name) { return xmlHasProp(n, BAD_CAST name) != nullptr; }

bool is(const xmlNode* n, const char* name) {
    return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

std::vector<xmlNode*> children(const xmlNode* n, const char* only) {
    std::vector<xmlNode*> out;
    for (xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (!only || xmlStrEqual(c->name, BAD_CAST only))) out.push_back(c);
    return out;
}

std::string quote(const std::string& value) {
    bool plain = !value.empty();
    for (char c : value)
        if (c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '\\' || c == '#') plain = false;
    if (plain) return value;
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string pair(const std::string& name, const std::string& value) { return name + "=" + quote(value); }

std::string score(const std::string& s) {
    if (s == "INFINITY" || s == "+INFINITY" || s == "infinity" || s == "+infinity") return "inf";
    if (s == "-INFINITY" || s == "-infinity") return "-inf";
    return s;
}

std::string lines(const std::string& head, const std::vector<std::string>& more) {
    std::string out = head;
    for (const auto& l : more) out += " \\\n\t" + l;
    return out + "\n";
}

std::string xml_line(const xmlNode* n) {
    std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), xmlBufferFree);
    xmlNodeDump(buf.get(), n->doc, const_cast<xmlNode*>(n), 0, 0);
    std::string raw(reinterpret_cast<const char*>(xmlBufferContent(buf.get())), xmlBufferLength(buf.get()));
    // drop the indentation between elements so the element fits one line
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '>' && i + 1 < raw.size()) {
            size_t j = raw.find_first_not_of(" \t\r\n", i + 1);
            if (j != std::string::npos && raw[j] == '<') {
                out += '>';
                i = j - 1;
                continue;
            }
        }
        out += raw[i] == '\n' ? ' ' : raw[i];
    }
    return "xml " + out + "\n";
}

std::optional<std::string> nvpairs(const xmlNode* set) {
    if (has_attr(set, "id-ref") || has_attr(set, "score")) return std::nullopt;
    std::string out;
    for (const xmlNode* c : children(set)) {
        if (!is(c, "nvpair") || has_attr(c, "id-ref") || !has_attr(c, "value")) return std::nullopt;
        out += (out.empty() ? "" : " ") + pair(attr(c, "name"), attr(c, "value"));
    }
    return out;
}

namespace {

const char* set_keyword(const xmlNode* set) {
    if (is(set, "instance_attributes")) return "params";
    if (is(set, "meta_attributes")) return "meta";
    if (is(set, "utilization")) return "utilization";
    return nullptr;
}

std::optional<std::string> op_line(const xmlNode* op) {
    if (!is(op, "op") || has_attr(op, "id-ref")) return std::nullopt;
    std::string out = "op " + attr(op, "name");
    for (const xmlAttr* a = op->properties; a; a = a->next) {
        std::string name = reinterpret_cast<const char*>(a->name);
        if (name != "id" && name != "name") out += " " + pair(name, attr(op, name.c_str()));
    }
    for (const xmlNode* set : children(op)) {  // op-level params and meta go inline, as crm writes them
        if (!set_keyword(set) || is(set, "utilization")) return std::nullopt;
        auto p = nvpairs(set);
        if (!p) return std::nullopt;
        if (!p->empty()) out += " " + *p;
    }
    return out;
}

std::string agent(const xmlNode* p) {
    if (has_attr(p, "template")) return "@" + attr(p, "template");
    std::string cls = attr(p, "class"), provider = attr(p, "provider"), type = attr(p, "type");
    if (cls == "ocf") return provider == "heartbeat" ? type : "ocf:" + provider + ":" + type;
    return cls + ":" + type;
}

// The params/meta/utilization/op lines of a resource, in the XML's order;
// `members` collects a group's or clone's children instead of failing on them.
std::optional<std::vector<std::string>> resource_lines(const xmlNode* r, std::vector<std::string>* members) {
    std::vector<std::string> more;
    for (const xmlNode* c : children(r)) {
        if (const char* kw = set_keyword(c)) {
            auto p = nvpairs(c);
            if (!p) return std::nullopt;
            more.push_back(kw + (p->empty() ? "" : " " + *p));
        } else if (is(c, "operations")) {
            if (has_attr(c, "id-ref")) return std::nullopt;
            for (const xmlNode* op : children(c)) {
                auto l = op_line(op);
                if (!l) return std::nullopt;
                more.push_back(*l);
            }
        } else if (members && (is(c, "primitive") || is(c, "group"))) {
            members->push_back(attr(c, "id"));
        } else {
            return std::nullopt;
        }
    }
    return more;
}

std::string with_description(const xmlNode* n, std::string head) {
    if (has_attr(n, "description")) head += " " + pair("description", attr(n, "description"));
    return head;
}

std::string primitive(const xmlNode* p, const char* keyword) {
    auto more = resource_lines(p, nullptr);
    if (!more) return xml_line(p);
    return lines(with_description(p, std::string(keyword) + " " + attr(p, "id") + " " + agent(p)), *more);
}

// In crm's order; each part's objects in the order of the XML.
struct sections {
    std::string nodes, primitives, groups, clones, bundles, tags, constraints, topology, properties, rsc_defaults,
        op_defaults, acls, alerts;
};

void resource(const xmlNode* r, sections& out) {
    if (is(r, "primitive")) {
        out.primitives += primitive(r, "primitive");
        return;
    }
    const char* keyword = is(r, "group") ? "group" : is(r, "clone") ? "clone" : is(r, "master") ? "ms" : nullptr;
    if (!keyword) {  // bundles and anything newer
        out.bundles += xml_line(r);
        return;
    }
    for (const xmlNode* c : children(r))
        if (is(c, "primitive") || is(c, "group")) resource(c, out);
    std::vector<std::string> members;
    auto more = resource_lines(r, &members);
    std::string& section = is(r, "group") ? out.groups : out.clones;
    if (!more || members.empty() || (!is(r, "group") && members.size() != 1)) {
        section += xml_line(r);
        return;
    }
    std::string head = std::string(keyword) + " " + attr(r, "id");
    for (const auto& m : members) head += " " + m;
    section += lines(with_description(r, head), *more);
}

std::string node(const xmlNode* n) {
    std::string head = "node " + attr(n, "id") + ": " + attr(n, "uname");
    std::string type = attr(n, "type");
    if (!type.empty() && type != "member" && type != "normal") head += ":" + type;
    std::vector<std::string> more;
    for (const xmlNode* c : children(n)) {
        auto p = is(c, "instance_attributes") || is(c, "utilization") ? nvpairs(c) : std::nullopt;
        if (!p) return xml_line(n);
        more.push_back((is(c, "utilization") ? "utilization " : "attributes ") + *p);
    }
    return lines(with_description(n, head), more);
}

// property / rsc_defaults / op_defaults: one line per name=value pair
std::string option_sets(const xmlNode* section, const char* keyword) {
    std::string out;
    for (const xmlNode* set : children(section)) {
        std::vector<std::string> more;
        bool plain = !children(set, "rule").size() && !has_attr(set, "id-ref") && !has_attr(set, "score");
        for (const xmlNode* c : children(set)) {
            if (!plain) break;
            if (!is(c, "nvpair") || has_attr(c, "id-ref") || !has_attr(c, "value"))
                plain = false;
            else
                more.push_back(pair(attr(c, "name"), attr(c, "value")));
        }
        if (plain) {
            out += lines(std::string(keyword) + " " + attr(set, "id") + ":", more);
        } else if (is(section, "crm_config")) {
            out += xml_line(set);
        } else {  // a bare <meta_attributes> would not say whether it is rsc_defaults' or op_defaults'
            std::string inner = xml_line(set).substr(4);
            inner.pop_back();
            out += "xml <" + std::string(keyword) + ">" + inner + "</" + keyword + ">\n";
        }
    }
    return out;
}

std::string each_as_xml(const xmlNode* section) {
    std::string out;
    for (const xmlNode* c : children(section)) out += xml_line(c);
    return out;
}

void section(const xmlNode* part, sections& s) {
    if (is(part, "nodes")) {
        for (const xmlNode* n : children(part)) s.nodes += is(n, "node") ? node(n) : xml_line(n);
    } else if (is(part, "resources")) {
        for (const xmlNode* r : children(part)) {
            if (is(r, "template"))
                s.primitives += primitive(r, "rsc_template");
            else
                resource(r, s);
        }
    } else if (is(part, "constraints")) {
        for (const xmlNode* c : children(part)) s.constraints += constraint(c).value_or(xml_line(c));
    } else if (is(part, "crm_config")) {
        s.properties += option_sets(part, "property");
    } else if (is(part, "rsc_defaults")) {
        s.rsc_defaults += option_sets(part, "rsc_defaults");
    } else if (is(part, "op_defaults")) {
        s.op_defaults += option_sets(part, "op_defaults");
    } else if (is(part, "fencing-topology")) {
        s.topology += fencing_topology(part).value_or(each_as_xml(part));
    } else if (is(part, "alerts")) {
        for (const xmlNode* a : children(part)) s.alerts += alert(a).value_or(xml_line(a));
    } else if (is(part, "tags")) {
        s.tags += each_as_xml(part);
    } else {  // acls and anything newer
        s.acls += each_as_xml(part);
    }
}

}  // namespace
}  // namespace holdfast::tools::crm

namespace holdfast::tools {

std::string format_crm_configuration(const cib::document& doc) {
    using namespace crm;
    xmlNode* root = xmlDocGetRootElement(static_cast<xmlDoc*>(doc.xml()));
    xmlNode* config = nullptr;
    for (xmlNode* c : children(root, "configuration")) config = c;
    sections s;
    for (const xmlNode* part : children(config)) section(part, s);
    return s.nodes + s.primitives + s.groups + s.clones + s.bundles + s.tags + s.constraints + s.topology +
           s.properties + s.rsc_defaults + s.op_defaults + s.acls + s.alerts;
}

}  // namespace holdfast::tools
