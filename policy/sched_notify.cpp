// Clone notifications (Pacemaker 2.1.5's pe_notif.c). A clone with
// notify=true brackets each phase (start, stop, promote, demote) with pseudo
// actions on the clone, and at graph time gives every instance "notify"
// actions whose notify_* meta tell the agent who is starting, stopping,
// active, ... The clone variant creates the pseudo actions when it creates
// its own actions and the instance notifications when it is expanded into
// the graph; fencing adds its own post-notifications for implied stops.
#include <algorithm>
#include <string>

#include "policy/sched.hpp"

namespace holdfast::policy::sched {

namespace {

std::string notify_key(const std::string& rsc_id, std::string_view type, std::string_view task) {
    return rsc_id + "_" + std::string(type) + "_notify_" + std::string(task) + "_0";
}

// A "pre"/"post" (task notify) or "confirmed-*" (task notified) pseudo action
// of r around `about`, optional as long as `about` is
action_ix new_notify_pseudo(sched& s, rsc_ix r, action_ix about, const char* task, const char* type) {
    const std::string about_task = s.actions[about].task;
    const bool optional = s.actions[about].flags & af_optional;
    action_ix a = s.custom_action(r, notify_key(s.ws.resources[r].id, type, about_task), task, none, optional, true);
    action& act = s.actions[a];
    act.flags |= af_pseudo;
    act.meta.emplace("notify_key_type", type);
    act.meta.emplace("notify_key_operation", about_task);
    return a;
}

void set_runnable(action& a, bool runnable) {
    if (runnable)
        a.flags |= af_runnable;
    else
        a.flags &= ~af_runnable;
}

// pe__clone_notif_pseudo_ops, without storing the result for the clone
int new_notify_data(sched& s, rsc_ix r, const std::string& task, action_ix action, action_ix complete) {
    if (!(s.rs[r].flags & rf_notify)) return -1;
    notify_data n;
    n.task = task;
    auto describe = [&](action_ix a, const char* type) {
        s.actions[a].meta.emplace("notify_type", type);
        s.actions[a].meta.emplace("notify_operation", task);
    };
    if (action >= 0) {
        n.pre = new_notify_pseudo(s, r, action, "notify", "pre");
        s.actions[n.pre].flags |= af_runnable;
        describe(n.pre, "pre");
        n.pre_done = new_notify_pseudo(s, r, action, "notified", "confirmed-pre");
        s.actions[n.pre_done].flags |= af_runnable;
        describe(n.pre_done, "pre");
        s.order_actions(n.pre, n.pre_done, of_optional);
        s.order_actions(n.pre_done, action, of_optional);
    }
    if (complete >= 0) {
        const bool runnable = s.actions[complete].flags & af_runnable;
        n.post = new_notify_pseudo(s, r, complete, "notify", "post");
        s.actions[n.post].priority = score_infinity;
        set_runnable(s.actions[n.post], runnable);
        describe(n.post, "post");
        n.post_done = new_notify_pseudo(s, r, complete, "notified", "confirmed-post");
        s.actions[n.post_done].priority = score_infinity;
        set_runnable(s.actions[n.post_done], runnable);
        describe(n.post_done, "post");
        s.order_actions(complete, n.post, of_implies_then);
        s.order_actions(n.post, n.post_done, of_implies_then);
    }
    if (action >= 0 && complete >= 0) s.order_actions(n.pre_done, n.post, of_optional);
    s.notifications.push_back(std::move(n));
    return static_cast<int>(s.notifications.size()) - 1;
}

// collect_resource_data: what each instance is now and, with `activity`, which
// of its required actions will start/stop/promote/demote it where
void collect_resource_data(const sched& s, rsc_ix r, bool activity, notify_data& n) {
    if (n.allowed_from == none) n.allowed_from = r;
    const resource& res = s.ws.resources[r];
    if (!res.children.empty()) {
        for (rsc_ix c : res.children) collect_resource_data(s, c, activity, n);
        return;
    }
    const notify_entry entry{r, res.running_on.empty() ? none : res.running_on.front()};
    switch (s.rs[r].role_now) {
        case role::stopped: n.inactive.push_back(entry); break;
        case role::started: n.active.push_back(entry); break;
        case role::unpromoted:
            n.unpromoted.push_back(entry);
            n.active.push_back(entry);
            break;
        case role::promoted:
            n.promoted.push_back(entry);
            n.active.push_back(entry);
            break;
        default: break;
    }
    if (!activity) return;
    for (action_ix ai : s.rs[r].actions) {
        const action& a = s.actions[ai];
        if ((a.flags & af_optional) || a.node == none) continue;
        // a stop on a node to be fenced is listed even when it cannot run
        if (!(a.task == "stop" && s.ws.nodes[a.node].unclean) && !(a.flags & af_runnable)) continue;
        const notify_entry here{r, a.node};
        if (a.task == "start")
            n.start.push_back(here);
        else if (a.task == "stop")
            n.stop.push_back(here);
        else if (a.task == "promote")
            n.promote.push_back(here);
        else if (a.task == "demote")
            n.demote.push_back(here);
    }
}

// compare_notify_entries: by instance id, then node id; missing ones last
int compare_entries(const sched& s, const notify_entry& a, const notify_entry& b) {
    if (a.rsc == none || b.rsc == none) return (a.rsc == none) - (b.rsc == none);
    int c = s.ws.resources[a.rsc].id.compare(s.ws.resources[b.rsc].id);
    if (c != 0) return c;
    if (a.node == none || b.node == none) return (a.node == none) - (b.node == none);
    return s.ws.nodes[a.node].id.compare(s.ws.nodes[b.node].id);
}

void add_word(std::string& list, const std::string& word) {
    if (word.empty()) return;
    if (!list.empty()) list += ' ';
    list += word;
}

// notify_entries_to_strings: sorted, one word per instance; " " for none
void entries_to_strings(const sched& s, std::vector<notify_entry>& list, std::string& rsc_names,
                        std::string* node_names) {
    std::stable_sort(list.begin(), list.end(),
                     [&](const notify_entry& a, const notify_entry& b) { return compare_entries(s, a, b) < 0; });
    rsc_names.clear();
    if (node_names) node_names->clear();
    const std::string* last = nullptr;
    for (const auto& e : list) {
        if (e.rsc == none || (node_names && e.node == none)) continue;
        const std::string& id = s.ws.resources[e.rsc].id;
        if (last && *last == id) continue;
        last = &id;
        add_word(rsc_names, id);
        if (node_names) add_word(*node_names, s.ws.nodes[e.node].uname);
    }
    if (rsc_names.empty()) rsc_names = " ";
    if (node_names && node_names->empty()) *node_names = " ";
}

// get_node_names: names of `nodes`, and (hosts) of the host running each guest node
void node_names(const sched& s, const std::vector<node_ix>& nodes, std::string& all, std::string* hosts) {
    all.clear();
    if (hosts) hosts->clear();
    for (node_ix n : nodes) {
        const node& nd = s.ws.nodes[n];
        if (nd.uname.empty()) continue;
        add_word(all, nd.uname);
        if (!hosts) continue;
        node_ix host = n;
        if (nd.kind == node_kind::guest && nd.remote_rsc != none) {
            const rsc_ix container = s.ws.resources[nd.remote_rsc].container;
            if (container != none && !s.ws.resources[container].running_on.empty())
                host = s.ws.resources[container].running_on.front();
        }
        add_word(*hosts, s.ws.nodes[host].uname);
    }
    if (all.empty()) all = " ";
    if (hosts && hosts->empty()) *hosts = " ";
}

// One phase's lists as notify_<what>_resource / notify_<what>_uname; true if any
bool add_list_keys(const sched& s, notify_data& n, std::vector<notify_entry>& list, const char* what) {
    std::string rscs, unames;
    entries_to_strings(s, list, rscs, &unames);
    n.keys.emplace_back(std::string("notify_") + what + "_resource", rscs);
    n.keys.emplace_back(std::string("notify_") + what + "_uname", unames);
    return rscs != " ";
}

// add_notif_keys: the notify_* name/value pairs; makes the pseudo actions
// required when some instance really does the notified task
void add_notif_keys(sched& s, rsc_ix r, notify_data& n) {
    bool required = add_list_keys(s, n, n.stop, "stop") && n.task == "stop";
    required = (!n.start.empty() && n.task == "start") || required;
    add_list_keys(s, n, n.start, "start");
    required = (!n.demote.empty() && n.task == "demote") || required;
    add_list_keys(s, n, n.demote, "demote");
    required = (!n.promote.empty() && n.task == "promote") || required;
    add_list_keys(s, n, n.promote, "promote");
    add_list_keys(s, n, n.active, "active");
    add_list_keys(s, n, n.unpromoted, "unpromoted");
    n.keys.emplace_back("notify_slave_resource", n.keys[n.keys.size() - 2].second);  // the pre-2.0 names
    n.keys.emplace_back("notify_slave_uname", n.keys[n.keys.size() - 2].second);
    add_list_keys(s, n, n.promoted, "promoted");
    n.keys.emplace_back("notify_master_resource", n.keys[n.keys.size() - 2].second);
    n.keys.emplace_back("notify_master_uname", n.keys[n.keys.size() - 2].second);
    std::string inactive;
    entries_to_strings(s, n.inactive, inactive, nullptr);
    n.keys.emplace_back("notify_inactive_resource", inactive);

    std::vector<node_ix> available;
    for (node_ix nd = 0; nd < static_cast<node_ix>(s.ws.nodes.size()); ++nd)
        if (s.rs[n.allowed_from].allowed[nd] != not_allowed) available.push_back(nd);
    std::stable_sort(available.begin(), available.end(), [&](node_ix a, node_ix b) {
        return numeric_strcasecmp(s.ws.nodes[a].uname, s.ws.nodes[b].uname) < 0;
    });
    std::string names, hosts;
    node_names(s, available, names, nullptr);
    n.keys.emplace_back("notify_available_uname", names);
    auto target = s.ws.resources[r].meta.find("container-attribute-target");
    const bool by_host = target != s.ws.resources[r].meta.end() && target->second == "host";
    node_names(s, s.nodes, names, by_host ? &hosts : nullptr);
    if (by_host) n.keys.emplace_back("notify_all_hosts", hosts);
    n.keys.emplace_back("notify_all_uname", names);

    if (required && n.pre >= 0) {
        s.actions[n.pre].flags &= ~af_optional;
        s.actions[n.pre_done].flags &= ~af_optional;
    }
    if (required && n.post >= 0) {
        s.actions[n.post].flags &= ~af_optional;
        s.actions[n.post_done].flags &= ~af_optional;
    }
}

// add_notify_data_to_action_meta: values already there stay
void add_keys_to_meta(const notify_data& n, action& a) {
    for (auto it = n.keys.rbegin(); it != n.keys.rend(); ++it) a.meta.emplace(it->first, it->second);
}

// new_notify_action: r's notification on node for the pseudo action `op`
// (pre or post), ordered between it and `done`
action_ix new_notify_action(sched& s, rsc_ix r, node_ix node, action_ix op, action_ix done, const notify_data& n) {
    if (op < 0 || done < 0 || !s.ws.nodes[node].online || !(s.actions[op].flags & af_runnable)) return -1;
    const auto& op_meta = s.actions[op].meta;
    auto type = op_meta.find("notify_type"), task = op_meta.find("notify_operation");
    const std::string key = notify_key(s.ws.resources[r].id, type == op_meta.end() ? "" : type->second,
                                       task == op_meta.end() ? "" : task->second);
    action_ix a = s.custom_action(r, key, s.actions[op].task, node, s.actions[op].flags & af_optional, true);
    // the action's own meta (its timeout, say) wins over the pseudo action's
    for (const auto& [k, v] : std::map<std::string, std::string>(s.actions[op].meta)) s.actions[a].meta.emplace(k, v);
    add_keys_to_meta(n, s.actions[a]);
    s.order_actions(op, a, of_optional);
    s.order_actions(a, done, of_optional);
    return a;
}

void new_post_notify_action(sched& s, rsc_ix r, node_ix node, const notify_data& n) {
    action_ix a = new_notify_action(s, r, node, n.post, n.post_done, n);
    if (a >= 0) s.actions[a].priority = score_infinity;
    if (n.post_done < 0) return;
    // recurring monitors wait for every post-notification
    for (action_ix mon : std::vector<action_ix>(s.rs[r].actions)) {
        const action& m = s.actions[mon];
        auto interval = m.meta.find("interval");
        if (interval == m.meta.end() || interval->second == "0" || m.task == "cancel") continue;
        s.order_actions(n.post_done, mon, of_optional);
    }
}

// find_remote_start: the start of the connection an action's node sits behind
action_ix remote_start(const sched& s, action_ix a) {
    if (a < 0 || s.actions[a].node == none) return -1;
    const rsc_ix conn = s.ws.nodes[s.actions[a].node].remote_rsc;
    return conn == none ? -1 : newest_action(s, conn, "start", none);
}

// Notifications for instances leaving (stop, demote): where they run now
void notify_leaving(sched& s, rsc_ix r, const notify_data& n) {
    const action_ix stop = newest_action(s, r, "stop", none);
    for (node_ix on : std::vector<node_ix>(s.ws.resources[r].running_on)) {
        // a stop implied by fencing: the node is gone, nothing to tell it
        const policy::node& nd = s.ws.nodes[on];
        if (stop >= 0 && (s.actions[stop].flags & af_pseudo) && (nd.unclean || nd.remote_requires_reset)) continue;
        new_notify_action(s, r, on, n.pre, n.pre_done, n);
        if (n.task == "demote" || stop < 0 || (s.actions[stop].flags & af_optional))
            new_post_notify_action(s, r, on, n);
    }
}

// Notifications for instances arriving (start, promote): where they go
void notify_arriving(sched& s, rsc_ix r, const notify_data& n) {
    const action_ix start = newest_action(s, r, "start", none);
    if (start >= 0) {
        // behind a remote connection that cannot start: nothing happens there
        const action_ix conn_start = remote_start(s, start);
        if (conn_start >= 0 && !(s.actions[conn_start].flags & af_runnable)) return;
    }
    const node_ix to = s.rs[r].allocated_to;
    if (to == none) return;
    if (n.task != "start" || start < 0 || (s.actions[start].flags & af_optional))
        new_notify_action(s, r, to, n.pre, n.pre_done, n);
    new_post_notify_action(s, r, to, n);
}

// create_notify_actions: notify meta on the instances' real actions, and the
// instances' notify actions
void create_notify_actions(sched& s, rsc_ix r, const notify_data& n) {
    const resource& res = s.ws.resources[r];
    if (!res.children.empty()) {
        for (rsc_ix c : std::vector<rsc_ix>(res.children)) create_notify_actions(s, c, n);
        return;
    }
    for (action_ix ai : std::vector<action_ix>(s.rs[r].actions)) {
        action& a = s.actions[ai];
        if ((a.flags & af_optional) || a.node == none) continue;
        if (a.task == "start" || a.task == "stop" || a.task == "promote" || a.task == "demote") add_keys_to_meta(n, a);
    }
    // nothing to tell if no instance does the task (a stop may be implied by fencing)
    if ((n.task == "start" && n.start.empty()) || (n.task == "promote" && n.promote.empty()) ||
        (n.task == "demote" && n.demote.empty()))
        return;
    if (s.rs[r].role_now != role::stopped && (n.task == "stop" || n.task == "demote")) notify_leaving(s, r, n);
    if (s.rs[r].next_role != role::stopped && (n.task == "start" || n.task == "promote")) notify_arriving(s, r, n);
}

}  // namespace

int clone_notifications(sched& s, rsc_ix clone, const std::string& task, action_ix action, action_ix complete) {
    if (int existing = clone_notify_index(s, clone, task); existing >= 0) return existing;
    int n = new_notify_data(s, clone, task, action, complete);
    if (n >= 0) s.clone_notify[{clone, task}] = n;
    return n;
}

int clone_notify_index(const sched& s, rsc_ix clone, const std::string& task) {
    auto it = s.clone_notify.find({clone, task});
    return it == s.clone_notify.end() ? -1 : it->second;
}

void order_promotable_notifications(sched& s, rsc_ix clone) {
    const int start = clone_notify_index(s, clone, "start"), stop = clone_notify_index(s, clone, "stop");
    const int promote = clone_notify_index(s, clone, "promote"), demote = clone_notify_index(s, clone, "demote");
    if (promote < 0 || demote < 0 || start < 0 || stop < 0) return;
    auto order = [&](int first, int then) {
        s.order_actions(s.notifications[first].post_done, s.notifications[then].pre, of_optional);
    };
    order(stop, promote);
    order(start, promote);
    order(demote, promote);
    order(demote, start);
    order(demote, stop);
}

void create_clone_notifications(sched& s, rsc_ix clone) {
    for (const char* task : {"start", "stop", "promote", "demote"}) {
        const int ni = clone_notify_index(s, clone, task);
        if (ni < 0) continue;
        collect_resource_data(s, clone, true, s.notifications[ni]);
        add_notif_keys(s, clone, s.notifications[ni]);
        create_notify_actions(s, clone, s.notifications[ni]);
    }
    for (const char* task : {"start", "stop", "promote", "demote"}) s.clone_notify.erase({clone, task});
}

void order_notifs_after_fencing(sched& s, action_ix stop, rsc_ix r, action_ix stonith) {
    const int ni = new_notify_data(s, r, "stop", -1, stonith);
    if (ni < 0) return;
    notify_data& n = s.notifications[ni];
    collect_resource_data(s, r, false, n);
    n.keys.emplace_back("notify_stop_resource", s.ws.resources[r].id);
    n.keys.emplace_back("notify_stop_uname", s.ws.nodes[s.actions[stop].node].uname);
    create_notify_actions(s, uber_parent(s, r), n);
    s.notifications.pop_back();
}

std::string notified_task(const action& a) {
    if (!iequals(a.task, "notify") && !iequals(a.task, "notified")) return a.task;
    // "<rsc>_<type>_notify_<task>_<interval>": the word before the interval
    const auto last = a.uuid.rfind('_');
    if (last == std::string::npos || last == 0) return "";
    const auto before = a.uuid.rfind('_', last - 1);
    if (before == std::string::npos) return "";
    return a.uuid.substr(before + 1, last - before - 1);
}

}  // namespace holdfast::policy::sched
