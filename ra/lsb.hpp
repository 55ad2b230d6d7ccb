#pragma once
// LSB init scripts as a resource class (`lsb:TYPE`), as Pacemaker runs them:
// the script /etc/init.d/TYPE called with a verb, its exit status read by the
// LSB rules (status has codes of its own) and turned into an OCF result.
#include <string>

namespace holdfast::ra {

// Where init scripts live: /etc/init.d, or $HOLDFAST_LSB_DIR (tests, other layouts).
std::string lsb_root();
std::string lsb_script_path(const std::string& type);

// The script's verb for an executor action (monitor: status); "" when an
// init script has none (promote, migrate_to, ...).
std::string lsb_verb(const std::string& action);

// The OCF code for a script's exit status. For status (and monitor): 0
// running, 1-3 not running (dead with a pid file, with a lock file, stopped),
// anything else an error; for other verbs LSB's 0-7 are OCF's 0-7.
int lsb_to_ocf(const std::string& action, int status);

// OCF meta-data for a script, from its "### BEGIN INIT INFO" header
// (Short-Description, Description) and the actions an init script has.
std::string lsb_meta_data(const std::string& type, const std::string& script_text);

}  // namespace holdfast::ra
