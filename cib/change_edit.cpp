// The tree edits behind each CIB change, done the way Pacemaker's CIB
// manager does the equivalent request: cibadmin --replace/--modify/--delete,
// crm_attribute (update_attr_delegate: reuse a matching nvpair wherever it is,
// else create it with Pacemaker's ids), attrd's transient attributes and the
// controller's operation history updates.
#include "cib/change_edit.hpp"

#include <climits>
#include <map>

namespace holdfast::cib::edit {
namespace {

using xml::attr;
using xml::is;

error bad(const std::string& what) { return error{errc::bad_change, what, "", 0}; }

void set(xmlNode* n, const char* name, const std::string& value) { xmlSetProp(n, xml::x(name), xml::x(value.c_str())); }

// The named child of `parent`, created (at the end) when missing.
xmlNode* child(xmlNode* parent, const char* name) {
    if (xmlNode* c = xml::first(parent, name)) return c;
    return xmlNewChild(parent, nullptr, xml::x(name), nullptr);
}

// The named child with this id, created with it when missing.
xmlNode* child_with_id(xmlNode* parent, const char* name, const std::string& id) {
    for (xmlNode* c : xml::children(parent, name))
        if (attr(c, "id") == id) return c;
    xmlNode* c = xmlNewChild(parent, nullptr, xml::x(name), nullptr);
    set(c, "id", id);
    return c;
}

xmlNode* configuration(xmlNode* root) {
    if (xmlNode* c = xml::first(root, "configuration")) return c;
    // configuration comes before status
    xmlNode* c = xmlNewDocNode(root->doc, nullptr, xml::x("configuration"), nullptr);
    if (root->children) return xmlAddPrevSibling(root->children, c);
    return xmlAddChild(root, c);
}

// Pacemaker's crm_xml_sanitize_id: characters an XML ID cannot hold in ids
// derived from names.
std::string sanitize_id(std::string id) {
    for (char& c : id)
        if (c == ':' || c == '#') c = '.';
    return id;
}

// Elements whose id names another element rather than themselves: an ACL
// target's <role>, a tag's <obj_ref>, a set's <resource_ref>.
bool is_reference(const xmlNode* n) { return is(n, "role") || is(n, "obj_ref") || is(n, "resource_ref"); }

void collect_by_id(xmlNode* n, const std::string& id, std::vector<xmlNode*>& out) {
    for (xmlNode* c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (attr(c, "id") == id && !is_reference(c)) out.push_back(c);
        collect_by_id(c, id, out);
    }
}

std::vector<xmlNode*> by_id(xmlNode* under, const std::string& id) {
    std::vector<xmlNode*> out;
    if (under) collect_by_id(under, id, out);
    return out;
}

// A new id must not clash with another element's (ids are unique across the
// configuration; in the status section, within one node's state).
expected<void, error> id_is_free(xmlNode* scope, const std::string& id) {
    if (!by_id(scope, id).empty())
        return unexpected(error{errc::not_unique, "id '" + id + "' is already used by another element", "", 0});
    return {};
}

// The section of <configuration> a top-level object belongs under.
const char* section_for(const xmlNode* n) { return configuration_section(xml::name(n)); }

bool is_section(const xmlNode* n) {
    for (const char* s : {"crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults",
                          "fencing-topology", "tags", "acls", "alerts"})
        if (is(n, s)) return true;
    return false;
}

// Pacemaker's modify: attributes of `update` overwrite those of `target`;
// each child is matched by name and id (or name alone when it has no id) and
// merged, or added when there is no match.
void merge(xmlNode* target, const xmlNode* update) {
    for (const xmlAttr* a = update->properties; a; a = a->next)
        set(target, reinterpret_cast<const char*>(a->name), xml::attr_value(update, a));
    for (const xmlNode* u = update->children; u; u = u->next) {
        if (u->type != XML_ELEMENT_NODE) continue;
        const bool has_id = xml::has_attr(u, "id");
        const std::string id = attr(u, "id");
        xmlNode* match = nullptr;
        for (xmlNode* t : xml::children(target, reinterpret_cast<const char*>(u->name)))
            if (has_id ? attr(t, "id") == id : !xml::has_attr(t, "id")) {
                match = t;
                break;
            }
        if (match)
            merge(match, u);
        else
            xmlAddChild(target, xmlDocCopyNode(const_cast<xmlNode*>(u), target->doc, 1));
    }
}

// One top-level object of an update: merged into the element with its id
// (anywhere in the configuration, as ids are unique across the CIB), else
// added to its section.
expected<void, error> merge_object(xmlNode* config, xmlNode* section, const xmlNode* object) {
    const std::string id = attr(object, "id");
    if (id.empty()) return unexpected(bad("<" + xml::name(object) + "> in an update has no id"));
    auto existing = by_id(config, id);
    if (existing.size() > 1)
        return unexpected(error{errc::not_unique, "id '" + id + "' names more than one element", "", 0});
    if (existing.empty()) {
        xmlAddChild(section, xmlDocCopyNode(const_cast<xmlNode*>(object), config->doc, 1));
        return {};
    }
    if (xmlStrcmp(existing[0]->name, object->name) != 0)
        return unexpected(
            error{errc::not_unique,
                  "id '" + id + "' is a <" + xml::name(existing[0]) + ">, not a <" + xml::name(object) + ">", "", 0});
    merge(existing[0], object);
    return {};
}

expected<void, error> merge_section(xmlNode* config, const xmlNode* update) {
    xmlNode* section = child(config, reinterpret_cast<const char*>(update->name));
    for (const xmlAttr* a = update->properties; a; a = a->next)
        set(section, reinterpret_cast<const char*>(a->name), xml::attr_value(update, a));
    for (const xmlNode* o = update->children; o; o = o->next) {
        if (o->type != XML_ELEMENT_NODE) continue;
        if (auto r = merge_object(config, section, o); !r) return r;
    }
    return {};
}

// The nvpairs named `name` directly inside `set_name` children of `owner`
// (every set, as crm_attribute looks when no set is named).
std::vector<xmlNode*> nvpairs_named(xmlNode* owner, const char* set_name, const std::string& name) {
    std::vector<xmlNode*> out;
    for (xmlNode* s : xml::children(owner, set_name))
        for (xmlNode* p : xml::children(s, "nvpair"))
            if (attr(p, "name") == name) out.push_back(p);
    return out;
}

// crm_attribute's update: an existing nvpair (there must be at most one)
// takes the value; otherwise a new one goes into the set `set_id`.
expected<void, error> set_nvpair(xmlNode* scope, xmlNode* owner, const char* set_name, const std::string& set_id,
                                 const std::string& name, const std::string& value) {
    if (name.empty()) return unexpected(bad("the attribute name is empty"));
    auto found = nvpairs_named(owner, set_name, name);
    if (found.size() > 1)
        return unexpected(error{errc::not_unique, "more than one attribute is named '" + name + "'", "", 0});
    if (found.size() == 1) {
        set(found[0], "value", value);
        return {};
    }
    const std::string pair_id = sanitize_id(set_id + "-" + name);
    bool set_exists = false;
    for (xmlNode* s : xml::children(owner, set_name)) set_exists = set_exists || attr(s, "id") == set_id;
    if (!set_exists) {
        if (auto free = id_is_free(scope, set_id); !free) return free;
    }
    if (auto free = id_is_free(scope, pair_id); !free) return free;
    xmlNode* pair = xmlNewChild(child_with_id(owner, set_name, set_id), nullptr, xml::x("nvpair"), nullptr);
    set(pair, "id", pair_id);
    set(pair, "name", name);
    set(pair, "value", value);
    return {};
}

// crm_attribute --delete: nothing to delete is not an error.
expected<void, error> delete_nvpair(xmlNode* owner, const char* set_name, const std::string& name) {
    auto found = nvpairs_named(owner, set_name, name);
    if (found.size() > 1)
        return unexpected(error{errc::not_unique, "more than one attribute is named '" + name + "'", "", 0});
    if (found.size() == 1) {
        xmlUnlinkNode(found[0]);
        xmlFreeNode(found[0]);
    }
    return {};
}

xmlNode* status(xmlNode* root) { return child(root, "status"); }

// The node's <node_state>, created (with the uname when known) for a node
// that has none yet, as attrd and the controller do.
xmlNode* node_state_for(xmlNode* root, const change& c) {
    if (xmlNode* n = find_node_state(root, c.node_id)) return n;
    xmlNode* n = xmlNewChild(status(root), nullptr, xml::x("node_state"), nullptr);
    set(n, "id", c.node_id);
    if (!c.node_name.empty()) set(n, "uname", c.node_name);
    return n;
}

expected<xmlNode*, error> config_node(xmlNode* root, const change& c) {
    xmlNode* nodes = child(configuration(root), "nodes");
    for (xmlNode* n : xml::children(nodes, "node"))
        if (attr(n, "id") == c.node_id) return n;
    if (c.node_name.empty())
        return unexpected(error{errc::not_found, "node '" + c.node_id + "' is not in <nodes>", "", 0});
    if (auto free = id_is_free(configuration(root), c.node_id); !free) return unexpected(free.error());
    xmlNode* n = xmlNewChild(nodes, nullptr, xml::x("node"), nullptr);
    set(n, "id", c.node_id);
    set(n, "uname", c.node_name);
    return n;
}

expected<void, error> need_node_id(const change& c) {
    if (c.node_id.empty()) return unexpected(bad(std::string(to_string(c.op)) + " needs a node id"));
    return {};
}

}  // namespace

expected<xml::doc_ptr, error> parse_payload(const std::string& text) {
    if (text.size() > static_cast<size_t>(INT_MAX)) return unexpected(bad("the payload is too large"));
    std::unique_ptr<xmlParserCtxt, xml::parser_ctxt_deleter> ctxt(xmlNewParserCtxt());
    xml::error_sink sink;
    xmlSetStructuredErrorFunc(&sink, &xml::error_sink::on_error);
    xml::doc_ptr doc(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()), "payload", "UTF-8",
                                       XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA));
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (!doc) return unexpected(bad("the payload is not well-formed XML: " + sink.message));
    if (doc->intSubset || doc->extSubset) return unexpected(bad("the payload may not carry a DTD"));
    return doc;
}

