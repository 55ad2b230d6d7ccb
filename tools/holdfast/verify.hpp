#pragma once
// The checks and messages of `holdfast verify`, shared with `configure verify`.
#include <string>

#include "cib/cib.hpp"
#include "cib/expected.hpp"
#include "tools/holdfast/output_format.hpp"

namespace holdfast::tools {

// A load failure or each check_semantics problem as one line
// "holdfast CMD: NAME:LINE: message" on stderr; 0 when the CIB is fine, else 1.
// verbose: say so when it is fine. xml/json: the problems as a document on
// stdout instead (<problems><problem kind= file= line= message=/>...</problems>,
// {"problems": [...]}; empty when the CIB is fine), the same exit status.
int report_verify(const char* cmd, const expected<cib::document, cib::error>& doc, const std::string& name,
                  bool verbose, output_format f = output_format::text);

}  // namespace holdfast::tools
