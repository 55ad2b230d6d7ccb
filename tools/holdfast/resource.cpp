// holdfast resource VERB ...: crm resource / crm_resource as CIB changes sent
// to holdfastd. start/stop/manage/unmanage/maintenance set a meta attribute
// (target-role, is-managed, maintenance) where crm_resource --meta puts it;
// move/ban/clear write and remove crm_resource's cli-prefer-* / cli-ban-*
// location constraints; restart stops, waits for the status section to show
// it stopped, and starts; locate reads the status section. Every input is
// checked against the daemon's CIB before anything is sent, so a typo
// changes nothing.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>

#include "policy/iso8601.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/record_doc.hpp"
#include "tools/holdfast/resource_cmd.hpp"
#include "tools/holdfast/resource_edit.hpp"

namespace holdfast::tools {
namespace resource_cli {

int fail(const command& c, const std::string& what) {
    std::fprintf(stderr, "holdfast %s: %s\n", c.cmd.c_str(), what.c_str());
    return exit_error;
}

bool send(const command& c, cib::change change, int& status) {
    auto r = send_change(c.ipc, std::move(change));
    if (!r) status = report(c.cmd.c_str(), r.error());
    return r.has_value();
}

int usage_error(const std::string& what) {
    std::fprintf(stderr, "holdfast resource: %s (try 'holdfast resource help')\n", what.c_str());
    return exit_usage;
}

namespace {

const cib::resource* find_in(const std::vector<cib::resource>& list, const std::string& id) {
    for (const auto& r : list) {
        if (r.id == id) return &r;
        if (const auto* found = find_in(r.children, id)) return found;
    }
    return nullptr;
}

void collect_primitives(const cib::resource& r, std::vector<std::string>& out) {
    if (r.kind == cib::resource_kind::primitive) out.push_back(r.id);
    for (const auto& child : r.children) collect_primitives(child, out);
}

// r or one of its ancestors is `id` (clone instances answer to their base id)
bool under(const policy::working_set& ws, policy::rsc_ix r, const std::string& id) {
    for (; r != policy::none; r = ws.resources[r].parent)
        if (ws.resources[r].id == id || ws.resources[r].base_id == id) return true;
    return false;
}

}  // namespace

const cib::resource* find_resource(const cib::cib_model& m, const std::string& id) { return find_in(m.resources, id); }

std::vector<std::string> primitives_of(const cib::resource& r) {
    std::vector<std::string> out;
    collect_primitives(r, out);
    return out;
}

std::vector<placement> where_active(const cib::document& doc, const std::string& rsc) {
    const policy::working_set ws = policy::unpack(doc.model(), std::time(nullptr));
    std::vector<placement> out;
    for (policy::node_ix n = 0; n < static_cast<policy::node_ix>(ws.nodes.size()); ++n) {
        bool here = false, promoted = false;
        for (policy::rsc_ix r : ws.nodes[n].running) {
            if (!under(ws, r, rsc)) continue;
            here = true;
            promoted = promoted || ws.resources[r].current_role == policy::role::promoted;
        }
        if (here) out.push_back({ws.nodes[n].uname, promoted});
    }
    return out;
}

std::optional<std::string> node_id(const command& c, const cib::document& doc, const std::string& name) {
    if (auto id = node_id_of(doc, name)) return id;
    for (const auto& st : doc.model().node_states)
        if (st.uname == name) return st.id;
    fail(c, "unknown node '" + name + "'");
    return std::nullopt;
}

}  // namespace resource_cli

namespace {

using namespace resource_cli;
namespace edit = resource_edit;

constexpr const char* resource_usage =
    "usage: holdfast resource VERB ... [--socket NAME]\n"
    "  start|stop RSC                       target-role Started / Stopped\n"
    "  restart RSC [--timeout DURATION]     stop, wait until stopped everywhere, start\n"
    "  manage|unmanage RSC                  is-managed true / false\n"
    "  maintenance RSC [on|off]             the resource's maintenance meta attribute\n"
    "  move RSC [NODE] [--lifetime PERIOD]  prefer NODE (no NODE: ban from where it runs)\n"
    "  ban RSC [NODE] [--lifetime PERIOD]   keep RSC off NODE (no NODE: where it runs)\n"
    "  clear RSC [NODE]                     remove what move and ban left\n"
    "  locate RSC [--output-as=FORMAT]      where RSC runs (text, xml or json)\n"
    "  cleanup [RSC] [NODE]                 forget failures and fail counts (re-probe)\n"
    "  refresh [RSC] [NODE]                 forget all history (re-probe)\n"
    "  failcount RSC show|delete [NODE]     fail counts per node (show: --output-as)\n"
    "  param RSC set NAME VALUE | delete NAME | show [NAME]   instance attributes (crm_resource -p/-d/-g)\n"
    "  meta RSC set|delete|show ...         meta attributes (crm_resource --meta)\n"
    "  utilization RSC set|delete|show ...  utilization (crm_resource --utilization)\n"
    "  trace RSC [OP [INTERVAL]]            trace_ra=1 on the op(s): the agent writes a shell trace\n"
    "  untrace RSC [OP [INTERVAL]]          remove what trace set\n"
    "  constraints RSC                      constraints naming RSC (crm_resource -a)\n"
    "  scores [RSC]                         allocation scores of the live CIB (crm_simulate -sL)\n"
    "  (locate, failcount show, the show verbs, constraints and scores take --output-as=text|json|xml)\n";

bool set_meta(const command& c, const cib::resource& r, const std::string& name, const std::string& value,
              int& status) {
    const auto target = edit::meta_attribute(r, name);
    return send(c, cib::change::update_configuration(edit::meta_update_xml(r, target, name, value)), status);
}

int run_meta(const command& c, const cib::resource& r) {
    std::string name, value;
    if (c.verb == "start" || c.verb == "stop") {
        name = "target-role";
        value = c.verb == "start" ? "Started" : "Stopped";
    } else if (c.verb == "manage" || c.verb == "unmanage") {
        name = "is-managed";
        value = c.verb == "manage" ? "true" : "false";
    } else {  // maintenance RSC [on|off]
        const std::string how = c.positional.size() > 1 ? c.positional[1] : "on";
        if (how != "on" && how != "off" && how != "true" && how != "false")
            return fail(c, "maintenance takes on or off, not '" + how + "'");
        name = "maintenance";
        value = how == "on" || how == "true" ? "true" : "false";
    }
    int status = 0;
    return set_meta(c, r, name, value, status) ? 0 : status;
}

// The end of --lifetime in crm_resource's form, "" without one.
std::optional<std::string> until(const command& c) {
    if (c.lifetime.empty()) return std::string();
    const std::time_t now = std::time(nullptr);
    auto end = edit::lifetime_end(c.lifetime, now, policy::iso8601::host_utc_offset(now));
    if (!end) {
        fail(c, end.error());
        return std::nullopt;
    }
    return *end;
}

bool has_location(const cib::document& doc, const std::string& id) {
    for (const auto& l : doc.model().locations)
        if (l.id == id) return true;
    return false;
}

// clear says what it removes, as crm_resource --clear does; move does not
bool remove_location(const command& c, const cib::document& doc, const std::string& id, int& status) {
    if (!has_location(doc, id)) return true;
    if (!send(c, cib::change::delete_element(id, "rsc_location"), status)) return false;
    if (c.verb == "clear") std::printf("Removing constraint: %s\n", id.c_str());
    return true;
}

// Where a move or ban without NODE applies: the one node the resource runs on.
std::optional<std::string> current_node(const command& c, const cib::document& doc, const std::string& rsc) {
    auto active = where_active(doc, rsc);
    if (active.size() == 1) return active[0].node;
    if (active.empty())
        fail(c, rsc + " is not running anywhere: name the NODE");
    else
        fail(c, rsc + " is active on " + std::to_string(active.size()) + " nodes: name the NODE");
    return std::nullopt;
}

int ban(const command& c, const cib::document& doc, const std::string& rsc, const std::string& node,
        const std::string& end) {
    int status = 0;
    const std::string id = edit::ban_id(rsc, node);
    // replaced whole: a merge would keep the short form's node= beside a rule
    if (has_location(doc, id) && !send(c, cib::change::delete_element(id, "rsc_location"), status)) return status;
    if (!send(c, cib::change::update_configuration(edit::ban_xml(rsc, node, end)), status)) return status;
    std::fprintf(stderr,
                 "WARNING: %s keeps %s off %s (also when %s is the last node left) until 'holdfast resource "
                 "clear %s' removes it%s%s\n",
                 id.c_str(), rsc.c_str(), node.c_str(), node.c_str(), rsc.c_str(),
                 end.empty() ? "" : " or its lifetime ends at ", end.c_str());
    return exit_ok;
}

int run_move_ban(const command& c, const cib::document& doc, const std::string& rsc) {
    if (c.positional.size() > 2) return usage_error(c.verb + " takes RSC and at most one NODE");
    std::string node;
    if (c.positional.size() == 2) {
        if (!node_id(c, doc, c.positional[1])) return exit_error;
        node = c.positional[1];
    }
    auto end = until(c);
    if (!end) return exit_error;
    if (node.empty()) {
        auto current = current_node(c, doc, rsc);
        if (!current) return exit_error;
        return ban(c, doc, rsc, *current, *end);
    }
    if (c.verb == "ban") return ban(c, doc, rsc, node, *end);
    auto active = where_active(doc, rsc);
    if (active.size() == 1 && active[0].node == node) return fail(c, rsc + " is already active on " + node);
    int status = 0;
    // crm_resource --move: earlier preferences go, as does a ban from NODE
    if (!remove_location(c, doc, edit::prefer_id(rsc), status) ||
        !remove_location(c, doc, edit::ban_id(rsc, node), status))
        return status;
    if (!send(c, cib::change::update_configuration(edit::prefer_xml(rsc, node, *end)), status)) return status;
    if (!end->empty()) std::printf("Migration will take effect until: %s\n", end->c_str());
    return exit_ok;
}

int run_clear(const command& c, const cib::document& doc, const std::string& rsc) {
    if (c.positional.size() > 2) return usage_error("clear takes RSC and at most one NODE");
    const std::string node = c.positional.size() == 2 ? c.positional[1] : "";
    if (!node.empty() && !node_id(c, doc, node)) return exit_error;
    int status = 0;
    for (const auto& k : edit::cli_constraints(doc.model())) {
        if (k.rsc != rsc || (!node.empty() && k.node != node)) continue;
        if (!remove_location(c, doc, k.id, status)) return status;
    }
    return exit_ok;
}

// --output-as=xml|json: <locations><location resource= node= promoted=/>...</locations>
int run_locate(const command& c, const cib::document& doc, const std::string& rsc) {
    if (c.positional.size() != 1) return usage_error("locate takes exactly one RSC");
    auto active = where_active(doc, rsc);
    if (c.format != output_format::text) {
        record_list l{"locations", "location", "", {}};
        for (const auto& p : active)
            l.records.push_back(
                {{text_field("resource", rsc), text_field("node", p.node), bool_field("promoted", p.promoted)}, {}});
        std::fputs((c.format == output_format::xml ? records_xml(l) : records_json(l)).c_str(), stdout);
        return flushed_stdout();
    }
    if (active.empty()) std::printf("resource %s is NOT running\n", rsc.c_str());
    for (const auto& p : active)
        std::printf("resource %s is running on: %s%s\n", rsc.c_str(), p.node.c_str(), p.promoted ? " Promoted" : "");
    return flushed_stdout();
}

}  // namespace

namespace {

// The verbs that need a configured RSC.
int run_on_resource(const command& c, cib::document& doc) {
    if (c.positional.empty()) return usage_error(c.verb + " needs a resource");
    const std::string& rsc = c.positional[0];
    const cib::resource* r = find_resource(doc.model(), rsc);
    if (!r) return fail(c, "unknown resource '" + rsc + "'");
    const bool meta = c.verb == "start" || c.verb == "stop" || c.verb == "manage" || c.verb == "unmanage";
    if (meta && c.positional.size() != 1) return usage_error(c.verb + " takes exactly one RSC");
    if (meta || c.verb == "maintenance") {
        if (c.positional.size() > 2) return usage_error("maintenance takes RSC and on or off");
        return run_meta(c, *r);
    }
    if (c.verb == "move" || c.verb == "ban") return run_move_ban(c, doc, rsc);
    if (c.verb == "clear") return run_clear(c, doc, rsc);
    if (c.verb == "locate") return run_locate(c, doc, rsc);
    if (c.verb == "param" || c.verb == "meta" || c.verb == "utilization") return run_nv_verb(c, *r);
    if (c.verb == "trace" || c.verb == "untrace") return run_trace(c, doc, c.verb == "trace");
    if (c.verb == "constraints") return run_constraints(c, doc);
    if (c.positional.size() != 1) return usage_error("restart takes exactly one RSC");
    return run_restart(c, doc, *r);
}

// crmsh's other names for the same verbs
std::string canonical(const std::string& verb) {
    if (verb == "migrate") return "move";
    if (verb == "unmove" || verb == "unmigrate" || verb == "unban") return "clear";
    if (verb == "status" || verb == "show") return "locate";
    return verb;
}

bool takes(const std::string& verb, const char* option) {
    const std::string o = option;
    if (o == "lifetime") return verb == "move" || verb == "ban";
    if (o == "node") return verb == "cleanup" || verb == "refresh";
    if (o == "output-as")
        return verb == "param" || verb == "meta" || verb == "utilization" || verb == "constraints" ||
               verb == "scores" || verb == "locate" || verb == "failcount";
    return verb == "restart";  // timeout
}

// Options anywhere after the verb: --lifetime/-u, --node/-N, --timeout, --socket.
std::optional<command> parse(const args& a, int& status) {
    command c;
    c.ipc = default_ipc_name();
    c.verb = canonical(a[0]);
    c.cmd = "resource " + c.verb;
    const std::pair<const char*, std::string command::*> options[] = {
        {"lifetime", &command::lifetime}, {"node", &command::node}, {"timeout", &command::timeout}};
    // a value may start with '-' (param RSC set NAME -5): after the verb's
    // NAME only the options are options
    const bool values = c.verb == "param" || c.verb == "meta" || c.verb == "utilization";
    for (size_t i = 1; i < a.size(); ++i) {
        if (take_ipc_option(a, i, c.ipc)) continue;
        std::string bad;
        if (take_output_option(a, i, c.format, bad)) {
            if (!bad.empty()) return status = usage_error(bad), std::nullopt;
            if (!takes(c.verb, "output-as"))
                return status = usage_error(c.verb + " takes no --output-as"), std::nullopt;
            continue;
        }
        bool matched = false;
        for (const auto& [name, field] : options) {
            const std::string lng = std::string("--") + name;
            const bool short_form =
                (a[i] == "-u" && name == std::string("lifetime")) || (a[i] == "-N" && name == std::string("node"));
            std::string value;
            if (a[i].rfind(lng + "=", 0) == 0) {
                value = a[i].substr(lng.size() + 1);
            } else if (a[i] == lng || short_form) {
                if (i + 1 >= a.size()) return status = usage_error(a[i] + " needs a value"), std::nullopt;
                value = a[++i];
            } else {
                continue;
            }
            if (!takes(c.verb, name)) return status = usage_error(c.verb + " takes no --" + name), std::nullopt;
            c.*field = value;
            matched = true;
        }
        if (matched) continue;
        if (a[i].size() > 1 && a[i][0] == '-' && !(values && c.positional.size() >= 3))
            return status = usage_error("unknown option '" + a[i] + "'"), std::nullopt;
        c.positional.push_back(a[i]);
    }
    return c;
}

}  // namespace

int run_resource(const args& a) {
    if (a.empty()) return usage_error("missing verb");
    if (a[0] == "-h" || a[0] == "--help" || a[0] == "help") {
        std::fputs(resource_usage, stdout);
        return exit_ok;
    }
    static const char* const verbs[] = {"start",       "stop",    "restart",   "manage",      "unmanage",
                                        "maintenance", "move",    "ban",       "clear",       "locate",
                                        "cleanup",     "refresh", "failcount", "param",       "meta",
                                        "utilization", "trace",   "untrace",   "constraints", "scores"};
    const std::string verb = canonical(a[0]);
    bool known = false;
    for (const char* v : verbs) known = known || verb == v;
    if (!known) return usage_error("unknown verb '" + a[0] + "'");
    int status = 0;
    auto c = parse(a, status);
    if (!c) return status;
    auto doc = query_cib(c->cmd.c_str(), c->ipc);
    if (!doc) return doc.error();
    if (c->verb == "cleanup" || c->verb == "refresh") return run_cleanup(*c, *doc, c->verb == "refresh");
    if (c->verb == "failcount") return run_failcount(*c, *doc);
    if (c->verb == "scores") return run_scores(*c, *doc);
    return run_on_resource(*c, *doc);
}

}  // namespace holdfast::tools
