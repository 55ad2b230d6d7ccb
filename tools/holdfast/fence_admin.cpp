// holdfast fence NODE | history | confirm | list: the fencer's side of the
// CLI, answered by holdfastd (like stonith_admin --fence, --history,
// --confirm and --list-registered).
#include <libxml/parser.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "cib/xml.hpp"
#include "fencing/device.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/output_format.hpp"
#include "tools/holdfast/record_doc.hpp"
#include "tools/holdfast/status_failures.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* admin_usage =
    "usage: holdfast fence NODE [--reboot|--off|--on] [--socket NAME]\n"
    "       holdfast fence history [NODE] [--output-as=text|xml|json] [--socket NAME]\n"
    "       holdfast fence confirm NODE --force [--socket NAME]\n"
    "       holdfast fence list [--output-as=text|xml|json] [--socket NAME]\n"
    "       holdfast fence test DEVICE ... (see holdfast(8))\n";

// Longer than any fencing: levels of devices, each up to stonith-timeout.
constexpr auto fencing_wait = std::chrono::minutes(10);

struct event {
    std::string target, action, state, device, origin, reason;
    std::time_t completed = 0;
    long long elapsed_ms = 0;
};

std::vector<event> parse_events(const std::string& xml) {
    std::vector<event> out;
    cib::xml::doc_ptr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "answer", nullptr,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) return out;
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    auto read = [](const xmlNode* n) {
        using cib::xml::attr;
        return event{attr(n, "target"),
                     attr(n, "action"),
                     attr(n, "state"),
                     attr(n, "device"),
                     attr(n, "origin"),
                     attr(n, "reason"),
                     static_cast<std::time_t>(std::atoll(attr(n, "completed").c_str())),
                     std::atoll(attr(n, "elapsed-ms").c_str())};
    };
    if (cib::xml::is(root, "fencing")) out.push_back(read(root));
    for (const xmlNode* n : cib::xml::children(root, "fencing")) out.push_back(read(n));
    return out;
}

std::string when(std::time_t t) {
    char buf[64];
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);
    return buf;
}

// As stonith_admin --history prints an entry.
void print_event(const event& e) {
    if (e.state == "success")
        std::printf("%s of %s successful: device=%s, origin=%s, completed='%s' (%lld ms)\n", e.action.c_str(),
                    e.target.c_str(), e.device.c_str(), e.origin.c_str(), when(e.completed).c_str(), e.elapsed_ms);
    else
        std::printf("%s of %s failed: origin=%s, last-failed='%s': %s\n", e.action.c_str(), e.target.c_str(),
                    e.origin.c_str(), when(e.completed).c_str(), e.reason.c_str());
}

int usage_error(const std::string& why) {
    std::fprintf(stderr, "holdfast fence: %s\n%s", why.c_str(), admin_usage);
    return exit_usage;
}

int fence_now(const args& a, const std::string& ipc) {
    std::string action = "reboot";
    for (size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--reboot" || a[i] == "--off" || a[i] == "--on")
            action = a[i].substr(2);
        else
            return usage_error("unknown option '" + a[i] + "'");
    }
    auto answer = ask_daemon(ipc, daemon::request_type::fence, a[0] + " " + action, fencing_wait);
    if (!answer) return report("fence", answer.error());
    auto events = parse_events(*answer);
    if (events.empty()) return report("fence", {daemon::errc::bad_request, "holdfastd's answer did not parse"});
    print_event(events.front());
    return events.front().state == "success" ? exit_ok : exit_error;
}

// --output-as=xml|json: <fencing-history><fencing target= action= state= device=
// origin= reason= completed= (ISO 8601 UTC) elapsed-ms=/>...</fencing-history>
std::string history_doc(const std::vector<event>& events, output_format f) {
    record_list l{"fencing-history", "fencing", "", {}};
    for (const auto& e : events)
        l.records.push_back(
            {{text_field("target", e.target), text_field("action", e.action), text_field("state", e.state),
              text_field("device", e.device), text_field("origin", e.origin), text_field("reason", e.reason),
              text_field("completed", e.completed > 0 ? iso_utc(e.completed) : ""),
              number_field("elapsed-ms", e.elapsed_ms)},
             {}});
    return f == output_format::xml ? records_xml(l) : records_json(l);
}

int history(const args& a, const std::string& ipc, output_format f) {
    if (a.size() > 2) return usage_error("history takes at most one NODE");
    auto answer = ask_daemon(ipc, daemon::request_type::fence_history, a.size() == 2 ? a[1] : std::string());
    if (!answer) return report("fence history", answer.error());
    const auto events = parse_events(*answer);
    if (f != output_format::text)
        std::fputs(history_doc(events, f).c_str(), stdout);
    else
        for (const auto& e : events) print_event(e);
    return flushed_stdout();
}

