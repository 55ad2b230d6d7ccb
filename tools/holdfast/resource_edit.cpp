// The pure parts of `holdfast resource` (see resource_edit.hpp): what
// crm_resource 2.1 writes, so that Pacemaker's tools read Holdfast's CIB alike.
#include "tools/holdfast/resource_edit.hpp"

#include <charconv>

#include "cib/xml_text.hpp"
#include "policy/iso8601.hpp"

namespace holdfast::tools::resource_edit {
namespace {

using cib::xml_attr;
namespace iso = policy::iso8601;

constexpr int infinity = 1000000;

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The rule's "#uname eq NODE" and "date_expression lt END", as crm_resource
// writes them for a lifetime.
std::string lifetime_rule(const std::string& rule_id, const std::string& expr_id, const std::string& date_id,
                          const char* score, const std::string& node, const std::string& until) {
    return "<rule id=\"" + xml_attr(rule_id) + "\" score=\"" + score + "\" boolean-op=\"and\"><expression id=\"" +
           xml_attr(expr_id) + "\" attribute=\"#uname\" operation=\"eq\" value=\"" + xml_attr(node) +
           "\" type=\"string\"/><date_expression id=\"" + xml_attr(date_id) + "\" operation=\"lt\" end=\"" +
           xml_attr(until) + "\"/></rule>";
}

std::string location_xml(const std::string& id, const std::string& rsc, const std::string& node, const char* score,
                         const std::string& rule) {
    std::string out = "<rsc_location id=\"" + xml_attr(id) + "\" rsc=\"" + xml_attr(rsc) + "\" role=\"Started\"";
    if (rule.empty()) return out + " node=\"" + xml_attr(node) + "\" score=\"" + score + "\"/>";
    return out + ">" + rule + "</rsc_location>";
}

// The node a cli constraint names: node= (short form) or its #uname expression.
void read_rule(const cib::location_constraint& l, cli_constraint& out) {
    out.node = l.node;
    for (const auto& rule : l.rules)
        for (const auto& e : rule.expressions) {
            if (e.what == cib::expression::kind::attribute && e.attribute == "#uname" && out.node.empty())
                out.node = e.value;
            if (e.what == cib::expression::kind::date && e.operation == "lt") out.until = e.end;
        }
}

}  // namespace

bool expired(const std::string& until, std::time_t now) {
    if (until.empty()) return false;
    auto end = iso::parse_date_time(until, iso::host_parse_env(now));
    return end && iso::compare(iso::from_epoch(now), *end) >= 0;
}

std::string sanitize_id(std::string id) {
    for (char& c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
        if (!ok) c = '.';
    }
    return id;
}

nv_target nv_attribute(const std::vector<cib::nvset>& sets, const std::string& new_set_id, const std::string& name) {
    for (const auto& set : sets)
        for (const auto& p : set.pairs)
            if (p.name == name) return {set.id, p.id, true, p.value};
    nv_target t;
    t.set_id = sets.empty() ? sanitize_id(new_set_id) : sets.front().id;
    t.pair_id = sanitize_id(t.set_id + "-" + name);
    return t;
}

std::vector<std::string> nv_pair_ids(const std::vector<cib::nvset>& sets, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& set : sets)
        for (const auto& p : set.pairs)
            if (p.name == name) out.push_back(p.id);
    return out;
}

std::string nv_update_xml(const std::string& element, const std::string& id, const std::string& attrs,
                          const char* set_tag, const nv_target& t, const std::string& name, const std::string& value) {
    return "<" + element + " id=\"" + xml_attr(id) + "\"" + attrs + "><" + set_tag + " id=\"" + xml_attr(t.set_id) +
           "\"><nvpair id=\"" + xml_attr(t.pair_id) + "\" name=\"" + xml_attr(name) + "\" value=\"" + xml_attr(value) +
           "\"/></" + set_tag + "></" + element + ">";
}

meta_target meta_attribute(const cib::resource& r, const std::string& name) {
    return nv_attribute(r.meta, r.id + "-meta_attributes", name);
}

const char* tag_of(const cib::resource& r) {
    switch (r.kind) {
        case cib::resource_kind::primitive: return "primitive";
        case cib::resource_kind::group: return "group";
        case cib::resource_kind::clone: return "clone";
        case cib::resource_kind::master: return "master";
        case cib::resource_kind::bundle: return "bundle";
    }
    return "primitive";
}

std::string meta_update_xml(const cib::resource& r, const meta_target& t, const std::string& name,
                            const std::string& value) {
    return nv_update_xml(tag_of(r), r.id, "", "meta_attributes", t, name, value);
}

