#include "cib/acl.hpp"

#include <libxml/xpath.h>

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "cib/values.hpp"
#include "cib/xml.hpp"

namespace holdfast::cib::acl {
namespace {

// Marks on an element, as bits (several permissions may select one element).
constexpr unsigned read_bit = 1, write_bit = 2, deny_bit = 4;
using marks = std::unordered_map<const xmlNode*, unsigned>;

unsigned bit(mode m) {
    switch (m) {
        case mode::read: return read_bit;
        case mode::write: return write_bit;
        case mode::deny: return deny_bit;
    }
    return deny_bit;
}

xmlNode* root_of(const document& doc) { return xmlDocGetRootElement(static_cast<xmlDoc*>(doc.xml())); }

xmlNode* acls_section(const document& doc) { return xml::first(xml::first(root_of(doc), "configuration"), "acls"); }

// What an ACL entry's selection criteria mean, as an xpath (Pacemaker's create_acl).
std::optional<permission> make_permission(const xmlNode* n, mode m) {
    std::string tag = xml::attr(n, "object-type");
    if (tag.empty()) tag = xml::attr(n, "tag");  // legacy (Pacemaker <= 1.1.11)
    std::string ref = xml::attr(n, "reference");
    if (ref.empty()) ref = xml::attr(n, "ref");  // legacy
    const std::string xpath = xml::attr(n, "xpath");
    const std::string attribute = xml::attr(n, "attribute");
    if (tag.empty() && ref.empty() && xpath.empty()) return std::nullopt;  // selects nothing
    permission p{xml::attr(n, "id"), m, xpath};
    if (!xpath.empty()) return p;
    p.xpath = "//" + (tag.empty() ? std::string("*") : tag);
    if (!ref.empty() && !attribute.empty())
        p.xpath += "[@id='" + ref + "' and @" + attribute + "]";
    else if (!ref.empty())
        p.xpath += "[@id='" + ref + "']";
    else if (!attribute.empty())
        p.xpath += "[@" + attribute + "]";
    return p;
}

// The permissions of one acl_target/acl_user/acl_group/acl_role, roles it
// references included (depth bounds a role naming itself through others).
void parse_entry(const xmlNode* top, const xmlNode* entry, std::vector<permission>& out, int depth = 0) {
    if (depth > 8) return;
    for (const xmlNode* child : xml::children(entry)) {
        std::string tag = xml::name(child);
        if (tag == "acl_permission") tag = xml::attr(child, "kind");
        if (tag == "role" || tag == "role_ref") {
            const std::string ref = xml::attr(child, "id");
            for (const xmlNode* role : xml::children(top, "acl_role")) {
                if (ref.empty() || xml::attr(role, "id") != ref) continue;
                parse_entry(top, role, out, depth + 1);
                break;
            }
        } else if (tag == "read" || tag == "write" || tag == "deny") {
            const mode m = tag == "read" ? mode::read : tag == "write" ? mode::write : mode::deny;
            if (auto p = make_permission(child, m)) out.push_back(std::move(*p));
        }
    }
}

std::string entry_name(const xmlNode* n) {
    std::string name = xml::attr(n, "name");
    return name.empty() ? xml::attr(n, "id") : name;
}

// The element an xpath result stands for, as Pacemaker's getXpathResult
// takes it: an attribute or text stands for its element, the document for <cib>.
xmlNode* element_of(xmlNode* n) {
    if (!n) return nullptr;
    if (n->type == XML_DOCUMENT_NODE) return xmlDocGetRootElement(reinterpret_cast<xmlDoc*>(n));
    if (n->type == XML_ELEMENT_NODE) return n;
    if (n->parent && n->parent->type == XML_ELEMENT_NODE) return n->parent;
    return nullptr;
}

void ignore_xpath_error(void*, xmlError*) {}

struct xpath_ctx_deleter {
    void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
struct xpath_obj_deleter {
    void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};

// The elements an xpath selects in `doc` (none when it does not compile:
// the schema lets any string through, Pacemaker ignores such entries too).
std::vector<xmlNode*> select(xmlDoc* doc, const std::string& xpath) {
    std::unique_ptr<xmlXPathContext, xpath_ctx_deleter> ctx(xmlXPathNewContext(doc));
    if (!ctx) return {};
    ctx->error = ignore_xpath_error;
    std::unique_ptr<xmlXPathObject, xpath_obj_deleter> obj(xmlXPathEvalExpression(xml::x(xpath.c_str()), ctx.get()));
    std::vector<xmlNode*> out;
    if (!obj || obj->type != XPATH_NODESET || !obj->nodesetval) return out;
    for (int i = 0; i < obj->nodesetval->nodeNr; ++i)
        if (xmlNode* e = element_of(obj->nodesetval->nodeTab[i])) out.push_back(e);
    return out;
}

marks mark(xmlDoc* doc, const std::vector<permission>& perms) {
    marks m;
    for (const auto& p : perms)
        for (xmlNode* e : select(doc, p.xpath)) m[e] |= bit(p.kind);
    return m;
}

// Pacemaker's test_acl_mode: does this element's own mark grant the access?
bool grants(unsigned flags, unsigned wanted) {
    if (flags & deny_bit) return false;
    if (flags & wanted) return true;
    return wanted == read_bit && (flags & write_bit);
}

// Pacemaker's pcmk__check_acl: the nearest element up the tree whose mark
// grants decides yes, the nearest deny decides no; no decision is no.
bool allowed(const xmlNode* n, unsigned wanted, const marks& m) {
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
        auto it = m.find(n);
        if (it == m.end()) continue;
        if (grants(it->second, wanted)) return true;
        if (it->second & deny_bit) return false;
    }
    return false;
}

std::string describe(const xmlNode* n) {
    std::string id = xml::attr(n, "id");
    return "<" + xml::name(n) + (id.empty() ? "" : " id=\"" + id + "\"") + ">";
}

}  // namespace

const char* to_string(mode m) {
    switch (m) {
        case mode::read: return "read";
        case mode::write: return "write";
        case mode::deny: return "deny";
    }
    return "deny";
}

bool enabled(const document& doc) {
    for (const auto& set : doc.model().crm_config)
        for (const auto& p : set.pairs)
            if (p.name == "enable-acl") return is_true(p.value);
    return false;
}

bool required(const std::string& user) { return !user.empty() && user != "root" && user != "hacluster"; }

bool restricted(const document& doc, const subject& who) { return required(who.user) && enabled(doc); }

resolved resolve(const document& doc, const subject& who) {
    resolved r;
    const xmlNode* top = acls_section(doc);
    if (!top || !required(who.user)) return r;
    for (const xmlNode* child : xml::children(top)) {
        const std::string tag = xml::name(child);
        bool applies = false;
        if (tag == "acl_target" || tag == "acl_user")
            applies = entry_name(child) == who.user;
        else if (tag == "acl_group")
            applies = std::find(who.groups.begin(), who.groups.end(), entry_name(child)) != who.groups.end();
        if (!applies) continue;
        r.has_entry = true;
        parse_entry(top, child, r.permissions);
    }
    return r;
}

namespace {

// Pacemaker's purge_xml_attributes: an element not readable itself loses its
// attributes but id, and goes unless something under it is readable; <cib>
// (`root`) always stays as it is.
bool purge(xmlNode* n, const xmlNode* root, const marks& m) {
    auto it = m.find(n);
    if (it != m.end() && grants(it->second, read_bit)) return true;
    if (n != root) {
        for (xmlAttr* a = n->properties; a;) {
            xmlAttr* next = a->next;
            if (xmlStrcmp(a->name, xml::x("id")) != 0) xmlRemoveProp(a);
            a = next;
        }
    }
    bool readable = false;
    for (xmlNode* c = n->children; c;) {
        xmlNode* next = c->next;
        if (c->type == XML_ELEMENT_NODE) {
            readable = purge(c, root, m) || readable;
        } else {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
        c = next;
    }
    if (!readable && n != root) {
        xmlUnlinkNode(n);
        xmlFreeNode(n);
    }
    return readable;
}

bool has_ancestor_in(const xmlNode* n, const std::unordered_set<const xmlNode*>& set) {
    for (n = n->parent; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        if (set.count(n)) return true;
    return false;
}

}  // namespace

std::string readable_xml(const document& doc, const subject& who) {
    if (!restricted(doc, who)) return doc.to_string();
    const resolved r = resolve(doc, who);
    document copy = doc.clone();
    auto* tree = static_cast<xmlDoc*>(copy.xml());
    xmlNode* root = xmlDocGetRootElement(tree);
    const marks m = mark(tree, r.permissions);
    // What a deny selects goes first, each deny on the tree as the ones before
    // left it; an element under another match goes with that one (purging it
    // separately would touch a freed node).
    for (const auto& p : r.permissions) {
        if (p.kind != mode::deny) continue;
        auto matches = select(tree, p.xpath);
        std::unordered_set<const xmlNode*> set(matches.begin(), matches.end());
        for (xmlNode* e : matches)
            if (!has_ancestor_in(e, set)) purge(e, root, m);
    }
    purge(root, root, m);
    return copy.to_string();
}

namespace {

// What the CIB manager writes on <cib> itself with every change: not the user's edit.
bool is_stamp(const std::string& name) {
    return name == "epoch" || name == "num_updates" || name == "cib-last-written" || name == "update-origin" ||
           name == "update-client" || name == "update-user";
}

std::map<std::string, std::string> attributes(const xmlNode* n, bool skip_stamps) {
    std::map<std::string, std::string> out;
    for (const xmlAttr* a = n->properties; a; a = a->next) {
        std::string name = reinterpret_cast<const char*>(a->name);
        if (skip_stamps && is_stamp(name)) continue;
        out.emplace(std::move(name), xml::attr_value(n, a));
    }
    return out;
}

// Children keyed the way both trees agree on: tag and id, or tag and the
// position among siblings of that tag without an id.
std::map<std::string, xmlNode*> keyed_children(const xmlNode* n) {
    std::map<std::string, xmlNode*> out;
    std::map<std::string, int> unnamed;
    for (xmlNode* c : xml::children(n)) {
        const std::string tag = xml::name(c);
        const std::string id = xml::attr(c, "id");
        out.emplace(id.empty() ? tag + "#" + std::to_string(unnamed[tag]++) : tag + "@" + id, c);
    }
    return out;
}

bool inside_acls(const xmlNode* n) {
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        if (xml::is(n, "acls")) return true;
    return false;
}

struct differ {
    const marks& before;
    const marks& after;
    bool admin_epoch_set;
    std::string denied;  // the first refusal, "" while none

    void refuse(const char* what, const xmlNode* n) {
        if (denied.empty()) denied = std::string(what) + " " + describe(n);
    }

    // Pacemaker's pcmk__post_process_acl: a new element with nothing but an
    // id (outside <acls>) is scaffolding, allowed; anything more needs write.
    void created(const xmlNode* n) {
        bool scaffold = true;
        for (const xmlAttr* a = n->properties; a; a = a->next)
            if (xmlStrcmp(a->name, xml::x("id")) != 0 || inside_acls(n)) scaffold = false;
        if (!scaffold && !allowed(n, write_bit, after)) return refuse("create", n);
        for (const xmlNode* c : xml::children(n)) created(c);
    }

    void compare(const xmlNode* old_n, const xmlNode* new_n) {
        const bool is_root = old_n->parent && old_n->parent->type == XML_DOCUMENT_NODE;
        auto old_attrs = attributes(old_n, is_root);
        auto new_attrs = attributes(new_n, is_root);
        if (is_root && !admin_epoch_set) {
            old_attrs.erase("admin_epoch");
            new_attrs.erase("admin_epoch");
        }
        if (old_attrs != new_attrs && !allowed(old_n, write_bit, before)) refuse("modify", old_n);
        auto old_children = keyed_children(old_n);
        auto new_children = keyed_children(new_n);
        for (const auto& [key, c] : old_children)
            if (!new_children.count(key) && !allowed(c, write_bit, before)) refuse("delete", c);
        for (const auto& [key, c] : new_children) {
            auto it = old_children.find(key);
            if (it == old_children.end())
                created(c);
            else
                compare(it->second, c);
        }
    }
};

}  // namespace

expected<void, error> check_change(const document& doc, const change& c, const subject& who) {
    if (!restricted(doc, who)) return {};
    document trial = doc.clone();
    auto applied = apply(trial, c);
    if (!applied) return unexpected(applied.error());
    if (!applied->changed) return {};
    const resolved r = resolve(doc, who);
    auto* before_tree = static_cast<xmlDoc*>(doc.xml());
    auto* after_tree = static_cast<xmlDoc*>(trial.xml());
    const marks before = mark(before_tree, r.permissions);
    const marks after = mark(after_tree, r.permissions);
    differ d{before, after, c.admin_epoch.has_value(), {}};
    d.compare(xmlDocGetRootElement(before_tree), xmlDocGetRootElement(after_tree));
    if (d.denied.empty()) return {};
    return unexpected(error{
        errc::permission_denied, "permission denied: ACLs do not let user '" + who.user + "' " + d.denied, {}, 0});
}

}  // namespace holdfast::cib::acl
