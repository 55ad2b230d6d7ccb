// ocf:holdfast:SharedDisk: dispatches the OCF action (shared_disk.hpp).
#include <cstdio>
#include <cstring>
#include <string>

#include "ra/agents/shared_disk.hpp"
#include "ra/ocf.hpp"

namespace sd = holdfast::ra::shared_disk;
using holdfast::ra::ocf_rc;

namespace {

int finish(const sd::outcome& o) {
    if (!o.reason.empty()) std::fprintf(stderr, "ocf-exit-reason:%s\n", o.reason.c_str());
    return o.rc;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string action = argc > 1 ? argv[1] : "";
    if (action == "meta-data") {
        std::fputs(sd::meta_data(), stdout);
        return 0;
    }
    if (action != "start" && action != "stop" && action != "monitor" && action != "validate-all")
        return finish(
            {static_cast<int>(ocf_rc::unimplemented), "usage: SharedDisk {start|stop|monitor|meta-data|validate-all}"});
    auto cfg = sd::load_config();
    if (!cfg) {
        // OCF: stop and probes of an unusable configuration report "not running".
        if (action == "stop") return finish({0, ""});
        return finish(cfg.error());
    }
    if (action == "start") return finish(sd::start(*cfg));
    if (action == "stop") return finish(sd::stop(*cfg));
    if (action == "monitor") return finish(sd::monitor(*cfg));
    return finish(sd::validate(*cfg));
}
