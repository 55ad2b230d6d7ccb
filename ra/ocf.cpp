// OCF exit codes, agent paths and call environments (see ocf.hpp).
#include "ra/ocf.hpp"

#include <cstdlib>
#include <filesystem>

namespace holdfast::ra {

failure_scope scope_of(int rc) {
    switch (rc) {
        case 0:
        case 7:
        case 8:
        case 190:
        case 191: return failure_scope::none;
        case 2:
        case 3:
        case 4:
        case 5: return failure_scope::hard;
        case 6: return failure_scope::fatal;
        default: return failure_scope::soft;
    }
}

std::string ocf_root() {
    const char* env = std::getenv("OCF_ROOT");
    return env && *env ? env : "/usr/lib/ocf";
}

const std::string& agent_tools_dir() {
    static const std::string dir = [] {
        if (const char* env = std::getenv("HOLDFAST_AGENT_TOOLS"); env && *env) return std::string(env);
        // a daemon run from a build tree uses the links built beside it
        std::error_code ec;
        const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
        if (!ec && std::filesystem::is_directory(self.parent_path() / "agent-tools", ec))
            return (self.parent_path() / "agent-tools").string();
        return std::string(HOLDFAST_AGENT_TOOLS_DIR);
    }();
    return dir;
}

std::string ocf_agent_path(const std::string& provider, const std::string& type) {
    return ocf_root() + "/resource.d/" + (provider.empty() ? "heartbeat" : provider) + "/" + type;
}

std::vector<std::string> ocf_environment(const std::string& instance, const std::string& provider,
                                         const std::string& type, const std::map<std::string, std::string>& params) {
    std::vector<std::string> env{
        "OCF_ROOT=" + ocf_root(),
        "OCF_RA_VERSION_MAJOR=1",
        "OCF_RA_VERSION_MINOR=1",
        "OCF_RESOURCE_INSTANCE=" + instance,
        "OCF_RESOURCE_TYPE=" + type,
        "OCF_RESOURCE_PROVIDER=" + provider,
        "OCF_EXIT_REASON_PREFIX=ocf-exit-reason:",
        // crm_attribute & co. reach holdfastd, whether called by name or from HA_SBIN_DIR
        "PATH=" + agent_tools_dir() + ":/usr/sbin:/usr/bin:/sbin:/bin",
        "HA_SBIN_DIR=" + agent_tools_dir(),
    };
    // OCF_CHECK_LEVEL (an op's instance attribute: how deep a monitor looks)
    // goes to the agent under its own name, as Pacemaker passes it
    for (const auto& [name, value] : params)
        env.push_back((name == "OCF_CHECK_LEVEL" ? name : "OCF_RESKEY_" + name) + "=" + value);
    return env;
}

std::string exit_reason(const std::string& text) {
    static constexpr std::string_view prefix = "ocf-exit-reason:";
    std::string reason;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + start, end - start);
        if (line.substr(0, prefix.size()) == prefix) reason = std::string(line.substr(prefix.size()));
        start = end + 1;
    }
    const auto first = reason.find_first_not_of(" \t\r");
    const auto last = reason.find_last_not_of(" \t\r");
    return first == std::string::npos ? std::string() : reason.substr(first, last - first + 1);
}

}  // namespace holdfast::ra
