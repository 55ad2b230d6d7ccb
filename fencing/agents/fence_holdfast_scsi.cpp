// fence_holdfast_scsi: main. Options from the command line when there are
// any, else key=value lines from stdin (the fence-agent API).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fencing/agents/scsi_agent.hpp"

namespace sa = holdfast::fencing::scsi_agent;

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    holdfast::expected<sa::options, std::string> o =
        args.empty()
            ? sa::parse_stdin(std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()))
            : sa::parse_argv(args);
    if (!o) {
        std::fprintf(stderr, "fence_holdfast_scsi: %s\n%s", o.error().c_str(), sa::usage());
        return sa::rc_error;
    }
    if (o->help) {
        std::fputs(sa::usage(), stdout);
        return sa::rc_ok;
    }
    if (o->version) {
        std::printf("fence_holdfast_scsi %s\n", HOLDFAST_VERSION);
        return sa::rc_ok;
    }
    for (const auto& w : o->warnings) std::fprintf(stderr, "fence_holdfast_scsi: %s\n", w.c_str());
    sa::fill_defaults(*o);
    return sa::run(*o);
}
