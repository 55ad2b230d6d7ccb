// holdfast-systemd-op ACTION TYPE [TIMEOUT_MS]: one resource operation on the
// systemd unit TYPE names, run by ra/executor like an agent (see
// ra/systemd.hpp). Exits with the OCF code, or systemd_exit_call_failed when
// systemd could not be asked; the reason goes to stderr as an
// "ocf-exit-reason:" line.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ra/ocf.hpp"
#include "ra/systemd.hpp"
#include "ra/systemd_op/actions.hpp"

namespace op = holdfast::systemd_op;

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: holdfast-systemd-op ACTION TYPE [TIMEOUT_MS]\n");
        return static_cast<int>(holdfast::ra::ocf_rc::invalid_param);
    }
    const std::string action = argv[1];
    const std::string type = argv[2];
    const long long timeout_ms = argc == 4 ? std::atoll(argv[3]) : 0;
    const op::outcome out = op::run(action, type, timeout_ms);
    if (!out.output.empty()) std::fputs(out.output.c_str(), stdout);
    if (!out.reason.empty()) std::fprintf(stderr, "ocf-exit-reason:%s\n", out.reason.c_str());
    return out.exit_code;
}
