// The fencing topology and alerts in crm shell syntax (see crm_text.hpp).
#include <optional>
#include <string>
#include <vector>

#include "tools/holdfast/crm_text_parts.hpp"

namespace holdfast::tools::crm {
namespace {

bool only_attributes(const xmlNode* n, std::initializer_list<const char*> allowed) {
    for (const xmlAttr* a = n->properties; a; a = a->next) {
        bool ok = false;
        for (const char* name : allowed) ok = ok || xmlStrEqual(a->name, BAD_CAST name);
        if (!ok) return false;
    }
    return true;
}

// NODE: | pattern:RE | attr:NAME=VALUE, or "" when the level's target cannot be one word
std::string level_target(const xmlNode* l) {
    std::string t;
    if (has_attr(l, "target"))
        t = attr(l, "target") + ":";
    else if (has_attr(l, "target-pattern"))
        t = "pattern:" + attr(l, "target-pattern");
    else if (has_attr(l, "target-attribute") && attr(l, "target-attribute").find('=') == std::string::npos)
        t = "attr:" + attr(l, "target-attribute") + "=" + attr(l, "target-value");
    bool one_word = t.size() > 1 && quote(t) == t;
    return one_word && (t.rfind("attr:", 0) == 0 || t.rfind("pattern:", 0) == 0 || t.find(':') == t.size() - 1) ? t
                                                                                                                : "";
}

}  // namespace

// One line per target, its levels' devices in index order; only when the
// indexes of each target are 1, 2... in the order of the XML (what the
// statement makes back).
std::optional<std::string> fencing_topology(const xmlNode* section) {
    struct target {
        std::string name;
        std::vector<std::string> levels;
    };
    std::vector<target> targets;
    for (const xmlNode* l : children(section)) {
        if (!is(l, "fencing-level") || !only_attributes(l, {"id", "target", "target-pattern", "target-attribute",
                                                            "target-value", "index", "devices"}))
            return std::nullopt;
        std::string name = level_target(l), devices = attr(l, "devices");
        if (name.empty() || devices.empty() || quote(devices) != devices || devices.front() == ',' ||
            devices.back() == ',')
            return std::nullopt;
        target* t = nullptr;
        for (auto& one : targets)
            if (one.name == name) t = &one;
        if (!t) t = &targets.emplace_back(target{name, {}});
        if (attr(l, "index") != std::to_string(t->levels.size() + 1)) return std::nullopt;
        t->levels.push_back(devices);
    }
    if (targets.empty()) return std::string();
    std::vector<std::string> more;
    for (const auto& t : targets) {
        std::string line = t.name;
        for (const auto& d : t.levels) line += " " + d;
        more.push_back(line);
    }
    return lines("fencing_topology", more);
}

namespace {

// attributes / meta lines of an alert or recipient
std::optional<std::vector<std::string>> alert_sets(const xmlNode* n) {
    std::vector<std::string> out;
    for (const xmlNode* c : children(n)) {
        if (!is(c, "instance_attributes") && !is(c, "meta_attributes")) continue;
        auto p = nvpairs(c);
        if (!p) return std::nullopt;
        out.push_back((is(c, "meta_attributes") ? "meta" : "attributes") + (p->empty() ? "" : " " + *p));
    }
    return out;
}

std::optional<std::string> select(const xmlNode* s) {
    if (!only_attributes(s, {})) return std::nullopt;
    std::string out = "select";
    for (const xmlNode* c : children(s)) {
        if (is(c, "select_nodes") || is(c, "select_fencing") || is(c, "select_resources")) {
            out += " " + std::string(reinterpret_cast<const char*>(c->name)).substr(7);
            continue;
        }
        if (!is(c, "select_attributes")) return std::nullopt;
        out += " attributes {";
        for (const xmlNode* a : children(c)) {
            std::string name = attr(a, "name");
            if (!is(a, "attribute") || name.empty() || quote(name) != name || name == "}") return std::nullopt;
            out += " " + name;
        }
        out += " }";
    }
    return out == "select" ? std::nullopt : std::optional(out);
}

std::optional<std::string> recipient(const xmlNode* r) {
    if (!only_attributes(r, {"id", "value"})) return std::nullopt;
    auto sets = alert_sets(r);
    if (!sets || children(r).size() != sets->size()) return std::nullopt;
    if (sets->empty()) return "to " + quote(attr(r, "value"));
    std::string out = "to { " + quote(attr(r, "value"));
    for (const auto& s : *sets) out += " " + s;
    return out + " }";
}

}  // namespace

// The alert's own attributes and meta first, then select, then the
// recipients (crm's order: a set after `to` would be the recipient's).
std::optional<std::string> alert(const xmlNode* a) {
    if (!only_attributes(a, {"id", "path", "description"})) return std::nullopt;
    auto more = alert_sets(a);
    if (!more) return std::nullopt;
    std::vector<std::string> recipients;
    for (const xmlNode* c : children(a)) {
        std::optional<std::string> line;
        if (is(c, "select"))
            line = select(c);
        else if (is(c, "recipient"))
            line = recipient(c);
        else if (is(c, "instance_attributes") || is(c, "meta_attributes"))
            continue;
        if (!line) return std::nullopt;
        (is(c, "select") ? *more : recipients).push_back(*line);
    }
    more->insert(more->end(), recipients.begin(), recipients.end());
    std::string head = "alert " + attr(a, "id") + " " + quote(attr(a, "path"));
    if (has_attr(a, "description")) head += " " + pair("description", attr(a, "description"));
    return lines(head, *more);
}

}  // namespace holdfast::tools::crm
