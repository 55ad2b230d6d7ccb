#pragma once
// holdfast-lab's error values: one enum for the tool, plus what went wrong.
#include <string>

#include "cib/expected.hpp"

namespace holdfast::lab {

enum class errc {
    usage,        // bad arguments
    io,           // a file or directory could not be read or written
    system,       // a system call failed (namespaces, mounts, signals)
    command,      // a helper program (ip, corosync-keygen) failed
    state,        // the lab is not in a state that allows the request
    timeout,      // a state was not reached before the deadline
    interrupted,  // SIGINT, SIGTERM or SIGHUP arrived
};

struct error {
    errc code = errc::system;
    std::string message;  // one line, says what is wrong
};

template <typename T>
using result = holdfast::expected<T, error>;

inline holdfast::unexpected<error> fail(errc code, std::string message) {
    return holdfast::unexpected(error{code, std::move(message)});
}

// "what: strerror(errno)" as a system error; reads errno, so call right after the failing call.
holdfast::unexpected<error> fail_errno(const std::string& what);

}  // namespace holdfast::lab
