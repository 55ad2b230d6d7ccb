// Transition graph creation (Pacemaker's pcmk_graph_producer.c): which
// actions and inputs go into the graph, in which synapse order, and what each
// graph action carries.
#include <algorithm>
#include <string>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// pcmk__deduplicate_action_inputs: inputs sorted by action id (stably, from
// Pacemaker's newest-first list), duplicates merged into the first.
void dedup_inputs(sched& s, action_ix a) {
    auto& before = s.actions[a].before;
    std::reverse(before.begin(), before.end());
    std::stable_sort(before.begin(), before.end(), [&](const action_link& x, const action_link& y) {
        return s.actions[x.other].id < s.actions[y.other].id;
    });
    std::vector<action_link> out;
    for (const auto& link : before) {
        if (!out.empty() && s.actions[out.back().other].id == s.actions[link.other].id) {
            out.back().type |= link.type;
            if (link.dumped) out.back().dumped = true;
        } else {
            out.push_back(link);
            out.back().dumped = false;
        }
    }
    before = std::move(out);
}

bool should_add_action(const sched& s, action_ix ai) {
    const action& a = s.actions[ai];
    if (!(a.flags & af_runnable)) return false;
    if ((a.flags & af_optional) && !(a.flags & af_print_always)) return false;
    if (a.rsc != none && !(s.rs[a.rsc].flags & rf_managed) && a.task != "monitor") {
        auto it = a.meta.find("interval");
        if (it == a.meta.end() || it->second == "0") return false;
    }
    if ((a.flags & af_pseudo) || a.task == "stonith" || a.task == "do_shutdown") return true;
    if (a.node == none) return false;
    const node& n = s.ws.nodes[a.node];
    if (a.flags & af_dc) return true;
    if (n.kind == node_kind::guest && !n.remote_requires_reset) return true;
    if (!n.online) return false;
    if (n.unclean) return false;
    return true;
}

bool can_change_actions(uint32_t type) {
    return (type & ~(of_implies_first_printed | of_implies_then_printed | of_optional)) != 0;
}

bool should_add_input(sched& s, action_ix ai, action_link& in) {
    if (in.dumped) return true;
    const action& a = s.actions[ai];
    const action& input = s.actions[in.other];
    if (in.type == of_none) return false;
    if (!(input.flags & af_runnable) && !can_change_actions(in.type)) return false;
    if (!(input.flags & af_runnable) && (in.type & of_one_or_more)) return false;
    if ((in.type & of_implies_first_migratable) && !(input.flags & af_runnable)) return false;
    if ((in.type & of_apply_first_non_migratable) && (input.flags & af_migrate_runnable)) return false;
    if (in.type == of_optional && (input.flags & af_migrate_runnable) && ends_with(input.uuid, "_stop_0")) return false;
    if (in.type == of_load) {
        if (a.rsc != none && a.task == "migrate_to") {
            node_ix allocated = s.rs[a.rsc].allocated_to;
            if (input.node == none || allocated == none || input.node != allocated) {
                in.type = of_none;
                return false;
            }
        } else if (input.node == none || a.node == none || input.node != a.node) {
            in.type = of_none;
            return false;
        } else if (input.flags & af_optional) {
            in.type = of_none;
            return false;
        }
    } else if (in.type == of_anti_colocation) {
        if (input.node != none && a.node != none && input.node != a.node) {
            in.type = of_none;
            return false;
        }
        if (input.flags & af_optional) {
            in.type = of_none;
            return false;
        }
    } else if (input.rsc != none && input.rsc != a.rsc && (s.rs[input.rsc].flags & rf_failed) &&
               !(s.rs[input.rsc].flags & rf_managed) && ends_with(input.uuid, "_stop_0") && a.rsc != none &&
               s.ws.resources[a.rsc].variant == rsc_variant::clone) {
        return false;
    } else if ((input.flags & af_optional) && !(input.flags & (af_print_always | af_dumped)) &&
               !should_add_action(s, in.other)) {
        return false;
    }
    return true;
}

