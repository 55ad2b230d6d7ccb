#pragma once
// The CLI's CIB changes: stamping a cib::change with who and when, sending it
// to holdfastd as a cib_change request, and finding a node in its CIB.
#include <ctime>
#include <optional>
#include <string>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "cib/expected.hpp"
#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {

// Pacemaker's cib-last-written form, in local time: "Tue Jan  2 10:00:00 2024".
std::string cib_date(std::time_t t);

// Sets update-origin (this host's name), update-client ("holdfast") and
// cib-last-written (now), then sends the change; the daemon answers once it
// is applied, with the new version "admin_epoch.epoch.num_updates".
expected<std::string, daemon_failure> send_change(const std::string& ipc_name, cib::change c);

// The daemon's CIB, loaded without a schema check (the daemon did that).
// Failures print "holdfast CMD: ..." and give the exit status; as_tool: an
// agent tool's "CMD: ..." and crm_exit_t status.
expected<cib::document, int> query_cib(const char* cmd, const std::string& ipc_name, bool as_tool = false);

// The <configuration> of a CIB as XML text ("" when it has none).
std::string configuration_of(const cib::document& doc);

// A read-modify-replace: `configuration` (made from `read`) sent as one
// replace-configuration change that holdfastd applies only while the CIB's
// admin_epoch.epoch are still those of `read`; a configuration changed since
// is refused (nothing overwritten). Failures print "holdfast CMD: ...".
int replace_read_configuration(const char* cmd, const std::string& ipc_name, const cib::document& read,
                               std::string configuration);

// The id of the <node> whose uname is `name` in the CIB's <nodes>.
std::optional<std::string> node_id_of(const cib::document& doc, const std::string& name);

}  // namespace holdfast::tools
