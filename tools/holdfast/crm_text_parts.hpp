#pragma once
// tools/holdfast internal: the pieces crm_text.cpp and crm_constraints.cpp
// share. A render function returns nullopt when the element has something
// crm syntax cannot say; the caller then shows it as an `xml` line.
#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

namespace holdfast::tools::crm {

std::string attr(const xmlNode* n, const char* name);
bool has_attr(const xmlNode* n, const char* name);
bool is(const xmlNode* n, const char* name);
std::vector<xmlNode*> children(const xmlNode* n, const char* only = nullptr);

// name=value, the value quoted when crm's lexer would split or misread it.
std::string quote(const std::string& value);
std::string pair(const std::string& name, const std::string& value);
// INFINITY -> inf, -INFINITY -> -inf, anything else as written.
std::string score(const std::string& s);
// Joins a head line and continuation lines with crm's " \" + newline + tab.
std::string lines(const std::string& head, const std::vector<std::string>& more);
// `xml <element .../>` on one line.
std::string xml_line(const xmlNode* n);

// name=value pairs of an nvset (instance/meta attributes, utilization);
// nullopt for what only XML says: rules, scores, references.
std::optional<std::string> nvpairs(const xmlNode* set);

// A rule as `rule [role=R] SCORE: expression ...`.
std::optional<std::string> rule(const xmlNode* r);
// Constraints (rsc_location, rsc_colocation, rsc_order, rsc_ticket).
std::optional<std::string> constraint(const xmlNode* c);
// The <fencing-topology> section as one fencing_topology statement (crm_text_more.cpp).
std::optional<std::string> fencing_topology(const xmlNode* section);
// An <alert> as an alert statement.
std::optional<std::string> alert(const xmlNode* a);

}  // namespace holdfast::tools::crm
