#pragma once
// The crm shell's configure language read back into CIB XML: the inverse of
// crm_text.hpp. One object per statement (a line; a backslash at the end of a
// line continues it; `#` starts a comment): node, primitive, rsc_template,
// group, clone, ms, location, colocation, order, rsc_ticket, property,
// rsc_defaults, op_defaults, fencing_topology, alert and `xml <element/>`.
// Ids the text does not give are made the way crmsh makes them
// (vm1-instance_attributes, vm1-monitor-10s), so show -> parse -> show is
// stable. Pure: no I/O.
#include <string>
#include <string_view>
#include <vector>

#include "cib/expected.hpp"

namespace holdfast::tools {

enum class crm_mode {
    update,  // an object whose id exists replaces it where it is (`configure load update`)
    create,  // an object whose id exists is an error (`configure primitive ...`)
};

// The statements of `text` applied in order to `base` (a <configuration>
// element as XML text; "" is an empty configuration); the result is the
// whole new <configuration> as XML text. A group or clone takes its members
// from where they are (defined above, or in `base`). Errors: one line,
// "line L, word W "TEXT": what is wrong (expected ...)"; nothing is applied.
expected<std::string, std::string> parse_crm_configuration(std::string_view text, const std::string& base = "",
                                                           crm_mode mode = crm_mode::update);

// `configure delete ID...`: the objects (resources, constraints, nodes, option
// sets, fencing levels, alerts...) taken out of `base`, a resource with what
// it contains; constraints and tags that named a deleted resource lose that
// reference (and go when nothing is left), a group or clone left empty goes.
expected<std::string, std::string> delete_crm_objects(const std::string& base, const std::vector<std::string>& ids);
// `configure rename OLD NEW`: the object's id changed, and every constraint,
// set, tag, template use and fencing level that named it.
expected<std::string, std::string> rename_crm_object(const std::string& base, const std::string& from,
                                                     const std::string& to);

// Whether a file's text is crm syntax rather than XML: its first non-blank
// character is not '<'.
bool looks_like_crm_text(std::string_view text);

}  // namespace holdfast::tools
