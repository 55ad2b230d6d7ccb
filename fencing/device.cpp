// A fence device's options, as Pacemaker's fencer reads them (device.hpp).
#include "fencing/device.hpp"

#include <strings.h>

#include <cctype>
#include <charconv>

#include "fencing/metadata.hpp"

namespace holdfast::fencing {
namespace {

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

const std::string* param(const device& d, const std::string& name) {
    const auto it = d.params.find(name);
    return it == d.params.end() ? nullptr : &it->second;
}

bool is_fencing_action(const std::string& action) { return action == "off" || action == "reboot"; }

// "5", "5s", "1500ms", "2min", "1h" (Pacemaker's crm_get_msec)
std::optional<int64_t> plain_interval_ms(std::string_view t) {
    int64_t n = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || n < 0) return std::nullopt;
    std::string_view unit(end, static_cast<size_t>(t.data() + t.size() - end));
    while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front()))) unit.remove_prefix(1);
    if (unit.empty() || unit == "s" || unit == "sec") return n * 1000;
    if (unit == "ms" || unit == "msec") return n;
    if (unit == "us" || unit == "usec") return n / 1000;
    if (unit == "m" || unit == "min") return n * 60 * 1000;
    if (unit == "h" || unit == "hr") return n * 3600 * 1000;
    return std::nullopt;
}

// "PT1H2M3S" (the time part of an ISO 8601 duration)
std::optional<int64_t> iso_interval_ms(std::string_view t) {
    if (t.size() < 3 || t.substr(0, 2) != "PT") return std::nullopt;
    t.remove_prefix(2);
    int64_t total = 0;
    while (!t.empty()) {
        int64_t n = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (ec != std::errc() || end == t.data() + t.size()) return std::nullopt;
        const char unit = *end;
        total += unit == 'H' ? n * 3600000 : unit == 'M' ? n * 60000 : unit == 'S' ? n * 1000 : -1;
        if (unit != 'H' && unit != 'M' && unit != 'S') return std::nullopt;
        t.remove_prefix(static_cast<size_t>(end - t.data()) + 1);
    }
    return total;
}

bool target_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

void parse_target_line(std::string_view line, std::vector<std::string>& out) {
    if (line.find("invalid") != std::string_view::npos || line.find("variable") != std::string_view::npos) return;
    size_t i = 0;
    while (i < line.size()) {
        const auto sep = line.find_first_of(" \t\r,;", i);
        const auto entry = line.substr(i, sep == std::string_view::npos ? std::string_view::npos : sep - i);
        i = sep == std::string_view::npos ? line.size() : sep + 1;
        // Pacemaker keeps the leading run of name characters of an entry
        size_t n = 0;
        while (n < entry.size() && target_char(entry[n])) ++n;
        if (n == 0 || entry.substr(0, n) == "on" || entry.substr(0, n) == "off") continue;
        out.emplace_back(entry.substr(0, n));
    }
}

result<int> interval_param_s(const device& d, const char* name) {
    const auto* v = param(d, name);
    if (!v) return 0;
    const auto ms = parse_interval_ms(*v);
    if (!ms) return unexpected(error{errc::bad_config, std::string(name) + ": '" + *v + "' is not an interval"});
    return static_cast<int>(*ms / 1000);
}

}  // namespace

const char* to_string(errc e) {
    switch (e) {
        case errc::bad_config: return "bad device configuration";
        case errc::unknown_agent: return "no such fence agent";
        case errc::bad_metadata: return "bad agent metadata";
        case errc::spawn_failed: return "cannot start the agent";
        case errc::wait_failed: return "cannot wait for the agent";
        case errc::not_supported: return "action not supported by the agent";
        case errc::not_eligible: return "the device cannot fence that node";
        case errc::agent_failed: return "the agent failed";
        case errc::timed_out: return "the agent timed out";
        case errc::cancelled: return "fencing cancelled";
    }
    return "error";
}

const char* to_string(host_check c) {
    switch (c) {
        case host_check::none: return "none";
        case host_check::static_list: return "static-list";
        case host_check::dynamic_list: return "dynamic-list";
        case host_check::status: return "status";
    }
    return "none";
}

bool is_fencer_option(std::string_view name) {
    if (name == "provides" || name == "stonith-timeout" || name == "action" || name == "crm_feature_set") return true;
    if (name.find("CRM_meta") != std::string_view::npos) return true;
    if (name.substr(0, 5) != "pcmk_") return false;
    for (const char* p : {"pcmk_action_limit", "pcmk_delay_base", "pcmk_delay_max", "pcmk_host_argument",
                          "pcmk_host_check", "pcmk_host_list", "pcmk_host_map"})
        if (name == p) return true;
    // pcmk_<action>_action / _timeout / _retries
    const auto us = name.find('_', 5);
    if (us == std::string_view::npos) return false;
    const auto rest = name.substr(us);
    return rest == "_action" || rest == "_timeout" || rest == "_retries";
}

std::optional<int64_t> parse_interval_ms(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    return text[0] == 'P' ? iso_interval_ms(text) : plain_interval_ms(text);
}

result<host_map> parse_host_map(std::string_view text) {
    host_map out;
    std::string name, current;
    bool have_name = false;
    for (size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : '\0';
        if (c == '\\' && i + 1 < text.size()) {
            current += text[++i];
        } else if ((c == ':' || c == '=') && !have_name) {
            name = current;
            current.clear();
            have_name = !name.empty();
        } else if (c == '\0' || c == ';' || c == ' ' || c == '\t') {
            if (have_name)
                out.emplace_back(name, current);
            else if (!current.empty())
                return unexpected(error{errc::bad_config, "pcmk_host_map: '" + current + "' has no node:plug form"});
            have_name = false;
            current.clear();
        } else {
            current += c;
        }
    }
    return out;
}

