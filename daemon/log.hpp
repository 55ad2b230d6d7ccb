#pragma once
// holdfastd's logging: libqb's qb_log, with every message a structured event
// of a stable name and key=value fields, e.g.
//   log_event(LOG_NOTICE, "cib_loaded", {{"epoch", "5"}, {"file", path}});
// writes "cib_loaded epoch=5 file=/var/lib/holdfast/cib.xml". Event names are
// an interface (daemon/README.md lists them); tests assert on state, not on
// these lines.
//
// Targets: stderr (--foreground; under systemd that is the journal) or syslog,
// plus libqb's blackbox, an in-memory flight recorder of everything down to
// debug, written to a file on SIGUSR1 (dump_blackbox) and on a crash.
// Process-wide state: log_setup once, from main.
#include <syslog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "cib/expected.hpp"

namespace holdfast::daemon {

struct log_options {
    bool to_stderr = false;
    bool to_syslog = true;
    bool debug = false;                              // debug events on stderr/syslog too
    size_t blackbox_bytes = 1u << 20;                // 0: no blackbox
    std::string blackbox_dir = "/var/lib/holdfast";  // where dumps go
};

void log_setup(const log_options& o);
void log_teardown();

using log_field = std::pair<std::string_view, std::string>;

void log_event(int priority, std::string_view name, std::initializer_list<log_field> fields = {});
// The line log_event writes: values with spaces, quotes or '=' are quoted.
std::string format_event(std::string_view name, std::initializer_list<log_field> fields);

// Writes the blackbox to <blackbox_dir>/blackbox-<pid>-<n>; returns that path
// or -errno.
expected<std::string, int> dump_blackbox();
// On SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT: dump the blackbox, then die
// of the same signal.
void install_crash_dump();

}  // namespace holdfast::daemon