std::string prefer_id(const std::string& rsc) { return sanitize_id("cli-prefer-" + rsc); }

std::string ban_id(const std::string& rsc, const std::string& node) {
    return sanitize_id("cli-ban-" + rsc + "-on-" + node);
}

expected<std::string, std::string> lifetime_end(const std::string& duration, std::time_t now, int offset) {
    auto d = iso::parse_duration(duration);
    if (!d || duration.empty() || (duration[0] != 'P' && duration[0] != 'p'))
        return unexpected("invalid lifetime '" + duration + "' (an ISO 8601 duration such as PT30M, PT2H or P1D)");
    if (!d->defined() || (d->years == 0 && d->months == 0 && d->days == 0 && d->seconds == 0))
        return unexpected("lifetime '" + duration + "' is empty (an ISO 8601 duration such as PT30M, PT2H or P1D)");
    const iso::time_value start = iso::from_epoch(now, offset);
    const iso::time_value end = iso::add(start, *d);
    if (iso::compare(end, start) <= 0) return unexpected("lifetime '" + duration + "' does not end in the future");
    return iso::format(end, iso::fmt_date | iso::fmt_time | iso::fmt_with_timezone);
}

std::string prefer_xml(const std::string& rsc, const std::string& node, const std::string& until) {
    const std::string rule =
        until.empty() ? ""
                      : lifetime_rule(sanitize_id("cli-prefer-rule-" + rsc), sanitize_id("cli-prefer-expr-" + rsc),
                                      sanitize_id("cli-prefer-lifetime-end-" + rsc), "INFINITY", node, until);
    return location_xml(prefer_id(rsc), rsc, node, "INFINITY", rule);
}

std::string ban_xml(const std::string& rsc, const std::string& node, const std::string& until) {
    const std::string id = ban_id(rsc, node);
    const std::string rule =
        until.empty() ? "" : lifetime_rule(id + "-rule", id + "-expr", id + "-lifetime", "-INFINITY", node, until);
    return location_xml(id, rsc, node, "-INFINITY", rule);
}

std::vector<cli_constraint> cli_constraints(const cib::cib_model& m) {
    std::vector<cli_constraint> out;
    for (const auto& l : m.locations) {
        const bool ban = starts_with(l.id, "cli-ban-");
        if (!ban && !starts_with(l.id, "cli-prefer-")) continue;
        cli_constraint c{l.id, l.rsc, "", ban, ""};
        read_rule(l, c);
        out.push_back(std::move(c));
    }
    return out;
}

std::string format_cli_constraints(const cib::cib_model& m, std::time_t now) {
    auto all = cli_constraints(m);
    if (all.empty()) return {};
    std::string out = "\nConstraints left by move/ban (holdfast resource clear RSC removes them):\n";
    for (const auto& c : all) {
        out += "  * " + c.id + "\t";
        out += c.ban ? "prevents " + c.rsc + " from running on " + c.node : "prefers " + c.node + " for " + c.rsc;
        if (!c.until.empty()) out += (expired(c.until, now) ? " (expired " : " (until ") + c.until + ")";
        out += "\n";
    }
    return out;
}

std::optional<failure_attribute> parse_failure_attribute(const std::string& name) {
    for (const char* prefix : {"fail-count-", "last-failure-"}) {
        if (!starts_with(name, prefix)) continue;
        std::string rsc = name.substr(std::string(prefix).size());
        rsc = rsc.substr(0, rsc.find('#'));
        if (rsc.empty()) return std::nullopt;
        return failure_attribute{prefix[0] == 'f', rsc};
    }
    return std::nullopt;
}

bool history_of(const std::string& history_id, const std::string& primitive) {
    if (history_id == primitive) return true;
    if (!starts_with(history_id, primitive + ":") || history_id.size() == primitive.size() + 1) return false;
    for (size_t i = primitive.size() + 1; i < history_id.size(); ++i)
        if (history_id[i] < '0' || history_id[i] > '9') return false;
    return true;
}

int fail_count_value(const std::string& value) {
    if (value == "INFINITY" || value == "+INFINITY") return infinity;
    int v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec == std::errc::result_out_of_range) return value[0] == '-' ? 0 : infinity;
    if (ec != std::errc() || end != value.data() + value.size() || v < 0) return 0;
    return v >= infinity ? infinity : v;
}

std::string fail_count_text(int sum) { return sum >= infinity ? "INFINITY" : std::to_string(sum); }

}  // namespace holdfast::tools::resource_edit
