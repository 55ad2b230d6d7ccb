// crm text -> configuration XML (crm_parse.hpp): the statement loop and the
// node, resource and option-set statements (constraints, rules, fencing
// topology and alerts are in crm_parse_constraints.cpp / crm_parse_more.cpp).
#include "tools/holdfast/crm_parse.hpp"

#include <algorithm>
#include <cstring>

#include "tools/holdfast/crm_parse_parts.hpp"

namespace holdfast::tools::crmp {

xmlNode* read_nvpairs(reader& r, builder& b, xmlNode* owner, const char* set_name, const std::string& id_base) {
    xmlNode* set = add_child(owner, b.element(set_name, b.new_id(id_base)));
    while (r.peek() && is_pair(*r.peek())) {
        auto [name, value] = split_pair(r.take());
        add_nvpair(b, set, name, value);
    }
    return set;
}

void add_nvpair(builder& b, xmlNode* set, const std::string& name, const std::string& value) {
    xmlNode* p = add_child(set, b.element("nvpair", b.new_id(get_attr(set, "id") + "-" + name)));
    set_attr(p, "name", name);
    set_attr(p, "value", value);
}

namespace {

bool is_op_attribute(const std::string& name) {
    for (const char* a : {"interval", "timeout", "start-delay", "interval-origin", "enabled", "record-pending", "role",
                          "requires", "on-fail", "description", "prereq", "on_fail"})
        if (name == a) return true;
    return false;
}

// op NAME name=value...: the op's own attributes on the element, anything
// else (OCF_CHECK_LEVEL) in its instance_attributes, as crmsh writes them.
result read_op(reader& r, builder& b, xmlNode* operations, const std::string& rsc) {
    auto name = r.need("the operation's name (expected monitor, start, stop...)");
    if (!name) return unexpected(name.error());
    if (is_pair(*name)) return unexpected(error_at(*name, "not an operation name (expected monitor, start, stop...)"));
    std::vector<std::pair<std::string, std::string>> pairs;
    std::string interval;
    while (r.peek() && is_pair(*r.peek())) {
        pairs.push_back(split_pair(r.take()));
        if (pairs.back().first == "interval") interval = pairs.back().second;
    }
    xmlNode* op = add_child(operations, b.element("op"));
    set_attr(op, "id", b.new_id(rsc + "-" + name->text + "-" + (interval.empty() ? "0s" : interval)));
    set_attr(op, "name", name->text);
    if (interval.empty()) set_attr(op, "interval", "0s");
    xmlNode* params = nullptr;
    for (const auto& [n, v] : pairs) {
        if (is_op_attribute(n)) {
            set_attr(op, n.c_str(), v);
            continue;
        }
        if (!params)
            params =
                add_child(op, b.element("instance_attributes", b.new_id(get_attr(op, "id") + "-instance_attributes")));
        add_nvpair(b, params, n, v);
    }
    return {};
}

bool is_body_keyword(const std::string& w) { return w == "params" || w == "meta" || w == "utilization"; }

// description=TEXT words right after an object's head.
void read_description(reader& r, xmlNode* n) {
    while (r.peek() && is_pair(*r.peek()) && split_pair(*r.peek()).first == "description")
        set_attr(n, "description", split_pair(r.take()).second);
}

// The params / meta / utilization (and, for primitives, op) blocks.
result read_body(reader& r, builder& b, xmlNode* n, bool with_ops) {
    std::string id = get_attr(n, "id");
    xmlNode* operations = nullptr;
    while (!r.done()) {
        const word& w = r.take();
        if (w.text == "params") {
            read_nvpairs(r, b, n, "instance_attributes", id + "-instance_attributes");
        } else if (w.text == "meta") {
            read_nvpairs(r, b, n, "meta_attributes", id + "-meta_attributes");
        } else if (w.text == "utilization") {
            read_nvpairs(r, b, n, "utilization", id + "-utilization");
        } else if (w.text == "op" && with_ops) {
            if (!operations) operations = add_child(n, b.element("operations"));
            if (auto ok = read_op(r, b, operations, id); !ok) return ok;
        } else {
            return unexpected(error_at(w, with_ops ? "unknown keyword (expected params, meta, utilization or op)"
                                                   : "unknown keyword (expected params, meta or utilization)"));
        }
    }
    return {};
}

result set_agent(xmlNode* p, const word& w, bool is_template) {
    const std::string& a = w.text;
    if (a.size() > 1 && a[0] == '@' && !is_template) {
        set_attr(p, "template", a.substr(1));
        return {};
    }
    auto bad = [&] {
        return unexpected(error_at(w, "not an agent (expected [class:[provider:]]type, e.g. ocf:heartbeat:IPaddr2)"));
    };
    if (a.empty() || a.find('=') != std::string::npos || a.front() == ':' || a.back() == ':') return bad();
    auto c1 = a.find(':');
    std::string cls = c1 == std::string::npos ? "ocf" : a.substr(0, c1);
    std::string provider = c1 == std::string::npos ? "heartbeat" : "";
    std::string type = c1 == std::string::npos ? a : a.substr(c1 + 1);
    if (cls == "ocf" && c1 != std::string::npos) {
        auto c2 = a.find(':', c1 + 1);
        if (c2 == std::string::npos || c2 == c1 + 1) return bad();
        provider = a.substr(c1 + 1, c2 - c1 - 1);
        type = a.substr(c2 + 1);
    }
    if (type.empty()) return bad();
    set_attr(p, "class", cls);
    if (!provider.empty()) set_attr(p, "provider", provider);
    set_attr(p, "type", type);
    return {};
}

}  // namespace

result read_primitive(reader& r, builder& b, bool is_template) {
    const char* kind = is_template ? "template" : "primitive";
    auto id = r.need("the resource's id");
    if (!id) return unexpected(id.error());
    if (auto ok = b.claim_id(*id, kind); !ok) return ok;
    auto agent = r.need("the agent (expected [class:[provider:]]type)");
    if (!agent) return unexpected(agent.error());
    xmlNode* p = b.element(kind, id->text);
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> hold(p, xmlFreeNode);
    if (auto ok = set_agent(p, *agent, is_template); !ok) return ok;
    read_description(r, p);
    if (auto ok = read_body(r, b, p, true); !ok) return ok;
    b.place(hold.release(), "resources");
    return {};
}

namespace {

// A member of a group or clone being made: it must exist, be of a kind the
// container holds, and sit at the top level (or in the container replaced).
expected<xmlNode*, std::string> member(builder& b, const word& w, bool clone) {
    xmlNode* m = b.find(w.text);
    const char* holds = clone ? "a primitive or group" : "a primitive";
    if (!m) return unexpected(error_at(w, std::string("no such resource (expected ") + holds + " defined above)"));
    bool kind_ok = xmlStrEqual(m->name, BAD_CAST "primitive") || (clone && xmlStrEqual(m->name, BAD_CAST "group"));
    if (!kind_ok)
        return unexpected(error_at(
            w, "this is a <" + std::string(reinterpret_cast<const char*>(m->name)) + "> (expected " + holds + ")"));
    xmlNode* parent = m->parent;
    if (parent != b.section("resources") && parent != b.replacing())
        return unexpected(
            error_at(w, "this resource is already in " + get_attr(parent, "id") + " (expected a resource of its own)"));
    return m;
}

// Moves the members into `container` and puts it where the first member was
// (show -> parse -> show then keeps the order of the resources).
void gather(builder& b, xmlNode* container, const std::vector<xmlNode*>& members) {
    xmlNode* mark = nullptr;  // where the first member was, when it was on its own
    if (members.front()->parent == b.section("resources")) mark = xmlAddPrevSibling(members.front(), b.element("mark"));
    xmlNode* sets = container->children;  // the members go first, as crmsh writes them
    for (xmlNode* m : members) {
        xmlUnlinkNode(m);
        if (sets)
            xmlAddPrevSibling(sets, m);
        else
            add_child(container, m);
    }
    if (xmlNode* old = b.replacing()) {  // members it had that the new one leaves out stay, on their own
        for (xmlNode* c = old->children; c;) {
            xmlNode* next = c->next;
            if (xmlStrEqual(c->name, BAD_CAST "primitive") || xmlStrEqual(c->name, BAD_CAST "group")) {
                xmlUnlinkNode(c);
                xmlAddPrevSibling(old, c);
            }
            c = next;
        }
    }
    b.place(container, "resources", mark);
    if (mark) {
        xmlUnlinkNode(mark);
        xmlFreeNode(mark);
    }
}

}  // namespace

result read_group(reader& r, builder& b) {
    auto id = r.need("the group's id");
    if (!id) return unexpected(id.error());
    if (auto ok = b.claim_id(*id, "group"); !ok) return ok;
    std::vector<xmlNode*> members;
    while (r.peek() && !is_pair(*r.peek()) && !is_body_keyword(r.peek()->text)) {
        const word& w = r.take();
        auto m = member(b, w, false);
        if (!m) return unexpected(m.error());
        if (std::find(members.begin(), members.end(), *m) != members.end())
            return unexpected(error_at(w, "named twice (expected each member once)"));
        members.push_back(*m);
    }
    if (members.empty()) return unexpected(error_at(r.done() ? r.end() : *r.peek(), "missing the group's primitives"));
    xmlNode* g = b.element("group", id->text);
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> hold(g, xmlFreeNode);
    read_description(r, g);
    if (auto ok = read_body(r, b, g, false); !ok) return ok;
    gather(b, hold.release(), members);
    return {};
}

result read_clone(reader& r, builder& b, bool ms) {
    const char* kind = ms ? "master" : "clone";
    auto id = r.need(std::string("the ") + (ms ? "ms" : "clone") + "'s id");
    if (!id) return unexpected(id.error());
    if (auto ok = b.claim_id(*id, kind); !ok) return ok;
    auto child = r.need("the resource to clone");
    if (!child) return unexpected(child.error());
    auto m = member(b, *child, true);
    if (!m) return unexpected(m.error());
    xmlNode* c = b.element(kind, id->text);
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> hold(c, xmlFreeNode);
    read_description(r, c);
    if (r.peek() && !is_pair(*r.peek()) && !is_body_keyword(r.peek()->text))
        return unexpected(error_at(*r.peek(), "a clone holds one resource (expected params, meta or utilization)"));
    if (auto ok = read_body(r, b, c, false); !ok) return ok;
    gather(b, hold.release(), {*m});
    return {};
}

result read_node(reader& r, builder& b) {
    auto first = r.need("the node (expected [ID:] NAME[:TYPE])");
    if (!first) return unexpected(first.error());
    word name = *first;
    std::string id;
    if (name.text.size() > 1 && name.text.back() == ':') {
        id = name.text.substr(0, name.text.size() - 1);
        auto next = r.need("the node's name (expected NAME[:TYPE])");
        if (!next) return unexpected(next.error());
        name = *next;
    }
    std::string uname = name.text, type;
    if (auto colon = uname.rfind(':'); colon != std::string::npos) {
        type = uname.substr(colon + 1);
        uname = uname.substr(0, colon);
    }
    if (uname.empty() || is_pair(name)) return unexpected(error_at(name, "not a node name (expected NAME[:TYPE])"));
    if (id.empty()) id = uname;
    if (auto ok = b.claim_node(*first, id); !ok) return ok;
    xmlNode* n = b.element("node", id);
    set_attr(n, "uname", uname);
    if (!type.empty()) set_attr(n, "type", type);
    while (!r.done()) {
        const word& w = r.take();
        if (w.text == "attributes") {
            read_nvpairs(r, b, n, "instance_attributes", "nodes-" + id);
        } else if (w.text == "utilization") {
            read_nvpairs(r, b, n, "utilization", "nodes-" + id + "-utilization");
        } else if (is_pair(w) && split_pair(w).first == "description") {
            set_attr(n, "description", split_pair(w).second);
        } else {
            xmlFreeNode(n);
            return unexpected(error_at(w, "unknown keyword (expected attributes, utilization or description=TEXT)"));
        }
    }
    b.place(n, "nodes");
    return {};
}

// property / rsc_defaults / op_defaults [SET-ID:] NAME=VALUE...: merged into
// the set with that id (the usual one when none is given).
result read_options(reader& r, builder& b, const std::string& keyword) {
    bool property = keyword == "property";
    const char* section = property ? "crm_config" : keyword.c_str();
    const char* kind = property ? "cluster_property_set" : "meta_attributes";
    std::string id = property ? "cib-bootstrap-options" : keyword == "rsc_defaults" ? "rsc-options" : "op-options";
    bool named_set = r.peek() && r.peek()->text.size() > 1 && r.peek()->text.back() == ':';
    if (named_set) {
        word w = r.take();
        w.text.pop_back();
        if (!valid_id(w.text)) return unexpected(error_at(w, "not a valid set id (expected ID: before the pairs)"));
        id = w.text;
    }
    if (r.done() && !named_set) return unexpected(error_at(r.end(), "missing NAME=VALUE"));
    xmlNode* set = b.find(id);
    if (set && (!xmlStrEqual(set->name, BAD_CAST kind) || set->parent != b.section(section)))
        return unexpected(error_at(r.keyword(), "id '" + id + "' is not a " + keyword + " set"));
    if (!set) {
        set = add_child(b.section(section), b.element(kind, id));
        b.note_ids(set);
    }
    while (!r.done()) {
        const word& w = r.take();
        if (!is_pair(w)) return unexpected(error_at(w, "not NAME=VALUE"));
        auto [name, value] = split_pair(w);
        xmlNode* found = nullptr;
        for (xmlNode* p = set->children; p; p = p->next)
            if (xmlStrEqual(p->name, BAD_CAST "nvpair") && get_attr(p, "name") == name) found = p;
        if (found)
            set_attr(found, "value", value);
        else
            add_nvpair(b, set, name, value);
    }
    return {};
}

namespace {

result apply(const statement& s, builder& b) {
    const std::string& k = s.words[0].text;
    reader r(s);
    if (k == "node") return read_node(r, b);
    if (k == "primitive" || k == "rsc_template") return read_primitive(r, b, k == "rsc_template");
    if (k == "group") return read_group(r, b);
    if (k == "clone" || k == "ms") return read_clone(r, b, k == "ms");
    if (k == "location") return read_location(r, b);
    if (k == "colocation" || k == "collocation") return read_colocation(r, b);
    if (k == "order") return read_order(r, b);
    if (k == "rsc_ticket") return read_ticket(r, b);
    if (k == "property" || k == "rsc_defaults" || k == "op_defaults") return read_options(r, b, k);
    if (k == "fencing_topology") return read_fencing_topology(r, b);
    if (k == "alert") return read_alert(r, b);
    if (k == "xml") return read_xml(s, b);
    return unexpected(error_at(s.words[0],
                               "unknown object (expected node, primitive, rsc_template, group, clone, ms, location, "
                               "colocation, order, rsc_ticket, property, rsc_defaults, op_defaults, "
                               "fencing_topology, alert or xml)"));
}

}  // namespace
}  // namespace holdfast::tools::crmp

namespace holdfast::tools {

expected<std::string, std::string> parse_crm_configuration(std::string_view text, const std::string& base,
                                                           crm_mode mode) {
    auto statements = crmp::split(text);
    if (!statements) return unexpected(statements.error());
    auto b = crmp::builder::from(base, mode);
    if (!b) return unexpected(b.error());
    for (const auto& s : *statements)
        if (auto ok = crmp::apply(s, *b); !ok) return unexpected(ok.error());
    return b->text();
}

}  // namespace holdfast::tools
