// holdfast history [--since T] [--output-as=text|json|xml]: what happened when.
#include "tools/holdfast/history.hpp"

#include <libxml/parser.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <tuple>

#include "cib/secrets.hpp"
#include "cib/xml.hpp"
#include "cib/xml_text.hpp"
#include "policy/iso8601.hpp"
#include "tools/holdfast/json_text.hpp"
#include "tools/holdfast/status_failures.hpp"
#include "tools/holdfast/status_text.hpp"

namespace holdfast::tools {
namespace {

std::time_t local_midnight(std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return std::mktime(&tm);
}

cib::xml::doc_ptr read_xml(const std::string& xml) {
    return cib::xml::doc_ptr(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "answer", nullptr,
                                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

std::string local_time(int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string utc_time(int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// "started vm1", "stopped vm1", "monitored vm1 (10s)": an action in past-tense words.
std::string action_words(const history_item& e) {
    static const std::pair<const char*, const char*> past[] = {
        {"start", "started"},         {"stop", "stopped"},
        {"promote", "promoted"},      {"demote", "demoted"},
        {"migrate_to", "migrated"},   {"migrate_from", "took over"},
        {"notify", "notified"},       {"stonith", "fenced"},
        {"do_shutdown", "shut down"}, {"clear_failcount", "cleared the fail count of"},
        {"reload-agent", "reloaded"}, {"reload", "reloaded"}};
    const std::string task = e.get("task");
    const long long interval = std::atoll(e.get("interval-ms").c_str());
    std::string verb = "ran " + task + " of";
    if (task == "monitor") verb = interval == 0 ? "probed" : "monitored";
    for (const auto& [t, p] : past)
        if (task == t) verb = p;
    std::string s = verb;
    if (!e.get("rsc").empty()) s += " " + e.get("rsc");
    if (interval != 0) s += " (" + readable_interval(interval) + ")";
    if (!e.get("node").empty()) s += (task == "stonith" || e.get("rsc").empty() ? " " : " on ") + e.get("node");
    return s;
}

// Every change through the IPC carries the user its connection's credentials
// name: one without is holdfastd's own (the controller's <nodes> entries, an
// agent's utilization report).
std::string cib_words(const history_item& e) {
    if (e.get("user").empty())
        return (e.get("origin").empty() ? "" : e.get("origin") + " ") + "holdfastd " + e.get("what") + " (epoch " +
               e.get("epoch") + ")";
    std::string who;
    for (const char* k : {"origin", "user"})
        if (!e.get(k).empty()) who += (who.empty() ? "" : " ") + e.get(k);
    if (!e.get("client").empty()) who += (who.empty() ? "" : " ") + std::string("via ") + e.get("client");
    return (who.empty() ? std::string("someone") : who) + " " + e.get("what") + " (epoch " + e.get("epoch") + ")";
}

std::string failure_words(const history_item& e) {
    const long long interval = std::atoll(e.get("interval-ms").c_str());
    std::string task = e.get("task") == "monitor" && interval == 0 ? "probe" : e.get("task");
    if (interval != 0) task = readable_interval(interval) + "-interval " + task;
    std::string s = e.get("rsc") + " failed: " + task + " on " + e.get("node");
    const int status = std::atoi(e.get("status").c_str());
    const int rc = std::atoi(e.get("rc").c_str());
    if (status == 0)
        s += " returned " + e.get("rc") + " (" + ocf_exit_text(rc) + ")";
    else
        s += std::string(" could not be executed (") + exec_status_text(status) + ")";
    if (!e.get("reason").empty()) s += ": " + e.get("reason");
    return s;
}

std::string fencing_words(const history_item& e) {
    if (e.get("device") == "operator")  // holdfast fence confirm
        return e.get("target") + " confirmed down by an operator" +
               (e.get("origin").empty() ? "" : " on " + e.get("origin"));
    const std::string by = e.get("origin").empty() ? "" : " by " + e.get("origin");
    const std::string device = e.get("device").empty() ? "" : " with " + e.get("device");
    if (e.get("result") == "ok")
        return "fenced " + e.get("target") + " (" + e.get("action") + ")" + by + device + ": ok";
    return "fencing " + e.get("target") + " (" + e.get("action") + ")" + by + " failed" +
           (e.get("reason").empty() ? "" : ": " + e.get("reason"));
}

}  // namespace

std::string history_item::get(std::string_view name) const {
    for (const auto& [k, v] : fields)
        if (k == name) return v;
    return {};
}

std::optional<std::time_t> parse_since(std::string_view text, std::time_t now) {
    if (text == "today") return local_midnight(now);
    if (text == "yesterday") return local_midnight(local_midnight(now) - 12 * 3600);
    if (text.size() >= 2 && std::all_of(text.begin(), text.end() - 1, [](char c) { return std::isdigit(c); })) {
        const long long n = std::atoll(std::string(text.substr(0, text.size() - 1)).c_str());
        static const std::pair<char, long long> units[] = {
            {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
        for (const auto& [u, seconds] : units)
            if (text.back() == u) return now - static_cast<std::time_t>(n * seconds);
        return std::nullopt;
    }
    // a bare number would be a year to Pacemaker: too easily a typo for "30m"
    if (text.empty() || std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(c); }))
        return std::nullopt;
    auto t = policy::iso8601::parse_date_time(text, policy::iso8601::host_parse_env(now));
    if (!t || t->duration || !policy::iso8601::valid(*t)) return std::nullopt;
    return static_cast<std::time_t>(policy::iso8601::to_epoch(*t));
}

std::vector<history_item> parse_history_xml(const std::string& xml) {
    std::vector<history_item> out;
    auto doc = read_xml(xml);
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    for (const xmlNode* n : cib::xml::children(root, "event")) {
        history_item e;
        for (const xmlAttr* a = n->properties; a; a = a->next) {
            const std::string name = reinterpret_cast<const char*>(a->name);
            std::string value = cib::xml::attr_value(n, a);
            if (name == "time-ms")
                e.time_ms = std::atoll(value.c_str());
            else if (name == "kind")
                e.kind = std::move(value);
            else
                e.fields.emplace_back(name, std::move(value));
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<history_item> parse_fencing_xml(const std::string& xml) {
    std::vector<history_item> out;
    auto doc = read_xml(xml);
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    for (const xmlNode* n : cib::xml::children(root, "fencing")) {
        using cib::xml::attr;
        const std::string completed = attr(n, "completed");
        out.push_back({std::atoll(completed.c_str()) * 1000,
                       "fencing",
                       {{"target", attr(n, "target")},
                        {"action", attr(n, "action")},
                        {"result", attr(n, "state") == "success" ? "ok" : "failed"},
                        {"device", attr(n, "device")},
                        {"origin", attr(n, "origin")},
                        {"completed", completed},
                        {"reason", attr(n, "reason")}}});
    }
    return out;
}

std::vector<history_item> merge_history(std::vector<history_item> journal, const std::vector<history_item>& fencing) {
    auto key = [](const history_item& e) {
        return std::make_tuple(e.get("target"), e.get("action"), e.get("origin"), e.get("completed"));
    };
    std::set<decltype(key(journal.front()))> known;
    for (const auto& e : journal)
        if (e.kind == "fencing") known.insert(key(e));
    for (const auto& f : fencing)
        if (known.insert(key(f)).second) journal.push_back(f);
    std::stable_sort(journal.begin(), journal.end(),
                     [](const history_item& a, const history_item& b) { return a.time_ms < b.time_ms; });
    return journal;
}

std::string history_line(const history_item& e) {
    std::string what;
    if (e.kind == "transition")
        what = e.get("state") == "started" ? "transition " + e.get("id") + " started (" + e.get("actions") + " actions)"
                                           : "transition " + e.get("id") + " finished: " + e.get("outcome");
    else if (e.kind == "action")
        what = "transition " + e.get("transition") + ": " + action_words(e) + " (" + e.get("result") + ")";
    else if (e.kind == "fencing")
        what = fencing_words(e);
    else if (e.kind == "failure")
        what = failure_words(e);
    else if (e.kind == "cib")
        what = cib_words(e);
    else {
        what = e.kind;
        for (const auto& [k, v] : e.fields) what += " " + k + "=" + v;
    }
    return local_time(e.time_ms) + " " + cib::mask_secrets(what) + "\n";
}

std::string history_text(const std::vector<history_item>& events) {
    std::string out;
    for (const auto& e : events) out += history_line(e);
    return out;
}

std::string history_json(const std::vector<history_item>& events) {
    std::string out = "{\"history\": [";
    for (size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        out += std::string(i ? "," : "") + "\n  {\"time\": " + json_string(utc_time(e.time_ms)) +
               ", \"time-ms\": " + std::to_string(e.time_ms) + ", \"kind\": " + json_string(e.kind);
        for (const auto& [k, v] : e.fields) out += ", " + json_string(k) + ": " + json_string(cib::mask_secrets(v));
        out += "}";
    }
    return out + (events.empty() ? "]}\n" : "\n]}\n");
}

std::string history_xml(const std::vector<history_item>& events) {
    std::string out = "<history>\n";
    for (const auto& e : events) {
        out += "  <event time=\"" + utc_time(e.time_ms) + "\" time-ms=\"" + std::to_string(e.time_ms) + "\" kind=\"" +
               cib::xml_attr(e.kind) + "\"";
        for (const auto& [k, v] : e.fields) out += " " + k + "=\"" + cib::xml_attr(cib::mask_secrets(v)) + "\"";
        out += "/>\n";
    }
    return out + "</history>\n";
}

}  // namespace holdfast::tools
