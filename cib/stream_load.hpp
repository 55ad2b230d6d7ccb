#pragma once
// Reading a CIB without keeping its operation history as XML (cib/ internal).
//
// In a big cluster the <lrm> histories are nearly all of the CIB, and as a
// libxml2 tree they cost several times the file's size. This reader parses
// the file once with SAX: everything but the histories becomes a small
// document, and each node's history goes straight into model values.
#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

#include "cib/error.hpp"
#include "cib/expected.hpp"
#include "cib/model.hpp"
#include "cib/xml.hpp"

namespace holdfast::cib {

struct streamed_cib {
    // The whole CIB except the content of every <lrm_resources> under the
    // first <status>, which keeps empty <lrm>/<lrm_resources> elements.
    xml::doc_ptr doc;
    // One entry per <node_state> of that <status>, in document order: the
    // history its first <lrm> holds (nullopt when it has no <lrm>).
    std::vector<std::optional<std::vector<lrm_resource>>> histories;
};

// `path` names a file, or is empty to read `text` instead.
expected<streamed_cib, error> read_without_history(const std::string& path, std::string_view text,
                                                   const std::string& name_for_errors);

// Moves the histories into the model built from the streamed document.
void attach_histories(streamed_cib& s, cib_model& m);

}  // namespace holdfast::cib
