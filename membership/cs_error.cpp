#include "membership/cs_error.hpp"

namespace holdfast::membership::detail {

namespace {

errc classify(cs_error_t cs) {
    switch (cs) {
        case CS_ERR_LIBRARY:
        case CS_ERR_BAD_HANDLE: return errc::unavailable;
        case CS_ERR_TRY_AGAIN:
        case CS_ERR_QUEUE_FULL:
        case CS_ERR_BUSY: return errc::try_again;
        case CS_ERR_NOT_EXIST:
        case CS_ERR_NAME_NOT_FOUND: return errc::not_found;
        case CS_ERR_EXIST: return errc::exists;
        case CS_ERR_INVALID_PARAM:
        case CS_ERR_NAME_TOO_LONG:
        case CS_ERR_BAD_FLAGS: return errc::invalid_argument;
        case CS_ERR_TOO_BIG: return errc::message_too_large;
        case CS_ERR_ACCESS:
        case CS_ERR_SECURITY: return errc::access_denied;
        default: return errc::corosync;
    }
}

}  // namespace

error cs_failure(const std::string& op, cs_error_t cs) {
    return error{classify(cs), static_cast<int>(cs), op + ": " + cs_strerror(cs)};
}

result<void> callback_guard::take(const char* op) {
    if (!failed_) return {};
    failed_ = false;
    return unexpected(error{errc::callback_failed, 0, std::string(op) + ": callback threw: " + what_});
}

}  // namespace holdfast::membership::detail
