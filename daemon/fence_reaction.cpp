#include "daemon/fence_reaction.hpp"

#include <strings.h>

namespace holdfast::daemon {

fence_reaction parse_fence_reaction(const std::string& value) {
    return strcasecmp(value.c_str(), "panic") == 0 ? fence_reaction::panic : fence_reaction::stop;
}

const char* to_string(fence_reaction r) { return r == fence_reaction::panic ? "panic" : "stop"; }

bool fenced_while_running(const fencing_event& e, const std::string& self, int64_t started) {
    // Times are whole seconds from two machines' clocks: a node powered on
    // right after its fencing (or whose clock lags the fencer's) must not
    // take it for its own, so the fencing must come clearly after the start.
    return e.ok && e.target == self && e.action == "off" && e.completed > started + clock_margin_s;
}

std::optional<fencing_event> last_fencing_of(const std::vector<fencing_event>& history, const std::string& target) {
    for (auto it = history.rbegin(); it != history.rend(); ++it)
        if (it->target == target && it->ok && it->action != "on") return *it;
    return std::nullopt;
}

}  // namespace holdfast::daemon