xmlNode* find_node_state(xmlNode* root, const std::string& id) {
    for (xmlNode* n : xml::children(xml::first(root, "status"), "node_state"))
        if (attr(n, "id") == id) return n;
    return nullptr;
}

expected<void, error> replace_configuration(xmlNode* root, const xmlNode* payload) {
    const xmlNode* config = payload;
    if (is(payload, "cib")) {
        config = xml::first(payload, "configuration");
        if (!config) return unexpected(bad("the replacement <cib> has no <configuration>"));
        // a whole CIB brings the schema its configuration is written for
        if (xml::has_attr(payload, "validate-with")) set(root, "validate-with", attr(payload, "validate-with"));
    } else if (!is(payload, "configuration")) {
        return unexpected(
            bad("replace-configuration takes a <cib> or a <configuration>, not <" + xml::name(payload) + ">"));
    }
    xmlNode* copy = xmlDocCopyNode(const_cast<xmlNode*>(config), root->doc, 1);
    xmlNode* old = configuration(root);
    xmlReplaceNode(old, copy);
    xmlFreeNode(old);
    return {};
}

expected<void, error> update_configuration(xmlNode* root, const xmlNode* payload) {
    xmlNode* config = configuration(root);
    if (is(payload, "cib")) {
        payload = xml::first(payload, "configuration");
        if (!payload) return unexpected(bad("the update's <cib> has no <configuration>"));
    }
    if (is(payload, "configuration")) {
        for (const xmlNode* s = payload->children; s; s = s->next) {
            if (s->type != XML_ELEMENT_NODE) continue;
            if (!is_section(s)) return unexpected(bad("<" + xml::name(s) + "> is not a configuration section"));
            if (auto r = merge_section(config, s); !r) return r;
        }
        return {};
    }
    if (is_section(payload)) return merge_section(config, payload);
    const char* section = section_for(payload);
    if (!section) {
        // an existing element of any kind (an nvpair, an op...) can be updated in place
        auto existing = by_id(config, attr(payload, "id"));
        if (existing.size() == 1 && xmlStrcmp(existing[0]->name, payload->name) == 0) {
            merge(existing[0], payload);
            return {};
        }
        return unexpected(
            bad("cannot tell which section <" + xml::name(payload) + "> belongs to; wrap it in its section"));
    }
    return merge_object(config, child(config, section), payload);
}

