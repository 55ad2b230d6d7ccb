#include "tools/holdfast-lab/boot_sequence.hpp"

#include <unistd.h>

#include <filesystem>

namespace holdfast::lab {

namespace {

// holdfastd from the same build as this holdfast-lab binary.
std::string daemon_next_to_us() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    const auto daemon = self.parent_path() / "holdfastd";
    return ::access(daemon.c_str(), X_OK) == 0 ? daemon.string() : std::string();
}

}  // namespace

std::vector<service> boot_sequence(const lab_layout&, int) {
    std::vector<service> out{
        // -f: stay in the foreground, so the node's PID 1 is its parent and sees it exit.
        {"corosync", {"/usr/sbin/corosync", "-f"}},
    };
    // holdfastd waits for corosync itself; its log goes to the node's own /var/log/holdfast.
    if (const std::string daemon = daemon_next_to_us(); !daemon.empty())
        out.push_back({"holdfastd",
                       {"/bin/sh", "-c", "exec \"$0\" --foreground >>/var/log/holdfast/holdfastd.log 2>&1", daemon}});
    return out;
}

}  // namespace holdfast::lab
