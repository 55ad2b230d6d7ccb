// holdfast: the operator's command line. Dispatches to one subcommand.
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/holdfast/agent_tools.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/exit_codes.hpp"
#include "tools/holdfast/json_text.hpp"
#include "tools/holdfast/output_format.hpp"

namespace {

void usage(FILE* out) {
    std::fputs(
        "usage: holdfast COMMAND [ARGS]\n"
        "commands:\n"
        "  simulate   compute what the cluster would do (like crm_simulate)\n"
        "  verify     check a CIB for errors (like crm_verify)\n"
        "  cluster    init, join, remove, start, stop, status: the Corosync layer (like crm cluster)\n"
        "  status     the cluster as holdfastd sees it (like crm_mon -1; --inactive, --by-node,\n"
        "             --failcounts, --show-node-attributes, --operations, --full)\n"
        "  explain    RESOURCE: why it runs where it runs, or why it is stopped\n"
        "  cib show   print holdfastd's CIB (XML, or --output-as=json)\n"
        "  configure  load, property, show, verify, edit: holdfastd's configuration (like crm configure)\n"
        "  node       standby, online, maintenance, ready, attribute, utilization,\n"
        "             clearstate NODE (like crm node)\n"
        "  resource   start, stop, restart, move, ban, clear, locate, cleanup, refresh,\n"
        "             failcount, manage, unmanage, maintenance, param, meta, utilization,\n"
        "             trace, untrace, constraints, scores (like crm resource)\n"
        "  fence      test DEVICE: drive a fence device directly and check what it does\n"
        "  maintenance on|off [RSC]: maintenance-mode, or the resource's maintenance\n"
        "  history    what happened when: transitions, fencing, failures, who changed what\n"
        "  report     --since T: a support bundle (tar.gz) with secrets masked\n"
        "  version    print the version (also --version)\n"
        "read-only commands take --output-as=text|xml|json (man holdfast, OUTPUT FORMATS)\n",
        out);
}

// Called through a link named after a Pacemaker tool (agent-tools/): that tool.
int run_as_agent_tool(const std::string& name, const holdfast::tools::args& a) {
    if (name == "crm_attribute") return holdfast::tools::run_crm_attribute(a);
    if (name == "crm_master") return holdfast::tools::run_crm_master(a);
    if (name == "attrd_updater") return holdfast::tools::run_attrd_updater(a);
    if (name == "crm_node") return holdfast::tools::run_crm_node(a);
    return -1;
}

int run_version(const holdfast::tools::args& a) {
    using namespace holdfast::tools;
    output_format f = output_format::text;
    for (size_t i = 0; i < a.size(); ++i) {
        std::string error;
        if (!take_output_option(a, i, f, error)) error = "unknown option '" + a[i] + "'";
        if (!error.empty()) {
            std::fprintf(stderr, "holdfast version: %s\nusage: holdfast version [--output-as=text|xml|json]\n",
                         error.c_str());
            return exit_usage;
        }
    }
    if (f == output_format::xml)
        std::printf("<version program=\"holdfast\" version=\"%s\"/>\n", HOLDFAST_VERSION);
    else if (f == output_format::json)
        std::printf("{\"program\": \"holdfast\", \"version\": %s}\n", json_string(HOLDFAST_VERSION).c_str());
    else
        std::printf("holdfast %s\n", HOLDFAST_VERSION);
    return flushed_stdout();
}

}  // namespace

int main(int argc, char** argv) {
    const char* slash = std::strrchr(argv[0], '/');
    const std::string called = slash ? slash + 1 : argv[0];
    if (int rc = run_as_agent_tool(called, holdfast::tools::args(argv + 1, argv + argc)); rc >= 0) return rc;
    if (argc < 2) {
        usage(stderr);
        return holdfast::tools::exit_usage;
    }
    std::string cmd = argv[1];
    holdfast::tools::args rest(argv + 2, argv + argc);
    if (cmd == "simulate") return holdfast::tools::run_simulate(rest);
    if (cmd == "verify") return holdfast::tools::run_verify(rest);
    if (cmd == "cluster") return holdfast::tools::run_cluster(rest);
    if (cmd == "status") return holdfast::tools::run_status(rest);
    if (cmd == "explain") return holdfast::tools::run_explain(rest);
    if (cmd == "cib") return holdfast::tools::run_cib(rest);
    if (cmd == "configure") return holdfast::tools::run_configure(rest);
    if (cmd == "node") return holdfast::tools::run_node(rest);
    if (cmd == "resource") return holdfast::tools::run_resource(rest);
    if (cmd == "fence") return holdfast::tools::run_fence(rest);
    if (cmd == "maintenance") return holdfast::tools::run_maintenance(rest);
    if (cmd == "history") return holdfast::tools::run_history(rest);
    if (cmd == "report") return holdfast::tools::run_report(rest);
    if (cmd == "--version" || cmd == "version") return run_version(rest);
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        usage(stdout);
        return holdfast::tools::exit_ok;
    }
    std::fprintf(stderr, "holdfast: unknown command '%s' (try 'holdfast help')\n", cmd.c_str());
    return holdfast::tools::exit_usage;
}
