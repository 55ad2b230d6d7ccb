// unpack(): configuration and status sections into a working_set, following
// Pacemaker 2.1.5's cluster_status() (lib/pengine/unpack.c): options, nodes
// and their membership state, the resource tree with clone instances, then
// each node's operation history into roles, placements and failures.
#include "policy/unpack.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string_view>

#include "policy/iso8601.hpp"
#include "policy/rules.hpp"
#include "policy/text.hpp"
#include "policy/unpack_internal.hpp"

namespace holdfast::policy {
namespace unpack_detail {

bool truthy(std::string_view v) { return text_is_true(v); }

const std::string* find(const std::map<std::string, std::string>& m, const char* key) {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
}

rule_context base_context(const working_set& ws) {
    rule_context ctx;
    ctx.now = ws.now;
    ctx.utc_offset = iso8601::host_utc_offset(ws.now);
    return ctx;
}

// Seconds from a Pacemaker duration ("60", "60s", "1m", "PT1M"); 0 if invalid.
int64_t seconds_of(std::string_view text) {
    auto ms = iso8601::parse_interval_ms(text);
    return ms ? static_cast<int64_t>(*ms) / 1000 : 0;
}

// A utilization amount: the leading integer (clamped to int), 0 if there is none
// (Pacemaker's utilization_value with pcmk__scan_min_int)
int utilization_value(const std::string& text) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str()) return 0;
    if (errno == ERANGE) v = text.find('-') == std::string::npos ? LLONG_MAX : LLONG_MIN;
    errno = 0;
    return static_cast<int>(std::clamp<long long>(v, INT_MIN, INT_MAX));
}

node_ix find_node(const working_set& ws, const std::string& id, const std::string& uname) {
    if (auto it = ws.node_by_id.find(id); it != ws.node_by_id.end()) return it->second;
    if (auto it = ws.node_by_uname.find(uname); it != ws.node_by_uname.end()) return it->second;
    return none;
}

// pe_create_node for a remote or guest node, unless one of that id exists
node_ix ensure_node(working_set& ws, const std::string& id, node_kind kind) {
    if (auto it = ws.node_by_id.find(id); it != ws.node_by_id.end()) {
        ws.nodes[it->second].kind = kind;
        ws.nodes[it->second].attrs["#kind"] = kind == node_kind::guest ? "container" : "remote";
        return it->second;
    }
    node n;
    n.id = n.uname = id;
    n.kind = kind;
    n.attrs["#uname"] = n.attrs["#id"] = id;
    n.attrs["#kind"] = kind == node_kind::guest ? "container" : "remote";
    n.unseen = true;
    ws.node_by_uname[n.uname] = static_cast<node_ix>(ws.nodes.size());
    ws.node_by_id[n.id] = static_cast<node_ix>(ws.nodes.size());
    ws.nodes.push_back(std::move(n));
    return static_cast<node_ix>(ws.nodes.size() - 1);
}

}  // namespace unpack_detail

