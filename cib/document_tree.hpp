#pragma once
// cib/ internal: what the change code needs of a document it edits in place
// beside the loader: the schema check and the document's name.
#include <string>

#include "cib/cib.hpp"
#include "cib/xml.hpp"

namespace holdfast::cib {

// The schema check alone (validate-with of the tree's <cib>), for a tree
// edited in place.
expected<void, error> validate_tree(xmlDoc* doc, const load_options& opts, const std::string& name);

// The name a document was loaded under (errors about it carry it).
const std::string& document_name(const document& doc);

}  // namespace holdfast::cib
