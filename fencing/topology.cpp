// Which devices fence a node, and fencing it with them (see topology.hpp).
#include "fencing/topology.hpp"

#include <regex.h>
#include <strings.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "fencing/agent.hpp"
#include "fencing/cancel.hpp"

namespace holdfast::fencing {

namespace {

// A target-pattern is a POSIX extended regular expression, matched anywhere
// in the node's name (as Pacemaker's fencer uses regcomp/regexec).
result<bool> pattern_matches(const std::string& pattern, const std::string& target) {
    regex_t re;
    if (regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
        return unexpected(error{errc::bad_config, "fencing-level target-pattern '" + pattern + "' is not valid"});
    const bool match = regexec(&re, target.c_str(), 0, nullptr, 0) == 0;
    regfree(&re);
    return match;
}

result<bool> level_applies(const cib::fencing_level& l, const std::string& target,
                           const std::map<std::string, std::string>& attributes) {
    if (!l.target.empty()) return strcasecmp(l.target.c_str(), target.c_str()) == 0;
    if (!l.target_pattern.empty()) return pattern_matches(l.target_pattern, target);
    if (!l.target_attribute.empty()) {
        auto it = attributes.find(l.target_attribute);
        return it != attributes.end() && it->second == l.target_value;
    }
    return false;
}

void stonith_primitives(const std::vector<cib::resource>& resources, std::vector<const cib::resource*>& out) {
    for (const auto& r : resources) {
        if (r.kind == cib::resource_kind::primitive && r.rclass == "stonith") out.push_back(&r);
        stonith_primitives(r.children, out);
    }
}

fencing_step run_device(const device& d, const std::string& action, const fencing_request& req, metadata_cache& cache) {
    fencing_step step{d.id, action, false, 0, {}};
    const auto began = std::chrono::steady_clock::now();
    auto finish = [&](bool ok, std::string detail) {
        step.ok = ok;
        step.detail = std::move(detail);
        step.elapsed_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count();
        return step;
    };
    auto md = cache.get(d.agent);
    if (!md) return finish(false, md.error().message);
    if (auto delay = fencing_delay_s(d, action, req.target, std::random_device{}()); !delay) {
        return finish(false, delay.error().message);
    } else if (*delay > 0 && !sleep_unless_cancelled(std::chrono::seconds(*delay), req.cancel_fd)) {
        // pcmk_delay_base/max: in a split, the nodes' fencers do not shoot at the same time
        return finish(false, "cancelled during pcmk_delay_base/max");
    }
    if (is_cancelled(req.cancel_fd)) return finish(false, "cancelled");
    action_request ar{action, req.target, req.nodeid, req.stonith_timeout_ms};
    ar.cancel_fd = req.cancel_fd;
    auto out = run_action(d, *md, ar);
    if (!out) return finish(false, out.error().message);
    if (!out->ok()) return finish(false, out->failure->message);
    return finish(true, {});
}

// Every device of a level must succeed; a reboot through several devices is
// every device off, then every device on (so the node is never powered by one
// while another cuts it).
bool run_level(const fencing_plan::level& l, const fencing_request& req, metadata_cache& cache, fencing_result& r) {
    std::vector<std::string> actions{req.action};
    if (req.action == "reboot" && l.devices.size() > 1) actions = {"off", "on"};
    for (const auto& action : actions)
        for (const auto& d : l.devices) {
            r.steps.push_back(run_device(d, action, req, cache));
            if (!r.steps.back().ok) {
                r.reason = d.id + " " + action + ": " + r.steps.back().detail;
                return false;
            }
        }
    return true;
}

// Without topology a device is used only if it can fence the target.
bool eligible(const device& d, const fencing_request& req, metadata_cache& cache, fencing_result& r) {
    auto md = cache.get(d.agent);
    std::string why;
    if (md) {
        auto e = check_target(d, *md, req.target, req.stonith_timeout_ms);
        if (e && e->can) return true;
        why = e ? "cannot fence " + req.target + " (" + e->detail + ")" : e.error().message;
    } else {
        why = md.error().message;
    }
    r.steps.push_back({d.id, "check", false, 0, why});
    return false;
}

}  // namespace

result<fencing_plan> plan_fencing(const cib::cib_model& cib, const std::string& target,
                                  const std::map<std::string, std::string>& attributes) {
    fencing_plan plan;
    std::vector<const cib::fencing_level*> levels;
    for (const auto& l : cib.fencing_levels) {
        auto applies = level_applies(l, target, attributes);
        if (!applies) return unexpected(applies.error());
        if (*applies) levels.push_back(&l);
    }
    std::stable_sort(levels.begin(), levels.end(), [](auto* a, auto* b) { return a->index < b->index; });
    plan.topology = !levels.empty();
    for (const auto* l : levels) {
        fencing_plan::level level{l->index, {}};
        for (const auto& id : l->devices) {
            auto d = find_device(cib, id);
            if (!d) return unexpected(d.error());
            level.devices.push_back(std::move(*d));
        }
        plan.levels.push_back(std::move(level));
    }
    if (plan.topology) return plan;
    std::vector<const cib::resource*> all;
    stonith_primitives(cib.resources, all);
    for (const auto* r : all) {
        auto d = device_from_resource(*r);
        if (!d) return unexpected(d.error());
        plan.levels.push_back({0, {std::move(*d)}});
    }
    return plan;
}

result<agent_metadata> metadata_cache::get(const std::string& agent) {
    {
        std::lock_guard lock(mu_);
        if (auto it = known_.find(agent); it != known_.end()) return it->second;
    }
    auto md = read_metadata(agent);
    if (!md) return md;
    std::lock_guard lock(mu_);
    known_.emplace(agent, *md);
    return md;
}

fencing_result execute_plan(const fencing_plan& plan, const fencing_request& req, metadata_cache& cache) {
    fencing_result r;
    if (req.delay_s > 0 && (req.action == "off" || req.action == "reboot") &&
        !sleep_unless_cancelled(std::chrono::seconds(req.delay_s), req.cancel_fd)) {
        r.reason = "cancelled during priority-fencing-delay";
        return r;
    }
    for (const auto& level : plan.levels) {
        if (is_cancelled(req.cancel_fd)) {
            r.reason = "cancelled: this node stopped fencing";
            return r;
        }
        if (!plan.topology && !eligible(level.devices.front(), req, cache, r)) continue;
        if (!run_level(level, req, cache, r)) continue;
        r.ok = true;
        r.level = level.index;
        for (const auto& d : level.devices) r.device += (r.device.empty() ? "" : ",") + d.id;
        r.reason.clear();
        return r;
    }
    if (r.reason.empty())
        r.reason = plan.levels.empty() ? "no fence device is configured" : "no device can fence " + req.target;
    return r;
}

fencing_result execute_unfencing(const fencing_plan& plan, const fencing_request& req, metadata_cache& cache) {
    fencing_result r;
    std::vector<std::string> seen;
    for (const auto& level : plan.levels)
        for (device d : level.devices) {
            if (std::find(seen.begin(), seen.end(), d.id) != seen.end()) continue;
            seen.push_back(d.id);
            auto md = cache.get(d.agent);
            if (!md) {
                r.steps.push_back({d.id, "on", false, 0, md.error().message});
                r.reason = d.id + ": " + md.error().message;
                return r;
            }
            if (!md->automatic_unfencing() && !d.provides_unfencing) continue;
            if (!plan.topology && !eligible(d, req, cache, r)) continue;
            if (req.rejoined && md->has_parameter("rejoined"))
                d.params.insert_or_assign("rejoined", std::string(1, '1'));
            r.steps.push_back(run_device(d, "on", req, cache));
            if (!r.steps.back().ok) {
                r.reason = d.id + " on: " + r.steps.back().detail;
                return r;
            }
            if (!r.device.empty()) r.device += ',';
            r.device.append(d.id);
        }
    // nothing that unfences: what needs unfencing cannot run there (Pacemaker: no such device)
    r.ok = !r.device.empty();
    r.level = 0;
    if (!r.ok) r.reason = "no device can unfence " + req.target;
    return r;
}

}  // namespace holdfast::fencing