expected<void, error> delete_element(xmlNode* root, const change& c) {
    if (c.target.empty()) return unexpected(bad("delete-element needs an id"));
    auto found = by_id(xml::first(root, "configuration"), c.target);
    if (found.empty())
        return unexpected(error{errc::not_found, "no element in the configuration has id '" + c.target + "'", "", 0});
    if (found.size() > 1)
        return unexpected(error{errc::not_unique, "id '" + c.target + "' names more than one element", "", 0});
    if (!c.tag.empty() && xml::name(found[0]) != c.tag)
        return unexpected(error{
            errc::not_found, "id '" + c.target + "' is a <" + xml::name(found[0]) + ">, not a <" + c.tag + ">", "", 0});
    xmlUnlinkNode(found[0]);
    xmlFreeNode(found[0]);
    return {};
}

expected<void, error> set_property(xmlNode* root, const change& c) {
    xmlNode* crm_config = child(configuration(root), "crm_config");
    return set_nvpair(configuration(root), crm_config, "cluster_property_set", "cib-bootstrap-options", c.name,
                      c.value);
}

expected<void, error> delete_property(xmlNode* root, const change& c) {
    xmlNode* crm_config = xml::first(xml::first(root, "configuration"), "crm_config");
    if (!crm_config) return {};
    return delete_nvpair(crm_config, "cluster_property_set", c.name);
}

