// holdfast cluster init|join|remove|start|stop|status: setting up and running
// the Corosync layer, as `crm cluster` and `pcs cluster` do. This file: the
// options, `init` (corosync.conf and the authkey of a new cluster) and `join`
// (this node into a cluster, from a member over ssh).
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "tools/holdfast/cluster_cmd.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {
namespace cluster {

namespace {

constexpr const char* cluster_usage =
    "usage: holdfast cluster init --name NAME NODE[=ADDR]... [--force] [--start]\n"
    "       holdfast cluster join MEMBER|-c MEMBER [--address ADDR] [--force]\n"
    "       holdfast cluster remove NODE [--force]\n"
    "       holdfast cluster start|stop [--all | NODE...] [--force]\n"
    "       holdfast cluster status [--output-as=text|json|xml]\n"
    "common: [--corosync-dir DIR] [--service-manager CMD] [--node-name NAME] [--socket NAME]\n";

struct option_spec {
    const char* name;
    const char* verbs;  // the verbs that take it, blank-separated
    bool value;
};

constexpr option_spec option_specs[] = {
    {"--name", "init", true},
    {"--address", "join", true},
    {"--output-as", "status", true},
    {"--force", "init join remove stop", false},
    {"--start", "init", false},
    {"--all", "start stop", false},
    {"--corosync-dir", "init join remove start stop status", true},
    {"--service-manager", "init join remove start stop", true},
    {"--node-name", "init join remove start stop status", true},
    {"--socket", "remove status", true},
};

bool takes(const option_spec& o, const std::string& verb) {
    const std::string list = std::string(" ") + o.verbs + " ";
    return list.find(" " + verb + " ") != std::string::npos;
}

void set_option(cli& c, const std::string& name, const std::string& value) {
    if (name == "--name") c.cluster_name = value;
    if (name == "--address") c.address = value;
    if (name == "--output-as") c.output = value;
    if (name == "--force") c.force = true;
    if (name == "--start") c.start = true;
    if (name == "--all") c.all = true;
    if (name == "--corosync-dir") c.s.corosync_dir = value;
    if (name == "--service-manager") c.s.service_manager = value;
    if (name == "--node-name") c.s.node_name = value;
    if (name == "--socket") c.s.ipc = value;
}

// Fills c from the words after the verb; a one-line complaint on bad usage.
std::optional<std::string> parse_options(cli& c, const args& a) {
    for (size_t i = 0; i < a.size(); ++i) {
        // crmsh's short forms: init -n NAME, join -c MEMBER, -F for --force
        std::string w = a[i] == "-n" ? "--name" : a[i] == "-F" ? "--force" : a[i];
        if ((w == "-c" || w == "--cluster-node") && c.verb == "join") {
            if (i + 1 >= a.size()) return "option '" + w + "' needs a value";
            c.words.push_back(a[++i]);
            continue;
        }
        if (!w.starts_with("--")) {
            c.words.push_back(w);
            continue;
        }
        const auto eq = w.find('=');
        const std::string name = w.substr(0, eq);
        const option_spec* spec = nullptr;
        for (const auto& o : option_specs)
            if (name == o.name) spec = &o;
        if (!spec || !takes(*spec, c.verb)) return "unknown option '" + name + "'";
        std::string value;
        if (spec->value && eq != std::string::npos)
            value = w.substr(eq + 1);
        else if (spec->value && i + 1 < a.size())
            value = a[++i];
        else if (spec->value)
            return "option '" + name + "' needs a value";
        else if (eq != std::string::npos)
            return "option '" + name + "' takes no value";
        set_option(c, name, value);
    }
    return std::nullopt;
}

// NODE or NODE=ADDR, the address resolved from the name when not given.
expected<corosync::node, std::string> node_word(const std::string& word) {
    const auto eq = word.find('=');
    corosync::node n;
    n.name = word.substr(0, eq);
    if (auto bad = corosync::check_node_name(n.name)) return unexpected(*bad);
    if (eq != std::string::npos) {
        n.addr = word.substr(eq + 1);
        if (auto bad = corosync::check_address(n.addr)) return unexpected(*bad + " (in '" + word + "')");
        return n;
    }
    auto addr = resolve(n.name);
    if (!addr) return unexpected(addr.error());
    // Debian maps the host's own name to 127.0.1.1: no other node could reach it there
    if (addr->starts_with("127.") || *addr == "::1")
        return unexpected("'" + n.name + "' resolves to the loopback address " + *addr + " (give " + n.name + "=ADDR)");
    n.addr = *addr;
    return n;
}

bool file_exists(const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::exists(p, ec);
}

// corosync-keygen makes the key (its randomness, its size); installed 0400 under its final name.
expected<void, std::string> make_authkey(const settings& s) {
    const auto tmp = s.corosync_dir / ".authkey.holdfast-new";
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    auto r = run_process({"corosync-keygen", "-k", tmp.string()});
    if (!r.ok()) return unexpected("corosync-keygen: " + r.why());
    if (::chmod(tmp.c_str(), 0400) != 0)
        return unexpected("cannot chmod " + tmp.string() + ": " + std::strerror(errno));
    std::filesystem::rename(tmp, s.authkey(), ec);
    if (ec) return unexpected("cannot install " + s.authkey().string() + ": " + ec.message());
    return {};
}

// The nodes named on init's command line, checked and without duplicates.
expected<std::vector<corosync::node>, std::string> init_nodes(const std::vector<std::string>& words) {
    std::vector<corosync::node> nodes;
    std::set<std::string> names, addrs;
    for (const auto& w : words) {
        auto n = node_word(w);
        if (!n) return unexpected(n.error());
        if (!names.insert(n->name).second) return unexpected("node '" + n->name + "' is named twice");
        if (!addrs.insert(n->addr).second) return unexpected("address " + n->addr + " is given twice (in '" + w + "')");
        n->nodeid = static_cast<int>(nodes.size()) + 1;
        nodes.push_back(*n);
    }
    return nodes;
}

}  // namespace

int fail(const cli& c, const std::string& message, int code) {
    std::fprintf(stderr, "holdfast cluster %s: %s\n", c.verb.c_str(), message.c_str());
    return code;
}

expected<local_conf, std::string> load_local(const settings& s) {
    auto text = read_file_on(s, "", s.conf());
    if (!text) return unexpected("no cluster here: " + text.error());
    auto conf = corosync::parse(*text);
    if (!conf) return unexpected(s.conf().string() + ": " + conf.error());
    auto nodes = corosync::nodes(*conf);
    if (!nodes) return unexpected(s.conf().string() + ": " + nodes.error());
    return local_conf{std::move(*conf), std::move(*nodes)};
}

std::string host_of(const settings& s, const corosync::node& n) {
    if (n.name == s.node_name) return "";
    return n.addr.empty() ? n.name : n.addr;
}

expected<void, std::string> distribute(const settings& s, const corosync::conf& conf,
                                       const std::vector<corosync::node>& to) {
    const auto text = corosync::print(conf);
    for (const auto& n : to)
        if (auto w = write_file_on(s, host_of(s, n), s.conf(), text, 0644); !w) return unexpected(w.error());
    // `corosync-cfgtool -R` reloads every running node of the cluster: once, on the first member where it works
    std::string why;
    for (const auto& n : to) {
        auto r = run_on(s, host_of(s, n), {"corosync-cfgtool", "-R"});
        if (r.ok()) return {};
        why += (why.empty() ? "" : "; ") + n.name + ": " + r.why();
    }
    std::fprintf(
        stderr,
        "holdfast cluster: note: corosync reloaded nowhere (%s); it reads the new corosync.conf when it starts\n",
        why.c_str());
    return {};
}

int run_init(const cli& c) {
    if (c.cluster_name.empty()) return fail(c, "--name NAME is required", exit_usage);
    if (auto bad = corosync::check_cluster_name(c.cluster_name)) return fail(c, *bad);
    if (c.words.empty()) return fail(c, "name at least one NODE", exit_usage);
    auto nodes = init_nodes(c.words);
    if (!nodes) return fail(c, nodes.error());
    if (!c.force)
        for (const auto& p : {c.s.conf(), c.s.authkey()})
            if (file_exists(p)) return fail(c, p.string() + " exists (--force overwrites it)");
    std::error_code ec;
    std::filesystem::create_directories(c.s.corosync_dir, ec);
    if (ec) return fail(c, "cannot make " + c.s.corosync_dir.string() + ": " + ec.message());
    if (auto k = make_authkey(c.s); !k) return fail(c, k.error());
    const auto conf = corosync::make(c.cluster_name, *nodes);
    if (auto w = write_file_on(c.s, "", c.s.conf(), corosync::print(conf), 0644); !w) return fail(c, w.error());
    std::printf("cluster %s: wrote %s (%zu node%s) and %s\n", c.cluster_name.c_str(), c.s.conf().c_str(), nodes->size(),
                nodes->size() == 1 ? "" : "s", c.s.authkey().c_str());
    if (!c.start) return exit_ok;
    if (auto st = services_on(c.s, "", "start", {"corosync", "holdfastd"}); !st) return fail(c, st.error());
    return exit_ok;
}

namespace {

// This node into the member's nodelist (if missing) and the updated conf onto every member.
expected<corosync::conf, std::string> admit(const cli& c, const std::string& conf_text) {
    auto conf = corosync::parse(conf_text);
    if (!conf) return unexpected(c.words[0] + "'s corosync.conf: " + conf.error());
    auto nodes = corosync::nodes(*conf);
    if (!nodes) return unexpected(c.words[0] + "'s corosync.conf: " + nodes.error());
    for (const auto& n : *nodes) {
        if (n.name != c.s.node_name) continue;
        if (!c.address.empty() && c.address != n.addr)
            return unexpected("node '" + n.name + "' is in the nodelist at " + n.addr + ", not " + c.address);
        return *conf;  // already a member of the nodelist: nothing to tell the others
    }
    std::string addr = c.address;
    if (addr.empty()) {
        auto me = node_word(c.s.node_name);
        if (!me) return unexpected(me.error());
        addr = me->addr;
    }
    auto id = corosync::add_node(*conf, c.s.node_name, addr);
    if (!id) return unexpected(id.error());
    corosync::apply_two_node_rule(*conf);
    if (auto d = distribute(c.s, *conf, *nodes); !d) return unexpected(d.error());
    std::printf("%s added to the nodelist as node %d at %s\n", c.s.node_name.c_str(), *id, addr.c_str());
    return *conf;
}

}  // namespace

int run_join(const cli& c) {
    if (c.words.size() != 1) return fail(c, "name exactly one MEMBER to join through", exit_usage);
    if (auto bad = corosync::check_node_name(c.s.node_name)) return fail(c, "this node's name: " + *bad);
    if (!c.address.empty())
        if (auto bad = corosync::check_address(c.address)) return fail(c, *bad);
    const std::string& member = c.words[0];
    auto text = read_file_on(c.s, member, c.s.conf());
    if (!text) return fail(c, text.error());
    auto key = read_file_on(c.s, member, c.s.authkey());
    if (!key) return fail(c, key.error());
    if (key->empty()) return fail(c, member + ": " + c.s.authkey().string() + " is empty");
    // Another key here means this node belongs to another cluster. (Debian's corosync package
    // installs an example corosync.conf but no key: a fresh node has a conf to replace.)
    if (!c.force && file_exists(c.s.authkey()))
        if (auto mine = read_file_on(c.s, "", c.s.authkey()); !mine || *mine != *key)
            return fail(c, c.s.authkey().string() + " is another cluster's key (--force replaces it)");
    auto conf = admit(c, *text);
    if (!conf) return fail(c, conf.error());
    if (auto w = write_file_on(c.s, "", c.s.authkey(), *key, 0400); !w) return fail(c, w.error());
    if (auto w = write_file_on(c.s, "", c.s.conf(), corosync::print(*conf), 0644); !w) return fail(c, w.error());
    if (auto st = services_on(c.s, "", "start", {"corosync", "holdfastd"}); !st) return fail(c, st.error());
    std::printf("%s joined cluster %s\n", c.s.node_name.c_str(), corosync::cluster_name(*conf).c_str());
    return exit_ok;
}

}  // namespace cluster

