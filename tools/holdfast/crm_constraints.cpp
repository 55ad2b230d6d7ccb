// Constraints and rules in crm shell syntax (see crm_text.hpp). What the
// syntax cannot say faithfully (colocation sets, nested rules, expressions
// over resources or operations, value-source) comes back as nullopt and is
// shown as an `xml` line.
#include <optional>
#include <string>

#include "tools/holdfast/crm_text_parts.hpp"

namespace holdfast::tools::crm {
namespace {

// `attr with-rsc:role` style: the resource, then ":" and the role when given.
std::string with_role(const std::string& rsc, const std::string& role) { return role.empty() ? rsc : rsc + ":" + role; }

std::optional<std::string> expression(const xmlNode* e) {
    std::string op = attr(e, "operation");
    if (op == "defined" || op == "not_defined") return op + " " + attr(e, "attribute");
    std::string source = attr(e, "value-source");
    if (!source.empty() && source != "literal") return std::nullopt;
    std::string type = attr(e, "type");
    return attr(e, "attribute") + " " + (type.empty() ? "" : type + ":") + op + " " + quote(attr(e, "value"));
}

// name=value pairs of an element's attributes but its id
std::string attribute_pairs(const xmlNode* n) {
    std::string out;
    for (const xmlAttr* a = n->properties; a; a = a->next) {
        std::string name = reinterpret_cast<const char*>(a->name);
        if (name != "id") out += (out.empty() ? "" : " ") + pair(name, attr(n, name.c_str()));
    }
    return out;
}

std::optional<std::string> date_expression(const xmlNode* e) {
    std::string op = attr(e, "operation");
    if (op == "gt") return "date gt " + quote(attr(e, "start"));
    if (op == "lt") return "date lt " + quote(attr(e, "end"));
    if (op == "date_spec") {
        auto spec = children(e, "date_spec");
        if (spec.size() != 1) return std::nullopt;
        return "date date_spec " + attribute_pairs(spec[0]);
    }
    if (op != "in_range") return std::nullopt;
    std::string out = "date in_range";
    if (has_attr(e, "start")) out += " " + pair("start", attr(e, "start"));
    if (has_attr(e, "end")) out += " " + pair("end", attr(e, "end"));
    for (const xmlNode* d : children(e, "duration")) out += " " + attribute_pairs(d);
    return out;
}

// A set in an order constraint: members, each with :action or :role, bare
// when sequential, in ( ) when not, in [ ] when require-all is false.
std::optional<std::string> order_set(const xmlNode* set, bool& bare) {
    for (const char* a : {"id-ref", "score", "kind", "ordering"})
        if (has_attr(set, a)) return std::nullopt;
    std::string action = attr(set, "action"), role = attr(set, "role");
    if (!action.empty() && !role.empty()) return std::nullopt;
    bool sequential = attr(set, "sequential") != "false", require_all = attr(set, "require-all") != "false";
    if (sequential && !require_all) return std::nullopt;
    std::string members;
    for (const xmlNode* r : children(set)) {
        if (!is(r, "resource_ref")) return std::nullopt;
        members += (members.empty() ? "" : " ") + with_role(attr(r, "id"), action.empty() ? role : action);
    }
    if (members.empty()) return std::nullopt;
    bool was_bare = bare;
    bare = sequential;
    if (sequential) {
        if (was_bare) return std::nullopt;  // two bare sets in a row would read back as one
        return members;
    }
    return (require_all ? "( " : "[ ") + members + (require_all ? " )" : " ]");
}

std::optional<std::string> location(const xmlNode* c) {
    if (!children(c, "resource_set").empty()) return std::nullopt;
    std::string head = "location " + attr(c, "id") + " ";
    head += has_attr(c, "rsc-pattern") ? "/" + attr(c, "rsc-pattern") + "/" : attr(c, "rsc");
    if (has_attr(c, "role")) head += " " + pair("role", attr(c, "role"));
    if (has_attr(c, "resource-discovery")) head += " " + pair("resource-discovery", attr(c, "resource-discovery"));
    if (has_attr(c, "node")) {
        if (!children(c).empty() || !has_attr(c, "score")) return std::nullopt;
        return head + " " + score(attr(c, "score")) + ": " + attr(c, "node") + "\n";
    }
    std::vector<std::string> rules;
    for (const xmlNode* r : children(c)) {
        auto text = is(r, "rule") ? rule(r) : std::nullopt;
        if (!text) return std::nullopt;
        rules.push_back(*text);
    }
    if (rules.empty()) return std::nullopt;
    return lines(head, rules);
}

std::optional<std::string> colocation(const xmlNode* c) {
    if (!children(c).empty() || !has_attr(c, "score") || !has_attr(c, "rsc") || !has_attr(c, "with-rsc"))
        return std::nullopt;
    std::string out = "colocation " + attr(c, "id") + " " + score(attr(c, "score")) + ": " +
                      with_role(attr(c, "rsc"), attr(c, "rsc-role")) + " " +
                      with_role(attr(c, "with-rsc"), attr(c, "with-rsc-role"));
    for (const char* a : {"node-attribute", "influence"})
        if (has_attr(c, a)) out += " " + pair(a, attr(c, a));
    return out + "\n";
}

std::optional<std::string> order(const xmlNode* c) {
    std::string out = "order " + attr(c, "id");
    if (has_attr(c, "kind"))
        out += " " + attr(c, "kind") + ":";
    else if (has_attr(c, "score"))
        out += " " + score(attr(c, "score")) + ":";
    auto sets = children(c, "resource_set");
    if (sets.size() != children(c).size()) return std::nullopt;
    if (sets.empty()) {
        if (!has_attr(c, "first") || !has_attr(c, "then")) return std::nullopt;
        out += " " + with_role(attr(c, "first"), attr(c, "first-action")) + " " +
               with_role(attr(c, "then"), attr(c, "then-action"));
    } else {
        bool bare = false;
        for (const xmlNode* s : sets) {
            auto text = order_set(s, bare);
            if (!text) return std::nullopt;
            out += " " + *text;
        }
    }
    if (has_attr(c, "symmetrical")) out += " " + pair("symmetrical", attr(c, "symmetrical"));
    return out + "\n";
}

std::optional<std::string> ticket(const xmlNode* c) {
    if (!children(c).empty() || !has_attr(c, "rsc")) return std::nullopt;
    std::string out =
        "rsc_ticket " + attr(c, "id") + " " + attr(c, "ticket") + ": " + with_role(attr(c, "rsc"), attr(c, "rsc-role"));
    if (has_attr(c, "loss-policy")) out += " " + pair("loss-policy", attr(c, "loss-policy"));
    return out + "\n";
}

}  // namespace

std::optional<std::string> rule(const xmlNode* r) {
    if (has_attr(r, "id-ref")) return std::nullopt;
    std::string out = "rule";
    if (has_attr(r, "role")) out += " " + pair("role", attr(r, "role"));
    if (has_attr(r, "score"))
        out += " " + score(attr(r, "score")) + ":";
    else if (has_attr(r, "score-attribute"))
        out += " " + attr(r, "score-attribute") + ":";
    else
        return std::nullopt;
    std::string joint = attr(r, "boolean-op") == "or" ? " or " : " and ";
    bool first = true;
    for (const xmlNode* e : children(r)) {
        auto text = is(e, "expression") ? expression(e) : is(e, "date_expression") ? date_expression(e) : std::nullopt;
        if (!text) return std::nullopt;
        out += (first ? " " : joint) + *text;
        first = false;
    }
    if (first) return std::nullopt;
    return out;
}

std::optional<std::string> constraint(const xmlNode* c) {
    if (is(c, "rsc_location")) return location(c);
    if (is(c, "rsc_colocation")) return colocation(c);
    if (is(c, "rsc_order")) return order(c);
    if (is(c, "rsc_ticket")) return ticket(c);
    return std::nullopt;
}

}  // namespace holdfast::tools::crm
