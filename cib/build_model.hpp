#pragma once
// Building the typed model from a parsed <cib> element (cib/ internal).
#include <libxml/tree.h>

#include <vector>

#include "cib/error.hpp"
#include "cib/expected.hpp"
#include "cib/model.hpp"

namespace holdfast::cib {

expected<cib_model, error> build_model(xmlNode* cib_root);
// The operation history under one node's <lrm> element.
std::vector<lrm_resource> build_history(xmlNode* lrm);

}  // namespace holdfast::cib
