#pragma once
// Shared pieces of the unpack_*.cpp files (not a public header).
#include <map>
#include <string>
#include <string_view>

#include "cib/model.hpp"
#include "policy/rules.hpp"
#include "policy/working_set.hpp"

namespace holdfast::policy {

void unpack_resources(working_set& ws, const cib::cib_model& cib);  // unpack_resources.cpp
// A further instance "<child>:N" of a clone (orphan instances of history).
rsc_ix add_clone_instance(working_set& ws, rsc_ix clone);         // unpack_resources.cpp
void mark_orphan(working_set& ws, rsc_ix r);                      // unpack_resources.cpp, recursive
void unpack_history(working_set& ws, const cib::cib_model& cib);  // unpack_history.cpp

namespace unpack_detail {
bool truthy(std::string_view v);
const std::string* find(const std::map<std::string, std::string>& m, const char* key);
rule_context base_context(const working_set& ws);
int64_t seconds_of(std::string_view text);
int utilization_value(const std::string& text);
// The node a node_state names (by id, else by uname), or none.
node_ix find_node(const working_set& ws, const std::string& id, const std::string& uname);
// native_add_running: r is active on node n (unpack_history.cpp)
void add_running(working_set& ws, rsc_ix r, node_ix n);
// Migration history (unpack_migration.cpp): update the role the entry leaves on
// its own node (`now`) and where else the resource may be active
void migrate_to_success(working_set& ws, rsc_ix r, node_ix n, const cib::op_record& op, role& now);
void migrate_to_failure(working_set& ws, rsc_ix r, node_ix n, const cib::op_record& op, role& now);
void migrate_from_failure(working_set& ws, rsc_ix r, node_ix n, const cib::op_record& op, role& now);
// pe__is_newer_op: > 0 when a happened after b, < 0 before, 0 when unknown
int is_newer_op(const cib::op_record& a, const cib::op_record& b, bool same_node_default);
// The remote or guest node of this id, created (as pe_create_node) if missing
node_ix ensure_node(working_set& ws, const std::string& id, node_kind kind);
}  // namespace unpack_detail

}  // namespace holdfast::policy
