#pragma once
// The typed CIB model: what a Pacemaker CIB says, as plain values.
//
// Owns nothing but values; built by cib::load() from the XML document (which
// cib::document keeps alongside, so writing back loses nothing), read by the
// policy engine. Strings that Pacemaker interprets late (scores, intervals,
// rule values) are kept as written; policy/ converts them with the helpers in
// cib/values.hpp so that it decides exactly when and how a bad value counts.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace holdfast::cib {

struct nvpair {
    std::string id;
    std::string name;
    std::string value;
    bool operator==(const nvpair&) const = default;
};

struct rule;

// One condition inside a <rule>: <expression>, <date_expression>,
// <op_expression>, <rsc_expression> or a nested <rule>.
struct expression {
    enum class kind { attribute, date, op, rsc, nested_rule };
    kind what = kind::attribute;
    std::string id;
    // <expression>
    std::string attribute;
    std::string operation;  // lt gt lte gte eq ne defined not_defined; date: in_range gt lt date_spec
    std::string value;
    std::string type;          // string integer number version (empty = by value)
    std::string value_source;  // literal param meta
    // <date_expression>
    std::string start;
    std::string end;
    std::map<std::string, std::string> duration;  // years months weeks days hours minutes seconds
    std::map<std::string, std::string>
        date_spec;  // hours monthdays weekdays yeardays months weeks years weekyears moon
    // <op_expression>
    std::string op_name;
    std::string op_interval;
    // <rsc_expression>
    std::string rsc_class;
    std::string rsc_provider;
    std::string rsc_type;
    std::shared_ptr<rule> nested;
};

struct rule {
    std::string id;
    std::string score;            // as written; empty when absent
    std::string score_attribute;  // legacy
    std::string boolean_op = "and";
    std::string role;
    std::vector<expression> expressions;
};

// instance_attributes / meta_attributes / utilization / cluster_property_set ...
// id-refs are resolved by the loader, so every set here carries its content.
struct nvset {
    std::string id;
    std::string score;  // ordering among sets, as written
    std::vector<rule> rules;
    std::vector<nvpair> pairs;
};

struct op_def {
    std::string id;
    std::string name;
    std::string interval;  // as written: "10s", "0", "PT1M", ...
    std::string role;
    std::string timeout;
    std::string on_fail;
    std::string enabled;
    std::string start_delay;
    std::string interval_origin;
    std::string record_pending;
    std::string requires_;
    std::vector<nvset> meta;
    std::vector<nvset> instance;
    std::map<std::string, std::string> other;  // any further attribute
};

enum class resource_kind { primitive, group, clone, master, bundle };

// A <bundle>'s container description, kept close to the XML.
struct bundle_info {
    std::string container_type;  // docker rkt podman
    std::map<std::string, std::string>
        container;  // image replicas replicas-per-host promoted-max run-command network ...
    std::map<std::string, std::string> network;  // ip-range-start host-interface host-netmask control-port add-host
    std::vector<std::map<std::string, std::string>> port_mappings;
    std::vector<std::map<std::string, std::string>> storage_mappings;
};

struct resource {
    resource_kind kind = resource_kind::primitive;
    std::string id;
    std::string description;
    // primitive
    std::string rclass;  // ocf stonith lsb systemd service ...
    std::string provider;
    std::string type;
    std::string template_id;  // template="..." this primitive was built from
    std::vector<nvset> meta;
    std::vector<nvset> instance;
    std::vector<nvset> utilization;
    std::vector<op_def> ops;
    // group: members; clone/master/bundle: the single child (if any)
    std::vector<resource> children;
    std::optional<bundle_info> bundle;
    int line = 0;  // source line of the defining element
};

struct resource_set {
    std::string id;
    std::string sequential;   // as written; empty = default
    std::string require_all;  // as written
    std::string ordering;
    std::string action;
    std::string role;
    std::string score;
    std::string kind;
    std::vector<std::string> resources;  // resource_ref ids (tags expanded by loader)
};

struct location_constraint {
    std::string id;
    std::string rsc;
    std::string rsc_pattern;
    std::string node;
    std::string score;
    std::string role;
    std::string resource_discovery;
    std::vector<rule> rules;
    std::vector<resource_set> sets;
    int line = 0;
};

struct colocation_constraint {
    std::string id;
    std::string rsc;
    std::string with_rsc;
    std::string rsc_role;
    std::string with_rsc_role;
    std::string rsc_instance;
    std::string with_rsc_instance;
    std::string score;
    std::string node_attribute;
    std::string influence;
    std::vector<resource_set> sets;
    int line = 0;
};

