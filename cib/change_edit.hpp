#pragma once
// cib/ internal: the tree edits behind each change_op, on a scratch copy of
// the CIB (apply() checks the result and throws the copy away on error, so an
// edit may fail half-way).
#include <libxml/tree.h>

#include "cib/change.hpp"
#include "cib/xml.hpp"

namespace holdfast::cib::edit {

// The payload's element, parsed strictly (no DTD, one root element).
expected<xml::doc_ptr, error> parse_payload(const std::string& text);

// `root` is the scratch copy's <cib>; `payload` the parsed payload's root
// element (null for ops without one).
expected<void, error> replace_configuration(xmlNode* root, const xmlNode* payload);
expected<void, error> update_configuration(xmlNode* root, const xmlNode* payload);
expected<void, error> delete_element(xmlNode* root, const change& c);
expected<void, error> set_property(xmlNode* root, const change& c);
expected<void, error> delete_property(xmlNode* root, const change& c);
expected<void, error> set_node_attribute(xmlNode* root, const change& c);
expected<void, error> delete_node_attribute(xmlNode* root, const change& c);
expected<void, error> replace_node_state(xmlNode* root, const xmlNode* payload);
expected<void, error> record_operation(xmlNode* root, const change& c, const xmlNode* payload);
expected<void, error> update_node_state(xmlNode* root, const xmlNode* payload);
expected<void, error> clear_node_history(xmlNode* root, const change& c);
expected<void, error> remove_node_state(xmlNode* root, const change& c);
expected<void, error> set_cib_attribute(xmlNode* root, const change& c);
expected<void, error> clear_resource_history(xmlNode* root, const change& c);

// The <node_state> with this id in the status section, or null.
xmlNode* find_node_state(xmlNode* root, const std::string& id);

}  // namespace holdfast::cib::edit