std::optional<std::string> map_lookup(const host_map& map, std::string_view target) {
    for (const auto& [node, plug] : map)
        if (iequal(node, target)) return plug;
    return std::nullopt;
}

std::vector<std::string> parse_targets(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        const auto nl = text.find('\n', i);
        parse_target_line(text.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i), out);
        i = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    return out;
}

bool contains_name(const std::vector<std::string>& names, std::string_view name) {
    for (const auto& n : names)
        if (iequal(n, name)) return true;
    return false;
}

result<host_check> host_check_of(const device& d, const agent_metadata& md) {
    if (const auto* v = param(d, "pcmk_host_check")) {
        for (auto c : {host_check::none, host_check::static_list, host_check::dynamic_list, host_check::status})
            if (iequal(*v, to_string(c))) return c;
        return unexpected(error{errc::bad_config,
                                "pcmk_host_check: '" + *v + "' is none of static-list, dynamic-list, status, none"});
    }
    if (param(d, "pcmk_host_list") || param(d, "pcmk_host_map")) return host_check::static_list;
    if (md.has_action("list")) return host_check::dynamic_list;
    if (md.has_action("status")) return host_check::status;
    return host_check::none;
}

std::string agent_action(const device& d, const agent_metadata& md, const std::string& action) {
    std::string a = action == "reboot" && !md.has_action("reboot") ? "off" : action;
    if (const auto* v = param(d, "pcmk_" + a + "_action"); v && !v->empty()) return *v;
    return a;
}

result<int> action_timeout_ms(const device& d, const std::string& action, int fallback_ms) {
    const auto* v = param(d, "pcmk_" + action + "_timeout");
    if (!v) return fallback_ms;
    const auto ms = parse_interval_ms(*v);
    if (!ms || *ms <= 0 || *ms > INT32_MAX)
        return unexpected(error{errc::bad_config, "pcmk_" + action + "_timeout: '" + *v + "' is not an interval"});
    return static_cast<int>(*ms);
}

result<int> action_tries(const device& d, const std::string& action) {
    const auto* v = param(d, "pcmk_" + action + "_retries");
    if (!v) return 2;
    int n = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n < 0)
        return unexpected(error{errc::bad_config, "pcmk_" + action + "_retries: '" + *v + "' is not a count"});
    return n < 1 ? 1 : n;
}

bool should_retry(int tries_done, int max_tries, bool timed_out, int64_t elapsed_ms, int timeout_ms) {
    if (tries_done >= max_tries || timed_out) return false;
    return static_cast<double>(elapsed_ms) < 0.7 * static_cast<double>(timeout_ms);
}

result<int> fencing_delay_s(const device& d, const std::string& action, const std::string& target,
                            uint32_t random_draw) {
    if (!is_fencing_action(action)) return 0;
    auto max = interval_param_s(d, "pcmk_delay_max");
    if (!max) return unexpected(max.error());
    int base = 0;
    if (const auto* v = param(d, "pcmk_delay_base")) {
        std::string value = *v;
        if (v->find(':') != std::string::npos) {
            auto map = parse_host_map(*v);
            if (!map) return unexpected(error{errc::bad_config, "pcmk_delay_base: " + map.error().message});
            value = map_lookup(*map, target).value_or("0");
        }
        const auto ms = parse_interval_ms(value);
        if (!ms) return unexpected(error{errc::bad_config, "pcmk_delay_base: '" + value + "' is not an interval"});
        base = static_cast<int>(*ms / 1000);
    }
    int top = *max == 0 ? base : *max;
    if (top < base) base = top;  // Pacemaker warns and limits to the maximum
    if (top <= 0) return 0;
    return base + (top != base ? static_cast<int>(random_draw % static_cast<uint32_t>(top - base)) : 0);
}

agent_args make_agent_args(const device& d, const agent_metadata& md, const std::string& agent_action,
                           const std::string& target, uint32_t nodeid) {
    agent_args out{{"action", agent_action}};
    auto set = [&out](const std::string& k, const std::string& v) {
        for (auto& [key, value] : out)
            if (key == k) {
                value = v;
                return;
            }
        out.emplace_back(k, v);
    };
    std::string host_arg;  // set from the target: a configured "dynamic" does not overwrite it
    if (!target.empty()) {
        set("nodename", target);
        if (nodeid != 0) set("nodeid", std::to_string(nodeid));
        const auto* configured = param(d, "pcmk_host_argument");
        // fence_legacy (Heartbeat's stonith plugins) takes the target as nodename only
        if (d.agent != "fence_legacy" && !(configured && iequal(*configured, "none"))) {
            const std::string arg = configured ? *configured : md.default_host_argument();
            const auto* fixed = param(d, arg);
            if (!fixed || iequal(*fixed, "dynamic")) {
                std::string plug = target;
                if (const auto* map = param(d, "pcmk_host_map"))
                    if (auto parsed = parse_host_map(*map))
                        if (auto p = map_lookup(*parsed, target)) plug = *p;
                set(arg, plug);
                host_arg = arg;
            }
        }
    }
    for (const auto& [k, v] : d.params)
        if (!is_fencer_option(k) && k != host_arg) set(k, v);
    return out;
}

std::string stdin_text(const agent_args& args) {
    std::string out;
    for (const auto& [k, v] : args) out += k + "=" + v + "\n";
    return out;
}

}  // namespace holdfast::fencing
