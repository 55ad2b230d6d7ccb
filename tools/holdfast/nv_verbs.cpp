// The set/delete/show verbs shared by node attribute|utilization and
// resource param|meta|utilization (nv_verbs.hpp).
#include "tools/holdfast/nv_verbs.hpp"

#include <cstdio>

#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {

int nv_fail(const std::string& cmd, const std::string& what) {
    std::fprintf(stderr, "holdfast %s: %s\n", cmd.c_str(), what.c_str());
    return exit_error;
}

int nv_usage(const std::string& cmd, const std::string& what) {
    const std::string top = cmd.substr(0, cmd.find(' '));
    std::fprintf(stderr, "holdfast %s: %s (try 'holdfast %s help')\n", cmd.c_str(), what.c_str(), top.c_str());
    return exit_usage;
}

namespace {

int send_all(const nv_scope& s, const std::vector<cib::change>& changes) {
    for (const auto& c : changes) {
        auto r = send_change(s.ipc, c);
        if (!r) return report(s.cmd.c_str(), r.error());
    }
    return exit_ok;
}

int show(const nv_scope& s, const args& w) {
    if (w.size() > 2) return nv_usage(s.cmd, "show takes at most one NAME");
    nv_list pairs;
    for (const auto& set : *s.sets)
        for (const auto& p : set.pairs)
            if (w.size() == 1 || p.name == w[1]) pairs.emplace_back(p.name, p.value);
    if (w.size() == 2 && pairs.empty()) return nv_fail(s.cmd, s.id + " has no " + s.label + " '" + w[1] + "'");
    if (w.size() == 2) pairs.resize(1);  // the one a set would change
    const std::string out = format_nv_list(s.format, s.owner, s.id, s.set_name, pairs, w.size() == 2);
    std::fputs(out.c_str(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

int run_nv(const nv_scope& s, const args& w) {
    if (w.empty()) return nv_usage(s.cmd, "missing set, delete or show");
    const std::string& verb = w[0];
    if (verb == "show") return show(s, w);
    if (s.format != output_format::text) return nv_usage(s.cmd, "--output-as is for show only");
    if (verb == "set") {
        if (w.size() < 3) return nv_usage(s.cmd, w.size() < 2 ? "set needs NAME and VALUE" : "set needs a VALUE");
        if (w.size() > 3) return nv_usage(s.cmd, "set takes NAME and one VALUE (quote a value with blanks)");
        if (w[1].empty() || w[1].find_first_of(" \t\n=\"'<>&") != std::string::npos)
            return nv_fail(s.cmd, "'" + w[1] + "' is not a valid " + s.label + " name");
        const auto target = resource_edit::nv_attribute(*s.sets, s.new_set_id, w[1]);
        return send_all(s, {s.set(target, w[1], w[2])});
    }
    if (verb == "delete") {
        if (w.size() != 2) return nv_usage(s.cmd, "delete takes exactly one NAME");
        const auto ids = resource_edit::nv_pair_ids(*s.sets, w[1]);
        if (ids.empty()) return nv_fail(s.cmd, s.id + " has no " + s.label + " '" + w[1] + "'");
        std::vector<cib::change> changes;
        for (const auto& id : ids) changes.push_back(cib::change::delete_element(id, "nvpair"));
        return send_all(s, changes);
    }
    return nv_usage(s.cmd, "unknown verb '" + verb + "' (expected set, delete or show)");
}

}  // namespace holdfast::tools