namespace {

using namespace unpack_detail;

void unpack_options(working_set& ws, const cib::cib_model& cib) {
    rule_context ctx = base_context(ws);
    unpack_nvsets(cib.crm_config, ctx, ws.options.raw, false, "cib-bootstrap-options");
    auto flag = [&](const char* name, bool fallback) {
        const std::string* v = find(ws.options.raw, name);
        return v ? truthy(*v) : fallback;
    };
    cluster_options& o = ws.options;
    o.stonith_enabled = flag("stonith-enabled", true);
    o.symmetric_cluster = flag("symmetric-cluster", true);
    o.startup_fencing = flag("startup-fencing", true);
    o.maintenance_mode = flag("maintenance-mode", false);
    o.stop_all_resources = flag("stop-all-resources", false);
    o.stop_orphan_resources = flag("stop-orphan-resources", true);
    o.stop_orphan_actions = flag("stop-orphan-actions", true);
    o.concurrent_fencing = flag("concurrent-fencing", false);
    o.start_failure_is_fatal = flag("start-failure-is-fatal", true);
    o.remove_after_stop = flag("remove-after-stop", false);
    o.shutdown_lock_enabled = flag("shutdown-lock", false);
    if (const auto* v = find(o.raw, "no-quorum-policy")) o.no_quorum_policy = *v;
    // suicide needs fencing, and quorum now or no-quorum-panic: a cluster that
    // never had quorum just stops
    if (o.no_quorum_policy == "suicide" &&
        (!o.stonith_enabled || (!truthy(cib.have_quorum) && std::atoi(cib.no_quorum_panic.c_str()) == 0)))
        o.no_quorum_policy = "stop";
    if (const auto* v = find(o.raw, "stonith-action")) o.stonith_action = *v == "poweroff" ? "off" : *v;
    if (const auto* v = find(o.raw, "placement-strategy")) o.placement_strategy = *v;
    if (const auto* v = find(o.raw, "node-health-strategy")) o.node_health_strategy = *v;
    if (const auto* v = find(o.raw, "shutdown-lock-limit")) o.shutdown_lock = seconds_of(*v);
    if (const auto* v = find(o.raw, "stonith-timeout")) o.stonith_timeout_ms = seconds_of(*v) * 1000;
    if (const auto* v = find(o.raw, "cluster-delay")) o.cluster_delay_ms = seconds_of(*v) * 1000;
    if (const auto* v = find(o.raw, "priority-fencing-delay"))
        o.priority_fencing_delay = static_cast<int>(seconds_of(*v));
    o.have_quorum = truthy(cib.have_quorum);
    ws.dc_uuid = cib.dc_uuid;
}

void unpack_nodes(working_set& ws, const cib::cib_model& cib) {
    for (const auto& def : cib.nodes) {
        node n;
        n.id = def.id;
        n.uname = def.uname.empty() ? def.id : def.uname;
        n.kind = def.type == "remote" ? node_kind::remote : node_kind::member;
        n.attrs["#uname"] = n.uname;
        n.attrs["#id"] = n.id;
        n.attrs["#kind"] = n.kind == node_kind::remote ? "remote" : "cluster";
        // add_node_attrs(): the built-in attributes rules may test
        n.is_dc = !ws.dc_uuid.empty() && iequals(n.id, ws.dc_uuid);
        n.attrs["#is_dc"] = n.is_dc ? "true" : "false";
        if (const auto* name = find(ws.options.raw, "cluster-name")) n.attrs["#cluster-name"] = *name;
        rule_context ctx = base_context(ws);
        ctx.node_attrs = &n.attrs;
        unpack_nvsets(def.attributes, ctx, n.attrs);
        if (!n.attrs.count("#site-name")) {
            if (const auto* site = find(n.attrs, "site-name"))
                n.attrs["#site-name"] = *site;
            else if (const auto* name = find(n.attrs, "#cluster-name"))
                n.attrs["#site-name"] = *name;
        }
        std::map<std::string, std::string> util;
        unpack_nvsets(def.utilization, ctx, util);
        for (const auto& [k, v] : util) n.utilization[k] = utilization_value(v);
        n.unseen = true;
        // Until its state is known, a cluster node is unclean if fencing at start-up is on
        if (n.kind == node_kind::member && ws.options.startup_fencing && ws.options.stonith_enabled) n.unclean = true;
        ws.node_by_uname[n.uname] = static_cast<node_ix>(ws.nodes.size());
        ws.node_by_id[n.id] = static_cast<node_ix>(ws.nodes.size());
        ws.nodes.push_back(std::move(n));
    }
}

void fence(working_set& ws, node_ix n, const std::string& reason, bool priority_delay) {
    node& nd = ws.nodes[n];
    if (nd.unclean && !nd.unseen) return;  // already to be fenced for another reason
    nd.unclean = true;
    ws.unpack_actions.push_back({unpack_action::kind::fence, n, none, reason, priority_delay, {}, 0, false});
}

// determine_online_status_fencing / _no_fencing for a cluster node.
void member_online_status(working_set& ws, node_ix n, const cib::node_state& st) {
    node& nd = ws.nodes[n];
    const bool in_cluster =
        truthy(st.in_ccm) ||
        (!st.in_ccm.empty() && std::isdigit(static_cast<unsigned char>(st.in_ccm[0])) && st.in_ccm != "0");
    const bool crmd_online =
        st.crmd == "online" ||
        (!st.crmd.empty() && std::isdigit(static_cast<unsigned char>(st.crmd[0])) && st.crmd != "0");
    const std::string exp = st.expected.empty() ? "down" : st.expected;
    nd.expected_up = exp == "member";
    const std::string* term = find(nd.attrs, "terminate");
    const bool terminate = term && (truthy(*term) || (!term->empty() && (*term)[0] != '0' &&
                                                      std::isdigit(static_cast<unsigned char>((*term)[0]))));
    nd.online = false;
    if (!ws.options.stonith_enabled) {
        if (!in_cluster) {
        } else if (crmd_online) {
            nd.online = st.join == "member";
        } else if (nd.expected_up) {
            fence(ws, n, "peer is unexpectedly down", false);
        }
        return;
    }
    nd.online = in_cluster;
    if (nd.shutdown) {
        nd.online = crmd_online;
    } else if (st.in_ccm.empty()) {
        fence(ws, n, "peer has not been seen by the cluster", false);
    } else if (st.join == "banned") {
        fence(ws, n, "peer failed Pacemaker membership criteria", false);
    } else if (!terminate && exp == "down") {
        if (in_cluster || crmd_online) nd.standby = nd.pending = true;
    } else if (terminate && st.join == "down" && !in_cluster && !crmd_online) {
        nd.online = false;
    } else if (!in_cluster) {
        fence(ws, n, "peer is no longer part of the cluster", true);
    } else if (!crmd_online) {
        fence(ws, n, "peer process is no longer available", false);
    } else if (terminate) {
        fence(ws, n, "termination was requested", false);
    } else if (st.join == "member") {
    } else if (st.join == "pending" || st.join == "down") {
        nd.standby = nd.pending = true;
    } else {
        fence(ws, n, "peer was in an unknown state", false);
    }
}

void unpack_node_states(working_set& ws, const cib::cib_model& cib) {
    for (const auto& st : cib.node_states) {
        node_ix n = find_node(ws, st.id, st.uname);
        if (n == none) continue;
        node& nd = ws.nodes[n];
        if (nd.kind != node_kind::member) {  // remote nodes: their connection decides
            nd.remote_was_fenced = std::atoi(st.node_fenced.c_str()) > 0;
            continue;
        }
        nd.unseen = false;
        nd.unclean = false;
        rule_context ctx = base_context(ws);
        ctx.node_attrs = &nd.attrs;
        unpack_nvsets(st.transient_attributes, ctx, nd.attrs, true);
        if (const auto* s = find(nd.attrs, "shutdown"); s && !s->empty() && *s != "0") nd.shutdown = true;
        member_online_status(ws, n, st);
        // Without quorum, no-quorum-policy=suicide fences every node still up
        if (!ws.options.have_quorum && ws.nodes[n].online && ws.options.no_quorum_policy == "suicide")
            fence(ws, n, "cluster does not have quorum", false);
    }
    for (node& nd : ws.nodes) {
        // Pacemaker reads these while unpacking a node's state entry: a cluster
        // node without one is merely offline, whatever its attributes say
        if (nd.unseen && nd.kind == node_kind::member) continue;
        if (const auto* v = find(nd.attrs, "standby"); v && truthy(*v)) nd.standby = true;
        if (const auto* v = find(nd.attrs, "maintenance"); v && truthy(*v)) nd.maintenance = true;
        // resource-discovery-enabled is ignored on cluster nodes; remote nodes
        // read it with their state (unpack_handle_remote_attrs)
    }
}

// pe_create_remote_xml: the ocf:pacemaker:remote primitive for a guest node
// named by `def`'s remote-node meta attribute (read raw, without rules, as
// expand_remote_rsc_meta does).
std::shared_ptr<const cib::resource> guest_connection_def(const cib::resource& def) {
    const std::string* name = nullptr;
    const std::string *server = nullptr, *port = nullptr, *migrate = nullptr, *managed = nullptr;
    std::string timeout = "60s";
    for (const auto& set : def.meta) {
        for (const auto& pair : set.pairs) {
            if (iequals(pair.name, "remote-node"))
                name = &pair.value;
            else if (iequals(pair.name, "remote-addr"))
                server = &pair.value;
            else if (iequals(pair.name, "remote-port"))
                port = &pair.value;
            else if (iequals(pair.name, "remote-connect-timeout"))
                timeout = pair.value;
            else if (iequals(pair.name, "remote-allow-migrate"))
                migrate = &pair.value;
            else if (iequals(pair.name, "is-managed"))
                managed = &pair.value;
        }
    }
    if (!name || name->empty()) return nullptr;
    auto conn = std::make_shared<cib::resource>();
    conn->id = *name;
    conn->rclass = "ocf";
    conn->provider = "pacemaker";
    conn->type = "remote";
    conn->line = def.line;
    cib::nvset meta;
    meta.id = *name + "-meta_attributes";
    meta.pairs.push_back({"", "internal_rsc", "true"});
    meta.pairs.push_back({"", "container", def.id});
    if (migrate) meta.pairs.push_back({"", "allow-migrate", *migrate});
    if (managed) meta.pairs.push_back({"", "is-managed", *managed});
    conn->meta.push_back(std::move(meta));
    if (server || port) {
        cib::nvset inst;
        inst.id = *name + "-instance_attributes";
        if (server) inst.pairs.push_back({"", "addr", *server});
        if (port) inst.pairs.push_back({"", "port", *port});
        conn->instance.push_back(std::move(inst));
    }
    cib::op_def monitor;
    monitor.id = *name + "-monitor-30s";
    monitor.name = "monitor";
    monitor.interval = monitor.timeout = "30s";
    conn->ops.push_back(std::move(monitor));
    cib::op_def start;
    start.id = *name + "-start-0";
    start.name = "start";
    start.interval = "0";
    start.timeout = timeout;
    conn->ops.push_back(std::move(start));
    return conn;
}

void add_guest_connection(working_set& ws, const cib::cib_model& cib, const cib::resource& def) {
    auto conn = guest_connection_def(def);
    if (!conn) return;
    for (const auto& other : cib.resources)
        if (other.id == conn->id) return;  // the name is taken (pe_find_resource)
    for (const auto& other : ws.implicit_defs)
        if (other->id == conn->id) return;
    ensure_node(ws, conn->id, node_kind::guest);
    ws.implicit_defs.push_back(std::move(conn));
}

// unpack_remote_nodes: remote nodes from ocf:pacemaker:remote primitives and
// guest nodes from primitives (top level or in a group) with remote-node
// meta, before resources are unpacked so that a clone's default clone-max
// counts them. Guest nodes imply a connection primitive, unpacked with the
// configured resources.
void declare_remote_nodes(working_set& ws, const cib::cib_model& cib) {
    auto visit = [&](const cib::resource& def) {
        if (def.kind != cib::resource_kind::primitive) return;
        if (def.rclass == "ocf" && def.provider == "pacemaker" && def.type == "remote") {
            ensure_node(ws, def.id, node_kind::remote);
            return;
        }
        add_guest_connection(ws, cib, def);
    };
    for (const auto& def : cib.resources) {
        if (def.kind == cib::resource_kind::group) {
            for (const auto& child : def.children) visit(child);
        } else {
            visit(def);
        }
    }
}

// setup_container: a primitive's container meta attribute names the
// resource it runs inside
void setup_containers(working_set& ws) {
    for (resource& res : ws.resources) {
        if (res.variant != rsc_variant::primitive) continue;
        const std::string* id = find(res.meta, "container");
        if (!id || *id == res.id) continue;
        auto it = ws.rsc_by_id.find(*id);
        if (it != ws.rsc_by_id.end()) res.container = it->second;
    }
}

// link_rsc2remotenode: a remote or guest node is provided by its connection
void link_remote_nodes(working_set& ws) {
    for (size_t i = 0; i < ws.resources.size(); ++i) {
        resource& res = ws.resources[i];
        if (!res.is_remote_connection || res.parent != none) continue;
        auto it = ws.node_by_id.find(res.id);
        if (it == ws.node_by_id.end()) continue;
        node& nd = ws.nodes[it->second];
        nd.remote_rsc = static_cast<rsc_ix>(i);
        if (res.container != none) {
            nd.kind = node_kind::guest;
            nd.attrs["#kind"] = "container";
            continue;
        }
        nd.kind = node_kind::remote;
        // handle_startup_fencing: unclean until its state is known
        if (ws.options.startup_fencing && ws.options.stonith_enabled) nd.unclean = true;
        nd.unseen = true;
    }
}

}  // namespace

working_set unpack(const cib::cib_model& cib, std::time_t now) {
    working_set ws;
    ws.cib = &cib;
    ws.now = now;
    unpack_options(ws, cib);
    unpack_nodes(ws, cib);
    declare_remote_nodes(ws, cib);
    unpack_resources(ws, cib);
    setup_containers(ws);
    link_remote_nodes(ws);
    unpack_node_states(ws, cib);
    for (const auto& t : cib.ticket_states) ws.tickets[t.id] = t.attributes;
    unpack_history(ws, cib);
    return ws;
}

}  // namespace holdfast::policy
