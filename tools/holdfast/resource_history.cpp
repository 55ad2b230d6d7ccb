// holdfast resource restart / cleanup / refresh / failcount: the verbs that
// read and clear what the status section records of a resource. cleanup and
// refresh send clear_resource_history changes (the controller's erase of a
// resource's history, after which the scheduler probes it again) and delete
// the fail-count / last-failure transient attributes, as crm_resource
// --cleanup / --refresh have the controller and attrd do.
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "policy/iso8601.hpp"
#include "policy/unpack.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/record_doc.hpp"
#include "tools/holdfast/resource_cmd.hpp"
#include "tools/holdfast/resource_edit.hpp"

namespace holdfast::tools::resource_cli {
namespace {

namespace edit = resource_edit;
using clock = std::chrono::steady_clock;

constexpr const char* default_restart_timeout = "120s";

std::string names(const std::vector<placement>& active) {
    std::string out;
    for (const auto& p : active) out += (out.empty() ? "" : ", ") + p.node;
    return out;
}

// Polls the daemon's CIB until `done` holds for where the resource is active;
// the last placement seen, or nullopt at the deadline (or when the daemon
// cannot be asked: `status` then says why).
std::optional<std::vector<placement>> wait_for(const command& c, const std::string& rsc, clock::time_point deadline,
                                               const std::function<bool(const std::vector<placement>&)>& done,
                                               std::vector<placement>& last, int& status) {
    for (;;) {
        auto doc = query_cib(c.cmd.c_str(), c.ipc);
        if (!doc) {
            status = doc.error();
            return std::nullopt;
        }
        last = where_active(*doc, rsc);
        if (done(last)) return last;
        if (clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
}

// target-role back to what it was before the restart (absent: removed).
bool restore_target_role(const command& c, const cib::resource& r, const edit::meta_target& orig, int& status) {
    if (!orig.exists) return send(c, cib::change::delete_element(orig.pair_id, "nvpair"), status);
    return send(c, cib::change::update_configuration(edit::meta_update_xml(r, orig, "target-role", orig.value)),
                status);
}

bool managed(const cib::document& doc, const std::string& rsc) {
    const policy::working_set ws = policy::unpack(doc.model(), std::time(nullptr));
    auto it = ws.rsc_by_id.find(rsc);
    return it == ws.rsc_by_id.end() || ws.resources[it->second].managed;
}

}  // namespace

// crm_resource --restart: target-role Stopped, wait until the status shows it
// stopped everywhere, target-role as it was, wait until it runs again. At
// the deadline the original target-role is put back and the error says so.
int run_restart(const command& c, cib::document& doc, const cib::resource& r) {
    const std::string timeout_text = c.timeout.empty() ? default_restart_timeout : c.timeout;
    const auto ms = policy::iso8601::parse_interval_ms(timeout_text);
    if (!ms || *ms == 0) return fail(c, "invalid timeout '" + timeout_text + "' (e.g. 90s, 5min, PT2M)");
    const auto before = where_active(doc, r.id);
    if (before.empty()) return fail(c, r.id + " is not running");
    if (!managed(doc, r.id)) return fail(c, r.id + " is unmanaged: 'holdfast resource manage " + r.id + "' first");
    const auto orig = edit::meta_attribute(r, "target-role");
    int status = 0;
    if (!send(c, cib::change::update_configuration(edit::meta_update_xml(r, orig, "target-role", "Stopped")), status))
        return status;
    const auto deadline = clock::now() + std::chrono::milliseconds(*ms);
    std::vector<placement> last;
    auto stopped = wait_for(
        c, r.id, deadline, [](const auto& a) { return a.empty(); }, last, status);
    if (!stopped) {
        if (status != 0) return status;
        restore_target_role(c, r, orig, status);
        return fail(c, r.id + " did not stop within " + timeout_text + " (still active on " + names(last) +
                           "); its target-role is back as it was");
    }
    if (!restore_target_role(c, r, orig, status)) return status;
    auto started = wait_for(
        c, r.id, deadline, [&](const auto& a) { return a.size() >= before.size(); }, last, status);
    if (!started) {
        if (status != 0) return status;
        return fail(c, r.id + " stopped but did not start again within " + timeout_text);
    }
    std::printf("%s restarted (active on %s)\n", r.id.c_str(), names(*started).c_str());
    return exit_ok;
}

namespace {

// What a cleanup or refresh acts on: the history ids of the resource (every
// one when rsc is empty), on the nodes asked for.
struct scope {
    std::vector<std::string> primitives;  // empty: every resource
    std::string rsc;                      // as given ("" = all)
    std::vector<const cib::node_state*> nodes;
};

bool in_scope(const scope& s, const std::string& history_id) {
    if (s.primitives.empty()) return s.rsc.empty();
    for (const auto& p : s.primitives)
        if (edit::history_of(history_id, p)) return true;
    return false;
}

// The resource: configured, or at least in some node's history (an orphan).
std::optional<scope> resolve(const command& c, const cib::document& doc, const std::string& rsc,
                             const std::string& node) {
    scope s;
    s.rsc = rsc;
    if (!rsc.empty()) {
        if (const auto* r = find_resource(doc.model(), rsc)) {
            s.primitives = primitives_of(*r);
        } else {
            bool in_history = false;
            for (const auto& st : doc.model().node_states)
                for (const auto& h : st.resources) in_history = in_history || edit::history_of(h.id, rsc);
            if (!in_history) {
                fail(c, "unknown resource '" + rsc + "'");
                return std::nullopt;
            }
            s.primitives = {rsc};
        }
    }
    std::optional<std::string> id;
    if (!node.empty() && !(id = node_id(c, doc, node))) return std::nullopt;
    for (const auto& st : doc.model().node_states)
        if (!id || st.id == *id) s.nodes.push_back(&st);
    return s;
}

// RSC and NODE as positional words or --node (crmsh: cleanup RSC NODE).
bool rsc_and_node(const command& c, std::string& rsc, std::string& node, int& status) {
    const size_t max_words = c.node.empty() ? 2 : 1;
    if (c.positional.size() > max_words) {
        status = usage_error(c.verb + " takes at most RSC and one NODE");
        return false;
    }
    rsc = c.positional.empty() ? "" : c.positional[0];
    node = c.positional.size() == 2 ? c.positional[1] : c.node;
    return true;
}

bool has_failure_record(const cib::lrm_resource& h) {
    for (const auto& op : h.ops)
        if (op.id == h.id + "_last_failure_0") return true;
    return false;
}

}  // namespace

int run_cleanup(const command& c, cib::document& doc, bool refresh) {
    std::string rsc, node;
    int status = 0;
    if (!rsc_and_node(c, rsc, node, status)) return status;
    auto s = resolve(c, doc, rsc, node);
    if (!s) return exit_error;
    for (const cib::node_state* st : s->nodes) {
        std::set<std::string> touched;
        for (const auto& h : st->resources) {
            if (!in_scope(*s, h.id) || (!refresh && !has_failure_record(h))) continue;
            if (!send(c, cib::change::clear_resource_history(st->id, h.id, !refresh), status)) return status;
            touched.insert(h.id);
        }
        for (const auto& set : st->transient_attributes)
            for (const auto& p : set.pairs) {
                auto f = edit::parse_failure_attribute(p.name);
                if (!f || !in_scope(*s, f->rsc)) continue;
                if (!send(c, cib::change::delete_node_attribute(st->id, p.name, cib::attribute_lifetime::transient),
                          status))
                    return status;
                touched.insert(f->rsc);
            }
        for (const auto& id : touched)
            std::printf("%s %s on %s\n", refresh ? "Refreshed" : "Cleaned up", id.c_str(), st->uname.c_str());
    }
    return exit_ok;
}

// failcount RSC show|delete [NODE]: the sum of the resource's
// fail-count-RSC#OP_INTERVAL attributes per node, or their removal (with
// the last-failure ones).
int run_failcount(const command& c, cib::document& doc) {
    if (c.positional.size() < 2 || c.positional.size() > 3)
        return usage_error("failcount takes RSC, show or delete, and at most one NODE");
    const std::string& rsc = c.positional[0];
    const std::string& what = c.positional[1];
    if (what != "show" && what != "delete") return fail(c, "failcount takes show or delete, not '" + what + "'");
    if (what == "delete" && c.format != output_format::text)
        return usage_error("failcount delete prints nothing: --output-as is for failcount show");
    auto s = resolve(c, doc, rsc, c.positional.size() == 3 ? c.positional[2] : "");
    if (!s) return exit_error;
    int status = 0;
    // --output-as=xml|json: <fail-counts><fail-count node= resource= value=/>...</fail-counts>
    record_list shown{"fail-counts", "fail-count", "", {}};
    auto show = [&](const std::string& node, const std::string& value) {
        if (c.format == output_format::text)
            std::printf("scope=status  node=%s  name=fail-count-%s value=%s\n", node.c_str(), rsc.c_str(),
                        value.c_str());
        shown.records.push_back(
            {{text_field("node", node), text_field("resource", rsc), text_field("value", value)}, {}});
    };
    for (const cib::node_state* st : s->nodes) {
        int sum = 0;
        for (const auto& set : st->transient_attributes)
            for (const auto& p : set.pairs) {
                auto f = edit::parse_failure_attribute(p.name);
                if (!f || !in_scope(*s, f->rsc)) continue;
                if (what == "delete") {
                    if (!send(c, cib::change::delete_node_attribute(st->id, p.name, cib::attribute_lifetime::transient),
                              status))
                        return status;
                } else if (f->fail_count) {
                    sum = std::min(sum + edit::fail_count_value(p.value), edit::fail_count_value("INFINITY"));
                }
            }
        if (what == "show") show(st->uname, edit::fail_count_text(sum));
    }
    // configured nodes that never reported a state count nothing
    const std::string only = c.positional.size() == 3 ? c.positional[2] : "";
    for (const auto& n : doc.model().nodes) {
        bool listed = false;
        for (const cib::node_state* st : s->nodes) listed = listed || st->id == n.id;
        if (what == "show" && !listed && (only.empty() || n.uname == only)) show(n.uname, "0");
    }
    if (what == "show" && c.format != output_format::text)
        std::fputs((c.format == output_format::xml ? records_xml(shown) : records_json(shown)).c_str(), stdout);
    return flushed_stdout();
}

}  // namespace holdfast::tools::resource_cli
