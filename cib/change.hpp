#pragma once
// CIB changes: one modification of a CIB as a value, its wire form, and
// applying it the way Pacemaker's CIB manager applies the equivalent
// cibadmin / crm_attribute / controller request.
//
// A change travels between nodes (serialize -> bytes -> parse_change) and is
// applied by every node in the same order; apply() is a pure function of the
// document and the change (no clock: the caller puts `now` in the change), so
// every node ends with the same CIB and the same version.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cib/cib.hpp"
#include "cib/error.hpp"
#include "cib/expected.hpp"

namespace holdfast::cib {

enum class change_op {
    replace_configuration,  // payload: <cib> or <configuration>; swaps the whole configuration
    update_configuration,   // payload: <cib>, <configuration>, a section or one element; merge by id
    delete_element,         // target: the id of a configuration element (tag: its element name, optional)
    set_property,           // name, value: a cluster property in crm_config
    delete_property,        // name
    set_node_attribute,     // node_id (node_name), name, value, lifetime
    delete_node_attribute,  // node_id, name, lifetime
    replace_node_state,     // payload: <node_state id=...>; a node re-announcing its own state
    record_operation,       // node_id (node_name), payload: <lrm_resource ...><lrm_rsc_op .../></lrm_resource>
    update_node_state,      // payload: <node_state id=... in_ccm=...>: its attributes set, children kept
    clear_node_history,     // node_id: the node's <lrm> history and transient attributes removed
    set_cib_attribute,      // name (have-quorum, dc-uuid), value: the controller's marks on <cib>
    // node_id, target: an <lrm_resource> id, value "all" or "failed": that
    // resource's history on the node removed (the scheduler re-probes it), as
    // crm_resource --refresh / --cleanup have the controller do; "failed" only
    // when the history holds a failure (an RSC_last_failure_0 record)
    clear_resource_history,
    // node_id: the node's <node_state> removed, the status half of crm_node -R
    // for a node taken out of the cluster (its <node> goes by delete_element)
    remove_node_state,
};

// Permanent node attributes live in the configuration (<nodes>), transient
// ones in the status section (gone when the node leaves), as in Pacemaker.
enum class attribute_lifetime { permanent, transient };

const char* to_string(change_op op);

struct change {
    change_op op = change_op::update_configuration;
    std::string payload;    // one XML element, as text (see change_op)
    std::string target;     // delete_element: the id
    std::string tag;        // delete_element: the element name it must have ("" = any)
    std::string node_id;    // node attribute / operation changes
    std::string node_name;  // creates <node>/<node_state> with this uname when missing
    std::string name;       // property / attribute name
    std::string value;      // property / attribute value
    attribute_lifetime lifetime = attribute_lifetime::permanent;
    std::optional<int64_t> admin_epoch;  // set admin_epoch explicitly (configuration changes only)
    // A precondition checked by apply(): refused (errc::old_data) unless the
    // CIB's admin_epoch and epoch are these (num_updates is not compared), so
    // a read-modify-replace (configure edit) cannot overwrite a configuration
    // changed since it was read. Checked where the change is applied, in
    // delivery order on every node, so there is no window between check and
    // write.
    std::optional<cib_version> if_epoch;
    // Written into the <cib> element on a configuration change, as Pacemaker
    // does: cib-last-written (a date string, e.g. "Tue Jan  2 10:00:00 2024"),
    // update-origin (node name), update-client, update-user. Empty: left as is.
    std::string now;
    std::string origin;
    std::string client;
    std::string user;

    bool operator==(const change&) const = default;

    static change replace_configuration(std::string xml);
    static change update_configuration(std::string xml);
    static change delete_element(std::string id, std::string tag = "");
    static change set_property(std::string name, std::string value);
    static change delete_property(std::string name);
    static change set_node_attribute(std::string node_id, std::string node_name, std::string name, std::string value,
                                     attribute_lifetime lifetime);
    static change delete_node_attribute(std::string node_id, std::string name, attribute_lifetime lifetime);
    static change replace_node_state(std::string node_state_xml);
    static change record_operation(std::string node_id, std::string node_name, std::string lrm_resource_xml);
    static change update_node_state(std::string node_state_xml);
    static change clear_node_history(std::string node_id);
    static change set_cib_attribute(std::string name, std::string value);
    static change clear_resource_history(std::string node_id, std::string rsc_id, bool failed_only);
    static change remove_node_state(std::string node_id);
};

// The wire form: <cib_change version="1" op="..." ...>PAYLOAD</cib_change>,
// UTF-8 XML. Never fails; a payload that is not one well-formed element makes
// bytes that parse_change refuses.
std::string serialize(const change& c);
// Refuses (errc::bad_change) anything but a well-formed version-1 change with
// the fields its op needs; the payload comes back as one serialised element.
expected<change, error> parse_change(std::string_view bytes);

struct applied {
    cib_version before;
    cib_version after;
    bool changed = false;         // false: the CIB was already so (no version bump)
    bool config_changed = false;  // the configuration changed (epoch bumped)
};

// Applies the change to `doc` in place, bumps the version (configuration
// change: epoch + 1 and num_updates = 0; status only: num_updates + 1; no
// effective change: nothing) and checks the result (schema named by
// validate-with when the configuration changed; no new check_semantics
// errors). On error `doc` is as it was (same tree, same model). `doc` must be
// complete(). Costs what the change touches, not the size of the CIB (but a
// configuration change is validated whole).
expected<applied, error> apply(document& doc, const change& c);

// What apply() would answer, with `doc` left as it was: a change is tried
// before it is sent to the cluster.
expected<applied, error> dry_run(document& doc, const change& c);

// The <node_state> with this id as XML text ("" when there is none): what a
// node re-announces of itself (replace_node_state) after a partition merge.
std::string node_state_xml(const document& doc, const std::string& id);

// The <configuration> section a top-level element belongs under ("resources"
// for a primitive, "constraints" for an rsc_order...), nullptr for others.
const char* configuration_section(std::string_view element);

}  // namespace holdfast::cib
