#pragma once
// membership's error values: one enum for the module, plus the Corosync
// status code and its text. Every call into libcpg/libquorum/libvotequorum/
// libcmap returns one of these instead of throwing.
#include <string>

#include "cib/expected.hpp"

namespace holdfast::membership {

enum class errc {
    unavailable,        // corosync not running or the IPC connection is gone (CS_ERR_LIBRARY)
    try_again,          // transient: flow control, sync in progress; retry later (CS_ERR_TRY_AGAIN)
    message_too_large,  // a CPG payload above max_message_size() (see cpg.hpp)
    not_found,          // cmap key or group does not exist (CS_ERR_NOT_EXIST)
    exists,             // already there: e.g. this process already joined the group (CS_ERR_EXIST)
    wrong_type,         // cmap key holds a value of another type
    invalid_argument,   // name too long, bad key, not joined (CS_ERR_INVALID_PARAM, ...)
    access_denied,      // corosync refused us (CS_ERR_ACCESS, CS_ERR_SECURITY)
    callback_failed,    // a user callback threw; the exception stopped at the C boundary
    bad_config,         // cmap content that cannot describe a cluster (e.g. node without nodeid)
    not_synced,         // the CIB replica does not hold the cluster's state yet (see replica.hpp)
    corosync,           // any other cs_error_t
};

const char* to_string(errc e);

struct error {
    errc code = errc::corosync;
    int cs = 0;           // the cs_error_t value, 0 when the error is not Corosync's
    std::string message;  // "operation: cs_strerror text" or what is wrong

    std::string to_string() const;
};

template <typename T>
using result = holdfast::expected<T, error>;

}  // namespace holdfast::membership