expected<void, error> set_node_attribute(xmlNode* root, const change& c) {
    if (auto ok = need_node_id(c); !ok) return ok;
    if (c.lifetime == attribute_lifetime::transient) {
        xmlNode* state = node_state_for(root, c);
        xmlNode* attrs = child_with_id(state, "transient_attributes", c.node_id);
        return set_nvpair(state, attrs, "instance_attributes", "status-" + c.node_id, c.name, c.value);
    }
    auto node = config_node(root, c);
    if (!node) return unexpected(node.error());
    return set_nvpair(configuration(root), *node, "instance_attributes", "nodes-" + c.node_id, c.name, c.value);
}

expected<void, error> delete_node_attribute(xmlNode* root, const change& c) {
    if (auto ok = need_node_id(c); !ok) return ok;
    if (c.lifetime == attribute_lifetime::transient) {
        xmlNode* state = find_node_state(root, c.node_id);
        xmlNode* attrs = state ? xml::first(state, "transient_attributes") : nullptr;
        return attrs ? delete_nvpair(attrs, "instance_attributes", c.name) : expected<void, error>{};
    }
    for (xmlNode* n : xml::children(xml::first(xml::first(root, "configuration"), "nodes"), "node"))
        if (attr(n, "id") == c.node_id) return delete_nvpair(n, "instance_attributes", c.name);
    return {};
}

expected<void, error> replace_node_state(xmlNode* root, const xmlNode* payload) {
    if (!is(payload, "node_state")) return unexpected(bad("replace-node-state takes a <node_state>"));
    const std::string id = attr(payload, "id");
    if (id.empty()) return unexpected(bad("the <node_state> has no id"));
    xmlNode* copy = xmlDocCopyNode(const_cast<xmlNode*>(payload), root->doc, 1);
    if (xmlNode* old = find_node_state(root, id)) {
        xmlReplaceNode(old, copy);
        xmlFreeNode(old);
    } else {
        xmlAddChild(status(root), copy);
    }
    return {};
}

expected<void, error> record_operation(xmlNode* root, const change& c, const xmlNode* payload) {
    if (auto ok = need_node_id(c); !ok) return ok;
    if (!is(payload, "lrm_resource") || attr(payload, "id").empty())
        return unexpected(bad("record-operation takes an <lrm_resource id=...> holding one <lrm_rsc_op>"));
    auto ops = xml::children(payload);
    if (ops.size() != 1 || !is(ops[0], "lrm_rsc_op") || attr(ops[0], "id").empty() || attr(ops[0], "operation").empty())
        return unexpected(bad("record-operation needs exactly one <lrm_rsc_op> with an id and an operation"));
    xmlNode* state = node_state_for(root, c);
    xmlNode* resources = child(child_with_id(state, "lrm", c.node_id), "lrm_resources");
    xmlNode* rsc = child_with_id(resources, "lrm_resource", attr(payload, "id"));
    for (const xmlAttr* a = payload->properties; a; a = a->next)
        set(rsc, reinterpret_cast<const char*>(a->name), xml::attr_value(payload, a));
    xmlNode* copy = xmlDocCopyNode(ops[0], root->doc, 1);
    for (xmlNode* old : xml::children(rsc, "lrm_rsc_op"))
        if (attr(old, "id") == attr(ops[0], "id")) {
            xmlReplaceNode(old, copy);
            xmlFreeNode(old);
            return {};
        }
    xmlAddChild(rsc, copy);
    return {};
}

