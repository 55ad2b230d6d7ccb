#pragma once
// cib/ internal: turning an edited libxml2 tree into a document, for the
// change and store code that build new documents beside the loader.
#include <string>

#include "cib/cib.hpp"
#include "cib/xml.hpp"

namespace holdfast::cib {

// Schema check (when opts.validate) and model building over a whole <cib>
// tree; the document takes the tree. `name` is what errors call it.
expected<document, error> document_from_tree(xml::doc_ptr doc, const load_options& opts, const std::string& name);

// The schema check alone (validate-with of the tree's <cib>), for a tree
// edited in place.
expected<void, error> validate_tree(xmlDoc* doc, const load_options& opts, const std::string& name);

// The name a document was loaded under (errors about it carry it).
const std::string& document_name(const document& doc);

}  // namespace holdfast::cib
