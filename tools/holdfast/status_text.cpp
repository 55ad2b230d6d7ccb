// The cluster status as crm_simulate prints it (Pacemaker's crm_mon text
// format): a node list, then every resource with its state.
#include "tools/holdfast/status_text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

#include "policy/rules.hpp"
#include "policy/text.hpp"

namespace holdfast::tools {
namespace {

using policy::node;
using policy::node_ix;
using policy::resource;
using policy::role;
using policy::rsc_ix;
using policy::rsc_variant;
using policy::working_set;

// Pacemaker's node-name order: case-insensitive, digit runs compared as numbers.
bool natural_less(const std::string& a, const std::string& b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
            size_t ie = i, je = j;
            while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
            while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
            long long x = std::stoll(a.substr(i, ie - i)), y = std::stoll(b.substr(j, je - j));
            if (x != y) return x < y;
            i = ie;
            j = je;
            continue;
        }
        int x = std::tolower(static_cast<unsigned char>(a[i])), y = std::tolower(static_cast<unsigned char>(b[j]));
        if (x != y) return x < y;
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

// pe__node_health(): 1 healthy, 0 yellow, -1 red, from the #health-* attributes.
int node_health(const working_set& ws, const node& n) {
    const std::string& strategy = ws.options.node_health_strategy;
    if (strategy.empty() || strategy == "none") return 1;
    auto option = [&](const char* name) {
        auto it = ws.options.raw.find(name);
        return it == ws.options.raw.end() ? 0 : policy::char2score(it->second);
    };
    int red = 0, yellow = 0, green = 0;
    if (strategy == "migrate-on-red") {
        red = -policy::score_infinity;
    } else if (strategy == "only-green") {
        red = yellow = -policy::score_infinity;
    } else {
        red = option("node-health-red");
        yellow = option("node-health-yellow");
        green = option("node-health-green");
    }
    int rc = 1;
    for (auto it = n.attrs.lower_bound("#health"); it != n.attrs.end() && it->first.rfind("#health", 0) == 0; ++it) {
        std::string v = it->second;
        for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (v == "red") return -1;
        if (v == "yellow") {
            rc = 0;
            continue;
        }
        const int score = v == "green" ? green : policy::char2score(it->second);
        if (score <= red) return -1;
        if (score <= yellow && yellow != green) rc = 0;
    }
    return rc;
}

const char* node_status(const node& n) {
    if (n.unclean) return n.online ? "UNCLEAN (online)" : n.pending ? "UNCLEAN (pending)" : "UNCLEAN (offline)";
    if (n.pending) return "pending";
    if (n.standby_onfail && n.online) return "standby (on-fail)";
    if (n.standby) {
        if (!n.online) return "OFFLINE (standby)";
        return n.running.empty() ? "standby" : "standby (with active resources)";
    }
    if (n.maintenance) return n.online ? "maintenance" : "OFFLINE (maintenance)";
    return n.online ? "online" : "OFFLINE";
}

std::vector<node_ix> sorted_nodes(const working_set& ws) {
    std::vector<node_ix> order(ws.nodes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<node_ix>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](node_ix a, node_ix b) { return natural_less(ws.nodes[a].uname, ws.nodes[b].uname); });
    return order;
}

void node_list(const working_set& ws, std::string& out) {
    out += "  * Node List:\n";
    std::string online, offline, remote_online, remote_offline, guest_online;
    auto add = [](std::string& list, const std::string& name) { list += (list.empty() ? "" : " ") + name; };
    for (node_ix i : sorted_nodes(ws)) {
        const node& n = ws.nodes[i];
        const int health = node_health(ws, n);
        if (n.unclean || n.pending || (n.standby_onfail && n.online) || n.standby || n.maintenance || health <= 0) {
            const char* kind = n.kind == policy::node_kind::guest    ? "GuestNode"
                               : n.kind == policy::node_kind::remote ? "RemoteNode"
                                                                     : "Node";
            out += std::string("    * ") + kind + " " + n.uname + ": " + node_status(n) +
                   (health < 0    ? " (health is RED)"
                    : health == 0 ? " (health is YELLOW)"
                                  : "") +
                   "\n";
        } else if (n.online) {
            add(n.kind == policy::node_kind::guest    ? guest_online
                : n.kind == policy::node_kind::remote ? remote_online
                                                      : online,
                n.uname);
        } else if (n.kind == policy::node_kind::remote) {
            add(remote_offline, n.uname);
        } else if (n.kind == policy::node_kind::member) {
            add(offline, n.uname);
        }
    }
    auto item = [&](const char* label, const std::string& list) {
        if (!list.empty()) out += std::string("    * ") + label + ": [ " + list + " ]\n";
    };
    item("Online", online);
    item("OFFLINE", offline);
    item("RemoteOnline", remote_online);
    item("RemoteOFFLINE", remote_offline);
    item("GuestOnline", guest_online);
}

rsc_ix top_of(const working_set& ws, rsc_ix r) {
    while (ws.resources[r].parent != policy::none) r = ws.resources[r].parent;
    return r;
}

bool disabled(const resource& r) {
    auto it = r.meta.find("target-role");
    return it != r.meta.end() && policy::text_to_role(it->second) == role::stopped;
}

role displayable_role(const working_set& ws, rsc_ix r) {
    role x = ws.resources[r].current_role;
    if (x == role::started && ws.resources[top_of(ws, r)].promotable) x = role::unpromoted;
    return x;
}

// How crm_simulate (which shows pending actions) names a resource mid-action.
const char* pending_state(const std::string& task, const char* otherwise) {
    if (task == "start") return "Starting";
    if (task == "stop") return "Stopping";
    if (task == "migrate_to" || task == "migrate_from") return "Migrating";
    if (task == "promote") return "Promoting";
    if (task == "demote") return "Demoting";
    return otherwise;
}

}  // namespace

