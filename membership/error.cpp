#include "membership/error.hpp"

namespace holdfast::membership {

const char* to_string(errc e) {
    switch (e) {
        case errc::unavailable: return "unavailable";
        case errc::try_again: return "try_again";
        case errc::message_too_large: return "message_too_large";
        case errc::not_found: return "not_found";
        case errc::exists: return "exists";
        case errc::wrong_type: return "wrong_type";
        case errc::invalid_argument: return "invalid_argument";
        case errc::access_denied: return "access_denied";
        case errc::callback_failed: return "callback_failed";
        case errc::bad_config: return "bad_config";
        case errc::not_synced: return "not_synced";
        case errc::corosync: return "corosync";
    }
    return "unknown";
}

std::string error::to_string() const { return std::string(membership::to_string(code)) + ": " + message; }

}  // namespace holdfast::membership