int confirm(const args& a, const std::string& ipc) {
    bool force = false;
    std::string node;
    for (size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--force")
            force = true;
        else if (node.empty() && a[i].rfind("--", 0) != 0)
            node = a[i];
        else
            return usage_error("unknown argument '" + a[i] + "'");
    }
    if (node.empty()) return usage_error("confirm needs a NODE");
    if (!force)
        return usage_error("confirm tells the cluster that " + node +
                           " is powered off without asking a device; add --force only if it really is");
    auto answer = ask_daemon(ipc, daemon::request_type::fence_confirm, node);
    if (!answer) return report("fence confirm", answer.error());
    for (const auto& e : parse_events(*answer)) print_event(e);
    return exit_ok;
}

// The device's last check on each node where it ran (its newest monitor or
// start record: a device is checked from the node it is started on).
std::vector<std::vector<field>> device_checks(const cib::cib_model& m, const std::string& id) {
    std::vector<std::vector<field>> out;
    for (const auto& ns : m.node_states)
        for (const auto& r : ns.resources) {
            if (r.id != id) continue;
            const cib::op_record* last = nullptr;
            for (const auto& op : r.ops)
                if ((op.operation == "monitor" || op.operation == "start") &&
                    (!last || op.last_rc_change > last->last_rc_change ||
                     (op.last_rc_change == last->last_rc_change && op.call_id > last->call_id)))
                    last = &op;
            if (!last) continue;
            if (last->rc_code == 7 && last->op_status == 0) continue;  // a probe: not started there
            out.push_back({text_field("node", ns.uname), bool_field("ok", last->rc_code == 0 && last->op_status == 0),
                           text_field("operation", last->operation), number_field("rc", last->rc_code),
                           number_field("since", last->last_rc_change), text_field("reason", last->exit_reason)});
        }
    return out;
}

std::string local_time(long long t) {
    char when[32] = "?";
    const auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (localtime_r(&tt, &tm)) std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    return when;
}

void print_devices(const record_list& l) {
    if (l.records.empty()) std::printf("no fence devices configured\n");
    for (const auto& d : l.records) {
        std::printf("%s (stonith:%s): %s\n", d.fields[0].value.c_str(), d.fields[1].value.c_str(),
                    d.fields[2].value.c_str());
        for (const auto& c : d.children)  // node ok operation rc since reason
            std::printf("  on %s: %s (last %s rc=%s, since %s)%s%s\n", c[0].value.c_str(),
                        c[1].value == "true" ? "ok" : "FAILED", c[2].value.c_str(), c[3].value.c_str(),
                        local_time(std::atoll(c[4].value.c_str())).c_str(), c[5].value.empty() ? "" : ": ",
                        c[5].value.c_str());
    }
}

// The devices of the CIB and the nodes each can fence, as far as the
// configuration tells (a dynamic list or status check is the agent's to say).
// --output-as=xml|json: <fence-devices><device id= agent= targets=><check node=
// ok= operation= rc= since= (epoch seconds) reason=/>...</device>...</fence-devices>
int list(const std::string& ipc, output_format f) {
    auto doc = query_cib("fence list", ipc);
    if (!doc) return doc.error();
    record_list l{"fence-devices", "device", "check", {}};
    for (const auto& r : doc->model().resources) {
        if (r.kind != cib::resource_kind::primitive || r.rclass != "stonith") continue;
        auto d = fencing::device_from_resource(r);
        if (!d) continue;
        std::string targets = "any node the agent accepts (pcmk_host_check decides when run)";
        if (auto it = d->params.find("pcmk_host_list"); it != d->params.end()) targets = it->second;
        if (auto it = d->params.find("pcmk_host_map"); it != d->params.end()) targets = "map " + it->second;
        l.records.push_back({{text_field("id", d->id), text_field("agent", d->agent), text_field("targets", targets)},
                             device_checks(doc->model(), d->id)});
    }
    if (f == output_format::text)
        print_devices(l);
    else
        std::fputs((f == output_format::xml ? records_xml(l) : records_json(l)).c_str(), stdout);
    return flushed_stdout();
}

}  // namespace

int run_fence_admin(const args& in) {
    std::string ipc = default_ipc_name();
    output_format f = output_format::text;
    args a;
    for (size_t i = 0; i < in.size(); ++i) {
        std::string error;
        if (take_output_option(in, i, f, error)) {
            if (!error.empty()) return usage_error(error);
        } else if (!take_ipc_option(in, i, ipc)) {
            a.push_back(in[i]);
        }
    }
    if (a.empty()) return usage_error("missing NODE or subcommand");
    if (a[0] != "history" && a[0] != "list" && f != output_format::text)
        return usage_error("--output-as applies to fence history and fence list");
    if (a[0] == "history") return history(a, ipc, f);
    if (a[0] == "confirm") return confirm(a, ipc);
    if (a[0] == "list") return a.size() == 1 ? list(ipc, f) : usage_error("list takes no argument");
    if (a[0].rfind("-", 0) == 0) return usage_error("unknown option '" + a[0] + "'");
    return fence_now(a, ipc);
}

}  // namespace holdfast::tools
