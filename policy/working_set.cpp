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

}  // namespace holdfast::policy