node_ix connection_host(const sched& s, const action& a) {
    if (a.task == "stonith" || a.node == none) return none;
    const node& n = s.ws.nodes[a.node];
    if (n.kind == node_kind::member || n.remote_rsc == none) return none;
    const resource& conn = s.ws.resources[n.remote_rsc];
    node_ix began = conn.running_on.empty() ? none : conn.running_on.front();
    node_ix ended = s.rs[n.remote_rsc].allocated_to;
    bool partial = conn.container == none && conn.partial_migration_target != none;
    if (began == none) return ended;
    if (ended == none || began == ended) return began;
    std::string task = a.task;
    if (task == "notify") {
        auto it = a.meta.find("notify_operation");
        if (it != a.meta.end()) task = it->second;
    }
    if ((task == "cancel" || task == "stop" || task == "demote" || task == "migrate_from" || task == "migrate_to") &&
        !partial)
        return began;
    return ended;
}

std::string meta_name(const std::string& key) {
    std::string out = "CRM_meta_" + key;
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

void add_meta_fields(const std::map<std::string, std::string>& from, std::map<std::string, std::string>& to) {
    for (const auto& [k, v] : from) {
        if (k.find('#') != std::string::npos || k.find(':') != std::string::npos) continue;
        to[meta_name(k)] = v;
    }
}

// pcmk__primitive_add_graph_meta plus the variant methods of the ancestors
void add_rsc_graph_meta(sched& s, rsc_ix r, std::map<std::string, std::string>& attrs) {
    for (rsc_ix p = r; p != none; p = s.ws.resources[p].parent) {
        const resource& res = s.ws.resources[p];
        if (res.variant == rsc_variant::primitive) {
            // the instance number, which members of a cloned group inherit
            for (rsc_ix inst = p; inst != none && s.ws.resources[inst].parent != none;
                 inst = s.ws.resources[inst].parent) {
                const std::string& id = s.ws.resources[inst].id;
                auto colon = id.rfind(':');
                if (s.ws.resources[s.ws.resources[inst].parent].variant != rsc_variant::clone) continue;
                if (colon != std::string::npos) attrs[meta_name("clone")] = id.substr(colon + 1);
                break;
            }
            if (auto it = res.meta.find("clone"); it != res.meta.end()) attrs[meta_name("clone")] = it->second;
            if (auto it = res.meta.find("remote-node"); it != res.meta.end())
                attrs[meta_name("remote-node")] = it->second;
            for (rsc_ix c = p; c != none; c = s.ws.resources[c].parent) {
                if (s.ws.resources[c].container != none)
                    attrs["CRM_meta_container"] = s.ws.resources[s.ws.resources[c].container].id;
            }
        } else if (res.variant == rsc_variant::clone) {
            std::map<std::string, std::string> meta;
            clone_add_graph_meta(s, p, meta);
            for (const auto& [k, v] : meta) attrs[meta_name(k)] = v;
        }
    }
}

// pcmk__add_bundle_meta_to_xml: actions on a guest node say which host runs its container
void add_guest_host_meta(const sched& s, const action& a, std::map<std::string, std::string>& attrs) {
    if (a.node == none) return;
    const node& n = s.ws.nodes[a.node];
    if (n.kind != node_kind::guest || n.remote_rsc == none) return;
    const rsc_ix container = s.ws.resources[n.remote_rsc].container;
    if (container == none) return;
    std::string task = a.task;
    if (task == "notify" || task == "notified") {
        auto it = a.meta.find("notify_operation");
        task = it == a.meta.end() ? "" : it->second;
    }
    node_ix host = none;
    if (task == "stop" || task == "stopped" || task == "demote" || task == "demoted") {
        const auto& on = s.ws.resources[container].running_on;
        host = on.empty() ? none : on.front();
    } else if (task == "start" || task == "running" || task == "monitor" || task == "promote" || task == "promoted") {
        host = s.rs[container].allocated_to;
    }
    if (host == none) return;
    const auto& meta = s.ws.resources[a.rsc].meta;
    if (auto it = meta.find("container-attribute-target"); it != meta.end())
        attrs["CRM_meta_container_attribute_target"] = it->second;
    attrs["CRM_meta_physical_host"] = s.ws.nodes[host].uname;
}

void add_attributes(sched& s, action_ix ai, graph_action& g) {
    action& a = s.actions[ai];
    auto& attrs = g.attributes;
    for (const auto& [k, v] : a.extra) attrs[k] = v;
    if (a.rsc != none && (a.node != none || s.ws.resources[a.rsc].variant == rsc_variant::primitive)) {
        for (const auto& [k, v] : rsc_params(s, a.rsc, a.node)) attrs[k] = v;
    }
    add_meta_fields(a.meta, attrs);
    if (a.rsc != none) {
        add_rsc_graph_meta(s, a.rsc, attrs);
        add_guest_host_meta(s, a, attrs);
    } else if (a.task == "stonith" && a.node != none) {
        add_meta_fields(s.ws.nodes[a.node].attrs, attrs);
    }
}

void add_downed(const sched& s, const action& a, graph_action& g) {
    if (a.task == "do_shutdown") {
        g.downed.push_back(s.ws.nodes[a.node].id);
    } else if (a.task == "stonith") {
        auto it = a.meta.find("stonith_action");
        std::string what = it == a.meta.end() ? "" : it->second;
        if (what == "reboot" || what == "off") {
            g.downed.push_back(s.ws.nodes[a.node].id);
            for (node_ix ni : s.nodes) {
                const node& n = s.ws.nodes[ni];
                if (n.kind != node_kind::guest || n.remote_rsc == none) continue;
                rsc_ix container = s.ws.resources[n.remote_rsc].container;
                if (container == none) continue;
                const auto& on = s.ws.resources[container].running_on;
                if (std::find(on.begin(), on.end(), a.node) != on.end()) g.downed.push_back(n.id);
            }
        }
    } else if (a.rsc != none && s.ws.resources[a.rsc].is_remote_connection && a.task == "stop") {
        for (const auto& link : a.before) {
            const action& in = s.actions[link.other];
            if (in.rsc == a.rsc && in.task == "migrate_from") return;
        }
        g.downed.push_back(s.ws.resources[a.rsc].id);
    }
}

// The graph entry for an action, created with only what a trigger needs
int graph_entry(sched& s, action_ix ai) {
    if (s.graph_index.size() < s.actions.size()) s.graph_index.resize(s.actions.size(), -1);
    if (s.graph_index[ai] >= 0) return s.graph_index[ai];
    action& a = s.actions[ai];
    graph_action g;
    g.id = a.id;
    g.task = a.task;
    g.operation_key = a.uuid;
    if (a.rsc != none && !s.ws.resources[a.rsc].clone_name.empty()) {
        // clone_op_key: the key under the history's name for the instance
        const std::string& name = s.ws.resources[a.rsc].clone_name;
        auto type = a.meta.find("notify_type");
        auto op = a.meta.find("notify_operation");
        if (a.task == "notify" && type != a.meta.end() && op != a.meta.end())
            g.operation_key = name + "_" + type->second + "_notify_" + op->second + "_0";
        else if (!a.cancel_task.empty())
            g.operation_key = op_key(name, a.cancel_task, a.interval_ms);
        else
            g.operation_key = op_key(name, a.task, a.interval_ms);
        g.internal_operation_key = a.uuid;
    }
    g.interval_ms = a.interval_ms;
    bool needs_node = true;
    if (a.task == "stonith")
        g.kind = (a.flags & af_pseudo) ? action_kind::pseudo : action_kind::crm_event;
    else if (a.task == "do_shutdown" || a.task == "clear_failcount" || a.task == "lrm_delete")
        g.kind = action_kind::crm_event;
    else if (a.flags & af_pseudo) {
        g.kind = action_kind::pseudo;
        needs_node = false;
    } else
        g.kind = action_kind::rsc_op;
    if (needs_node && a.node != none) {
        g.node_uname = s.ws.nodes[a.node].uname;
        g.node_id = s.ws.nodes[a.node].id;
        if (node_ix router = connection_host(s, a); router != none) g.router_node = s.ws.nodes[router].uname;
        a.meta["on_node"] = g.node_uname;
        a.meta["on_node_uuid"] = g.node_id;
    }
    s.graph_index[ai] = static_cast<int>(s.graph.actions.size());
    s.graph.actions.push_back(std::move(g));
    return s.graph_index[ai];
}

void add_resource_details(sched& s, const action& a, graph_action& g) {
    const resource& res = s.ws.resources[a.rsc];
    if ((s.rs[a.rsc].flags & rf_orphan) && !res.clone_name.empty()) {
        // the numbered instance name, so the command reaches the right instance
        g.rsc_id = res.clone_name;
        g.rsc_long_id = res.id;
    } else if (!(s.rs[a.rsc].flags & rf_unique)) {
        g.rsc_id = res.base_id;
        g.rsc_long_id = (!res.clone_name.empty() && res.clone_name != res.base_id) ? res.clone_name : res.id;
    } else {
        g.rsc_id = res.id;
    }
    g.rsc_class = res.rclass;
    g.rsc_provider = res.provider;
    g.rsc_type = res.type;
}

void add_action_to_graph(sched& s, action_ix ai) {
    action& a = s.actions[ai];
    if (a.id < 0) return;
    if (!(a.flags & af_dedup)) {
        dedup_inputs(s, ai);
        s.actions[ai].flags |= af_dedup;
    }
    if ((s.actions[ai].flags & af_dumped) || !should_add_action(s, ai)) return;
    s.actions[ai].flags |= af_dumped;
    synapse syn;
    syn.id = static_cast<int>(s.graph.synapses.size());
    int prio = s.actions[ai].rsc != none ? s.ws.resources[s.actions[ai].rsc].priority : 0;
    syn.priority = std::max(prio, s.actions[ai].priority);
    int gi = graph_entry(s, ai);
    {
        const action& act = s.actions[ai];
        graph_action& g = s.graph.actions[gi];
        if (act.rsc != none && !(act.flags & af_pseudo)) add_resource_details(s, act, g);
    }
    add_attributes(s, ai, s.graph.actions[gi]);
    if (s.actions[ai].node != none && s.graph.actions[gi].kind != action_kind::pseudo)
        add_downed(s, s.actions[ai], s.graph.actions[gi]);
    else if (s.actions[ai].node != none && s.actions[ai].task == "stonith")
        add_downed(s, s.actions[ai], s.graph.actions[gi]);
    syn.action = gi;
    for (size_t i = 0; i < s.actions[ai].before.size(); ++i) {
        action_link link = s.actions[ai].before[i];
        bool add = should_add_input(s, ai, link);
        s.actions[ai].before[i] = link;
        if (!add) continue;
        s.actions[ai].before[i].dumped = true;
        syn.inputs.push_back(graph_entry(s, link.other));
    }
    s.graph.synapses.push_back(std::move(syn));
}

std::string option(const sched& s, const char* name, const std::string& fallback) {
    auto it = s.ws.options.raw.find(name);
    return it == s.ws.options.raw.end() ? fallback : it->second;
}

}  // namespace