const char* ocf_exit_text(int rc) {
    switch (rc) {
        case 0: return "ok";
        case 1: return "error";
        case 2: return "invalid parameter";
        case 3: return "unimplemented feature";
        case 4: return "insufficient privileges";
        case 5: return "not installed";
        case 6: return "not configured";
        case 7: return "not running";
        case 8: return "promoted";
        case 9: return "promoted (failed)";
        case 190: return "OCF_DEGRADED";
        case 191: return "promoted (degraded)";
        default: return "unknown";
    }
}

namespace {

// pe__failed_probe_for_rsc: the text of r's failed probe on node (any node if
// none), matched by the id the history uses (a clone's configured child id)
const char* failed_probe_text(const working_set& ws, rsc_ix r, node_ix node) {
    const resource& res = ws.resources[r];
    rsc_ix top = top_of(ws, r);
    const resource& t = ws.resources[top];
    std::string id = res.id;
    if (t.variant == rsc_variant::clone)
        id = t.def && !t.def->children.empty() ? t.def->children.front().id : res.base_id;
    for (const auto& f : ws.failed_ops)
        if (f.masked_probe && (node == policy::none || f.node == node) && f.rsc_id == id)
            return ocf_exit_text(f.op->rc_code);
    return nullptr;
}

// show_pending: crm_simulate names pending actions ("Starting") in the status
// before the transition (pcmk_show_pending), not in the revised one
std::string primitive_line(const working_set& ws, rsc_ix r, const std::string& name, const resource_view& v) {
    const bool show_pending = v.pending;
    const resource& res = ws.resources[r];
    std::string s =
        name + "\t(" + res.rclass + (res.provider.empty() ? "" : ":" + res.provider) + ":" + res.type + "):\t";
    if (res.orphan) s += " ORPHANED";
    role shown = displayable_role(ws, r);
    if (res.failed) {
        s += " FAILED";
        if (shown == role::promoted) s += " Promoted";
    } else {
        const char* state = policy::to_string(shown);
        s += std::string(" ") + (show_pending ? pending_state(res.pending_task, state) : state);
    }
    node_ix on = res.running_on.size() == 1 ? res.running_on.front() : policy::none;
    if (res.running_on.empty()) on = res.pending_node;                     // where a non-probe action is pending
    if (on == policy::none && res.running_on.empty()) on = res.lock_node;  // shown where it is locked
    if (on != policy::none && v.node_names) s += " " + ws.nodes[on].uname;
    if (shown == role::stopped) {
        if (const char* probe = failed_probe_text(ws, r, on)) s += std::string(" (") + probe + ") ";
    }
    bool flags = false;
    auto flag = [&](const std::string& f) {
        s += (flags ? ", " : " (") + f;
        flags = true;
    };
    // part of the node's name: not shown where the node heads the list
    if (on != policy::none && v.node_names && !ws.nodes[on].online && ws.nodes[on].unclean) flag("UNCLEAN");
    if (on != policy::none && on == res.lock_node) flag("LOCKED");
    if (show_pending && res.pending_task == "monitor") flag("Monitoring");
    if (auto it = res.meta.find("target-role"); it != res.meta.end()) {
        role t = policy::text_to_role(it->second);
        if (t == role::stopped)
            flag("disabled");
        else if (ws.resources[top_of(ws, r)].promotable && t == role::unpromoted)
            flag("target-role:" + it->second);
    }
    if (res.blocked)
        flag("blocked");
    else if (!res.managed)
        flag("unmanaged");
    if (res.failure_ignored) flag("failure ignored");
    if (flags) s += ")";
    if (res.running_on.size() > 1 && v.node_names) {
        s += " [";
        for (node_ix n : res.running_on) s += " " + ws.nodes[n].uname;
        s += " ]";
    }
    return s;
}

std::string indent(int depth) { return std::string(4 + 2 * depth, ' ') + "* "; }

void print_resource(const working_set& ws, rsc_ix r, int depth, const resource_view& v, std::string& out);

bool active(const working_set& ws, rsc_ix r);

// Without v.inactive (crm_mon without -r) only active members are listed and
// the header counts the others.
void print_group(const working_set& ws, rsc_ix r, int depth, const resource_view& v, std::string& out,
                 const std::string& name) {
    const resource& g = ws.resources[r];
    std::string attrs;
    if (!g.managed) attrs = "unmanaged";
    if (disabled(g)) attrs += std::string(attrs.empty() ? "" : ", ") + "disabled";
    const auto inactive =
        v.inactive ? 0 : std::count_if(g.children.begin(), g.children.end(), [&](rsc_ix c) { return !active(ws, c); });
    if (inactive > 0)
        attrs += std::string(attrs.empty() ? "" : ", ") + std::to_string(inactive) +
                 (inactive == 1 ? " member inactive" : " members inactive");
    out += indent(depth) + "Resource Group: " + name + (attrs.empty() ? "" : " (" + attrs + ")") + ":\n";
    for (rsc_ix c : g.children)
        if (v.inactive || active(ws, c)) print_resource(ws, c, depth + 1, v, out);
}

bool any_set(const working_set& ws, rsc_ix r, bool (*pred)(const resource&)) {
    if (pred(ws.resources[r])) return true;
    for (rsc_ix c : ws.resources[r].children)
        if (any_set(ws, c, pred)) return true;
    return false;
}

// native_active: a managed primitive only "running" on a node that is down
// but clean (a guest whose container failed) does not count as active
bool primitive_active(const working_set& ws, const resource& x) {
    for (node_ix n : x.running_on) {
        const policy::node& nd = ws.nodes[n];
        if (nd.unclean || nd.online || !x.managed) return true;
    }
    return false;
}

bool active(const working_set& ws, rsc_ix r) {
    if (primitive_active(ws, ws.resources[r])) return true;
    for (rsc_ix c : ws.resources[r].children)
        if (active(ws, c)) return true;
    return false;
}

// Every primitive of the instance is active (a group instance: all members).
bool fully_active(const working_set& ws, rsc_ix r) {
    const resource& x = ws.resources[r];
    if (x.children.empty()) return primitive_active(ws, x);
    for (rsc_ix c : x.children)
        if (!fully_active(ws, c)) return false;
    return true;
}

// The single node an instance is active on (a group: its members' node), or none.
node_ix instance_location(const working_set& ws, rsc_ix r) {
    std::set<node_ix> where;
    std::vector<rsc_ix> todo{r};
    while (!todo.empty()) {
        rsc_ix x = todo.back();
        todo.pop_back();
        for (node_ix n : ws.resources[x].running_on) where.insert(n);
        for (rsc_ix c : ws.resources[x].children) todo.push_back(c);
    }
    return where.size() == 1 ? *where.begin() : policy::none;
}

role instance_role(const working_set& ws, rsc_ix r) {
    role best = ws.resources[r].current_role;
    for (rsc_ix c : ws.resources[r].children) {
        role x = instance_role(ws, c);
        if (static_cast<int>(x) > static_cast<int>(best)) best = x;
    }
    return best;
}

void print_clone(const working_set& ws, rsc_ix r, int depth, const resource_view& v, std::string& out) {
    const resource& c = ws.resources[r];
    std::string attrs;
    auto add = [&](const char* a) { attrs += std::string(attrs.empty() ? "" : ", ") + a; };
    if (c.promotable) add("promotable");
    if (c.unique) add("unique");
    if (!c.managed) add("unmanaged");
    if (disabled(c)) add("disabled");
    const std::string child_id = c.def && !c.def->children.empty() ? c.def->children.front().id : c.id;
    out += indent(depth) + "Clone Set: " + c.id + " [" + child_id + "]" + (attrs.empty() ? "" : " (" + attrs + ")") +
           ":\n";
    std::vector<std::string> promoted, started;
    std::set<node_ix> running;
    for (rsc_ix i : c.children) {
        const bool is_active = active(ws, i);
        node_ix where = instance_location(ws, i);
        // native_add_running: an unmanaged instance on an offline node is not
        // added to the clone's own active nodes, so that node lists as stopped
        const bool counted = ws.resources[i].managed || (where != policy::none && ws.nodes[where].online);
        if (where != policy::none && counted) running.insert(where);
        const std::string& pending = ws.resources[i].pending_task;
        bool full = c.unique ? (is_active || !c.orphan) : false;
        if (c.unique) {
        } else if (v.pending && !pending.empty() && pending != "probe") {
            full = true;
        } else if (!is_active) {
        } else if (any_set(ws, i, [](const resource& x) { return x.orphan || !x.managed || x.failed; })) {
            full = true;
        } else if (!fully_active(ws, i) || where == policy::none) {
            full = true;
        } else if (!ws.nodes[where].online && ws.nodes[where].unclean) {
            full = true;
        } else if (instance_role(ws, i) == role::promoted) {
            promoted.push_back(ws.nodes[where].uname);
        } else {
            started.push_back(ws.nodes[where].uname);
        }
        if (full && (v.inactive || is_active || c.unique)) print_resource(ws, i, depth + 1, v, out);
    }
    auto join = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end(), natural_less);
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
        return s;
    };
    if (!promoted.empty()) out += indent(depth + 1) + "Promoted: [ " + join(promoted) + " ]\n";
    if (!started.empty()) {
        std::string label = c.promotable ? "Unpromoted" : "Started";
        out += indent(depth + 1) + label + ": [ " + join(started) + " ]\n";
    }
    if (c.unique || !v.inactive) return;
    // clone-max defaults to the nodes known when the clone was unpacked
    size_t max = static_cast<size_t>(
        std::count_if(ws.nodes.begin(), ws.nodes.end(), [](const policy::node& n) { return !n.late; }));
    if (auto it = c.meta.find("clone-max"); it != c.meta.end())
        max = static_cast<size_t>(std::max(0, std::atoi(it->second.c_str())));
    if (max <= promoted.size() + started.size()) return;
    // Stopped nodes grouped by their state text, the texts in sorted order
    std::map<std::string, std::vector<std::string>> stopped;
    // configured_role(): the clone's target-role, else its first instance's
    const bool stopped_by_config =
        c.meta.count("target-role") ? disabled(c) : (!c.children.empty() && disabled(ws.resources[c.children.front()]));
    for (node_ix n : sorted_nodes(ws)) {
        // The clone's allowed nodes; without a symmetric default none are
        // known yet, and the nodes its history names stand in. A node that
        // only its history created (an orphaned connection's) is not one.
        const bool allowed = ws.options.symmetric_cluster
                                 ? !ws.nodes[n].late
                                 : std::find(c.known_on.begin(), c.known_on.end(), n) != c.known_on.end();
        if (!allowed || running.count(n)) continue;
        std::string state = stopped_by_config ? "Stopped (disabled)" : "Stopped";
        if (const char* probe = failed_probe_text(ws, r, n)) state = std::string("Stopped (") + probe + ")";
        stopped[state].push_back(ws.nodes[n].uname);
    }
    for (const auto& [state, nodes] : stopped) out += indent(depth + 1) + state + ": [ " + join(nodes) + " ]\n";
}

