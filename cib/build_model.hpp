#pragma once
// Building the typed model from a parsed <cib> element (cib/ internal).
#include <libxml/tree.h>

#include <string>
#include <string_view>
#include <vector>

#include "cib/error.hpp"
#include "cib/expected.hpp"
#include "cib/model.hpp"

namespace holdfast::cib {

expected<cib_model, error> build_model(xmlNode* cib_root);

// The parts apply() rebuilds after editing a document in place.
// The <cib> attributes and the configuration; no status.
expected<cib_model, error> build_configuration_model(xmlNode* cib_root);
void read_root_attributes(xmlNode* cib_root, cib_model& m);
std::vector<nvset> build_crm_config(xmlNode* cib_root);  // the cluster properties alone
node_state build_node_state(xmlNode* node_state_element);
void read_node_state_attributes(xmlNode* node_state_element, node_state& st);
std::vector<nvset> build_transient_attributes(xmlNode* node_state_element);
lrm_resource build_lrm_resource(xmlNode* lrm_resource_element);
// The operation history under one node's <lrm> element.
std::vector<lrm_resource> build_history(xmlNode* lrm);
// One attribute of an <lrm_rsc_op> / <lrm_resource> into its model value
// (unknown names are ignored; a later duplicate wins).
void set_op_field(op_record& r, std::string_view name, std::string&& value);
void set_resource_field(lrm_resource& r, std::string_view name, std::string&& value);

}  // namespace holdfast::cib
