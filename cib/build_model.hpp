#pragma once
// Building the typed model from a parsed <cib> element (cib/ internal).
#include <libxml/tree.h>

#include "cib/error.hpp"
#include "cib/expected.hpp"
#include "cib/model.hpp"

namespace holdfast::cib {

expected<cib_model, error> build_model(xmlNode* cib_root);
// Rebuild only the status part of `m` (node states, tickets) from the document,
// for callers that changed nothing but the status section.
void rebuild_status(xmlNode* cib_root, cib_model& m);

}  // namespace holdfast::cib
