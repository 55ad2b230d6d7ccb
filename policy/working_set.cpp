#include "policy/working_set.hpp"

namespace holdfast::policy {

const char* to_string(role r) {
    switch (r) {
        case role::unknown: return "Unknown";
        case role::stopped: return "Stopped";
        case role::started: return "Started";
        case role::unpromoted: return "Unpromoted";
        case role::promoted: return "Promoted";
    }
    return "Unknown";
}

bool has_fence_device(const working_set& ws) {
    for (const auto& r : ws.resources)
        if (r.variant == rsc_variant::primitive && r.rclass == "stonith") return true;
    return false;
}

}  // namespace holdfast::policy
