// Process evidence for a domain (see vm_process.hpp).
#include "ra/agents/vm_process.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <vector>

namespace holdfast::ra::vm {

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> split_nul(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\0', start);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool names_domain(const std::vector<std::string>& argv, const std::string& name) {
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
        if (argv[i] != "-name" && argv[i] != "--name") continue;
        const std::string& v = argv[i + 1];
        if (v == name || v == "guest=" + name || v.rfind("guest=" + name + ",", 0) == 0) return true;
    }
    return false;
}

// The state letter of /proc/PID/stat (after the parenthesised command).
char proc_state(pid_t pid) {
    const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

}  // namespace

process_evidence domain_process(const std::string& pid_dir, const std::string& name) {
    process_evidence ev;
    const std::string pid_file = pid_dir + "/" + name + ".pid";
    std::string text = slurp(pid_file);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (text.empty()) {
        ev.detail = "no pid file " + pid_file;
        return ev;
    }
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ev.pid);
    if (ec != std::errc() || end != text.data() + text.size() || ev.pid <= 0) {
        ev.detail = "malformed pid file " + pid_file;
        return ev;
    }
    const char state = proc_state(ev.pid);
    if (state == '?' || state == 'Z' || state == 'X') {
        ev.detail = "process " + std::to_string(ev.pid) + " of " + pid_file + " is gone";
        return ev;
    }
    if (!names_domain(split_nul(slurp("/proc/" + std::to_string(ev.pid) + "/cmdline")), name)) {
        ev.detail = "process " + std::to_string(ev.pid) + " of " + pid_file + " is not domain " + name;
        return ev;
    }
    ev.alive = true;
    ev.detail = "process " + std::to_string(ev.pid) + " of " + pid_file + " is alive";
    return ev;
}

}  // namespace holdfast::ra::vm
