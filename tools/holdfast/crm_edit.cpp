// `configure delete` and `configure rename` (crm_parse.hpp): an object taken
// out of, or renamed in, a configuration together with what refers to it.
#include <set>
#include <string>
#include <vector>

#include "tools/holdfast/crm_parse_parts.hpp"

namespace holdfast::tools::crmp {
namespace {

bool named(const xmlNode* n, const char* name) {
    return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

std::vector<xmlNode*> elements(xmlNode* n) {
    std::vector<xmlNode*> out;
    for (xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) out.push_back(c);
    return out;
}

bool is_resource(const xmlNode* n) {
    for (const char* k : {"primitive", "group", "clone", "master", "bundle", "template"})
        if (named(n, k)) return true;
    return false;
}

// What `configure delete` and `rename` act on: resources (at any depth) and
// the elements directly in a section.
bool is_object(const xmlNode* n) {
    if (is_resource(n)) return true;
    const xmlNode* p = n->parent;
    for (const char* s : {"nodes", "constraints", "crm_config", "rsc_defaults", "op_defaults", "fencing-topology",
                          "tags", "alerts", "acls"})
        if (named(p, s)) return true;
    return false;
}

// The attributes that name a resource (or, for tags, any object) by id.
constexpr const char* reference_attributes[] = {"rsc", "with-rsc", "first", "then", "template"};

// Drops every reference to the ids in `gone`; a constraint left without its
// resources goes too, as does a set or tag left empty.
void drop_references(builder& b, const std::set<std::string>& gone) {
    for (xmlNode* c : elements(b.section("constraints"))) {
        bool dead = false;
        for (const char* a : reference_attributes) dead = dead || gone.count(get_attr(c, a)) > 0;
        for (xmlNode* set : elements(c)) {
            for (xmlNode* ref : elements(set))
                if (named(ref, "resource_ref") && gone.count(get_attr(ref, "id"))) b.remove(ref);
            if (named(set, "resource_set") && elements(set).empty()) b.remove(set);
        }
        bool has_rsc =
            xmlHasProp(c, BAD_CAST "rsc") || xmlHasProp(c, BAD_CAST "rsc-pattern") || xmlHasProp(c, BAD_CAST "first");
        if (dead || (!has_rsc && elements(c).empty())) b.remove(c);
    }
    for (xmlNode* tag : elements(b.section("tags"))) {
        for (xmlNode* ref : elements(tag))
            if (gone.count(get_attr(ref, "id"))) b.remove(ref);
        if (elements(tag).empty()) b.remove(tag);
    }
}

// Removes `n`; a group or clone it leaves empty goes with it.
void remove_resource(builder& b, xmlNode* n, std::set<std::string>& gone) {
    gone.insert(get_attr(n, "id"));
    for (xmlNode* c : elements(n))
        if (is_resource(c)) gone.insert(get_attr(c, "id"));
    for (xmlNode* c : elements(n))
        for (xmlNode* g : elements(c))
            if (is_resource(g)) gone.insert(get_attr(g, "id"));
    xmlNode* parent = n->parent;
    b.remove(n);
    bool empty = true;
    for (xmlNode* c : elements(parent)) empty = empty && !is_resource(c);
    if (is_resource(parent) && empty) remove_resource(b, parent, gone);
}

}  // namespace
}  // namespace holdfast::tools::crmp

namespace holdfast::tools {

expected<std::string, std::string> delete_crm_objects(const std::string& base, const std::vector<std::string>& ids) {
    using namespace crmp;
    auto b = builder::from(base, crm_mode::update);
    if (!b) return unexpected(b.error());
    std::set<std::string> gone;
    for (const auto& id : ids) {
        xmlNode* n = b->find(id);
        if (!n && gone.count(id)) continue;  // went with its group
        if (!n) return unexpected("no object has id '" + id + "'");
        if (!is_object(n))
            return unexpected("'" + id + "' is a <" + reinterpret_cast<const char*>(n->name) + "> inside " +
                              get_attr(n->parent, "id") + ", not an object (expected a resource, constraint, node...)");
        if (named(n, "template"))
            for (xmlNode* r : elements(b->section("resources")))
                if (get_attr(r, "template") == id)
                    return unexpected("template '" + id + "' is used by " + get_attr(r, "id"));
        if (is_resource(n))
            remove_resource(*b, n, gone);
        else
            b->remove(n);
    }
    drop_references(*b, gone);
    return b->text();
}

expected<std::string, std::string> rename_crm_object(const std::string& base, const std::string& from,
                                                     const std::string& to) {
    using namespace crmp;
    auto b = builder::from(base, crm_mode::update);
    if (!b) return unexpected(b.error());
    xmlNode* n = b->find(from);
    if (!n) return unexpected("no object has id '" + from + "'");
    if (!is_object(n) || named(n->parent, "nodes"))
        return unexpected("'" + from + "' is not an object that can be renamed (expected a resource or constraint...)");
    if (!valid_id(to)) return unexpected("'" + to + "' is not a valid id");
    if (b->find(to)) return unexpected("id '" + to + "' is taken");
    b->forget_ids(n);
    set_attr(n, "id", to);
    b->note_ids(n);
    std::vector<xmlNode*> all{b->config()};
    for (size_t i = 0; i < all.size(); ++i) {  // every element, breadth first
        for (xmlNode* c : elements(all[i])) all.push_back(c);
        xmlNode* e = all[i];
        for (const char* a : reference_attributes)
            if (get_attr(e, a) == from) set_attr(e, a, to);
        if ((named(e, "resource_ref") || named(e, "obj_ref")) && get_attr(e, "id") == from) set_attr(e, "id", to);
        if (named(e, "fencing-level")) {  // a device in the comma list
            std::string devices = "," + get_attr(e, "devices") + ",";
            for (size_t at; (at = devices.find("," + from + ",")) != std::string::npos;)
                devices.replace(at, from.size() + 2, "," + to + ",");
            set_attr(e, "devices", devices.substr(1, devices.size() - 2));
        }
    }
    return b->text();
}

}  // namespace holdfast::tools