void add_rsc_actions_to_graph(sched& s, rsc_ix r) {
    // Pacemaker keeps a resource's actions newest first
    const auto acts = s.rs[r].actions;
    for (auto it = acts.rbegin(); it != acts.rend(); ++it) add_action_to_graph(s, *it);
    for (rsc_ix c : s.ws.resources[r].children) add_actions_to_graph(s, c);
}

void add_actions_to_graph(sched& s, rsc_ix r) {
    switch (s.ws.resources[r].variant) {
        case rsc_variant::primitive:
        case rsc_variant::group: add_rsc_actions_to_graph(s, r); break;
        case rsc_variant::clone: clone_add_actions_to_graph(s, r); break;
        case rsc_variant::bundle: bundle_add_actions_to_graph(s, r); break;
    }
}

bool graph_has_loop(sched& s, action_ix init, action_ix a, action_link& input) {
    if (s.actions[input.other].flags & af_tracking) return false;
    if (!should_add_input(s, a, input)) return false;
    if (input.other == init) return true;
    const action_ix in = input.other;
    s.actions[in].flags |= af_tracking;
    bool loop = false;
    for (size_t i = s.actions[in].before.size(); i-- > 0;) {
        action_link link = s.actions[in].before[i];
        bool found = graph_has_loop(s, init, in, link);
        s.actions[in].before[i].type = link.type;
        if (found) {
            loop = true;
            break;
        }
    }
    s.actions[in].flags &= ~af_tracking;
    return loop;
}

void create_graph(sched& s) {
    auto& g = s.graph;
    g.cluster_delay = option(s, "cluster-delay", "60s");
    g.stonith_timeout = option(s, "stonith-timeout", "60s");
    g.failed_stop_offset = "INFINITY";
    g.failed_start_offset = s.ws.options.start_failure_is_fatal ? "INFINITY" : "1";
    g.batch_limit = static_cast<int>(std::strtol(option(s, "batch-limit", "0").c_str(), nullptr, 10));
    g.transition_id = 0;
    std::string limit = option(s, "migration-limit", "-1");
    if (std::strtoll(limit.c_str(), nullptr, 10) > 0) g.migration_limit = limit;
    s.graph_index.assign(s.actions.size(), -1);
    for (rsc_ix r : s.resources) add_actions_to_graph(s, r);
    for (action_ix a = static_cast<action_ix>(s.actions.size()); a-- > 0;) {
        const action& act = s.actions[a];
        if (act.id < 0) continue;
        add_action_to_graph(s, a);
    }
}

}  // namespace holdfast::policy::sched
