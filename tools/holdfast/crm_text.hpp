#pragma once
// `holdfast configure show`: a CIB's configuration in the crm shell's text
// syntax (crmsh's `configure show`): node, primitive (params / meta /
// utilization / op lines), group, clone, ms, tag, location (score or rules),
// colocation, order, rsc_ticket, property, rsc_defaults, op_defaults. An
// element this rendering cannot express faithfully is shown as one
// `xml <element .../>` line, as crmsh does. Pure: no I/O.
#include <string>

#include "cib/cib.hpp"

namespace holdfast::tools {

std::string format_crm_configuration(const cib::document& doc);

}  // namespace holdfast::tools
