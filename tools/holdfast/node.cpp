// holdfast node standby|online|maintenance|ready NODE: a permanent node
// attribute (standby or maintenance, on/off) in the CIB's <nodes>, as
// `crm node` sets it.
#include <cstdio>
#include <string>

#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* node_usage = "usage: holdfast node standby|online|maintenance|ready NODE [--socket NAME]\n";

struct node_verb {
    const char* verb;
    const char* attribute;
    const char* value;
};
constexpr node_verb node_verbs[] = {
    {"standby", "standby", "on"},
    {"online", "standby", "off"},
    {"maintenance", "maintenance", "on"},
    {"ready", "maintenance", "off"},
};

}  // namespace

int run_node(const args& in) {
    std::string ipc = default_ipc_name();
    args a;
    for (size_t i = 0; i < in.size(); ++i)
        if (!take_ipc_option(in, i, ipc)) a.push_back(in[i]);
    if (a.empty()) {
        std::fprintf(stderr, "holdfast node: missing subcommand\n%s", node_usage);
        return exit_usage;
    }
    const node_verb* verb = nullptr;
    for (const auto& v : node_verbs)
        if (a[0] == v.verb) verb = &v;
    if (!verb) {
        std::fprintf(stderr, "holdfast node: unknown subcommand '%s'\n%s", a[0].c_str(), node_usage);
        return exit_usage;
    }
    if (a.size() != 2) {
        std::fprintf(stderr, "holdfast node %s: needs exactly one NODE\n%s", verb->verb, node_usage);
        return exit_usage;
    }
    std::string cmd = std::string("node ") + verb->verb;
    auto doc = query_cib(cmd.c_str(), ipc);
    if (!doc) return doc.error();
    auto id = node_id_of(*doc, a[1]);
    if (!id) {
        std::fprintf(stderr, "holdfast %s: unknown node '%s'\n", cmd.c_str(), a[1].c_str());
        return exit_error;
    }
    auto r = send_change(ipc, cib::change::set_node_attribute(*id, a[1], verb->attribute, verb->value,
                                                              cib::attribute_lifetime::permanent));
    return r ? 0 : report(cmd.c_str(), r.error());
}

}  // namespace holdfast::tools
