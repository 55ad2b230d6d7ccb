// holdfast-lab: an N-node cluster of namespaced nodes on one machine. Parses the command line and
// dispatches to one verb; see man/holdfast-lab.8.
#include <sys/prctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tools/holdfast-lab/bmc.hpp"
#include "tools/holdfast-lab/driver.hpp"
#include "tools/holdfast-lab/lab.hpp"
#include "tools/holdfast-lab/network.hpp"
#include "tools/holdfast-lab/node.hpp"
#include "tools/holdfast-lab/node_init.hpp"
#include "tools/holdfast-lab/sys.hpp"

namespace {

using namespace holdfast::lab;

const char* const default_dir = "/run/holdfast-lab/default";

void usage(FILE* out) {
    std::fputs(
        "usage: holdfast-lab [--dir DIR] VERB [ARGS]\n"
        "  up --nodes N [--token MS] [--stack holdfast|pacemaker] [--libvirt] [--bmc] [--lun] [--no-wait]\n"
        "     [--wait-timeout S]           make and start a lab (--bmc: an IPMI BMC per node; --lun: a shared LUN)\n"
        "  status                          each node: running, cable, frozen, quorum, members, BMC\n"
        "  exec NODE -- CMD [ARGS...]      run CMD inside NODE\n"
        "  kill NODE | boot NODE           power a node off (SIGKILL) or on again\n"
        "  cut NODE | heal NODE            unplug or plug a node's network cable\n"
        "  freeze NODE | thaw NODE         SIGSTOP or SIGCONT every process of a node\n"
        "  bmc NODE down|up                make a node's BMC unreachable or reachable again\n"
        "  lun down|up                     make the LUN's target unreachable or reachable again\n"
        "  down                            remove everything the lab made\n"
        "  demo                            the two-node VM failover and maintenance, shown with a timeline\n"
        "  scenario NAME [--runs N] [--seed S] [--json]   a fault-injection scenario with invariant audits\n"
        "  bench failover [--vs pacemaker] [--runs N] [--token MS] [--nodes N] [--json]\n"
        "DIR defaults to /run/holdfast-lab/default. NODE is nodeI or I.\n",
        out);
}

struct cli {
    std::string dir = default_dir;
    std::string verb;
    std::vector<std::string> positional;
    std::vector<std::string> command;  // after "--"
    std::map<std::string, std::string> options;
};

bool takes_value(const std::string& opt) {
    return opt == "--dir" || opt == "--nodes" || opt == "--token" || opt == "--wait-timeout" || opt == "--node" ||
           opt == "--stack";
}

result<cli> parse(int argc, char** argv) {
    cli c;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--") {
            c.command.assign(argv + i + 1, argv + argc);
            break;
        }
        if (a.rfind("--", 0) == 0) {
            auto eq = a.find('=');
            std::string name = a.substr(0, eq), value;
            if (eq != std::string::npos) {
                value = a.substr(eq + 1);
            } else if (takes_value(name)) {
                if (i + 1 >= argc) return fail(errc::usage, name + " needs a value");
                value = argv[++i];
            }
            if (name == "--dir") {
                c.dir = value;
            } else {
                c.options[name] = value;
            }
        } else if (c.verb.empty()) {
            c.verb = a;
        } else {
            c.positional.push_back(a);
        }
    }
    if (c.verb.empty()) return fail(errc::usage, "no verb given");
    return c;
}

