// The configuration crm statements are applied to (crm_parse_parts.hpp): its
// sections, its ids, and where a finished object goes; and `xml` statements,
// whose element goes into the section its name says.
#include <libxml/parser.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "cib/change.hpp"
#include "tools/holdfast/crm_parse_parts.hpp"

namespace holdfast::tools::crmp {
namespace {

// Sections in the order Pacemaker writes them; a missing one is made in its place.
constexpr std::array<const char*, 10> section_order = {"crm_config", "rsc_defaults", "op_defaults",      "nodes",
                                                       "resources",  "constraints",  "fencing-topology", "tags",
                                                       "acls",       "alerts"};

bool named(const xmlNode* n, const char* name) {
    return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

int section_rank(const xmlNode* n) {
    for (size_t i = 0; i < section_order.size(); ++i)
        if (named(n, section_order[i])) return static_cast<int>(i);
    return -1;
}

// Elements whose id attribute refers to another element rather than naming
// itself, or is not an XML id (a node's: a remote node has its resource's).
bool is_reference(const xmlNode* n) {
    return named(n, "resource_ref") || named(n, "obj_ref") || named(n, "role") || named(n, "node");
}

template <typename F>
void each_element(const xmlNode* n, F&& f) {
    for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        f(c);
        each_element(c, f);
    }
}

doc_ptr parse_xml(std::string_view text) {
    return doc_ptr(xmlReadMemory(
        text.data(), static_cast<int>(text.size()), "crm", "UTF-8",
        XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

}  // namespace

void set_attr(xmlNode* n, const char* name, const std::string& value) {
    xmlSetProp(n, BAD_CAST name, BAD_CAST value.c_str());
}

std::string get_attr(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetProp(n, BAD_CAST name);
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

xmlNode* add_child(xmlNode* parent, xmlNode* child) { return xmlAddChild(parent, child); }

expected<builder, std::string> builder::from(const std::string& base, crm_mode mode) {
    builder b;
    b.mode_ = mode;
    if (base.empty()) {
        b.doc_.reset(xmlNewDoc(BAD_CAST "1.0"));
        b.config_ = xmlNewDocNode(b.doc_.get(), nullptr, BAD_CAST "configuration", nullptr);
        xmlDocSetRootElement(b.doc_.get(), b.config_);
    } else {
        b.doc_ = parse_xml(base);
        xmlNode* root = b.doc_ ? xmlDocGetRootElement(b.doc_.get()) : nullptr;
        if (named(root, "cib"))
            for (xmlNode* c = root->children; c; c = c->next)
                if (named(c, "configuration")) {
                    xmlUnlinkNode(c);
                    xmlFreeNode(xmlDocSetRootElement(b.doc_.get(), c));
                    root = c;
                    break;
                }
        if (!named(root, "configuration")) return unexpected(std::string("the current CIB has no <configuration>"));
        b.config_ = root;
    }
    for (const char* s : {"crm_config", "nodes", "resources", "constraints"}) b.section(s);
    b.note_ids(b.config_);
    return b;
}

xmlNode* builder::section(const char* name) {
    for (xmlNode* c = config_->children; c; c = c->next)
        if (named(c, name)) return c;
    xmlNode* s = xmlNewDocNode(doc_.get(), nullptr, BAD_CAST name, nullptr);
    int rank = section_rank(s);
    for (xmlNode* c = config_->children; c; c = c->next)
        if (section_rank(c) > rank) return xmlAddPrevSibling(c, s);
    return xmlAddChild(config_, s);
}

std::string builder::new_id(const std::string& base) {
    std::string id;
    for (char c : base) {
        auto u = static_cast<unsigned char>(c);
        id += std::isalnum(u) || c == '_' || c == '-' || c == '.' || u >= 0x80 ? c : '_';
    }
    if (!valid_id(id)) id = "_" + id;
    std::string out = id;
    for (int n = 0; ids_.count(out); ++n) out = id + "-" + std::to_string(n);
    ids_.insert(out);
    return out;
}

xmlNode* builder::element(const char* name, const std::string& id) {
    xmlNode* n = xmlNewDocNode(doc_.get(), nullptr, BAD_CAST name, nullptr);
    if (!id.empty()) set_attr(n, "id", id);
    return n;
}

xmlNode* builder::find(const std::string& id) const {
    xmlNode* found = nullptr;
    each_element(config_, [&](const xmlNode* n) {
        if (!found && !is_reference(n) && get_attr(n, "id") == id) found = const_cast<xmlNode*>(n);
    });
    return found;
}

result builder::claim_id(const word& w, const char* kind) {
    if (!valid_id(w.text))
        return unexpected(
            error_at(w, "not a valid id (expected a letter or '_', then letters, digits, '_', '-', '.')"));
    return claim(w, w.text, kind);
}

result builder::claim(const word& w, const std::string& id, const char* kind) {
    replacing_ = nullptr;
    xmlNode* old = find(id);
    if (!old) {
        ids_.insert(id);
        return {};
    }
    std::string what = reinterpret_cast<const char*>(old->name);
    if (mode_ == crm_mode::create)
        return unexpected(error_at(w, "this id is taken (by a <" + what + ">; expected a new id)"));
    if (what != kind) return unexpected(error_at(w, "this id is a <" + what + ">, not a <" + kind + ">"));
    forget_ids(old);  // the replacement may make the same ids again
    replacing_ = old;
    return {};
}

result builder::claim_node(const word& w, const std::string& id) {
    replacing_ = find_node(id);
    if (replacing_ && mode_ == crm_mode::create) {
        replacing_ = nullptr;
        return unexpected(error_at(w, "node '" + id + "' exists (expected a new node)"));
    }
    if (replacing_) forget_ids(replacing_);
    return {};
}

xmlNode* builder::find_node(const std::string& id) {
    for (xmlNode* n = section("nodes")->children; n; n = n->next)
        if (named(n, "node") && get_attr(n, "id") == id) return n;
    return nullptr;
}

void builder::place(xmlNode* object, const char* section_name, xmlNode* before) {
    std::string id = get_attr(object, "id");
    xmlNode* old =
        replacing_ && get_attr(replacing_, "id") == id && named(replacing_, reinterpret_cast<const char*>(object->name))
            ? replacing_
            : nullptr;
    if (old) {
        xmlReplaceNode(old, object);
        xmlFreeNode(old);
        replacing_ = nullptr;
    } else if (before) {
        xmlAddPrevSibling(before, object);
    } else {
        xmlAddChild(section(section_name), object);
    }
    note_ids(object);
}

void builder::remove(xmlNode* n) {
    forget_ids(n);
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

void builder::note_ids(const xmlNode* n) {
    auto note = [this](const xmlNode* e) {
        if (!is_reference(e) && xmlHasProp(e, BAD_CAST "id")) ids_.insert(get_attr(e, "id"));
    };
    note(n);
    each_element(n, note);
}

void builder::forget_ids(const xmlNode* n) {
    auto forget = [this](const xmlNode* e) {
        if (!is_reference(e)) ids_.erase(get_attr(e, "id"));
    };
    forget(n);
    each_element(n, forget);
}

std::string builder::text() const {
    std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), xmlBufferFree);
    xmlNodeDump(buf.get(), doc_.get(), config_, 0, 1);
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())), xmlBufferLength(buf.get()));
}

namespace {

// Top-level resources named inside `e` (or by it): an `xml` group or clone
// takes the place of its members shown on lines of their own above it.
std::vector<xmlNode*> absorbed(builder& b, const xmlNode* e) {
    std::set<std::string> ids{get_attr(e, "id")};
    each_element(e, [&](const xmlNode* c) { ids.insert(get_attr(c, "id")); });
    std::vector<xmlNode*> out;
    for (xmlNode* r = b.section("resources")->children; r; r = r->next)
        if (r->type == XML_ELEMENT_NODE && ids.count(get_attr(r, "id"))) out.push_back(r);
    return out;
}

result place_xml(builder& b, xmlNode* e, const char* section, const word& w) {
    std::string id = get_attr(e, "id");
    xmlNode* same = id.empty() ? nullptr : named(e, "node") ? b.find_node(id) : b.find(id);
    std::string name = reinterpret_cast<const char*>(e->name);
    if (same && b.mode() == crm_mode::create)
        return unexpected(error_at(w, "id '" + id + "' is taken (expected a new id)"));
    if (same && !named(same, name.c_str()))
        return unexpected(error_at(
            w, "id '" + id + "' is a <" + reinterpret_cast<const char*>(same->name) + ">, not a <" + name + ">"));
    std::vector<xmlNode*> old = std::strcmp(section, "resources") == 0 ? absorbed(b, e) : std::vector<xmlNode*>{};
    if (same && std::find(old.begin(), old.end(), same) == old.end()) old.insert(old.begin(), same);
    if (old.empty())
        xmlAddChild(b.section(section), e);
    else
        xmlAddPrevSibling(old.front(), e);
    for (xmlNode* o : old) b.remove(o);
    b.note_ids(e);
    return {};
}

}  // namespace

result read_xml(const statement& s, builder& b) {
    if (s.words.size() < 2)
        return unexpected(error_at(reader(s).end(), "missing the element (expected <element .../>)"));
    const word& at = s.words[1];
    doc_ptr d = parse_xml(s.rest);
    xmlNode* root = d ? xmlDocGetRootElement(d.get()) : nullptr;
    if (!root || d->intSubset || d->extSubset)
        return unexpected(error_at(at, "not one well-formed XML element (expected <element .../>)"));
    xmlNode* e = xmlDocCopyNode(root, b.config()->doc, 1);
    std::vector<std::pair<xmlNode*, const char*>> parts;
    if (section_rank(e) >= 0) {  // a section: each of its elements
        for (xmlNode* c = e->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE) parts.emplace_back(c, section_order[section_rank(e)]);
    } else if (const char* section = holdfast::cib::configuration_section(reinterpret_cast<const char*>(e->name))) {
        parts.emplace_back(e, section);
    } else {
        std::string name = reinterpret_cast<const char*>(e->name);
        xmlFreeNode(e);
        return unexpected(error_at(at, "<" + name +
                                           "> has no section it belongs in (expected a resource, constraint, "
                                           "node, property set, fencing-level, tag, alert or acl, or a section)"));
    }
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> holder(section_rank(e) >= 0 ? e : nullptr, xmlFreeNode);
    for (auto& [part, section] : parts) {
        xmlUnlinkNode(part);
        if (auto r = place_xml(b, part, section, at); !r) {
            xmlFreeNode(part);
            return r;
        }
    }
    return {};
}

}  // namespace holdfast::tools::crmp
