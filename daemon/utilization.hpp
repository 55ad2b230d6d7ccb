#pragma once
// Copying what a resource needs, as its agent reports it, into the
// resource's <utilization> (pure: text in, text out).
//
// Pacemaker's VirtualDomain writes its own utilization with crm_resource; in
// Holdfast an agent only prints it (the `utilization` action, listed in its
// meta-data) and the node that started the resource records it, so agents
// never need write access to the CIB.
#include <map>
#include <string>
#include <string_view>

#include "cib/model.hpp"

namespace holdfast::daemon {

// Whether an agent's meta-data lists `action` among its <actions>.
bool offers_action(std::string_view meta_data, std::string_view action);

// The name=value pairs a `utilization` action printed (separated by blanks
// or newlines). Only names of letters, digits, '_' and '-' with non-negative
// integer values count: the only values Pacemaker's placement can add up.
std::map<std::string, std::string> parse_utilization(std::string_view output);

// An update_configuration payload that makes `primitive`'s utilization hold
// `values`, reusing the set and nvpair ids it already has; empty when every
// value is already there (nothing to write).
std::string utilization_update(const cib::resource& primitive, const std::map<std::string, std::string>& values);

// The configured primitive behind a graph's resource name ("vm", or a clone
// instance "vm:1"), searched through groups, clones and bundles; nullptr when
// there is none.
const cib::resource* find_primitive(const std::vector<cib::resource>& resources, std::string_view rsc_id);

}  // namespace holdfast::daemon
