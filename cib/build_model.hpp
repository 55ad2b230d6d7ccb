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
// The operation history under one node's <lrm> element.
std::vector<lrm_resource> build_history(xmlNode* lrm);
// One attribute of an <lrm_rsc_op> / <lrm_resource> into its model value
// (unknown names are ignored; a later duplicate wins).
void set_op_field(op_record& r, std::string_view name, std::string&& value);
void set_resource_field(lrm_resource& r, std::string_view name, std::string&& value);

}  // namespace holdfast::cib
