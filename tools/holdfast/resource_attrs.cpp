// holdfast resource param|meta|utilization|trace|untrace|constraints|scores
// and holdfast maintenance: crmsh's verbs of the same names. The set verbs
// write where crm_resource --set-parameter writes (RSC-instance_attributes,
// RSC-meta_attributes, RSC-utilization); trace edits the configuration read
// from holdfastd and replaces it only if nothing changed it meanwhile.
#include <cstdio>
#include <ctime>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/nv_verbs.hpp"
#include "tools/holdfast/resource_cmd.hpp"
#include "tools/holdfast/resource_trace.hpp"

namespace holdfast::tools {
namespace resource_cli {
namespace {

namespace edit = resource_edit;

int print(const std::string& out) {
    std::fputs(out.c_str(), stdout);
    return flushed_stdout();
}

// One line of a constraints listing: its section and its fields, in order.
struct entry {
    int section = 0;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string text;  // the text form's line
};

struct section {
    const char* json;     // the JSON array's name
    const char* element;  // the XML element's name
    const char* title;    // the text heading (%s: the resource)
};
constexpr section sections[] = {
    {"locations", "location", "Locations:"},
    {"colocated_with", "colocation", "Resources %s is colocated with:"},
    {"colocated_by", "colocation", "Resources colocated with %s:"},
    {"orders", "order", "Orders:"},
    {"tickets", "ticket", "Tickets:"},
};

bool in_sets(const std::vector<cib::resource_set>& sets, const std::string& rsc) {
    for (const auto& s : sets)
        for (const auto& r : s.resources)
            if (r == rsc) return true;
    return false;
}

std::string set_members(const std::vector<cib::resource_set>& sets, const std::string& rsc) {
    std::string out;
    for (const auto& s : sets)
        for (const auto& r : s.resources)
            if (r != rsc) out += (out.empty() ? "" : " ") + r;
    return out;
}

void locations(const cib::cib_model& m, const std::string& rsc, std::vector<entry>& out) {
    for (const auto& l : m.locations) {
        if (l.rsc != rsc && !in_sets(l.sets, rsc)) continue;
        entry e{0, {{"id", l.id}}, ""};
        if (!l.node.empty()) {
            e.fields.insert(e.fields.end(), {{"node", l.node}, {"score", l.score}});
            e.text = "Node " + l.node + " (score=" + l.score + ", id=" + l.id + ")";
        } else {
            std::string rules;
            for (const auto& r : l.rules) rules += (rules.empty() ? "" : " ") + r.id;
            e.fields.emplace_back("rules", rules);
            e.text = "Rule " + rules + " (id=" + l.id + ")";
        }
        if (!l.role.empty()) e.fields.emplace_back("role", l.role), e.text += " role=" + l.role;
        out.push_back(std::move(e));
    }
}

void colocations(const cib::cib_model& m, const std::string& rsc, std::vector<entry>& out) {
    for (const auto& c : m.colocations) {
        const bool set = in_sets(c.sets, rsc);
        if (c.rsc != rsc && c.with_rsc != rsc && !set) continue;
        const bool with = c.rsc == rsc || set;  // rsc is placed relative to the other
        const std::string other = set ? set_members(c.sets, rsc) : (with ? c.with_rsc : c.rsc);
        out.push_back({with ? 1 : 2,
                       {{"id", c.id}, {"rsc", other}, {"score", c.score}},
                       other + " (score=" + c.score + ", id=" + c.id + (set ? ", a resource set" : "") + ")"});
    }
}

void orders(const cib::cib_model& m, const std::string& rsc, std::vector<entry>& out) {
    for (const auto& o : m.orders) {
        const bool set = in_sets(o.sets, rsc);
        if (o.first != rsc && o.then != rsc && !set) continue;
        if (set) {
            out.push_back({3, {{"id", o.id}, {"set", set_members(o.sets, rsc)}}, "set " + o.id});
            continue;
        }
        const std::string fa = o.first_action.empty() ? "start" : o.first_action;
        const std::string ta = o.then_action.empty() ? fa : o.then_action;
        const std::string kind = o.kind.empty() ? (o.score.empty() ? "Mandatory" : "score=" + o.score) : o.kind;
        out.push_back({3,
                       {{"id", o.id},
                        {"first", o.first},
                        {"first-action", fa},
                        {"then", o.then},
                        {"then-action", ta},
                        {"kind", kind}},
                       fa + " " + o.first + " then " + ta + " " + o.then + " (" + kind + ", id=" + o.id + ")"});
    }
}

void tickets(const cib::cib_model& m, const std::string& rsc, std::vector<entry>& out) {
    for (const auto& t : m.tickets) {
        if (t.rsc != rsc && !in_sets(t.sets, rsc)) continue;
        const std::string loss = t.loss_policy.empty() ? "stop" : t.loss_policy;
        out.push_back({4,
                       {{"id", t.id}, {"ticket", t.ticket}, {"loss-policy", loss}},
                       t.ticket + " (loss-policy=" + loss + ", id=" + t.id + ")"});
    }
}

std::string format_entries(output_format f, const std::string& rsc, const std::vector<entry>& all) {
    std::string out;
    if (f == output_format::xml) {
        out = "<constraints resource=\"" + cib::xml_attr(rsc) + "\">\n";
        for (const auto& e : all) {
            out += std::string("  <") + sections[e.section].element;
            if (e.section == 1 || e.section == 2) out += e.section == 1 ? " direction=\"with\"" : " direction=\"by\"";
            for (const auto& [k, v] : e.fields) out += " " + k + "=\"" + cib::xml_attr(v) + "\"";
            out += "/>\n";
        }
        return out + "</constraints>\n";
    }
    for (int s = 0; s < static_cast<int>(std::size(sections)); ++s) {
        std::string part;
        for (const auto& e : all) {
            if (e.section != s) continue;
            if (f == output_format::text) {
                part += "  * " + e.text + "\n";
                continue;
            }
            std::string obj;
            for (const auto& [k, v] : e.fields)
                obj += (obj.empty() ? "" : ", ") + json_string(k) + ": " + json_string(v);
            part += std::string(part.empty() ? "" : ", ") + "{" + obj + "}";
        }
        if (f == output_format::json) {
            out += (out.empty() ? "" : ", ") + json_string(sections[s].json) + ": [" + part + "]";
        } else if (!part.empty()) {
            char title[512];
            std::snprintf(title, sizeof title, sections[s].title, rsc.c_str());
            out += std::string(title) + "\n" + part;
        }
    }
    if (f == output_format::json) return "{" + json_string("resource") + ": " + json_string(rsc) + ", " + out + "}\n";
    return out;
}

void ids_under(const cib::resource& r, std::set<std::string>& out) {
    out.insert(r.id);
    for (const auto& c : r.children) ids_under(c, out);
}

// "WHERE: RSC allocation score on NODE: SCORE" / "RSC promotion score on NODE: SCORE"
struct score_line {
    std::string kind, rsc, node, score;
};
std::optional<score_line> parse_score(const std::string& line) {
    for (const char* kind : {"allocation", "promotion"}) {
        const std::string mid = std::string(" ") + kind + " score on ";
        const auto at = line.find(mid);
        if (at == std::string::npos) continue;
        std::string left = line.substr(0, at), right = line.substr(at + mid.size());
        if (auto colon = left.rfind(": "); colon != std::string::npos) left = left.substr(colon + 2);
        const auto colon = right.rfind(": ");
        if (colon == std::string::npos) return std::nullopt;
        return score_line{kind, left, right.substr(0, colon), right.substr(colon + 2)};
    }
    return std::nullopt;
}

bool belongs(const std::string& history_id, const std::set<std::string>& ids) {
    return ids.count(history_id) || ids.count(history_id.substr(0, history_id.find(':')));
}

}  // namespace

int run_nv_verb(const command& c, const cib::resource& r) {
    nv_scope s;
    s.cmd = c.cmd;
    s.ipc = c.ipc;
    s.format = c.format;
    s.owner = "resource";
    s.id = r.id;
    if (c.verb == "param") {
        s.label = "parameter", s.set_name = "parameters", s.sets = &r.instance;
        s.new_set_id = r.id + "-instance_attributes";
    } else if (c.verb == "meta") {
        s.label = "meta attribute", s.set_name = "meta", s.sets = &r.meta;
        s.new_set_id = r.id + "-meta_attributes";
    } else {
        s.label = "utilization", s.set_name = "utilization", s.sets = &r.utilization;
        s.new_set_id = r.id + "-utilization";
    }
    const char* set_tag = c.verb == "param"  ? "instance_attributes"
                          : c.verb == "meta" ? "meta_attributes"
                                             : "utilization";
    const std::string tag = edit::tag_of(r), id = r.id;
    s.set = [tag, id, set_tag](const edit::nv_target& t, const std::string& name, const std::string& value) {
        return cib::change::update_configuration(edit::nv_update_xml(tag, id, "", set_tag, t, name, value));
    };
    return run_nv(s, args(c.positional.begin() + 1, c.positional.end()));
}

int run_trace(const command& c, const cib::document& doc, bool on) {
    const auto& p = c.positional;
    if (p.size() > 3) return usage_error(c.verb + " takes RSC, and optionally OP and INTERVAL");
    const std::string op = p.size() > 1 ? p[1] : "", interval = p.size() > 2 ? p[2] : "";
    const std::string base = configuration_of(doc);
    auto edited = on ? trace_configuration(base, p[0], op, interval) : untrace_configuration(base, p[0], op, interval);
    if (!edited) return fail(c, edited.error());
    if (*edited == base) return exit_ok;  // untrace of nothing traced
    if (int rc = replace_read_configuration(c.cmd.c_str(), c.ipc, doc, std::move(*edited)); rc != 0) return rc;
    if (on) {
        const cib::resource* r = find_resource(doc.model(), p[0]);
        std::printf("Trace for %s%s%s is written to %s/%s/\n", p[0].c_str(), op.empty() ? "" : ":", op.c_str(),
                    trace_ra_dir, r ? r->type.c_str() : "");
        if (op.empty() || op == "start")
            std::printf("%s's start definition changed: the cluster restarts it, tracing its start\n", p[0].c_str());
    }
    return exit_ok;
}

int run_constraints(const command& c, const cib::document& doc) {
    if (c.positional.size() != 1) return usage_error("constraints takes exactly one RSC");
    std::vector<entry> all;
    const auto& m = doc.model();
    const std::string& rsc = c.positional[0];
    locations(m, rsc, all);
    colocations(m, rsc, all);
    orders(m, rsc, all);
    tickets(m, rsc, all);
    return print(format_entries(c.format, rsc, all));
}

int run_scores(const command& c, const cib::document& doc) {
    if (c.positional.size() > 1) return usage_error("scores takes at most one RSC");
    std::set<std::string> ids;
    if (!c.positional.empty()) {
        const cib::resource* r = find_resource(doc.model(), c.positional[0]);
        if (!r) return fail(c, "unknown resource '" + c.positional[0] + "'");
        ids_under(*r, ids);
    }
    auto ws = policy::unpack(doc.model(), std::time(nullptr));
    if (auto why = policy::unsupported_feature(ws)) return fail(c, *why);
    const policy::schedule_result result = policy::schedule(ws);
    std::string out;
    for (const auto& line : result.scores) {
        auto s = parse_score(line);
        if (!ids.empty() && (!s || !belongs(s->rsc, ids))) continue;
        if (c.format == output_format::text) {
            out += line + "\n";
        } else if (s && c.format == output_format::json) {
            out += std::string(out.empty() ? "" : ", ") + "{\"kind\": " + json_string(s->kind) +
                   ", \"resource\": " + json_string(s->rsc) + ", \"node\": " + json_string(s->node) +
                   ", \"score\": " + json_string(s->score) + "}";
        } else if (s) {
            out += "  <score kind=\"" + s->kind + "\" resource=\"" + cib::xml_attr(s->rsc) + "\" node=\"" +
                   cib::xml_attr(s->node) + "\" score=\"" + cib::xml_attr(s->score) + "\"/>\n";
        }
    }
    if (c.format == output_format::text) return print("Allocation scores:\n" + out);
    if (c.format == output_format::json) return print("{\"scores\": [" + out + "]}\n");
    return print("<scores>\n" + out + "</scores>\n");
}

}  // namespace resource_cli

namespace {

int maintenance_usage(const std::string& what) {
    std::fprintf(stderr, "holdfast maintenance: %s (usage: holdfast maintenance on|off [RSC] [--socket NAME])\n",
                 what.c_str());
    return exit_usage;
}

}  // namespace

// crmsh's `maintenance on|off [RSC]`: the cluster property maintenance-mode,
// or a resource's maintenance meta attribute (as resource maintenance).
int run_maintenance(const args& in) {
    std::string ipc = default_ipc_name();
    args a;
    for (size_t i = 0; i < in.size(); ++i)
        if (!take_ipc_option(in, i, ipc)) a.push_back(in[i]);
    if (a.empty()) return maintenance_usage("missing on or off");
    if (a[0] != "on" && a[0] != "off" && a[0] != "true" && a[0] != "false")
        return maintenance_usage("expected on or off, not '" + a[0] + "'");
    if (a.size() > 2) return maintenance_usage("takes on|off and at most one RSC");
    const bool on = a[0] == "on" || a[0] == "true";
    if (a.size() == 1) {
        auto r = send_change(ipc, cib::change::set_property("maintenance-mode", on ? "true" : "false"));
        return r ? 0 : report("maintenance", r.error());
    }
    auto doc = query_cib("maintenance", ipc);
    if (!doc) return doc.error();
    const cib::resource* r = resource_cli::find_resource(doc->model(), a[1]);
    if (!r) return nv_fail("maintenance", "unknown resource '" + a[1] + "'");
    const auto t = resource_edit::meta_attribute(*r, "maintenance");
    auto sent = send_change(ipc, cib::change::update_configuration(
                                     resource_edit::meta_update_xml(*r, t, "maintenance", on ? "true" : "false")));
    return sent ? 0 : report("maintenance", sent.error());
}

}  // namespace holdfast::tools