void print_resource(const working_set& ws, rsc_ix r, int depth, const resource_view& v, std::string& out) {
    const resource& res = ws.resources[r];
    rsc_ix parent = res.parent;
    bool anonymous_instance = false;
    for (rsc_ix p = parent; p != policy::none; p = ws.resources[p].parent)
        if (ws.resources[p].variant == rsc_variant::clone && !ws.resources[p].unique) anonymous_instance = true;
    const std::string name = anonymous_instance ? res.base_id : res.id;
    switch (res.variant) {
        case rsc_variant::primitive: out += indent(depth) + primitive_line(ws, r, name, v) + "\n"; break;
        case rsc_variant::group: print_group(ws, r, depth, v, out, res.id); break;
        case rsc_variant::clone: print_clone(ws, r, depth, v, out); break;
        case rsc_variant::bundle: out += indent(depth) + "Container bundle: " + res.id + "\n"; break;
    }
}

}  // namespace

std::string format_status_preamble(const policy::working_set& ws) {
    std::string out;
    if (ws.options.maintenance_mode) {
        out +=
            "\n              *** Resource management is DISABLED ***\n"
            "  The cluster will not attempt to start, stop or recover services\n";
    }
    if (auto counts = format_resource_counts(ws); !counts.empty()) out += (out.empty() ? "" : "\n") + counts;
    return out;
}

