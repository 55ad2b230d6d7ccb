// resource trace / untrace (resource_trace.hpp), after crmsh's ui_resource:
// the same ops traced, added and removed.
#include "tools/holdfast/resource_trace.hpp"

#include <vector>

#include "policy/iso8601.hpp"
#include "tools/holdfast/crm_parse_parts.hpp"

namespace holdfast::tools {
namespace {

using namespace crmp;

bool named(const xmlNode* n, const char* name) {
    return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

std::vector<xmlNode*> children(xmlNode* n, const char* name) {
    std::vector<xmlNode*> out;
    for (xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (named(c, name)) out.push_back(c);
    return out;
}

xmlNode* first_child(xmlNode* n, const char* name) {
    auto all = children(n, name);
    return all.empty() ? nullptr : all.front();
}

// The primitive, or the error saying why `rsc` cannot be traced.
expected<xmlNode*, std::string> primitive(const builder& b, const std::string& rsc) {
    xmlNode* n = b.find(rsc);
    if (!n) return unexpected("unknown resource '" + rsc + "'");
    if (!named(n, "primitive"))
        return unexpected("'" + rsc + "' is a " + reinterpret_cast<const char*>(n->name) +
                          ": only primitives are traced (name one of its primitives)");
    return n;
}

std::optional<uint32_t> interval_ms(const std::string& text) {
    return policy::iso8601::parse_interval_ms(text.empty() ? "0" : text);
}

// The ops named `op` (any interval when `interval` is ""), in order.
std::vector<xmlNode*> ops_of(xmlNode* prim, const std::string& op, const std::string& interval) {
    std::vector<xmlNode*> out;
    const auto want = interval_ms(interval);
    for (xmlNode* o : children(first_child(prim, "operations"), "op")) {
        if (!op.empty() && get_attr(o, "name") != op) continue;
        if (!interval.empty() && interval_ms(get_attr(o, "interval")) != want) continue;
        out.push_back(o);
    }
    return out;
}

void set_trace(builder& b, xmlNode* op) {
    xmlNode* set = first_child(op, "instance_attributes");
    if (!set)
        set = add_child(op, b.element("instance_attributes", b.new_id(get_attr(op, "id") + "-instance_attributes")));
    for (xmlNode* p : children(set, "nvpair"))
        if (get_attr(p, "name") == "trace_ra") return set_attr(p, "value", "1");
    add_nvpair(b, set, "trace_ra", "1");
}

xmlNode* add_op(builder& b, xmlNode* prim, const std::string& rsc, const std::string& op, const std::string& interval) {
    xmlNode* ops = first_child(prim, "operations");
    if (!ops) ops = add_child(prim, b.element("operations"));
    xmlNode* o = add_child(ops, b.element("op", b.new_id(rsc + "-" + op + "-" + interval)));
    set_attr(o, "name", op);
    set_attr(o, "interval", interval);
    return o;
}

bool promotable(const xmlNode* prim) {
    const xmlNode* p = prim->parent;
    if (named(p, "group")) p = p->parent;
    if (named(p, "master")) return true;
    if (!named(p, "clone")) return false;
    for (xmlNode* set : children(const_cast<xmlNode*>(p), "meta_attributes"))
        for (xmlNode* nv : children(set, "nvpair"))
            if (get_attr(nv, "name") == "promotable" &&
                (get_attr(nv, "value") == "true" || get_attr(nv, "value") == "1"))
                return true;
    return false;
}

// Removes trace_ra from an op, and the op itself when trace added it: only
// its id, name and interval 0 are left.
void remove_trace(builder& b, xmlNode* op) {
    for (xmlNode* set : children(op, "instance_attributes")) {
        for (xmlNode* p : children(set, "nvpair"))
            if (get_attr(p, "name") == "trace_ra") b.remove(p);
        if (!set->children || children(set, "nvpair").empty()) b.remove(set);
    }
    int attributes = 0;
    for (xmlAttr* a = op->properties; a; a = a->next) ++attributes;
    bool has_children = false;
    for (xmlNode* c = op->children; c; c = c->next) has_children = has_children || c->type == XML_ELEMENT_NODE;
    if (attributes == 3 && !has_children && interval_ms(get_attr(op, "interval")) == 0u) b.remove(op);
}

}  // namespace

expected<std::string, std::string> trace_configuration(const std::string& base, const std::string& rsc, std::string op,
                                                       std::string interval) {
    auto b = builder::from(base, crm_mode::update);
    if (!b) return unexpected(b.error());
    auto prim = primitive(*b, rsc);
    if (!prim) return unexpected(prim.error());
    if (op == "probe") op = "monitor", interval = interval.empty() ? "0" : interval;
    if (!interval.empty() && !interval_ms(interval))
        return unexpected("invalid interval '" + interval + "' (expected 0, 10s, PT1M...)");
    if (op.empty()) {
        std::vector<std::string> needed{"start", "stop"};
        if (promotable(*prim)) needed.insert(needed.end(), {"promote", "demote"});
        for (const auto& name : needed)
            if (ops_of(*prim, name, "").empty()) add_op(*b, *prim, rsc, name, "0");
    } else if (ops_of(*prim, op, interval).empty()) {
        if (interval.empty() && op == "monitor") return unexpected("no monitor operation configured for " + rsc);
        if (!interval.empty() && interval_ms(interval) != 0u)
            return unexpected("operation " + op + " with interval " + interval + " not found in " + rsc);
        add_op(*b, *prim, rsc, op, interval.empty() ? "0" : interval);
    }
    for (xmlNode* o : ops_of(*prim, op, interval)) set_trace(*b, o);
    return b->text();
}

expected<std::string, std::string> untrace_configuration(const std::string& base, const std::string& rsc,
                                                         std::string op, std::string interval) {
    auto b = builder::from(base, crm_mode::update);
    if (!b) return unexpected(b.error());
    auto prim = primitive(*b, rsc);
    if (!prim) return unexpected(prim.error());
    if (op == "probe") op = "monitor", interval = interval.empty() ? "0" : interval;
    auto ops = ops_of(*prim, op, interval);
    if (!op.empty() && ops.empty())
        return unexpected("operation " + op + (interval.empty() ? "" : " with interval " + interval) +
                          " does not exist in " + rsc);
    for (xmlNode* o : ops) remove_trace(*b, o);
    if (xmlNode* all = first_child(*prim, "operations"); all && children(all, "op").empty()) b->remove(all);
    return b->text();
}

}  // namespace holdfast::tools
