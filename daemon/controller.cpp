// The coordinator's work (see controller.hpp).
#include "daemon/controller.hpp"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iterator>
#include <thread>

#include "cib/xml_text.hpp"
#include "daemon/fence_reaction.hpp"
#include "daemon/history_events.hpp"
#include "daemon/log.hpp"
#include "daemon/op_update.hpp"
#include "policy/iso8601.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"

namespace holdfast::daemon {

namespace {

// How long a plan waits for failure attributes and fencing records the
// controller submitted (await_record): they come back through Corosync within
// milliseconds; only a membership change can lose them, and then the next plan
// proceeds without them.
constexpr auto records_wait = std::chrono::seconds(2);

std::string random_uuid() {
    std::ifstream in("/proc/sys/kernel/random/uuid");
    std::string u;
    std::getline(in, u);
    return u.empty() ? "00000000-0000-0000-0000-000000000000" : u;
}

// An attribute of the one element in `xml` we wrote ourselves (plain values).
std::string attr_of(std::string_view xml, std::string_view name) {
    const std::string needle = " " + std::string(name) + "=\"";
    const size_t at = xml.find(needle);
    if (at == std::string_view::npos) return {};
    const size_t start = at + needle.size();
    const size_t end = xml.find('"', start);
    return end == std::string_view::npos ? std::string() : std::string(xml.substr(start, end - start));
}

const cib::node_state* state_of(const cib::cib_model& m, const std::string& id) {
    for (const auto& ns : m.node_states)
        if (ns.id == id) return &ns;
    return nullptr;
}

std::string transient_value(const cib::node_state* ns, const std::string& name);

// The node's "shutdown" request (epoch seconds), or "" when it runs on.
std::string shutdown_asked(const cib::node_state* ns) { return transient_value(ns, "shutdown"); }

std::string transient_value(const cib::node_state* ns, const std::string& name) {
    if (!ns) return {};
    for (const auto& set : ns->transient_attributes)
        for (const auto& p : set.pairs)
            if (p.name == name) return p.value;
    return {};
}

}  // namespace

bool is_stonith(const policy::graph_action& a) {
    return a.kind == policy::action_kind::crm_event && a.task == "stonith";
}

bool is_unfencing(const policy::graph_action& a) { return is_stonith(a) && a.meta("stonith_action") == "on"; }

namespace {

// The scheduler's priority-fencing-delay for this fencing, in seconds.
int priority_delay_s(const policy::graph_action& a) { return std::atoi(a.meta("priority_fencing_delay", "0").c_str()); }

}  // namespace

controller::controller(token, cluster& c, cib_service& cib)
    : cluster_(c), cib_(cib), uuid_(random_uuid()), started_(static_cast<int64_t>(std::time(nullptr))) {}
controller::~controller() = default;

expected<std::unique_ptr<controller>, std::string> controller::create(event_loop& loop, cluster& c, cib_service& cib) {
    auto ctl = std::make_unique<controller>(token{}, c, cib);
    // Changes come in bursts (a node's loss is several CIB changes, one
    // message of them): one plan once the loop has handled what is pending,
    // rather than after a fixed delay, which would add to every recovery.
    ctl->replan_ = std::make_unique<idle_batch>(loop, [raw = ctl.get()] { raw->plan(); });
    auto t = timer::create(loop, [raw = ctl.get()] { raw->expire_actions(); });
    if (!t) return unexpected(std::string("cannot create the action timer"));
    ctl->deadline_timer_ = std::move(*t);
    auto recheck = timer::create(loop, [raw = ctl.get()] { raw->replan_->poke(); });
    if (!recheck) return unexpected(std::string("cannot create the recheck timer"));
    ctl->recheck_timer_ = std::move(*recheck);
    // only while a plan still waits: a plan made when nothing does would
    // abort the transition running by then (a recovery after a fencing)
    auto awaited = timer::create(loop, [raw = ctl.get()] {
        if (raw->plan_deferred_ || !raw->awaited_.empty()) raw->replan_->poke();
    });
    if (!awaited) return unexpected(std::string("cannot create the awaited-record timer"));
    ctl->awaited_timer_ = std::move(*awaited);
    ctl->fencer_ = std::make_unique<fencer>(loop, cib, c.local_name());
    ctl->fencer_->on_recorded = [self = ctl.get()](const fencing_event& e) { self->record_history(event_of(e)); };
    return ctl;
}

void controller::submit(const cib::change& c) {
    if (auto r = cluster_.submit(c); !r)
        log_event(LOG_WARNING, "controller_change_not_sent",
                  {{"op", cib::to_string(c.op)}, {"error", r.error().to_string()}});
}

void controller::on_cluster_changed() {
    if (cluster_.settled()) share_fencings();
    if (!cluster_.is_dc() || !cluster_.settled()) {
        if (runner_ && !cluster_.is_dc()) {
            log_event(LOG_NOTICE, "transition_dropped", {{"transition", std::to_string(transition_id_)}});
            runner_.reset();
        }
        return;
    }
    reconcile();
    if (runner_) {
        // actions on nodes that left will never report
        const auto members = cluster_.members();
        const auto& g = runner_->graph();
        for (const auto& [id, index] : index_of_) {
            const auto& a = g.actions[index];
            // a fencing's node is its target, gone by design: the fencer answers for it
            if (is_stonith(a) && !is_unfencing(a)) continue;
            auto node = cluster_.id_of(a.node_uname);
            if (!a.node_uname.empty() && (!node || !std::binary_search(members.begin(), members.end(), *node)))
                complete_action(index, false);
        }
        confirm_recorded();
        check_finished();
    }
    replan_->poke();
}

// Results recorded while the cluster was not settled (a membership change's
// sync round) reached on_cib_changed when it could not act on them: the CIB
// has them, so the actions still in flight are confirmed from it now.
void controller::confirm_recorded() {
    if (!runner_) return;
    for (const auto& ns : cib_.document().model().node_states)
        for (const auto& r : ns.resources)
            for (const auto& op : r.ops) {
                const auto key = parse_transition_key(op.transition_key);
                const auto index = key ? own_action(*key) : std::nullopt;
                if (index && deadlines_.count(*index))
                    settle(*index, {op.rc_code, static_cast<ra::exec_status>(op.op_status), {}, {}});
            }
}

std::optional<controller::transition_key> controller::parse_transition_key(const std::string& text) {
    transition_key k;
    char uuid[64] = {0};
    if (std::sscanf(text.c_str(), "%d:%d:%d:%63s", &k.action_id, &k.transition, &k.target_rc, uuid) != 4)
        return std::nullopt;
    k.uuid = uuid;
    return k;
}

// The index of the action a transition key names, when it is one of the
// transition running now.
std::optional<size_t> controller::own_action(const transition_key& k) const {
    if (!runner_ || k.uuid != uuid_ || k.transition != transition_id_) return std::nullopt;
    auto it = index_of_.find(k.action_id);
    if (it == index_of_.end()) return std::nullopt;
    return it->second;
}

// The runner's complete(), and the action's outcome into the history the
// first time (a late or repeated report changes nothing there either).
bool controller::complete_action(size_t index, bool ok) {
    if (!runner_->complete(index, ok)) return false;
    if (auto e = action_event(transition_id_, runner_->graph().actions[index], ok)) record_history(std::move(*e));
    return true;
}

void controller::record_history(history_event e) {
    if (on_history) on_history(std::move(e));
}

// One of our actions reported by its operation record: done, and a failure counted.
void controller::settle(size_t index, const ra::op_result& r) {
    const auto& a = runner_->graph().actions[index];
    const bool ok = succeeded(a, r);
    deadlines_.erase(index);
    if (complete_action(index, ok) && !ok) note_failure(a, r);
}

// Corosync's view of the nodes, written where the scheduler reads it.
void controller::reconcile() {
    const auto& m = cib_.document().model();
    const auto members = cluster_.members();
    for (const auto& n : cluster_.nodes()) {
        const std::string id = std::to_string(n.nodeid);
        const bool known = std::any_of(m.nodes.begin(), m.nodes.end(), [&](const auto& d) { return d.id == id; });
        if (!known)
            submit(cib::change::update_configuration("<configuration><nodes><node id=\"" + id + "\" uname=\"" + n.name +
                                                     "\"/></nodes></configuration>"));
        const bool member = std::binary_search(members.begin(), members.end(), n.nodeid);
        const cib::node_state* ns = state_of(m, id);
        const char* in_ccm = member ? "true" : "false";
        const char* crmd = member ? "online" : "offline";
        const char* join = member ? "member" : "down";
        // a member keeps "down" once told to shut down; anyone else keeps what it had
        const std::string expected =
            member ? (ns && ns->expected == "down" && !shutdown_asked(ns).empty() ? "down" : "member")
                   : (ns ? ns->expected : "");
        if (!ns && !member) continue;  // never seen: nothing to say yet
        if (ns && ns->in_ccm == in_ccm && ns->crmd == crmd && ns->join == join && ns->expected == expected) continue;
        std::string x = "<node_state id=\"" + id + "\" uname=\"" + n.name + "\" in_ccm=\"" + in_ccm + "\" crmd=\"" +
                        crmd + "\" join=\"" + join + "\" crm-debug-origin=\"holdfast_membership\"";
        if (!expected.empty()) x += " expected=\"" + expected + "\"";
        submit(cib::change::update_node_state(x + "/>"));
    }
    const std::string quorum = cluster_.quorate() ? "1" : "0";
    if (m.have_quorum != quorum) submit(cib::change::set_cib_attribute("have-quorum", quorum));
    const std::string dc = std::to_string(cluster_.local_id());
    if (m.dc_uuid != dc) submit(cib::change::set_cib_attribute("dc-uuid", dc));
}

void controller::plan() {
    if (!cluster_.is_dc() || !cluster_.settled()) return;
    if (runner_) {
        replan_after_ = true;
        runner_->abort();
        check_finished();
        return;
    }
    if (awaiting_records()) return;  // their arrival re-plans
    replan_after_ = false;
    auto ws = policy::unpack(cib_.document().model(), std::time(nullptr));
    if (auto why = policy::unsupported_feature(ws)) {
        log_event(LOG_ERR, "plan_refused", {{"reason", *why}});
        return;
    }
    auto result = policy::schedule(ws);
    arm_recheck(ws, result.recheck_by);
    if (result.graph.synapses.empty()) return;
    result.graph.transition_id = ++transition_id_;
    index_of_.clear();
    for (size_t i = 0; i < result.graph.actions.size(); ++i) index_of_[result.graph.actions[i].id] = i;
    for (const auto& line : result.summary)
        log_event(LOG_NOTICE, "planned", {{"transition", std::to_string(transition_id_)}, {"action", line.text}});
    log_event(
        LOG_NOTICE, "transition_started",
        {{"transition", std::to_string(transition_id_)}, {"actions", std::to_string(result.graph.actions.size())}});
    record_history({0,
                    "transition",
                    {{"id", std::to_string(transition_id_)},
                     {"state", "started"},
                     {"actions", std::to_string(result.graph.actions.size())}}});
    runner_.emplace(std::move(result.graph), [this](size_t i, const policy::graph_action& a) { dispatch(i, a); });
    runner_->set_node_action_limit(node_action_limit(ws));
    runner_->start();
    check_finished();
}

// The cluster options below are read as the scheduler evaluated crm_config
// (rules and set order included), not from the raw pairs.
// node-action-limit: how many actions one node runs at once. Pacemaker's
// default (0) is twice the node's cores, which each node knows of itself;
// here twice the coordinator's, nodes of one cluster being mostly alike.
size_t controller::node_action_limit(const policy::working_set& ws) {
    if (auto it = ws.options.raw.find("node-action-limit"); it != ws.options.raw.end())
        if (const long long n = std::atoll(it->second.c_str()); n > 0) return static_cast<size_t>(n);
    return 2 * std::max(1u, std::thread::hardware_concurrency());
}

// As Pacemaker's controller: plan again at cluster-recheck-interval (15
// minutes unless set; 0 turns it off) and, sooner, when the scheduler said
// time alone changes its answer (a failure-timeout expiring).
void controller::arm_recheck(const policy::working_set& ws, std::time_t recheck_by) {
    const std::time_t now = ws.now;
    int64_t interval_s = 15 * 60;
    if (auto it = ws.options.raw.find("cluster-recheck-interval"); it != ws.options.raw.end())
        if (auto ms = policy::iso8601::parse_interval_ms(it->second)) interval_s = *ms / 1000;
    int64_t after = interval_s > 0 ? interval_s : -1;
    if (recheck_by > now && (after < 0 || recheck_by - now < after)) after = recheck_by - now;
    if (after < 0) return;
    (void)recheck_timer_->arm(std::chrono::seconds(after));
    log_event(LOG_INFO, "recheck_armed", {{"after_s", std::to_string(after)}});
}

void controller::dispatch(size_t index, const policy::graph_action& a) {
    log_event(LOG_INFO, "action_dispatched",
              {{"transition", std::to_string(transition_id_)}, {"action", a.operation_key}, {"node", a.node_uname}});
    // the node to fence is usually gone: it is the fencer's target, not where the action runs
    if (is_stonith(a)) return fence(index, a);
    auto node = cluster_.id_of(a.node_uname);
    const auto members = cluster_.members();
    if (!a.node_uname.empty() && (!node || !std::binary_search(members.begin(), members.end(), *node))) {
        complete_action(index, false);
        return;
    }
    if (a.kind == policy::action_kind::crm_event && a.task == "clear_failcount") {
        const std::string id = node ? std::to_string(*node) : std::string();
        const cib::node_state* ns = state_of(cib_.document().model(), id);
        for (const auto& set : ns ? ns->transient_attributes : std::vector<cib::nvset>{})
            for (const auto& p : set.pairs)
                if (p.name.rfind("fail-count-" + a.rsc_id + "#", 0) == 0 ||
                    p.name.rfind("last-failure-" + a.rsc_id + "#", 0) == 0)
                    submit(cib::change::delete_node_attribute(id, p.name, cib::attribute_lifetime::transient));
        complete_action(index, true);
        return;
    }
    if (a.kind == policy::action_kind::crm_event && a.task == "do_shutdown" && node) {
        // a node that leaves when told to is down as expected, not lost
        submit(cib::change::update_node_state("<node_state id=\"" + std::to_string(*node) + "\" uname=\"" +
                                              a.node_uname + "\" expected=\"down\"/>"));
    }
    send_action(index, a);
}

void controller::send_action(size_t index, const policy::graph_action& a) {
    cluster_.send(encode(exec_message{transition_id_, uuid_, a.node_uname, a}));
    const auto timeout = std::chrono::milliseconds(std::atoll(a.meta("timeout", "20000").c_str()));
    const auto delay = std::chrono::seconds(60);  // cluster-delay's default
    deadlines_[index] = std::chrono::steady_clock::now() + timeout + delay;
    if (!deadline_timer_->armed()) (void)deadline_timer_->arm(usec(1'000'000));
}

// Fencing runs here, on the coordinator. A fencing that fails fails the
// action; the next plan asks again (the fencer backs off).
void controller::fence(size_t index, const policy::graph_action& a) {
    const std::string target = a.node_uname;
    if (is_unfencing(a)) return unfence(index, a);
    if (target == cluster_.local_name()) return delegate_fencing(index, a);
    pending_fencing_[target].push_back(index);
    pending_since_.try_emplace(target, std::time(nullptr));
    const int transition = transition_id_;
    auto done = [this, index, transition](const fencing_event& e) {
        if (runner_ && transition == transition_id_) {
            complete_action(index, e.ok);
            check_finished();
        } else {
            replan_->poke();
        }
    };
    // the scheduler's priority-fencing-delay: the node that matters most is shot last
    fence_node(target, a.meta("stonith_action", "reboot"), std::move(done), priority_delay_s(a));
}

void controller::fence_node(const std::string& target, const std::string& action,
                            std::function<void(const fencing_event&)> done, int delay_s) {
    const auto id = node_id_of(target);
    const uint32_t nodeid = static_cast<uint32_t>(std::atoll(id.c_str()));
    auto finished = [this, done = std::move(done)](const fencing_event& e) {
        record_fencing(e);
        cluster_.send(encode(e));
        if (done) done(e);
    };
    fencer_->fence(target, nodeid, action, std::move(finished), delay_s);
}

// The coordinator does not fence itself (it would be gone before it could
// record the outcome): it asks another member, whose outcome comes back as a
// `fenced` message (on_fenced), success or failure. Without another member
// there is nobody to ask.
void controller::delegate_fencing(size_t index, const policy::graph_action& a) {
    std::string peer;
    for (auto id : cluster_.members())
        if (id != cluster_.local_id() && peer.empty()) peer = cluster_.name_of(id);
    if (peer.empty()) {
        log_event(LOG_WARNING, "fencing_self_refused", {{"target", a.node_uname}});
        complete_action(index, false);
        return;
    }
    pending_fencing_[a.node_uname].push_back(index);
    pending_since_.try_emplace(a.node_uname, std::time(nullptr));
    delegated_.insert(a.node_uname);
    log_event(LOG_NOTICE, "fencing_delegated", {{"target", a.node_uname}, {"to", peer}});
    cluster_.send(encode(exec_message{transition_id_, uuid_, peer, a}));
}

// Unfencing is carried out by the node itself (fencer::unfence): the
// coordinator unfences itself, and asks any other member; a node that is not
// a member cannot be unfenced. Success is recorded as Pacemaker's controller
// does, in node attributes the scheduler reads: #node-unfenced, and the
// device digests, so a changed device unfences the node again.
void controller::unfence(size_t index, const policy::graph_action& a) {
    const auto node = cluster_.id_of(a.node_uname);
    const auto members = cluster_.members();
    if (!node || !std::binary_search(members.begin(), members.end(), *node)) {
        complete_action(index, false);
        return;
    }
    if (a.node_uname != cluster_.local_name()) return send_action(index, a);
    const int transition = transition_id_;
    unfence_self(*node, [this, index, transition, a](bool ok) {
        if (ok) record_unfenced(a);
        if (runner_ && transition == transition_id_) {
            complete_action(index, ok);
            check_finished();
        }
    });
}

void controller::unfence_self(uint32_t nodeid, std::function<void(bool)> done) {
    // a node back in a quorate cluster has rejoined cleanly; alone, one that
    // was fenced stays fenced (fence_holdfast_scsi refuses to register again)
    fencer_->unfence(nodeid, cluster_.quorate(), [this, done = std::move(done)](const fencing_event& e) {
        cluster_.send(encode(e));  // into every node's history
        done(e.ok);
    });
}

void controller::record_unfenced(const policy::graph_action& a) {
    const std::string id = node_id_of(a.node_uname);
    if (id.empty()) return;
    const auto set = [&](const char* name, const std::string& value) {
        submit(cib::change::set_node_attribute(id, a.node_uname, name, value, cib::attribute_lifetime::transient));
    };
    set("#node-unfenced", std::to_string(std::time(nullptr)));
    set("#digests-all", a.meta("digests_all"));
    set("#digests-secure", a.meta("digests_secure"));
}

// The coordinator asks this node to unfence itself: done on the fencer's
// worker, answered with an ack once it is over.
void controller::on_unfence_request(const exec_message& m) {
    const auto id = cluster_.id_of(cluster_.local_name());
    unfence_self(id ? *id : 0, [this, m](bool ok) {
        cluster_.send(encode(ack_message{m.transition, m.dc_uuid, m.action.id, ok}));
    });
}

fencing_event controller::confirm_fenced(const std::string& target) {
    fencing_event e{
        target, "off", true, "operator", {}, cluster_.local_name(), static_cast<int64_t>(std::time(nullptr)), 0};
    log_event(LOG_WARNING, "fencing_confirmed_by_operator", {{"target", target}});
    fencer_->record(e);
    record_fencing(e);
    cluster_.send(encode(e));
    return e;
}

// Once a node is fenced it is down for sure: its node state says so and its
// resource history and transient attributes go (as Pacemaker's controller
// records a fencing), so the scheduler may recover what it ran. A node still
// in the membership is only marked expected down (see below).
void controller::record_fencing(const fencing_event& e) {
    if (!e.ok || e.action == "on") return;
    const std::string id = node_id_of(e.target);
    if (id.empty()) return;
    if (runner_ && pending_fencing_.count(e.target)) fenced_ids_.insert(id);
    await_record({id, "", "down"});
    const auto nodeid = cluster_.id_of(e.target);
    const auto members = cluster_.members();
    const bool back = nodeid && std::binary_search(members.begin(), members.end(), *nodeid);
    if (!back)
        submit(cib::change::update_node_state(
            "<node_state id=\"" + cib::xml_attr(id) + "\" uname=\"" + cib::xml_attr(e.target) +
            "\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"/>"));
    else
        // Corosync has not noticed yet (a fast agent beats the token timeout), or the node
        // rebooted and is back: expected down either way, so its loss, when noticed, is not
        // fenced again, and a node back already is pending until the membership says member
        submit(cib::change::update_node_state("<node_state id=\"" + cib::xml_attr(id) + "\" uname=\"" +
                                              cib::xml_attr(e.target) + "\" expected=\"down\"/>"));
    submit(cib::change::clear_node_history(id));
}

// The id of a node by name: from Corosync's node list, else the CIB's <nodes>.
std::string controller::node_id_of(const std::string& name) const {
    if (auto id = cluster_.id_of(name)) return std::to_string(*id);
    for (const auto& n : cib_.document().model().nodes)
        if (n.uname == name) return n.id;
    return {};
}

// A node that was out of the membership when a fencing of it was announced
// (frozen, cut off) is told again when it rejoins, by every member that
// knows: it may have been fenced on its LUNs only and still be running.
void controller::share_fencings() {
    auto members = cluster_.members();
    std::vector<uint32_t> joined;
    std::set_difference(members.begin(), members.end(), last_members_.begin(), last_members_.end(),
                        std::back_inserter(joined));
    last_members_ = std::move(members);
    for (uint32_t id : joined) {
        if (id == cluster_.local_id()) continue;
        const auto name = cluster_.name_of(id);
        if (name.empty()) continue;
        if (auto e = last_fencing_of(fencer_->history(), name)) cluster_.send(encode(*e));
    }
}

// A fencing carried out elsewhere (or confirmed by hand): into the history,
// and the coordinator's stonith actions for that target are done.
void controller::on_fenced(const fencing_event& e) {
    if (e.origin != cluster_.local_name()) fencer_->record(e);
    if (fenced_while_running(e, cluster_.local_name(), started_) && on_fenced_while_running) {
        on_fenced_while_running(e);
        return;
    }
    auto it = pending_fencing_.find(e.target);
    // a failure ends the wait only for a fencing we asked another node to do
    if (it == pending_fencing_.end() || (!e.ok && !delegated_.count(e.target))) return;
    // an older outcome, told again because its target rejoined, is not this one's
    if (auto since = pending_since_.find(e.target);
        since != pending_since_.end() && e.completed + clock_margin_s < since->second)
        return;
    const auto indexes = std::move(it->second);
    const std::string id = node_id_of(e.target);
    if (e.ok && runner_) fenced_ids_.insert(id);
    // another member fenced it and records it: the next plan waits for that record
    if (e.ok && e.origin != cluster_.local_name() && e.action != "on") await_record({id, "", "down"});
    pending_fencing_.erase(it);
    pending_since_.erase(e.target);
    delegated_.erase(e.target);
    if (!runner_) return;
    for (size_t index : indexes) complete_action(index, e.ok);
    check_finished();
}

// An action whose node never answered fails, so that the transition ends
// and the next plan starts from what the CIB says.
void controller::expire_actions() {
    if (!runner_) {
        deadlines_.clear();
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    for (auto it = deadlines_.begin(); it != deadlines_.end();) {
        if (it->second > now) {
            ++it;
            continue;
        }
        const size_t index = it->first;
        it = deadlines_.erase(it);
        if (complete_action(index, false))
            log_event(LOG_WARNING, "action_timed_out",
                      {{"transition", std::to_string(transition_id_)},
                       {"action", runner_->graph().actions[index].operation_key},
                       {"node", runner_->graph().actions[index].node_uname}});
    }
    check_finished();
    if (!deadlines_.empty()) (void)deadline_timer_->arm(usec(1'000'000));
}

void controller::on_own_changes_in() {
    if (!plan_deferred_) return;
    plan_deferred_ = false;
    replan_->poke();
}

void controller::on_message(std::string_view body) {
    if (auto fenced = decode_fenced(body)) return on_fenced(*fenced);
    if (auto exec = decode_exec(body)) {
        const auto& a = exec->action;
        if (exec->target != cluster_.local_name() || !is_stonith(a)) return;
        if (is_unfencing(a)) return on_unfence_request(*exec);
        // the coordinator asks us to fence it (delegate_fencing): the outcome goes to every member
        log_event(LOG_NOTICE, "fencing_requested", {{"target", a.node_uname}, {"by", exec->dc_uuid}});
        fence_node(a.node_uname, a.meta("stonith_action", "reboot"), nullptr, priority_delay_s(a));
        return;
    }
    auto ack = decode_ack(body);
    if (!ack || !runner_ || ack->dc_uuid != uuid_ || ack->transition != transition_id_) return;
    if (auto it = index_of_.find(ack->action_id); it != index_of_.end()) {
        deadlines_.erase(it->second);
        const auto& a = runner_->graph().actions[it->second];
        if (ack->ok && is_unfencing(a)) record_unfenced(a);
        complete_action(it->second, ack->ok);
    }
    check_finished();
}

void controller::on_cib_changed(const cib::change* c) {
    if (!cluster_.is_dc() || !cluster_.settled()) return;
    if (c && c->op == cib::change_op::record_operation) return confirm_from_record(*c);
    if (c && runner_ && records_fencing_done_here(*c)) return;
    replan_->poke();
}

// The record of a fencing this transition did (the node down, its history
// gone) is what the transition's later actions were planned on: it must not
// abort it, or the recovery after a fencing waits for another plan.
bool controller::records_fencing_done_here(const cib::change& c) const {
    if (c.op == cib::change_op::update_node_state) return fenced_ids_.count(attr_of(c.payload, "id")) > 0;
    return c.op == cib::change_op::clear_node_history && fenced_ids_.count(c.node_id) > 0;
}

// An operation record: the result of one of our actions, or news from a
// recurring monitor (or an older transition), which calls for a new plan.
void controller::confirm_from_record(const cib::change& c) {
    const auto key = parse_transition_key(attr_of(c.payload, "transition-key"));
    if (!key) return;
    const int rc = std::atoi(attr_of(c.payload, "rc-code").c_str());
    const int status = std::atoi(attr_of(c.payload, "op-status").c_str());
    const ra::op_result r{rc, static_cast<ra::exec_status>(status), {}, {}};
    if (const auto index = own_action(*key)) {
        settle(*index, r);
        check_finished();
        return;
    }
    policy::graph_action synthetic;
    synthetic.rsc_id = attr_of(c.payload, "id");  // the <lrm_resource>'s id comes first
    synthetic.task = attr_of(c.payload, "operation");
    synthetic.interval_ms = std::atoll(attr_of(c.payload, "interval").c_str());
    synthetic.node_uname = attr_of(c.payload, "on_node");
    synthetic.attributes["CRM_meta_op_target_rc"] = std::to_string(key->target_rc);
    if (!succeeded(synthetic, r) && synthetic.interval_ms > 0) note_failure(synthetic, r);
    replan_->poke();
}

void controller::note_failure(const policy::graph_action& a, const ra::op_result& r) {
    auto node = cluster_.id_of(a.node_uname);
    if (!node) return;
    const std::string id = std::to_string(*node);
    const policy::transition_graph empty;
    const auto attrs =
        failure_attributes(a, r, runner_ ? runner_->graph() : empty, static_cast<int64_t>(std::time(nullptr)));
    const cib::node_state* ns = state_of(cib_.document().model(), id);
    for (const auto& u : attrs) {
        std::string value = u.value;
        if (u.increment) {
            const std::string now = transient_value(ns, u.name);
            value = now == "INFINITY" ? now : std::to_string(std::atoll(now.c_str()) + 1);
        }
        submit(cib::change::set_node_attribute(id, a.node_uname, u.name, value, cib::attribute_lifetime::transient));
        await_record({id, u.name, value});
    }
}

void controller::await_record(awaited_attribute w) {
    awaited_.push_back(std::move(w));
    awaited_until_ = std::chrono::steady_clock::now() + records_wait;
    (void)awaited_timer_->arm(std::chrono::duration_cast<usec>(records_wait));
}

// A plan made between a failure's record and its fail-count would treat the
// failure as if it had not counted (an on-fail=demote recovery then repeats
// once the count lands), and one made between a fencing and its record would
// fence the node again: the plan waits until the CIB shows what
// note_failure and record_fencing submitted, or until it is overdue.
bool controller::awaiting_records() {
    if (awaiting_own_changes()) return true;
    const auto& m = cib_.document().model();
    std::erase_if(awaited_, [&](const awaited_attribute& w) {
        const cib::node_state* ns = state_of(m, w.node_id);
        if (w.name.empty()) return !ns || ns->expected == w.value;  // a fencing's record: expected="down"
        return transient_value(ns, w.name) == w.value;
    });
    if (awaited_.empty()) return false;
    if (std::chrono::steady_clock::now() < awaited_until_) return true;
    log_event(LOG_WARNING, "awaited_records_late", {{"count", std::to_string(awaited_.size())}});
    awaited_.clear();
    return false;
}

// The plan sees what this node submitted (the node states after a membership
// change, a fencing's record, attributes): a plan made before they land
// would act on the old state, then be aborted by them. They come back
// within milliseconds; a plan waits at most records_wait for them.
bool controller::awaiting_own_changes() {
    if (!cluster_.own_changes_pending()) {
        own_pending_since_.reset();
        return false;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!own_pending_since_) {
        own_pending_since_ = now;
        if (!awaited_timer_->armed()) (void)awaited_timer_->arm(std::chrono::duration_cast<usec>(records_wait));
    }
    if (now - *own_pending_since_ < records_wait) {
        plan_deferred_ = true;  // on_own_changes_in plans once they are in
        return true;
    }
    log_event(LOG_WARNING, "own_changes_late", {});
    own_pending_since_.reset();
    return false;
}

void controller::check_finished() {
    if (!runner_ || !runner_->finished()) return;
    log_event(LOG_NOTICE, "transition_finished",
              {{"transition", std::to_string(transition_id_)}, {"outcome", to_string(runner_->state())}});
    record_history(
        {0,
         "transition",
         {{"id", std::to_string(transition_id_)}, {"state", "finished"}, {"outcome", to_string(runner_->state())}}});
    runner_.reset();
    index_of_.clear();
    deadlines_.clear();
    pending_fencing_.clear();
    pending_since_.clear();
    fenced_ids_.clear();
    delegated_.clear();
    replan_->poke();
}

}  // namespace holdfast::daemon
