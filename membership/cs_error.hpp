#pragma once
// Internal: turning cs_error_t into membership::error, and the guard that keeps
// exceptions from user callbacks out of Corosync's C dispatch loops.
#include <corosync/corotypes.h>

#include <exception>
#include <string>

#include "membership/error.hpp"

namespace holdfast::membership::detail {

// op names the failing call, e.g. "cpg_join(holdfast)".
error cs_failure(const std::string& op, cs_error_t cs);

inline result<void> check(const std::string& op, cs_error_t cs) {
    if (cs == CS_OK) return {};
    return unexpected(cs_failure(op, cs));
}

// Remembers the first failure of a user callback during one dispatch() so that
// dispatch() can return it (errc::callback_failed): C frames between us and the
// callback cannot unwind.
class callback_guard {
public:
    template <typename F>
    void run(F&& f) noexcept {
        // Later events of the batch are still delivered: dropping a CPG
        // message would break virtual synchrony silently. The first failure wins.
        try {
            f();
        } catch (const std::exception& e) {
            if (!failed_) what_ = e.what();
            failed_ = true;
        } catch (...) {
            if (!failed_) what_ = "unknown exception";
            failed_ = true;
        }
    }
    // Reset before each dispatch; returns the failure of the last one, if any.
    result<void> take(const char* op);
    void reset() { failed_ = false; }

private:
    bool failed_ = false;
    std::string what_;
};

}  // namespace holdfast::membership::detail
