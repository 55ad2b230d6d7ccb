// holdfast fence test DEVICE: drives one fence device directly (no fencer,
// no cluster needed) through fencing/'s agent runner, printing each step with
// its time, and a verdict: exit 0 only if every step did what it should.
//
// The device is a stonith primitive of holdfastd's CIB, of a CIB file
// (--cib), or given inline (--agent fence_xxx --option key=value...).
#include <sys/time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "cib/cib.hpp"
#include "cib/secrets.hpp"
#include "fencing/agent.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {
namespace {

namespace hf = holdfast::fencing;

constexpr const char* fence_usage =
    "usage: holdfast fence test DEVICE [--target NODE] [--action status|off|on|reboot] [--count N]\n"
    "                               [--timeout SECONDS] [--cib FILE | --agent fence_xxx [--option KEY=VALUE]...]\n"
    "                               [--socket NAME]\n";

struct test_options {
    std::string device;
    std::string target;
    std::string action;
    int count = 1;
    int timeout_ms = 0;  // --timeout; else the CIB's stonith-timeout, else 60 s
    std::string cib_file;
    std::string agent;
    std::vector<std::pair<std::string, std::string>> inline_options;
    std::string ipc = default_ipc_name();
};

bool take_value(const args& a, size_t& i, const char* name, std::string& out) {
    const std::string flag = std::string("--") + name;
    if (a[i].rfind(flag + "=", 0) == 0) {
        out = a[i].substr(flag.size() + 1);
        return true;
    }
    if (a[i] == flag && i + 1 < a.size()) {
        out = a[++i];
        return true;
    }
    return false;
}

// A positive whole number, or 0.
int positive(const std::string& v) {
    const int n = std::atoi(v.c_str());
    return n >= 1 && std::to_string(n) == v ? n : 0;
}

// Parses everything after "fence test"; an empty string when fine.
std::string parse_test(const args& a, test_options& o) {
    std::string v;
    for (size_t i = 1; i < a.size(); ++i) {
        if (take_value(a, i, "target", o.target) || take_value(a, i, "action", o.action) ||
            take_value(a, i, "cib", o.cib_file) || take_value(a, i, "agent", o.agent) || take_ipc_option(a, i, o.ipc))
            continue;
        if (take_value(a, i, "count", v)) {
            if (!(o.count = positive(v))) return "--count: '" + v + "' is not a positive number";
        } else if (take_value(a, i, "timeout", v)) {
            if (!(o.timeout_ms = positive(v) * 1000)) return "--timeout: '" + v + "' is not a positive number";
        } else if (take_value(a, i, "option", v)) {
            const auto eq = v.find('=');
            if (eq == std::string::npos || eq == 0) return "--option takes KEY=VALUE, not '" + v + "'";
            o.inline_options.emplace_back(v.substr(0, eq), v.substr(eq + 1));
        } else if (a[i][0] != '-' && o.device.empty()) {
            o.device = a[i];
        } else {
            return "unknown or incomplete option '" + a[i] + "'";
        }
    }
    if (o.device.empty()) return "DEVICE is missing";
    if (o.action.empty()) o.action = o.target.empty() ? "monitor" : "status";
    if (o.action != "status" && o.action != "off" && o.action != "on" && o.action != "reboot" && o.action != "monitor")
        return "--action must be status, off, on or reboot";
    if (o.action != "status" && o.action != "monitor" && o.target.empty())
        return "--action " + o.action + " needs --target NODE";
    if (!o.agent.empty() && !o.cib_file.empty()) return "--agent and --cib exclude each other";
    if (o.agent.empty() && !o.inline_options.empty()) return "--option needs --agent";
    return {};
}

// The cluster's stonith-timeout (or its newer name fencing-timeout) from
// property sets without rules; 0 when unset or unreadable.
int cib_stonith_timeout_ms(const cib::cib_model& m) {
    for (const auto& set : m.crm_config) {
        if (!set.rules.empty()) continue;
        for (const auto& p : set.pairs)
            if (p.name == "stonith-timeout" || p.name == "fencing-timeout")
                if (const auto ms = hf::parse_interval_ms(p.value); ms && *ms > 0 && *ms < INT32_MAX)
                    return static_cast<int>(*ms);
    }
    return 0;
}

// The device from the inline options, a CIB file, or holdfastd's CIB (whose
// stonith-timeout applies unless --timeout was given). On failure, the exit
// status in *rc.
std::optional<hf::device> resolve_device(test_options& o, int* rc) {
    *rc = exit_error;
    if (!o.agent.empty()) {
        hf::device d{o.device, o.agent, {}};
        for (const auto& [k, v] : o.inline_options) d.params[k] = v;
        return d;
    }
    cib::load_options lo;
    lo.validate = false;  // only the device is read
    expected<cib::document, cib::error> doc = unexpected(cib::error{});
    if (!o.cib_file.empty()) {
        doc = cib::load_file(o.cib_file, lo);
    } else {
        auto xml = ask_daemon(o.ipc, daemon::request_type::cib_query);
        if (!xml) {
            *rc = report("fence test", xml.error());
            std::fputs("holdfast fence test: without holdfastd, give --cib FILE or --agent fence_xxx\n", stderr);
            return std::nullopt;
        }
        doc = cib::load_string(*xml, lo, "<holdfastd>");
    }
    if (!doc) {
        std::fprintf(stderr, "holdfast fence test: %s\n", doc.error().to_string().c_str());
        return std::nullopt;
    }
    if (o.timeout_ms == 0) o.timeout_ms = cib_stonith_timeout_ms(doc->model());
    auto d = hf::find_device(doc->model(), o.device);
    if (!d) {
        std::fprintf(stderr, "holdfast fence test: %s\n", d.error().message.c_str());
        return std::nullopt;
    }
    return *d;
}

// Prints the steps as they happen and keeps the verdict.
class step_log {
public:
    void line(const std::string& step, bool good, const std::string& result, int64_t ms, const std::string& raw_note) {
        // an agent's complaint may quote its options, the password among them
        const std::string note = cib::mask_secrets(raw_note);
        timeval tv{};
        gettimeofday(&tv, nullptr);
        std::tm tm{};
        gmtime_r(&tv.tv_sec, &tm);
        std::printf("%02d:%02d:%02d.%03ld  %-24s %-9s %7lld ms%s%s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
                    static_cast<long>(tv.tv_usec / 1000), step.c_str(), result.c_str(), static_cast<long long>(ms),
                    note.empty() ? "" : "  ", note.c_str());
        std::fflush(stdout);
        ++steps_;
        if (!good && first_failure_.empty()) first_failure_ = step + ": " + (note.empty() ? result : note);
    }
    int verdict() const {
        if (first_failure_.empty()) {
            std::printf("verdict: PASS (%d steps)\n", steps_);
            return exit_ok;
        }
        std::printf("verdict: FAIL (%s)\n", first_failure_.c_str());
        return exit_error;
    }
    bool failed() const { return !first_failure_.empty(); }

private:
    int steps_ = 0;
    std::string first_failure_;
};

int64_t ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

int64_t total_ms(const hf::action_outcome& o) {
    int64_t ms = 0;
    for (const auto& r : o.runs) ms += r.elapsed_ms;
    return ms;
}

// What the agent said when it failed: its last stderr line.
std::string last_words(const hf::action_outcome& o) {
    if (o.ok() || o.runs.empty()) return o.ok() ? "" : o.failure->message;
    std::string err = o.runs.back().err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    const auto nl = err.rfind('\n');
    return o.failure->message + (err.empty() ? "" : ": " + err.substr(nl == std::string::npos ? 0 : nl + 1));
}

// One action; for status, whether the state is `expect` (when given).
hf::power_state run_step(step_log& log, const hf::device& d, const hf::agent_metadata& md, const test_options& o,
                         const std::string& action, const std::string& label, hf::power_state expect) {
    auto r = hf::run_action(d, md, {action, o.target, 0, o.timeout_ms});
    if (!r) {
        log.line(label, false, "error", 0, r.error().message);
        return hf::power_state::unknown;
    }
    std::string note = r->agent_action != action ? "(agent action " + r->agent_action + ")" : "";
    if (r->runs.size() > 1) note += (note.empty() ? "" : " ") + std::to_string(r->runs.size()) + " tries";
    if (!r->ok()) {
        log.line(label, false, "failed", total_ms(*r), last_words(*r));
        return hf::power_state::unknown;
    }
    const bool is_status = action == "status";
    const bool good = !is_status || expect == hf::power_state::unknown || r->state == expect;
    if (is_status && !good) note = std::string("expected ") + hf::to_string(expect);
    log.line(label, good, is_status ? hf::to_string(r->state) : "ok", total_ms(*r), note);
    return r->state;
}

void run_steps(step_log& log, const hf::device& d, const test_options& o) {
    const std::string on_target = o.target.empty() ? "" : " " + o.target;
    auto started = std::chrono::steady_clock::now();
    auto md = hf::read_metadata(d.agent, o.timeout_ms);
    if (!md) return log.line("metadata", false, "failed", ms_since(started), md.error().message);
    const auto* on = md->action("on");
    log.line(
        "metadata", true, "ok", ms_since(started),
        on ? std::string("on: automatic=") + (on->automatic ? "1" : "0") + " on_target=" + (on->on_target ? "1" : "0")
           : "no on action");
    if (md->has_action("monitor") && o.action != "monitor")
        run_step(log, d, *md, o, "monitor", "monitor", hf::power_state::unknown);
    if (!o.target.empty()) {
        started = std::chrono::steady_clock::now();
        auto e = hf::check_target(d, *md, o.target, o.timeout_ms);
        if (!e) return log.line("can fence" + on_target, false, "error", ms_since(started), e.error().message);
        log.line("can fence" + on_target, e->can, e->can ? "yes" : "no", ms_since(started),
                 std::string(hf::to_string(e->how)) + ": " + e->detail);
        if (!e->can) return;
    }
    // reboot on an agent without it is off (Pacemaker remaps it): the node stays off
    const bool reboot_is_off = o.action == "reboot" && hf::agent_action(d, *md, "reboot") == "off";
    const auto expect = o.action == "off" || reboot_is_off ? hf::power_state::off : hf::power_state::on;
    for (int i = 1; i <= o.count && !log.failed(); ++i) {
        const std::string n = o.count > 1 ? " #" + std::to_string(i) : "";
        run_step(log, d, *md, o, o.action, o.action + on_target + n, hf::power_state::unknown);
        if (o.action != "status" && o.action != "monitor" && !log.failed())
            run_step(log, d, *md, o, "status", "status" + on_target + n, expect);
    }
}

int run_fence_test(const args& a) {
    test_options o;
    if (const auto why = parse_test(a, o); !why.empty()) {
        std::fprintf(stderr, "holdfast fence test: %s\n%s", why.c_str(), fence_usage);
        return exit_usage;
    }
    int rc = exit_error;
    const auto d = resolve_device(o, &rc);
    if (!d) return rc;
    if (o.timeout_ms == 0) o.timeout_ms = hf::default_stonith_timeout_ms;
    std::printf("fence test: device %s (%s, %zu options), %s%s, action %s, count %d\n", d->id.c_str(), d->agent.c_str(),
                d->params.size(), o.target.empty() ? "no target" : "target ", o.target.c_str(), o.action.c_str(),
                o.count);
    step_log log;
    run_steps(log, *d, o);
    return log.verdict();
}

}  // namespace

int run_fence(const args& a) {
    if (!a.empty() && a[0] == "test") return run_fence_test(a);
    return run_fence_admin(a);
}

}  // namespace holdfast::tools
