// Running fence agents (agent.hpp).
#include "fencing/agent.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "fencing/agent_process.hpp"

namespace holdfast::fencing {
namespace {

bool valid_agent_name(const std::string& a) {
    if (a.size() <= 6 || a.compare(0, 6, "fence_") != 0) return false;
    for (char c : a)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
}

// The outcome of one finished run of `action`.
std::optional<error> judge(const std::string& action, const agent_run& run, action_outcome& o) {
    if (run.timed_out)
        return error{errc::timed_out, action + " timed out after " + std::to_string(o.timeout_ms) + " ms"};
    if (run.signal != 0) return error{errc::agent_failed, action + " killed by signal " + std::to_string(run.signal)};
    if (action == "status") {
        if (run.rc == 0) o.state = power_state::on;
        if (run.rc == 2) o.state = power_state::off;
        if (run.rc == 0 || run.rc == 2) return std::nullopt;
        return error{errc::agent_failed, "status failed (exit status " + std::to_string(run.rc) + ")"};
    }
    if (run.rc != 0) return error{errc::agent_failed, action + " failed (exit status " + std::to_string(run.rc) + ")"};
    if (action == "list" || action == "list-status") o.targets = parse_targets(run.out);
    return std::nullopt;
}

result<int> timeout_for(const device& d, const action_request& req, const std::string& agent_action) {
    auto t = action_timeout_ms(d, req.action, -1);
    if (!t) return t;
    if (*t > 0) return t;
    return action_timeout_ms(d, agent_action, req.stonith_timeout_ms);
}

}  // namespace

const char* to_string(power_state s) {
    switch (s) {
        case power_state::on: return "on";
        case power_state::off: return "off";
        case power_state::unknown: return "unknown";
    }
    return "unknown";
}

std::string agent_dir() {
    const char* dir = std::getenv("HOLDFAST_FENCE_AGENT_DIR");
    return dir && *dir ? dir : "/usr/sbin";
}

result<std::string> agent_path(const std::string& agent) {
    if (!valid_agent_name(agent))
        return unexpected(error{errc::unknown_agent, "'" + agent + "' is not a fence agent name (fence_*)"});
    const std::string path = agent_dir() + "/" + agent;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || access(path.c_str(), X_OK) != 0)
        return unexpected(error{errc::unknown_agent, "no fence agent " + path});
    return path;
}

result<agent_metadata> read_metadata(const std::string& agent, int timeout_ms) {
    auto path = agent_path(agent);
    if (!path) return unexpected(path.error());
    auto run = run_process({{*path}, "action=metadata\n", timeout_ms});
    if (!run) return unexpected(run.error());
    if (run->timed_out) return unexpected(error{errc::timed_out, agent + " metadata timed out"});
    if (!run->exited || run->code != 0)
        return unexpected(
            error{errc::bad_metadata, agent + " metadata failed (exit status " + std::to_string(run->code) + ")"});
    return parse_metadata(run->out);
}

result<action_outcome> run_action(const device& d, const agent_metadata& md, const action_request& req) {
    auto path = agent_path(d.agent);
    if (!path) return unexpected(path.error());
    action_outcome o;
    o.action = req.action;
    o.agent_action = agent_action(d, md, req.action);
    if (!md.has_action(o.agent_action) && o.agent_action != "metadata")
        return unexpected(error{errc::not_supported, d.agent + " has no action '" + o.agent_action + "'"});
    auto timeout = timeout_for(d, req, o.agent_action);
    auto tries = action_tries(d, req.action);
    if (!timeout) return unexpected(timeout.error());
    if (!tries) return unexpected(tries.error());
    o.timeout_ms = *timeout;
    const std::string input = stdin_text(make_agent_args(d, md, o.agent_action, req.target, req.nodeid));
    int64_t spent = 0;
    for (;;) {
        process_request pr{{*path}, input, o.timeout_ms - static_cast<int>(spent)};
        pr.cancel_fd = req.cancel_fd;
        auto run = run_process(pr);
        if (!run) return unexpected(run.error());
        if (run->cancelled) return unexpected(error{errc::cancelled, d.agent + " " + o.agent_action + " cancelled"});
        spent += run->elapsed_ms;
        o.runs.push_back({run->exited ? run->code : -1, run->signal, run->timed_out, run->elapsed_ms,
                          std::move(run->out), std::move(run->err)});
        o.failure = judge(req.action == "status" ? "status" : o.agent_action, o.runs.back(), o);
        if (o.ok()) return o;
        if (!should_retry(static_cast<int>(o.runs.size()), *tries, o.runs.back().timed_out, spent, o.timeout_ms))
            return o;
    }
}

result<eligibility> check_target(const device& d, const agent_metadata& md, const std::string& target,
                                 int stonith_timeout_ms) {
    auto how = host_check_of(d, md);
    if (!how) return unexpected(how.error());
    eligibility e{false, *how, {}};
    const auto map_it = d.params.find("pcmk_host_map");
    const auto list_it = d.params.find("pcmk_host_list");
    auto map = parse_host_map(map_it == d.params.end() ? "" : map_it->second);
    if (!map) return unexpected(map.error());
    const auto alias = map_lookup(*map, target);
    switch (*how) {
        case host_check::none:
            e.can = true;
            e.detail = "pcmk_host_check=none: every node";
            return e;
        case host_check::static_list: {
            const auto list = parse_targets(list_it == d.params.end() ? "" : list_it->second);
            e.can = contains_name(list, target) || alias.has_value();
            e.detail = e.can ? "named in pcmk_host_list or pcmk_host_map" : "not in pcmk_host_list or pcmk_host_map";
            return e;
        }
        case host_check::dynamic_list: {
            auto list = run_action(d, md, {"list", "", 0, stonith_timeout_ms});
            if (!list) return unexpected(list.error());
            if (!list->ok()) return unexpected(error{errc::agent_failed, "list: " + list->failure->message});
            const std::string plug = alias.value_or(target);
            e.can = contains_name(list->targets, plug);
            e.detail = "'" + plug + (e.can ? "' is" : "' is not") + " in the agent's list";
            return e;
        }
        case host_check::status: {
            auto st = run_action(d, md, {"status", target, 0, stonith_timeout_ms});
            if (!st) return unexpected(st.error());
            e.can = st->ok();
            e.detail = e.can ? "status answered " + std::string(to_string(st->state)) : st->failure->message;
            return e;
        }
    }
    return e;
}

}  // namespace holdfast::fencing