std::string format_resource_items(const policy::working_set& ws, const resource_view& v,
                                  const std::vector<policy::rsc_ix>& which) {
    std::string out;
    for (rsc_ix r : which) {
        const resource& res = ws.resources[r];
        if (res.orphan && res.running_on.empty()) continue;  // inactive orphans are history only
        // a guest's implicit connection (internal_rsc meta) is not shown
        if (auto it = res.meta.find("internal_rsc"); it != res.meta.end() && policy::text_is_true(it->second)) continue;
        if (!v.inactive && !active(ws, r)) continue;
        print_resource(ws, r, 0, v, out);
    }
    return out;
}

std::string format_primitive_line(const policy::working_set& ws, policy::rsc_ix r, const resource_view& v) {
    bool anonymous_instance = false;
    for (rsc_ix p = ws.resources[r].parent; p != policy::none; p = ws.resources[p].parent)
        if (ws.resources[p].variant == rsc_variant::clone && !ws.resources[p].unique) anonymous_instance = true;
    return primitive_line(ws, r, anonymous_instance ? ws.resources[r].base_id : ws.resources[r].id, v);
}

bool resource_active(const policy::working_set& ws, policy::rsc_ix r) { return active(ws, r); }

const char* node_status_text(const policy::node& n) { return node_status(n); }

