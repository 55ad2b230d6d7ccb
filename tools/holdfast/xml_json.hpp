#pragma once
// An XML document (the CIB, a section of it, a daemon's answer) as JSON, for
// --output-as=json of commands whose natural output is XML. One documented,
// lossless shape (man/holdfast.8, OUTPUT FORMATS), every element as
//   {"element": NAME, "attributes": {NAME: VALUE, ...}, "children": [ELEMENT, ...]}
// with "text": TEXT added when the element has non-blank text of its own.
// Attribute values stay strings (the CIB does not type them).
#include <string>
#include <string_view>

#include "cib/expected.hpp"

namespace holdfast::tools {

// The root element of `xml` as JSON, pretty-printed, ending in a newline; an
// error (one line) when the text is not well-formed XML.
expected<std::string, std::string> xml_to_json(std::string_view xml);

}  // namespace holdfast::tools
