// Configuration checks beyond the schema: duplicate ids, constraints naming
// resources that do not exist, and scores that are not scores.
#include <set>

#include "cib/cib.hpp"
#include "cib/values.hpp"

namespace holdfast::cib {
namespace {

struct checker {
    const cib_model& m;
    std::vector<error> errors;
    std::set<std::string> ids;      // every resource, template, constraint id seen
    std::set<std::string> targets;  // what a constraint may name

    void id(const std::string& id, int line, const char* what) {
        if (id.empty()) return;
        if (!ids.insert(id).second)
            errors.push_back(
                {errc::duplicate_id, std::string(what) + " id '" + id + "' is used more than once", "", line});
    }

    void resource_ids(const resource& r) {
        id(r.id, r.line, "resource");
        targets.insert(r.id);
        for (const auto& c : r.children) resource_ids(c);
    }

    void ref(const std::string& name, const std::string& constraint, int line) {
        if (name.empty() || targets.count(name)) return;
        errors.push_back({errc::dangling_reference,
                          "constraint '" + constraint + "' names resource '" + name + "', which does not exist", "",
                          line});
    }

    void sets(const std::vector<resource_set>& s, const std::string& constraint, int line) {
        for (const auto& set : s)
            for (const auto& r : set.resources) ref(r, constraint, line);
    }

    void score(const std::string& text, const std::string& constraint, int line) {
        if (text.empty()) return;
        if (auto v = parse_score(text); !v)
            errors.push_back({errc::bad_value, "constraint '" + constraint + "': " + v.error().message, "", line});
    }
};

}  // namespace

std::vector<error> check_semantics(const cib_model& m) {
    checker c{m, {}, {}, {}};
    for (const auto& r : m.resources) c.resource_ids(r);
    for (const auto& t : m.templates) {
        c.id(t.id, t.line, "template");
        c.targets.insert(t.id);
    }
    for (const auto& t : m.tags) c.targets.insert(t.id);
    for (const auto& l : m.locations) {
        c.id(l.id, l.line, "constraint");
        if (l.rsc_pattern.empty()) c.ref(l.rsc, l.id, l.line);
        c.sets(l.sets, l.id, l.line);
        c.score(l.score, l.id, l.line);
    }
    for (const auto& o : m.colocations) {
        c.id(o.id, o.line, "constraint");
        c.ref(o.rsc, o.id, o.line);
        c.ref(o.with_rsc, o.id, o.line);
        c.sets(o.sets, o.id, o.line);
        c.score(o.score, o.id, o.line);
    }
    for (const auto& o : m.orders) {
        c.id(o.id, o.line, "constraint");
        c.ref(o.first, o.id, o.line);
        c.ref(o.then, o.id, o.line);
        c.sets(o.sets, o.id, o.line);
        c.score(o.score, o.id, o.line);
    }
    for (const auto& t : m.tickets) {
        c.id(t.id, t.line, "constraint");
        c.ref(t.rsc, t.id, t.line);
        c.sets(t.sets, t.id, t.line);
    }
    return c.errors;
}

}  // namespace holdfast::cib
