#include "daemon/options.hpp"

namespace holdfast::daemon {

const char* const daemon_usage =
    "usage: holdfastd [--foreground] [--standalone] [--state-dir DIR] [--socket NAME] [--debug]\n"
    "  -f, --foreground     do not detach; log to stderr (the journal under systemd)\n"
    "  -s, --state-dir DIR  where the CIB lives (default /var/lib/holdfast)\n"
    "  -n, --socket NAME    IPC name to serve (default holdfastd)\n"
    "  -d, --debug          log debug events too\n"
    "      --standalone     run without Corosync: one node, no replication (tests)\n";

expected<daemon_options, std::string> parse_options(const std::vector<std::string>& args) {
    daemon_options o;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i], value;
        bool has_value = false;
        if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            has_value = true;
        }
        auto take = [&]() -> bool {
            if (has_value) return true;
            if (i + 1 >= args.size()) return false;
            value = args[++i];
            return true;
        };
        if (flag == "-f" || flag == "--foreground")
            o.foreground = true;
        else if (flag == "--standalone")
            o.standalone = true;
        else if (flag == "-d" || flag == "--debug")
            o.debug = true;
        else if (flag == "-h" || flag == "--help")
            o.help = true;
        else if (flag == "-V" || flag == "--version")
            o.version = true;
        else if (flag == "-s" || flag == "--state-dir") {
            if (!take() || value.empty()) return unexpected(std::string("--state-dir needs a directory"));
            o.state_dir = value;
        } else if (flag == "-n" || flag == "--socket" || flag == "--ipc-name") {
            if (!take() || value.empty()) return unexpected(std::string("--socket needs a name"));
            o.ipc_name = value;
        } else
            return unexpected("unknown option '" + args[i] + "'");
    }
    return o;
}

}  // namespace holdfast::daemon
