// holdfast cluster remove|start|stop|status: the running cluster. Membership
// and quorum come from corosync's own tools on this node (cluster_state.hpp
// reads them), holdfastd's state from its IPC.
#include <algorithm>
#include <cstdio>

#include "cib/xml_text.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/cluster_cmd.hpp"
#include "tools/holdfast/cluster_state.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/json_text.hpp"
#include "tools/holdfast/output_format.hpp"

namespace holdfast::tools::cluster {

namespace {

const std::vector<std::string> units_up{"corosync", "holdfastd"};
const std::vector<std::string> units_down{"holdfastd", "corosync"};

expected<corosync::quorum_info, std::string> local_quorum() {
    // exit status 2 is "not quorate", still a full answer
    auto r = run_process({"corosync-quorumtool", "-s"});
    if (r.status != 0 && r.status != 2) return unexpected("corosync is not running here (" + r.why() + ")");
    return corosync::parse_quorumtool(r.out);
}

bool is_member(const corosync::quorum_info& q, int nodeid) {
    return std::any_of(q.members.begin(), q.members.end(), [&](const auto& m) { return m.nodeid == nodeid; });
}

const corosync::node* find_node(const std::vector<corosync::node>& nodes, const std::string& name) {
    for (const auto& n : nodes)
        if (n.name == name) return &n;
    return nullptr;
}

// crm_node -R: the node's <node> and <node_state> out of holdfastd's CIB.
int forget_in_cib(const cli& c, const std::string& name) {
    const std::string cmd = "cluster remove";
    auto doc = query_cib(cmd.c_str(), c.s.ipc);
    if (!doc) return doc.error();
    auto id = node_id_of(*doc, name);
    if (!id) {
        std::printf("%s was not in the CIB\n", name.c_str());
        return exit_ok;
    }
    for (auto change : {cib::change::delete_element(*id, "node"), cib::change::remove_node_state(*id)})
        if (auto r = send_change(c.s.ipc, std::move(change)); !r) return report(cmd.c_str(), r.error());
    std::printf("%s removed from the CIB\n", name.c_str());
    return exit_ok;
}

}  // namespace

int run_remove(const cli& c) {
    if (c.words.size() != 1) return fail(c, "name exactly one NODE", exit_usage);
    const std::string& name = c.words[0];
    auto local = load_local(c.s);
    if (!local) return fail(c, local.error());
    const corosync::node* gone = find_node(local->nodes, name);
    if (!gone) return fail(c, "node '" + name + "' is not in " + c.s.conf().string());
    if (name == c.s.node_name) return fail(c, "'" + name + "' is this node: remove it from another node");
    auto q = local_quorum();
    if (!q && !c.force) return fail(c, "cannot tell whether '" + name + "' is a member: " + q.error());
    if (q && is_member(*q, gone->nodeid)) {
        if (!c.force) return fail(c, "'" + name + "' is a corosync member; stop it first (or --force stops it)");
        if (auto st = services_on(c.s, host_of(c.s, *gone), "stop", units_down); !st) return fail(c, st.error());
    }
    const corosync::node removed = *gone;
    auto conf = local->conf;
    if (auto r = corosync::remove_node(conf, name); !r) return fail(c, r.error());
    corosync::apply_two_node_rule(conf);
    auto rest = corosync::nodes(conf);
    if (!rest) return fail(c, rest.error());
    if (auto d = distribute(c.s, conf, *rest); !d) return fail(c, d.error());
    std::printf("%s (node %d) removed from the nodelist of %zu node%s\n", name.c_str(), removed.nodeid, rest->size(),
                rest->size() == 1 ? "" : "s");
    return forget_in_cib(c, name);
}

int run_start_stop(const cli& c, bool start) {
    auto local = load_local(c.s);
    if (!local) return fail(c, local.error());
    if (c.all && !c.words.empty()) return fail(c, "--all or NODE..., not both", exit_usage);
    std::vector<corosync::node> targets;
    if (c.all) targets = local->nodes;
    for (const auto& w : c.words) {
        const auto* n = find_node(local->nodes, w);
        if (!n) return fail(c, "node '" + w + "' is not in " + c.s.conf().string());
        targets.push_back(*n);
    }
    if (!c.all && c.words.empty()) {
        const auto* me = find_node(local->nodes, c.s.node_name);
        targets.push_back(me ? *me : corosync::node{0, c.s.node_name, ""});
    }
    if (!start && !c.force) {
        auto q = local_quorum();
        std::vector<int> ids;
        for (const auto& t : targets) ids.push_back(t.nodeid);
        if (q)
            if (auto loss = corosync::quorum_loss(*q, ids)) return fail(c, "refusing to stop: " + *loss + " (--force)");
    }
    int rc = 0;
    for (const auto& t : targets) {
        auto r = services_on(c.s, host_of(c.s, t), start ? "start" : "stop", start ? units_up : units_down);
        if (!r)
            rc = fail(c, r.error());
        else
            std::printf("%s: %s\n", t.name.c_str(), start ? "started" : "stopped");
    }
    return rc;
}

namespace {

struct status_view {
    std::string cluster_name;
    std::vector<corosync::node> nodes;
    bool corosync_running = false;
    corosync::quorum_info quorum;
    std::vector<corosync::link_info> links;
    bool holdfastd_running = false;
    std::string holdfastd_state;
};

std::string attr_of(const std::string& xml, const std::string& name) {
    auto at = xml.find(" " + name + "=\"");
    if (at == std::string::npos) return "";
    at += name.size() + 3;
    return xml.substr(at, xml.find('"', at) - at);
}

bool member_of(const status_view& v, int nodeid) { return v.corosync_running && is_member(v.quorum, nodeid); }

void print_text(const status_view& v) {
    std::printf("Cluster: %s\n", v.cluster_name.c_str());
    if (!v.corosync_running) {
        std::printf("Corosync: not running\n");
    } else {
        const auto& q = v.quorum;
        std::printf("Corosync: running, local node id %d, ring %s\n", q.local_id, q.ring_id.c_str());
        std::string flags;
        for (const auto& f : q.flags) flags += " " + f;
        std::printf("Quorum: %s (total votes %d, expected %d, quorum %d; flags:%s)\n",
                    q.quorate ? "quorate" : "NOT quorate", q.total_votes, q.expected_votes, q.quorum, flags.c_str());
        for (const auto& l : v.links) {
            std::printf("Link %d (%s) addr %s:", l.id, l.transport.c_str(), l.addr.c_str());
            for (const auto& p : l.peers) std::printf(" %d=%s", p.nodeid, p.state.c_str());
            std::printf("\n");
        }
    }
    std::printf("Nodes:\n");
    for (const auto& n : v.nodes)
        std::printf("  %d %s %s %s\n", n.nodeid, n.name.c_str(), n.addr.c_str(),
                    member_of(v, n.nodeid) ? "member" : "not a member");
    std::printf("Holdfastd: %s%s\n", v.holdfastd_running ? "running " : "not running",
                v.holdfastd_state.empty() ? "" : ("(" + v.holdfastd_state + ")").c_str());
}

std::string b(bool x) { return x ? "true" : "false"; }

void print_json(const status_view& v) {
    const auto& q = v.quorum;
    std::string s = "{\"cluster_name\": " + json_string(v.cluster_name) +
                    ",\n \"corosync\": {\"running\": " + b(v.corosync_running) +
                    ", \"local_nodeid\": " + std::to_string(q.local_id) + ", \"ring_id\": " + json_string(q.ring_id) +
                    ", \"links\": [";
    for (size_t i = 0; i < v.links.size(); ++i) {
        const auto& l = v.links[i];
        s += std::string(i ? ", " : "") + "{\"id\": " + std::to_string(l.id) +
             ", \"transport\": " + json_string(l.transport) + ", \"addr\": " + json_string(l.addr) + ", \"peers\": [";
        for (size_t j = 0; j < l.peers.size(); ++j)
            s += std::string(j ? ", " : "") + "{\"nodeid\": " + std::to_string(l.peers[j].nodeid) +
                 ", \"state\": " + json_string(l.peers[j].state) + "}";
        s += "]}";
    }
    s += "]},\n \"quorum\": {\"quorate\": " + b(v.corosync_running && q.quorate) +
         ", \"total_votes\": " + std::to_string(q.total_votes) +
         ", \"expected_votes\": " + std::to_string(q.expected_votes) + ", \"quorum\": " + std::to_string(q.quorum) +
         ", \"flags\": [";
    for (size_t i = 0; i < q.flags.size(); ++i) s += std::string(i ? ", " : "") + json_string(q.flags[i]);
    s += "]},\n \"nodes\": [";
    for (size_t i = 0; i < v.nodes.size(); ++i) {
        const auto& n = v.nodes[i];
        int votes = 0;
        for (const auto& m : q.members) votes = m.nodeid == n.nodeid ? m.votes : votes;
        s += std::string(i ? ",\n   " : "") + "{\"nodeid\": " + std::to_string(n.nodeid) +
             ", \"name\": " + json_string(n.name) + ", \"addr\": " + json_string(n.addr) +
             ", \"member\": " + b(member_of(v, n.nodeid)) + ", \"votes\": " + std::to_string(votes) + "}";
    }
    s += "],\n \"holdfastd\": {\"running\": " + b(v.holdfastd_running) +
         ", \"state\": " + json_string(v.holdfastd_state) + "}}\n";
    std::fputs(s.c_str(), stdout);
}

std::string xa(const char* name, const std::string& value) {
    std::string out = std::string(" ") + name + "=\"";
    cib::append_xml_attr(out, value);
    return out + "\"";
}

void print_xml(const status_view& v) {
    const auto& q = v.quorum;
    std::string s = "<cluster" + xa("name", v.cluster_name) + ">\n  <corosync" + xa("running", b(v.corosync_running)) +
                    xa("local_nodeid", std::to_string(q.local_id)) + xa("ring_id", q.ring_id) + ">\n";
    for (const auto& l : v.links) {
        s += "    <link" + xa("id", std::to_string(l.id)) + xa("transport", l.transport) + xa("addr", l.addr) + ">\n";
        for (const auto& p : l.peers)
            s += "      <peer" + xa("nodeid", std::to_string(p.nodeid)) + xa("state", p.state) + "/>\n";
        s += "    </link>\n";
    }
    std::string flags;
    for (const auto& f : q.flags) flags += (flags.empty() ? "" : " ") + f;
    s += "  </corosync>\n  <quorum" + xa("quorate", b(v.corosync_running && q.quorate)) +
         xa("total_votes", std::to_string(q.total_votes)) + xa("expected_votes", std::to_string(q.expected_votes)) +
         xa("quorum", std::to_string(q.quorum)) + xa("flags", flags) + "/>\n  <nodes>\n";
    for (const auto& n : v.nodes)
        s += "    <node" + xa("nodeid", std::to_string(n.nodeid)) + xa("name", n.name) + xa("addr", n.addr) +
             xa("member", b(member_of(v, n.nodeid))) + "/>\n";
    s += "  </nodes>\n  <holdfastd" + xa("running", b(v.holdfastd_running)) + xa("state", v.holdfastd_state) +
         "/>\n</cluster>\n";
    std::fputs(s.c_str(), stdout);
}

}  // namespace

int run_status(const cli& c) {
    if (!c.words.empty()) return fail(c, "takes no arguments ('" + c.words[0] + "')", exit_usage);
    if (!output_format_from(c.output))
        return fail(c, "--output-as must be text, json or xml, not '" + c.output + "'", exit_usage);
    auto local = load_local(c.s);
    if (!local) return fail(c, local.error());
    status_view v;
    v.cluster_name = corosync::cluster_name(local->conf);
    v.nodes = local->nodes;
    if (auto q = local_quorum()) {
        v.corosync_running = true;
        v.quorum = *q;
        v.links = corosync::parse_cfgtool(run_process({"corosync-cfgtool", "-s"}).out);
    }
    if (auto ping = ask_daemon(c.s.ipc, daemon::request_type::ping, {}, std::chrono::seconds(5))) {
        v.holdfastd_running = true;
        v.holdfastd_state = attr_of(*ping, "state");
    }
    if (c.output == "json")
        print_json(v);
    else if (c.output == "xml")
        print_xml(v);
    else
        print_text(v);
    return v.corosync_running ? 0 : exit_unreachable;
}

}  // namespace holdfast::tools::cluster