int run_cluster(const args& a) {
    cluster::cli c;
    c.s = cluster::default_settings();
    c.s.ipc = default_ipc_name();
    if (a.empty() || a[0] == "help" || a[0] == "--help") {
        std::fputs(cluster::cluster_usage, a.empty() ? stderr : stdout);
        return a.empty() ? 2 : 0;
    }
    c.verb = a[0];
    static const std::set<std::string> verbs{"init", "join", "remove", "start", "stop", "status"};
    if (!verbs.count(c.verb)) {
        std::fprintf(stderr, "holdfast cluster: unknown subcommand '%s'\n%s", c.verb.c_str(), cluster::cluster_usage);
        return exit_usage;
    }
    if (auto bad = cluster::parse_options(c, args(a.begin() + 1, a.end()))) {
        std::fprintf(stderr, "holdfast cluster %s: %s\n%s", c.verb.c_str(), bad->c_str(), cluster::cluster_usage);
        return exit_usage;
    }
    if (c.verb == "init") return cluster::run_init(c);
    if (c.verb == "join") return cluster::run_join(c);
    if (c.verb == "remove") return cluster::run_remove(c);
    if (c.verb == "status") return cluster::run_status(c);
    return cluster::run_start_stop(c, c.verb == "start");
}

}  // namespace holdfast::tools