struct order_constraint {
    std::string id;
    std::string first;
    std::string then;
    std::string first_action;
    std::string then_action;
    std::string first_instance;
    std::string then_instance;
    std::string kind;
    std::string score;
    std::string symmetrical;
    std::string require_all;
    std::vector<resource_set> sets;
    int line = 0;
};

struct ticket_constraint {
    std::string id;
    std::string ticket;
    std::string rsc;
    std::string rsc_role;
    std::string loss_policy;
    std::vector<resource_set> sets;
    int line = 0;
};

struct node_def {
    std::string id;
    std::string uname;
    std::string type;  // member (default), remote, ping
    std::string score;
    std::string description;
    std::vector<nvset> attributes;
    std::vector<nvset> utilization;
};

struct fencing_level {
    std::string id;
    std::string target;
    std::string target_pattern;
    std::string target_attribute;
    std::string target_value;
    int index = 0;
    std::vector<std::string> devices;
};

struct tag {
    std::string id;
    std::vector<std::string> refs;
};

struct alert {
    std::string id;
    std::string path;
    std::vector<nvset> meta;
    std::vector<nvset> instance;
    std::vector<std::pair<std::string, std::string>> recipients;  // id, value
};

// One <lrm_rsc_op>: an executed (or pending) operation of a resource on a node.
struct op_record {
    std::string id;
    std::string operation;
    std::string interval = "0";  // milliseconds as written ("0" when absent)
    int call_id = 0;
    int rc_code = 0;
    int op_status = 0;
    std::string op_digest;
    std::string op_restart_digest;
    std::string op_secure_digest;
    std::string op_force_restart;
    bool has_op_force_restart = false;  // present, even if empty (then no parameter forces a restart)
    std::string op_secure_params;       // op-secure-params: " name name " of secure parameters
    std::string transition_key;
    std::string transition_magic;
    std::string on_node;
    std::string migrate_source;
    std::string migrate_target;
    std::string exit_reason;
    std::string crm_feature_set;
    int64_t last_rc_change = 0;
    int64_t last_run = 0;
    int64_t exec_time = 0;
    int64_t queue_time = 0;
    bool operator==(const op_record&) const = default;
};

struct lrm_resource {
    std::string id;
    std::string rclass;
    std::string provider;
    std::string type;
    std::string container;
    std::vector<op_record> ops;  // document order
    std::string shutdown_lock;   // shutdown-lock: when the node's shutdown locked it there (epoch seconds)
    bool operator==(const lrm_resource&) const = default;
};

struct node_state {
    std::string id;
    std::string uname;
    std::string in_ccm;    // "true"/"false" or a timestamp (newer CIBs)
    std::string crmd;      // online/offline or a timestamp
    std::string join;      // member down pending banned
    std::string expected;  // member down
    std::string crm_debug_origin;
    std::string shutdown;
    bool remote_node = false;  // remote_node="true"
    std::string node_fenced;   // remote nodes: node_fenced="1" once fenced
    bool has_lrm = false;
    std::vector<nvset> transient_attributes;
    std::vector<lrm_resource> resources;
};

struct ticket_state {
    std::string id;
    std::map<std::string, std::string> attributes;  // granted standby last-granted ...
};

struct cib_model {
    // <cib> attributes
    std::string validate_with;
    std::string epoch;
    std::string admin_epoch;
    std::string num_updates;
    std::string have_quorum;
    std::string dc_uuid;
    std::string execution_date;   // crm_simulate's "now" when set
    std::string crm_feature_set;  // the <cib> element's (digests without an op record use it)
    std::string no_quorum_panic;

    std::vector<nvset> crm_config;
    std::vector<nvset> rsc_defaults;
    std::vector<nvset> op_defaults;
    std::vector<node_def> nodes;
    std::vector<resource> resources;  // top level, templates resolved
    std::vector<resource> templates;
    std::vector<location_constraint> locations;
    std::vector<colocation_constraint> colocations;
    std::vector<order_constraint> orders;
    std::vector<ticket_constraint> tickets;
    std::vector<fencing_level> fencing_levels;
    std::vector<tag> tags;
    std::vector<alert> alerts;
    bool has_acls = false;

    std::vector<node_state> node_states;
    std::vector<ticket_state> ticket_states;
};

}  // namespace holdfast::cib