const char* node_health_text(const policy::working_set& ws, const policy::node& n) {
    const int health = node_health(ws, n);
    return health < 0 ? " (health is RED)" : health == 0 ? " (health is YELLOW)" : "";
}

std::string format_node_list(const policy::working_set& ws) {
    std::string out;
    node_list(ws, out);
    return out;
}

std::vector<policy::node_ix> nodes_by_name(const policy::working_set& ws) { return sorted_nodes(ws); }

std::string format_cluster_status(const policy::working_set& ws, bool with_pending) {
    std::string out;
    node_list(ws, out);
    out += "\n  * Full List of Resources:\n";
    const std::string items = format_resource_items(ws, resource_view{with_pending, true, true}, ws.top_level);
    out += items.empty() ? "    * No resources\n" : items;
    return out;
}

namespace {

struct resource_counts {
    int instances = 0;
    int disabled = 0;
    int blocked = 0;
};

// pe__resource_is_disabled: target-role Stopped, or Unpromoted in a promotable clone
bool is_disabled(const policy::working_set& ws, policy::rsc_ix r) {
    if (disabled(ws.resources[r])) return true;
    auto it = ws.resources[r].meta.find("target-role");
    return it != ws.resources[r].meta.end() && policy::text_to_role(it->second) == policy::role::unpromoted &&
           ws.resources[top_of(ws, r)].promotable;
}

// pe__count_common: every primitive instance that exists or is active
void count_resource(const policy::working_set& ws, policy::rsc_ix r, resource_counts& c) {
    const policy::resource& res = ws.resources[r];
    if (!res.children.empty()) {
        for (policy::rsc_ix child : res.children) count_resource(ws, child, c);
        return;
    }
    if (res.orphan && res.current_role <= policy::role::stopped) return;
    ++c.instances;
    if (is_disabled(ws, r)) ++c.disabled;
    if (res.blocked) ++c.blocked;
}

}  // namespace

instance_counts count_instances(const policy::working_set& ws) {
    resource_counts c;
    for (policy::rsc_ix r : ws.top_level) count_resource(ws, r, c);
    return {c.instances, c.disabled, c.blocked};
}

std::string format_resource_counts(const policy::working_set& ws) {
    resource_counts c;
    for (policy::rsc_ix r : ws.top_level) count_resource(ws, r, c);
    if (c.disabled == 0 && c.blocked == 0) return {};
    return std::to_string(c.disabled) + " of " + std::to_string(c.instances) + " resource instances DISABLED and " +
           std::to_string(c.blocked) + " BLOCKED from further action due to failure\n";
}

}  // namespace holdfast::tools
