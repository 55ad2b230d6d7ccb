#pragma once
// ra/'s errors: one enum, carried as values (cib::expected).
#include <string>

#include "cib/expected.hpp"

namespace holdfast::ra {

enum class errc {
    unknown_agent,  // no such agent (class/provider/type) on this node
    bad_request,    // the operation cannot be expressed (empty action, bad name)
    spawn_failed,   // fork/exec or an fd could not be made
    wait_failed,    // the child could not be waited for
    unimplemented,  // the agent's class has no such action (an init script's promote)
};

const char* to_string(errc e);

struct error {
    errc code;
    std::string message;
};

template <typename T>
using result = holdfast::expected<T, error>;
using holdfast::unexpected;

}  // namespace holdfast::ra
