#pragma once
// The exit statuses of `holdfast` and of the Pacemaker tools it stands in for
// (agent-tools): every command returns one of these names, never a bare
// number. man/holdfast.8, EXIT STATUS, documents the holdfast ones; the test
// cli_exit_codes runs the binary into each of them.
#include "daemon/errc.hpp"

namespace holdfast::tools {

// `holdfast COMMAND`: small numbers, as crm_exit_t's first ones where the
// meaning is the same (0 ok, 1 error, 3 unimplemented feature, 4 permission).
enum exit_status : int {
    exit_ok = 0,
    exit_error = 1,          // bad input, a refused or failed request, a CIB that does not verify
    exit_usage = 2,          // unknown command or option, missing argument
    exit_unimplemented = 3,  // the CIB needs a feature Holdfast does not implement yet
    exit_permission = 4,     // holdfastd refused: root or group haclient only
    exit_unreachable = 5,    // holdfastd not running, connection lost, no answer in time
    exit_protocol = 6,       // other protocol version, untrusted server, garbled answer
};

// crm_exit_t values (Pacemaker's include/crm/common/results.h) that the
// agent tools (crm_attribute, crm_node, ...) return, as Pacemaker's would.
enum crm_exit : int {
    crm_ex_ok = 0,
    crm_ex_error = 1,
    crm_ex_insufficient_priv = 4,
    crm_ex_usage = 64,
    crm_ex_protocol = 76,
    crm_ex_disconnect = 102,
    crm_ex_nosuch = 105,
    crm_ex_timeout = 124,
};

// The one mapping from a daemon error to each family of exit statuses.
exit_status exit_code(daemon::errc e);
crm_exit crm_exit_code(daemon::errc e);

// The status of a command that printed its output: exit_error when stdout
// could not be flushed (a closed pipe, a full disk).
int flushed_stdout();

}  // namespace holdfast::tools
