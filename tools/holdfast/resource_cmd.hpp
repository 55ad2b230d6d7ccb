#pragma once
// tools/ internal: what the `holdfast resource` verbs share (resource.cpp,
// resource_history.cpp): the parsed command line, the daemon's CIB, and
// where a resource runs according to its status section.
#include <optional>
#include <string>
#include <vector>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/nv_list.hpp"
#include "tools/holdfast/output_format.hpp"

namespace holdfast::tools::resource_cli {

struct command {
    std::string verb;
    std::string cmd;  // "resource VERB", for messages
    std::string ipc;
    args positional;  // after the verb
    std::string lifetime, node, timeout;
    output_format format = output_format::text;  // --output-as (read-only verbs)
};

// Prints "holdfast resource VERB: what" and returns 1 (bad input, nothing changed).
int fail(const command& c, const std::string& what);
// Sends one change to holdfastd; on a refusal prints the daemon's reason
// and sets status to the exit code for it.
bool send(const command& c, cib::change change, int& status);
// Prints "holdfast resource: what (try 'holdfast resource help')" and returns 2 (bad usage).
int usage_error(const std::string& what);

// The configured resource with this id (at any depth), or null.
const cib::resource* find_resource(const cib::cib_model& m, const std::string& id);
// The primitives at or under r (r itself for a primitive).
std::vector<std::string> primitives_of(const cib::resource& r);

// The names of the nodes where the resource (or anything under it) is
// active, from the status section, in node order; with the role ("Promoted")
// when it is promoted there.
struct placement {
    std::string node;
    bool promoted = false;
};
std::vector<placement> where_active(const cib::document& doc, const std::string& rsc);

// The <node> id of a node name (configuration, else status); prints the
// "unknown node" error when there is none.
std::optional<std::string> node_id(const command& c, const cib::document& doc, const std::string& name);

int run_restart(const command& c, cib::document& doc, const cib::resource& r);  // resource_history.cpp
int run_cleanup(const command& c, cib::document& doc, bool refresh);            // resource_history.cpp
int run_failcount(const command& c, cib::document& doc);                        // resource_history.cpp
// resource_attrs.cpp: param|meta|utilization RSC set|delete|show, trace/untrace, constraints, scores
int run_nv_verb(const command& c, const cib::resource& r);
int run_trace(const command& c, const cib::document& doc, bool on);
int run_constraints(const command& c, const cib::document& doc);
int run_scores(const command& c, const cib::document& doc);

}  // namespace holdfast::tools::resource_cli
