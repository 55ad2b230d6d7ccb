#pragma once
// tools/ internal: `set NAME VALUE | delete NAME | show [NAME]` on one kind of
// name/value set of a node or resource, as crmsh's `node attribute`, `node
// utilization`, `resource param|meta|utilization` (crm_attribute and
// crm_resource underneath) do it.
#include <functional>
#include <string>
#include <vector>

#include "cib/change.hpp"
#include "cib/model.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/nv_list.hpp"
#include "tools/holdfast/resource_edit.hpp"

namespace holdfast::tools {

struct nv_scope {
    std::string cmd;  // "node attribute", for messages
    std::string ipc;
    output_format format = output_format::text;
    const char* owner = "node";  // "node" / "resource"
    std::string id;              // the node's name, the resource's id
    const char* label = "";      // "attribute", "utilization", "parameter", "meta attribute"
    const char* set_name = "";   // for --output-as: "attributes", "utilization", "parameters", "meta"
    const std::vector<cib::nvset>* sets = nullptr;
    std::string new_set_id;  // the set a first pair goes into ("RSC-instance_attributes")
    // The change that sets NAME to VALUE where `t` says.
    std::function<cib::change(const resource_edit::nv_target& t, const std::string& name, const std::string& value)>
        set;
};

// `words`: the verb and its arguments (set NAME VALUE, delete NAME, show
// [NAME]). Bad input: one line on stderr, nothing sent. Returns the exit code.
int run_nv(const nv_scope& s, const args& words);

// Prints "holdfast CMD: what" and returns 1 / (usage) 2.
int nv_fail(const std::string& cmd, const std::string& what);
int nv_usage(const std::string& cmd, const std::string& what);

}  // namespace holdfast::tools