// The controller's view of a node (in_ccm, crmd, join, expected, ...): only
// the attributes given change; the node's history stays.
expected<void, error> update_node_state(xmlNode* root, const xmlNode* payload) {
    if (!is(payload, "node_state")) return unexpected(bad("update-node-state takes a <node_state>"));
    const std::string id = attr(payload, "id");
    if (id.empty()) return unexpected(bad("the <node_state> has no id"));
    if (xml::first(payload, "lrm") || xml::first(payload, "transient_attributes"))
        return unexpected(bad("update-node-state sets attributes only"));
    change where;
    where.node_id = id;
    xmlNode* state = node_state_for(root, where);
    for (const xmlAttr* a = payload->properties; a; a = a->next)
        set(state, reinterpret_cast<const char*>(a->name), xml::attr_value(payload, a));
    return {};
}

// What a fenced or freshly started node no longer runs: its history and
// transient attributes go, as the controller erases them.
expected<void, error> clear_node_history(xmlNode* root, const change& c) {
    if (auto ok = need_node_id(c); !ok) return ok;
    xmlNode* state = find_node_state(root, c.node_id);
    if (!state) return {};
    for (const char* name : {"lrm", "transient_attributes"}) {
        for (xmlNode* n : xml::children(state, name)) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }
    return {};
}

// crm_node -R's status half: the node's <node_state> goes (a node that has
// none is no error).
expected<void, error> remove_node_state(xmlNode* root, const change& c) {
    if (auto ok = need_node_id(c); !ok) return ok;
    if (xmlNode* state = find_node_state(root, c.node_id)) {
        xmlUnlinkNode(state);
        xmlFreeNode(state);
    }
    return {};
}

// Only the marks the coordinating controller owns: quorum and who it is.
expected<void, error> set_cib_attribute(xmlNode* root, const change& c) {
    if (c.name != "have-quorum" && c.name != "dc-uuid")
        return unexpected(bad("set-cib-attribute takes have-quorum or dc-uuid, not '" + c.name + "'"));
    set(root, c.name.c_str(), c.value);
    return {};
}

// crm_resource --refresh / --cleanup: the controller erases the resource's
// history on the node, so the scheduler probes it again. A cleanup erases it
// only where a failure is recorded (the RSC_last_failure_0 entry the
// controller writes for every failed operation).
expected<void, error> clear_resource_history(xmlNode* root, const change& c) {
    if (auto ok = need_node_id(c); !ok) return ok;
    if (c.target.empty()) return unexpected(bad("clear-resource-history needs a resource id"));
    if (c.value != "all" && c.value != "failed")
        return unexpected(bad("clear-resource-history takes value all or failed, not '" + c.value + "'"));
    xmlNode* state = find_node_state(root, c.node_id);
    xmlNode* lrm = state ? xml::first(state, "lrm") : nullptr;
    xmlNode* rsc = nullptr;
    for (xmlNode* r : xml::children(xml::first(lrm, "lrm_resources"), "lrm_resource"))
        if (attr(r, "id") == c.target) rsc = r;
    if (!rsc) return {};
    if (c.value == "failed") {
        bool failed = false;
        const std::string marker = c.target + "_last_failure_0";
        for (xmlNode* op : xml::children(rsc, "lrm_rsc_op")) failed = failed || attr(op, "id") == marker;
        if (!failed) return {};
    }
    xmlUnlinkNode(rsc);
    xmlFreeNode(rsc);
    return {};
}

}  // namespace holdfast::cib::edit

namespace holdfast::cib {

const char* configuration_section(std::string_view element) {
    static const std::map<std::string, const char*, std::less<>> table{{"primitive", "resources"},
                                                                       {"group", "resources"},
                                                                       {"clone", "resources"},
                                                                       {"master", "resources"},
                                                                       {"bundle", "resources"},
                                                                       {"template", "resources"},
                                                                       {"rsc_location", "constraints"},
                                                                       {"rsc_colocation", "constraints"},
                                                                       {"rsc_order", "constraints"},
                                                                       {"rsc_ticket", "constraints"},
                                                                       {"node", "nodes"},
                                                                       {"cluster_property_set", "crm_config"},
                                                                       {"fencing-level", "fencing-topology"},
                                                                       {"tag", "tags"},
                                                                       {"alert", "alerts"},
                                                                       {"acl_target", "acls"},
                                                                       {"acl_group", "acls"},
                                                                       {"acl_role", "acls"},
                                                                       {"acl_user", "acls"}};
    auto it = table.find(element);
    return it == table.end() ? nullptr : it->second;
}

}  // namespace holdfast::cib
