// crm text -> constraints and rules: location (score and node, or rules),
// colocation, order (kinds, scores, resource sets), rsc_ticket.
#include <string>
#include <vector>

#include "tools/holdfast/crm_parse_parts.hpp"

namespace holdfast::tools::crmp {
namespace {

bool is_role(const std::string& s) {
    for (const char* r : {"Started", "Stopped", "Master", "Slave", "Promoted", "Unpromoted"})
        if (s == r) return true;
    return false;
}

bool is_action(const std::string& s) {
    for (const char* a : {"start", "stop", "promote", "demote"})
        if (s == a) return true;
    return false;
}

// RSC[:SUFFIX], the suffix a role or (orders) an action.
struct rsc_word {
    std::string id, suffix;
    word at;
};

expected<rsc_word, std::string> resource(const word& w, bool actions) {
    rsc_word out{w.text, "", w};
    if (auto colon = w.text.find(':'); colon != std::string::npos) {
        out.id = w.text.substr(0, colon);
        out.suffix = w.text.substr(colon + 1);
        bool ok = actions ? is_action(out.suffix) || is_role(out.suffix) : is_role(out.suffix);
        if (!ok)
            return unexpected(error_at(w, actions ? "unknown action or role after ':' (expected start, stop, "
                                                    "promote, demote, or a role)"
                                                  : "unknown role after ':' (expected Started, Stopped, Promoted, "
                                                    "Unpromoted, Master or Slave)"));
    }
    if (!valid_id(out.id)) return unexpected(error_at(w, "not a resource id"));
    return out;
}

// SCORE: (or a kind, or an attribute name where `other` allows it)
expected<std::string, std::string> score_word(reader& r, const std::string& what) {
    auto w = r.need(what);
    if (!w) return unexpected(w.error());
    if (w->text.size() < 2 || w->text.back() != ':')
        return unexpected(error_at(*w, "missing ':' after the score (expected " + what + ")"));
    return score_value(*w, w->text.substr(0, w->text.size() - 1));
}

bool take_if(reader& r, const char* text) {
    if (!r.peek() || r.peek()->text != text) return false;
    r.take();
    return true;
}

bool date_field(const std::string& name, bool duration) {
    for (const char* f : {"years", "months", "weeks", "hours", "minutes", "seconds"})
        if (name == f) return true;
    if (duration) return name == "days";
    for (const char* f : {"monthdays", "weekdays", "yeardays", "weekyears", "moon"})
        if (name == f) return true;
    return false;
}

result date_expression(reader& r, builder& b, xmlNode* e) {
    auto op = r.need("the date operation (expected gt, lt, in_range or date_spec)");
    if (!op) return unexpected(op.error());
    set_attr(e, "operation", op->text);
    std::string id = get_attr(e, "id");
    if (op->text == "gt" || op->text == "lt") {
        auto v = r.need("the date");
        if (!v) return unexpected(v.error());
        set_attr(e, op->text == "gt" ? "start" : "end", v->text);
        return {};
    }
    if (op->text != "in_range" && op->text != "date_spec")
        return unexpected(error_at(*op, "unknown date operation (expected gt, lt, in_range or date_spec)"));
    xmlNode* part = nullptr;
    while (r.peek() && is_pair(*r.peek())) {
        const word& w = r.take();
        auto [name, value] = split_pair(w);
        if (op->text == "in_range" && (name == "start" || name == "end")) {
            set_attr(e, name.c_str(), value);
            continue;
        }
        const char* kind = op->text == "in_range" ? "duration" : "date_spec";
        if (!date_field(name, op->text == "in_range"))
            return unexpected(error_at(w, op->text == "in_range"
                                              ? "unknown duration field (expected years, months, weeks, days, "
                                                "hours, minutes or seconds)"
                                              : "unknown date_spec field (expected years, months, weeks, "
                                                "monthdays, weekdays, yeardays, weekyears, hours, minutes, "
                                                "seconds or moon)"));
        if (!part) part = add_child(e, b.element(kind, b.new_id(id + "-" + kind)));
        set_attr(part, name.c_str(), value);
    }
    return {};
}

result expression(reader& r, builder& b, xmlNode* rule) {
    auto w = r.need("an expression (expected ATTR OP VALUE, defined ATTR, not_defined ATTR or date ...)");
    if (!w) return unexpected(w.error());
    const char* kind = w->text == "date" ? "date_expression" : "expression";
    xmlNode* e = add_child(rule, b.element(kind, b.new_id(get_attr(rule, "id") + "-expression")));
    if (w->text == "date") return date_expression(r, b, e);
    if (w->text == "defined" || w->text == "not_defined") {
        auto a = r.need("the attribute");
        if (!a) return unexpected(a.error());
        set_attr(e, "attribute", a->text);
        set_attr(e, "operation", w->text);
        return {};
    }
    set_attr(e, "attribute", w->text);
    auto op = r.need("the comparison (expected [TYPE:]lt, gt, lte, gte, eq or ne)");
    if (!op) return unexpected(op.error());
    std::string cmp = op->text, type;
    if (auto colon = cmp.find(':'); colon != std::string::npos) {
        type = cmp.substr(0, colon);
        cmp = cmp.substr(colon + 1);
    }
    bool type_ok = type.empty() || type == "string" || type == "integer" || type == "number" || type == "version";
    bool cmp_ok = cmp == "lt" || cmp == "gt" || cmp == "lte" || cmp == "gte" || cmp == "eq" || cmp == "ne";
    if (!type_ok || !cmp_ok)
        return unexpected(error_at(*op,
                                   "not a comparison (expected [string:|integer:|number:|version:]lt, gt, lte, "
                                   "gte, eq or ne)"));
    auto v = r.need("the value to compare with");
    if (!v) return unexpected(v.error());
    set_attr(e, "operation", cmp);
    set_attr(e, "value", v->text);
    if (!type.empty()) set_attr(e, "type", type);
    return {};
}

}  // namespace

result read_rule(reader& r, builder& b, xmlNode* owner, const std::string& id_base) {
    xmlNode* rule = add_child(owner, b.element("rule", b.new_id(id_base + "-rule")));
    while (r.peek() && is_pair(*r.peek()) && split_pair(*r.peek()).first == "role")
        set_attr(rule, "role", split_pair(r.take()).second);
    auto s = r.need("the rule's score (expected SCORE: or ATTRIBUTE:)");
    if (!s) return unexpected(s.error());
    if (s->text.size() < 2 || s->text.back() != ':')
        return unexpected(error_at(*s, "missing ':' after the rule's score (expected SCORE: or ATTRIBUTE:)"));
    std::string score = s->text.substr(0, s->text.size() - 1);
    if (looks_like_score(score))
        set_attr(rule, "score", *score_value(*s, score));
    else
        set_attr(rule, "score-attribute", score);
    std::string joint;
    for (;;) {
        if (auto ok = expression(r, b, rule); !ok) return ok;
        if (!r.peek() || (r.peek()->text != "and" && r.peek()->text != "or")) break;
        const word& j = r.take();
        if (!joint.empty() && j.text != joint)
            return unexpected(error_at(j, "and and or in one rule (expected " + joint + " throughout)"));
        joint = j.text;
    }
    if (!joint.empty()) set_attr(rule, "boolean-op", joint);
    return {};
}

result read_location(reader& r, builder& b) {
    auto id = r.need("the constraint's id");
    if (!id) return unexpected(id.error());
    if (auto ok = b.claim_id(*id, "rsc_location"); !ok) return ok;
    auto rsc = r.need("the resource (expected RSC or /PATTERN/)");
    if (!rsc) return unexpected(rsc.error());
    xmlNode* c = b.element("rsc_location", id->text);
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> hold(c, xmlFreeNode);
    const std::string& t = rsc->text;
    if (t.size() > 2 && t.front() == '/' && t.back() == '/') {
        set_attr(c, "rsc-pattern", t.substr(1, t.size() - 2));
    } else {
        if (!valid_id(t)) return unexpected(error_at(*rsc, "not a resource id (expected RSC or /PATTERN/)"));
        set_attr(c, "rsc", t);
    }
    auto options = [&] {
        while (r.peek() && is_pair(*r.peek())) {
            auto [name, value] = split_pair(*r.peek());
            if (name != "role" && name != "resource-discovery") return;
            set_attr(c, name.c_str(), value);
            r.take();
        }
    };
    options();
    if (take_if(r, "rule")) {
        do {
            if (auto ok = read_rule(r, b, c, id->text); !ok) return ok;
        } while (take_if(r, "rule"));
    } else {
        auto score = score_word(r, "SCORE: NODE or rule");
        if (!score) return unexpected(score.error());
        auto node = r.need("the node");
        if (!node) return unexpected(node.error());
        set_attr(c, "score", *score);
        set_attr(c, "node", node->text);
        options();
    }
    if (r.peek()) return unexpected(error_at(*r.peek(), "unexpected word (expected the end of the location)"));
    b.place(hold.release(), "constraints");
    return {};
}

result read_colocation(reader& r, builder& b) {
    auto id = r.need("the constraint's id");
    if (!id) return unexpected(id.error());
    if (auto ok = b.claim_id(*id, "rsc_colocation"); !ok) return ok;
    auto score = score_word(r, "SCORE:");
    if (!score) return unexpected(score.error());
    std::vector<rsc_word> rscs;
    while (r.peek() && !is_pair(*r.peek())) {
        auto one = resource(r.take(), false);
        if (!one) return unexpected(one.error());
        rscs.push_back(*one);
        if (rscs.size() > 2)
            return unexpected(error_at(one->at, "a third resource (expected two: RSC WITH-RSC; sets as an xml line)"));
    }
    if (rscs.size() < 2) return unexpected(error_at(r.done() ? r.end() : *r.peek(), "missing a resource"));
    xmlNode* c = b.element("rsc_colocation", id->text);
    set_attr(c, "score", *score);
    set_attr(c, "rsc", rscs[0].id);
    set_attr(c, "with-rsc", rscs[1].id);
    if (!rscs[0].suffix.empty()) set_attr(c, "rsc-role", rscs[0].suffix);
    if (!rscs[1].suffix.empty()) set_attr(c, "with-rsc-role", rscs[1].suffix);
    while (!r.done()) {
        const word& w = r.take();
        auto [name, value] = split_pair(w);
        if (!is_pair(w) || (name != "node-attribute" && name != "influence")) {
            xmlFreeNode(c);
            return unexpected(error_at(w, "unexpected word (expected node-attribute=NAME or influence=BOOL)"));
        }
        set_attr(c, name.c_str(), value);
    }
    b.place(c, "constraints");
    return {};
}

namespace {

struct set_spec {
    std::vector<rsc_word> members;
    bool sequential = true, require_all = true;
};

// The resources of an order: bare runs are sequential sets, ( ) sets are
// not sequential, [ ] sets also need only one of their members.
expected<std::vector<set_spec>, std::string> order_sets(reader& r) {
    std::vector<set_spec> sets;
    const word* open = nullptr;
    while (r.peek() && !is_pair(*r.peek())) {
        const word& w = r.take();
        if (w.text == "(" || w.text == "[") {
            if (open) return unexpected(error_at(w, "a set inside a set (expected resources or the closing bracket)"));
            open = &w;
            sets.push_back(set_spec{{}, false, w.text == "("});
        } else if (w.text == ")" || w.text == "]") {
            if (!open || (w.text == ")") != (open->text == "("))
                return unexpected(error_at(w, "a closing bracket without its opening one"));
            if (sets.back().members.empty()) return unexpected(error_at(w, "an empty set (expected resources)"));
            open = nullptr;
        } else {
            auto one = resource(w, true);
            if (!one) return unexpected(one.error());
            if (!open && (sets.empty() || !sets.back().sequential)) sets.push_back(set_spec{});
            sets.back().members.push_back(*one);
        }
    }
    if (open) return unexpected(error_at(r.done() ? r.end() : *r.peek(), "missing the closing bracket"));
    return sets;
}

result add_set(builder& b, xmlNode* c, const set_spec& s) {
    xmlNode* set = add_child(c, b.element("resource_set", b.new_id(get_attr(c, "id") + "-set")));
    const std::string& suffix = s.members.front().suffix;
    if (!s.sequential) set_attr(set, "sequential", "false");
    if (!s.require_all) set_attr(set, "require-all", "false");
    if (!suffix.empty()) set_attr(set, is_role(suffix) ? "role" : "action", suffix);
    for (const auto& m : s.members) {
        if (m.suffix != suffix)
            return unexpected(error_at(m.at, "members of a set differ in action or role (expected :" +
                                                 (suffix.empty() ? std::string("nothing") : suffix) + ")"));
        set_attr(add_child(set, b.element("resource_ref")), "id", m.id);
    }
    return {};
}

}  // namespace

result read_order(reader& r, builder& b) {
    auto id = r.need("the constraint's id");
    if (!id) return unexpected(id.error());
    if (auto ok = b.claim_id(*id, "rsc_order"); !ok) return ok;
    xmlNode* c = b.element("rsc_order", id->text);
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> hold(c, xmlFreeNode);
    if (r.peek() && r.peek()->text.size() > 1 && r.peek()->text.back() == ':') {
        const word& k = r.take();
        std::string kind = k.text.substr(0, k.text.size() - 1);
        if (kind == "Mandatory" || kind == "Optional" || kind == "Serialize") {
            set_attr(c, "kind", kind);
        } else {
            auto score = score_value(k, kind);
            if (!score) return unexpected(score.error());
            set_attr(c, "score", *score);
        }
    }
    auto sets = order_sets(r);
    if (!sets) return unexpected(sets.error());
    size_t count = 0;
    for (const auto& s : *sets) count += s.members.size();
    if (count < 2) return unexpected(error_at(r.done() ? r.end() : *r.peek(), "missing a resource (expected two)"));
    if (sets->size() == 1 && sets->front().sequential && count == 2) {
        const auto& m = sets->front().members;
        for (const auto& one : m)
            if (is_role(one.suffix)) return unexpected(error_at(one.at, "a role here (expected an action)"));
        set_attr(c, "first", m[0].id);
        set_attr(c, "then", m[1].id);
        if (!m[0].suffix.empty()) set_attr(c, "first-action", m[0].suffix);
        if (!m[1].suffix.empty()) set_attr(c, "then-action", m[1].suffix);
    } else {
        for (const auto& s : *sets)
            if (auto ok = add_set(b, c, s); !ok) return ok;
    }
    while (!r.done()) {
        const word& w = r.take();
        if (!is_pair(w) || split_pair(w).first != "symmetrical")
            return unexpected(error_at(w, "unexpected word (expected symmetrical=BOOL)"));
        set_attr(c, "symmetrical", split_pair(w).second);
    }
    b.place(hold.release(), "constraints");
    return {};
}

result read_ticket(reader& r, builder& b) {
    auto id = r.need("the constraint's id");
    if (!id) return unexpected(id.error());
    if (auto ok = b.claim_id(*id, "rsc_ticket"); !ok) return ok;
    auto t = r.need("the ticket (expected TICKET:)");
    if (!t) return unexpected(t.error());
    if (t->text.size() < 2 || t->text.back() != ':')
        return unexpected(error_at(*t, "missing ':' after the ticket (expected TICKET:)"));
    auto rw = r.need("the resource");
    if (!rw) return unexpected(rw.error());
    auto rsc = resource(*rw, false);
    if (!rsc) return unexpected(rsc.error());
    xmlNode* c = b.element("rsc_ticket", id->text);
    set_attr(c, "ticket", t->text.substr(0, t->text.size() - 1));
    set_attr(c, "rsc", rsc->id);
    if (!rsc->suffix.empty()) set_attr(c, "rsc-role", rsc->suffix);
    while (!r.done()) {
        const word& w = r.take();
        if (!is_pair(w) || split_pair(w).first != "loss-policy") {
            xmlFreeNode(c);
            return unexpected(error_at(w, "unexpected word (expected loss-policy=POLICY; one resource)"));
        }
        set_attr(c, "loss-policy", split_pair(w).second);
    }
    b.place(c, "constraints");
    return {};
}

}  // namespace holdfast::tools::crmp