result<int> number(const cli& c, const std::string& name, int fallback, int lo, int hi) {
    auto it = c.options.find(name);
    if (it == c.options.end()) return fallback;
    int v = 0;
    const auto& s = it->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) {
        return fail(errc::usage, name + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return v;
}

bool in_path(const std::string& tool) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "";
    for (size_t start = 0; start <= dirs.size();) {
        auto end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        if (::access((dirs.substr(start, end - start) + "/" + tool).c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

result<int> verb_up(const cli& c, const lab_layout& l) {
    if (!c.options.count("--nodes")) return fail(errc::usage, "up needs --nodes N");
    up_options opt;
    auto nodes = number(c, "--nodes", 0, 1, max_nodes);
    auto token = number(c, "--token", 1000, 100, 60000);
    auto wait = number(c, "--wait-timeout", 120, 1, 3600);
    for (auto* r : {&nodes, &token, &wait}) {
        if (!*r) return holdfast::unexpected(r->error());
    }
    opt.config.nodes = *nodes;
    opt.config.token_ms = *token;
    if (auto it = c.options.find("--stack"); it != c.options.end()) opt.config.stack = it->second;
    if (opt.config.stack != "holdfast" && opt.config.stack != "pacemaker") {
        return fail(errc::usage, "--stack must be holdfast or pacemaker");
    }
    opt.config.libvirt = c.options.count("--libvirt") > 0;
    if (opt.config.libvirt &&
        (::access("/usr/sbin/libvirtd", X_OK) != 0 || ::access("/usr/sbin/virtlogd", X_OK) != 0)) {
        return fail(errc::usage, "--libvirt needs libvirtd and virtlogd (package libvirt-daemon)");
    }
    opt.config.bmc = c.options.count("--bmc") > 0;
    opt.config.lun = c.options.count("--lun") > 0;
    for (const char* tool : {"ipmi_sim", "ipmitool"}) {
        if (opt.config.bmc && !in_path(tool)) return fail(errc::usage, std::string("--bmc needs ") + tool);
    }
    for (const char* tool : {"tgtd", "tgtadm"}) {
        if (opt.config.lun && !in_path(tool)) return fail(errc::usage, std::string("--lun needs ") + tool);
    }
    opt.wait = !c.options.count("--no-wait");
    opt.wait_timeout = std::chrono::seconds(*wait);
    if (auto r = lab_up(l, opt); !r) return holdfast::unexpected(r.error());
    return 0;
}

result<void> node_verb(const std::string& verb, const lab_layout& l, int node) {
    if (verb == "kill") return kill_node(l, node);
    if (verb == "boot") return boot_node(l, node);
    if (verb == "cut") return set_cable(l, node, false);
    if (verb == "heal") return set_cable(l, node, true);
    if (verb == "freeze") return freeze_node(l, node);
    return thaw_node(l, node);
}

// bmc NODE down|up, lun down|up
result<int> device_verb(const cli& c, const lab_layout& l) {
    bool bmc = c.verb == "bmc";
    size_t want = bmc ? 2 : 1;
    if (c.positional.size() != want || (c.positional.back() != "down" && c.positional.back() != "up")) {
        return fail(errc::usage, bmc ? "usage: bmc NODE down|up" : "usage: lun down|up");
    }
    auto cfg = load_config(l);
    if (!cfg) return holdfast::unexpected(cfg.error());
    if (bmc ? !cfg->bmc : !cfg->lun) return fail(errc::state, std::string("this lab has no ") + (bmc ? "BMCs" : "LUN"));
    bool reachable = c.positional.back() == "up";
    auto lock = lock_lab(l);
    if (!lock) return holdfast::unexpected(lock.error());
    if (!bmc) {
        if (auto r = set_lun_reachable(l, reachable); !r) return holdfast::unexpected(r.error());
        return 0;
    }
    auto node = parse_node(c.positional[0], *cfg);
    if (!node) return holdfast::unexpected(node.error());
    if (auto r = set_bmc_reachable(l, *node, reachable); !r) return holdfast::unexpected(r.error());
    return 0;
}

result<int> dispatch(const cli& c, const lab_layout& l) {
    const auto& v = c.verb;
    if (v == "up") return verb_up(c, l);
    if (v == "down") {
        if (auto r = lab_down(l); !r) return holdfast::unexpected(r.error());
        return 0;
    }
    if (v == "status") {
        if (auto r = print_status(l); !r) return holdfast::unexpected(r.error());
        return 0;
    }
    if (v == "bmc" || v == "lun") return device_verb(c, l);
    bool node_verb_name =
        v == "exec" || v == "kill" || v == "boot" || v == "cut" || v == "heal" || v == "freeze" || v == "thaw";
    if (!node_verb_name) return fail(errc::usage, "unknown verb '" + v + "'");
    if (c.positional.size() != 1) return fail(errc::usage, v + " needs one NODE");
    auto cfg = load_config(l);
    if (!cfg) return holdfast::unexpected(cfg.error());
    auto node = parse_node(c.positional[0], *cfg);
    if (!node) return holdfast::unexpected(node.error());
    if (v == "exec") {
        if (c.command.empty()) return fail(errc::usage, "exec needs a command after --");
        return exec_in_node(l, *node, c.command);
    }
    auto lock = lock_lab(l);
    if (!lock) return holdfast::unexpected(lock.error());
    if (auto r = node_verb(v, l, *node); !r) return holdfast::unexpected(r.error());
    return 0;
}

// ip and corosync's tools live in /usr/sbin, which a non-login PATH may lack.
void ensure_sbin_in_path() {
    const char* old = std::getenv("PATH");
    std::string path = old ? old : "/usr/bin:/bin";
    for (const char* dir : {"/usr/sbin", "/sbin"}) {
        if ((":" + path + ":").find(std::string(":") + dir + ":") == std::string::npos) path += std::string(":") + dir;
    }
    ::setenv("PATH", path.c_str(), 1);
}

int node_init(const cli& c, const lab_layout& l) {
    auto node = number(c, "--node", 0, 1, max_nodes);
    if (!node || *node == 0) return 2;
    return node_init_main(l, *node);
}

}  // namespace

int main(int argc, char** argv) {
    // The driver's verbs take options of their own: hand the whole line over before parsing it.
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--dir") {
            ++i;
        } else if (a.rfind("--", 0) != 0) {
            if (is_driver_verb(a)) return exec_driver(argc, argv);
            break;
        }
    }
    auto c = parse(argc, argv);
    if (!c) {
        std::fprintf(stderr, "holdfast-lab: %s\n", c.error().message.c_str());
        usage(stderr);
        return 2;
    }
    if (c->verb == "help" || c->options.count("--help")) {
        usage(stdout);
        return 0;
    }
    std::error_code ec;
    auto dir = std::filesystem::weakly_canonical(std::filesystem::absolute(c->dir), ec);
    if (ec || dir.empty()) dir = std::filesystem::absolute(c->dir);
    lab_layout l(dir);
    if (c->verb == "__node-init") return node_init(*c, l);
    if (c->verb == "__bmc-power") {
        ensure_sbin_in_path();
        auto node = number(*c, "--node", 0, 1, max_nodes);
        return node && *node > 0 ? bmc_power_main(l, *node) : 2;
    }
    if (::geteuid() != 0) {
        std::fprintf(stderr, "holdfast-lab: must run as root (it makes namespaces)\n");
        return 1;
    }
    // Orphans of the commands we run (and a node's PID 1 until we exit) are ours to reap.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    ensure_sbin_in_path();
    // up and status wait and may be interrupted (up then tears down); the node verbs are short and
    // must not stop half-way; exec leaves the terminal's signals to its command.
    if (c->verb == "up" || c->verb == "status") {
        catch_interrupts();
    } else if (c->verb != "exec") {
        ignore_interrupts();
    }
    auto r = dispatch(*c, l);
    reap_children();
    if (!r) {
        std::fprintf(stderr, "holdfast-lab: %s\n", r.error().message.c_str());
        if (r.error().code == errc::usage) return 2;
        return r.error().code == errc::interrupted ? 130 : 1;
    }
    return *r;
}
