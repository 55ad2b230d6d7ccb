// The resource tree: primitives, groups, clones (with their instances) and
// the meta attributes that steer scheduling (lib/pengine/complex.c, clone.c).
#include <algorithm>
#include <cstdlib>

#include "policy/unpack_internal.hpp"

namespace holdfast::policy {
namespace {

using namespace unpack_detail;

int score_of(const std::string& v) { return char2score(v); }

rsc_ix add_resource(working_set& ws, resource r) {
    rsc_ix ix = static_cast<rsc_ix>(ws.resources.size());
    ws.rsc_by_id[r.id] = ix;
    ws.resources.push_back(std::move(r));
    if (ws.resources[ix].parent != none) ws.resources[ws.resources[ix].parent].children.push_back(ix);
    return ix;
}

// Meta attributes: the resource's own, then its parent's, then rsc_defaults
// (earlier sources win), as get_meta_attributes() layers them; instance
// attributes: its own, then its parent's.
void evaluate_meta(working_set& ws, const cib::resource* def, rsc_ix ix) {
    resource& r = ws.resources[ix];
    rule_context ctx = base_context(ws);
    if (def) {
        ctx.rsc = rule_context::resource_agent{def->rclass, def->provider, def->type};
        unpack_nvsets(def->meta, ctx, r.meta);
        unpack_nvsets(def->instance, ctx, r.params);
        attr_map util;
        unpack_nvsets(def->utilization, ctx, util);
        for (const auto& [k, v] : util) r.utilization[k] = utilization_value(v);
    }
    if (r.parent != none) {
        for (const auto& [k, v] : ws.resources[r.parent].meta) r.meta.emplace(k, v);
        // get_rsc_attributes: instance attributes are inherited the same way
        for (const auto& [k, v] : ws.resources[r.parent].params) r.params.emplace(k, v);
    }
    if (ws.cib) unpack_nvsets(ws.cib->rsc_defaults, ctx, r.meta);
}

void apply_meta(working_set& ws, rsc_ix ix) {
    resource& r = ws.resources[ix];
    const auto& m = r.meta;
    if (const auto* v = find(m, "is-managed")) r.managed = truthy(*v);
    if (const auto* v = find(m, "maintenance"); v && truthy(*v)) r.managed = false;
    if (ws.options.maintenance_mode) r.managed = false;
    if (const auto* v = find(m, "priority")) r.priority = score_of(*v);
    if (const auto* v = find(m, "resource-stickiness")) r.stickiness = score_of(*v);
    if (const auto* v = find(m, "migration-threshold")) r.migration_threshold = score_of(*v);
    if (const auto* v = find(m, "failure-timeout")) r.failure_timeout = seconds_of(*v);
    if (const auto* v = find(m, "allow-migrate"))
        r.allow_migrate = truthy(*v);
    else if (r.is_remote_connection && !find(m, "container"))
        r.allow_migrate = true;  // remote connections may move without stopping what runs there
    if (r.is_remote_connection && !find(m, "container")) {
        // reconnect_interval works as the failure timeout (complex.c)
        if (const auto* v = find(r.params, "reconnect_interval")) {
            r.remote_reconnect_ms = seconds_of(*v) * 1000;
            if (r.remote_reconnect_ms > 0) r.failure_timeout = r.remote_reconnect_ms / 1000;
        }
    }
    if (const auto* v = find(m, "critical")) r.critical = truthy(*v);
    if (const auto* v = find(m, "globally-unique")) r.unique = truthy(*v);
    if (const auto* v = find(m, "promotable")) r.promotable = r.promotable || truthy(*v);
}

rsc_ix build(working_set& ws, const cib::resource& def, rsc_ix parent, const std::string& suffix);

void clear_unique(working_set& ws, rsc_ix r) {
    ws.resources[r].unique = false;
    for (rsc_ix c : ws.resources[r].children) clear_unique(ws, c);
}

// Only OCF and fencing agents can tell instances apart (pe__force_anon)
bool def_has_non_ocf(const cib::resource& def) {
    if (def.kind == cib::resource_kind::primitive) return def.rclass != "ocf" && def.rclass != "stonith";
    for (const auto& child : def.children)
        if (def_has_non_ocf(child)) return true;
    return false;
}

void build_clone(working_set& ws, const cib::resource& def, rsc_ix ix) {
    resource& c = ws.resources[ix];
    c.variant = rsc_variant::clone;
    if (def.kind == cib::resource_kind::master) c.promotable = true;
    // Clones prefer to stay where they are unless told otherwise
    if (!c.meta.count("resource-stickiness")) {
        c.meta["resource-stickiness"] = "1";
        c.stickiness = 1;
    }
    apply_meta(ws, ix);
    int max = std::max(1, static_cast<int>(ws.nodes.size()));
    if (const auto* v = find(ws.resources[ix].meta, "clone-max")) max = std::max(0, std::atoi(v->c_str()));
    if (def.children.empty()) return;
    // A unique clone of agents that cannot tell instances apart is anonymous,
    // with at most one instance per node (pe__force_anon, while the first
    // instance is unpacked), and anonymous clones run one instance per node
    const bool forced_anonymous = c.unique && def_has_non_ocf(def.children.front());
    if (forced_anonymous) max = std::min(max, static_cast<int>(ws.nodes.size()));
    if (const auto* v = find(c.meta, "clone-node-max");
        v && (forced_anonymous || !c.unique) && std::atoi(v->c_str()) > 1)
        c.meta["clone-node-max"] = "1";
    if (find(c.meta, "clone-max")) c.meta["clone-max"] = std::to_string(max);
    // With no instances at all, one ":0" orphan still lets history match the clone
    for (int i = 0; i < std::max(max, 1); ++i) {
        rsc_ix child = build(ws, def.children.front(), ix, ":" + std::to_string(i));
        if (i >= max) mark_orphan(ws, child);
    }
    if (forced_anonymous) clear_unique(ws, ix);
}

rsc_ix build(working_set& ws, const cib::resource& def, rsc_ix parent, const std::string& suffix) {
    resource r;
    r.id = def.id + suffix;
    r.base_id = def.id;
    r.def = &def;
    r.parent = parent;
    r.rclass = def.rclass;
    r.provider = def.provider;
    r.type = def.type;
    rsc_ix ix = add_resource(ws, std::move(r));
    evaluate_meta(ws, &def, ix);
    switch (def.kind) {
        case cib::resource_kind::primitive:
            ws.resources[ix].variant = rsc_variant::primitive;
            ws.resources[ix].is_remote_connection =
                def.rclass == "ocf" && def.provider == "pacemaker" && def.type == "remote";
            apply_meta(ws, ix);
            break;
        case cib::resource_kind::group:
            ws.resources[ix].variant = rsc_variant::group;
            apply_meta(ws, ix);
            for (const auto& child : def.children) build(ws, child, ix, suffix);
            break;
        case cib::resource_kind::clone:
        case cib::resource_kind::master: build_clone(ws, def, ix); break;
        case cib::resource_kind::bundle:
            ws.resources[ix].variant = rsc_variant::bundle;
            apply_meta(ws, ix);
            break;
    }
    return ix;
}

}  // namespace

// get_target_role: a target-role above Started only means something for
// promotable clones, and there Promoted is what would happen anyway, so only
// Stopped and (in promotable clones) Unpromoted constrain the next role.
void apply_target_role(working_set& ws, rsc_ix ix) {
    resource& r = ws.resources[ix];
    for (rsc_ix c : r.children) apply_target_role(ws, c);
    const auto* v = find(r.meta, "target-role");
    if (!v) return;
    const role t = text_to_role(*v);
    if (t == role::unknown || t == role::started) return;
    rsc_ix top = ix;
    while (ws.resources[top].parent != none) top = ws.resources[top].parent;
    if (t > role::started && (!ws.resources[top].promotable || t > role::unpromoted)) return;
    r.target_role = r.next_role = t;
}

rsc_ix add_clone_instance(working_set& ws, rsc_ix clone) {
    const cib::resource* def = ws.resources[clone].def;
    if (!def || def->children.empty()) return none;
    const std::string suffix = ":" + std::to_string(ws.resources[clone].children.size());
    const rsc_ix inst = build(ws, def->children.front(), clone, suffix);
    if (inst != none) apply_target_role(ws, inst);
    return inst;
}

void mark_orphan(working_set& ws, rsc_ix r) {
    ws.resources[r].orphan = true;
    for (rsc_ix c : ws.resources[r].children) mark_orphan(ws, c);
}

void unpack_resources(working_set& ws, const cib::cib_model& cib) {
    for (const auto& def : cib.resources) ws.top_level.push_back(build(ws, def, none, ""));
    for (const auto& def : ws.implicit_defs) ws.top_level.push_back(build(ws, *def, none, ""));
    for (rsc_ix r : ws.top_level) apply_target_role(ws, r);
    // Pacemaker keeps its resource list sorted by priority, highest first
    // (stable: configuration order among equals); orphans come later.
    std::stable_sort(ws.top_level.begin(), ws.top_level.end(),
                     [&](rsc_ix a, rsc_ix b) { return ws.resources[a].priority > ws.resources[b].priority; });
}

}  // namespace holdfast::policy
