// From XML elements to cib_model values. id-refs are resolved here (against
// every element with an id), templates are merged into the primitives that
// use them, and tag ids inside resource sets become their members.
#include "cib/build_model.hpp"

#include <strings.h>

#include <cstdlib>
#include <map>
#include <utility>

#include "cib/xml.hpp"

namespace holdfast::cib {
namespace {

using xml::attr;
using xml::children;

struct builder {
    std::map<std::string, xmlNode*> by_id;
    std::map<std::string, std::vector<std::string>> tags;

    void index(xmlNode* n) {
        for (xmlNode* c : children(n)) {
            // Operation history is most of a big CIB and nothing refers into it
            if (xml::is(c, "lrm")) continue;
            if (xml::has_attr(c, "id") && !xml::has_attr(c, "id-ref")) by_id.emplace(attr(c, "id"), c);
            index(c);
        }
    }

    // An index of part of the document (one node's status) can miss what an
    // id-ref points to elsewhere: then the whole document is indexed, once.
    xmlNode* whole = nullptr;

    // The element an id-ref points to, or the element itself.
    xmlNode* resolve(xmlNode* n) {
        if (!xml::has_attr(n, "id-ref")) return n;
        auto it = by_id.find(attr(n, "id-ref"));
        if (it == by_id.end() && whole) {
            index(std::exchange(whole, nullptr));
            it = by_id.find(attr(n, "id-ref"));
        }
        return it == by_id.end() ? n : it->second;
    }

    expression make_expression(xmlNode* e);
    rule make_rule(xmlNode* r);
    nvset make_nvset(xmlNode* n);
    std::vector<nvset> nvsets(xmlNode* parent, const char* name);
    op_def make_op(xmlNode* o);
    resource make_resource(xmlNode* r);
    resource_set make_set(xmlNode* s);
    std::vector<resource_set> sets(xmlNode* c);
};

std::map<std::string, std::string> all_attrs(xmlNode* n) {
    std::map<std::string, std::string> out;
    for (xmlAttr* a = n->properties; a; a = a->next)
        out[reinterpret_cast<const char*>(a->name)] = attr(n, reinterpret_cast<const char*>(a->name));
    return out;
}

expression builder::make_expression(xmlNode* raw) {
    xmlNode* e = resolve(raw);
    expression x;
    x.id = attr(e, "id");
    if (xml::is(e, "rule")) {
        x.what = expression::kind::nested_rule;
        x.nested = std::make_shared<rule>(make_rule(e));
    } else if (xml::is(e, "date_expression")) {
        x.what = expression::kind::date;
        x.operation = attr(e, "operation");
        x.start = attr(e, "start");
        x.end = attr(e, "end");
        if (xmlNode* d = xml::first(e, "duration")) x.duration = all_attrs(resolve(d));
        if (xmlNode* d = xml::first(e, "date_spec")) x.date_spec = all_attrs(resolve(d));
    } else if (xml::is(e, "op_expression")) {
        x.what = expression::kind::op;
        x.op_name = attr(e, "name");
        x.op_interval = attr(e, "interval");
    } else if (xml::is(e, "rsc_expression")) {
        x.what = expression::kind::rsc;
        x.rsc_class = attr(e, "class");
        x.rsc_provider = attr(e, "provider");
        x.rsc_type = attr(e, "type");
    } else {
        x.attribute = attr(e, "attribute");
        x.operation = attr(e, "operation");
        x.value = attr(e, "value");
        x.type = attr(e, "type");
        x.value_source = attr(e, "value-source");
    }
    return x;
}

rule builder::make_rule(xmlNode* raw) {
    xmlNode* r = resolve(raw);
    rule out;
    out.id = attr(r, "id");
    out.score = attr(r, "score");
    out.score_attribute = attr(r, "score-attribute");
    if (xml::has_attr(r, "boolean-op")) out.boolean_op = attr(r, "boolean-op");
    out.role = attr(r, "role");
    for (xmlNode* c : children(r)) {
        if (xml::is(c, "expression") || xml::is(c, "date_expression") || xml::is(c, "op_expression") ||
            xml::is(c, "rsc_expression") || xml::is(c, "rule"))
            out.expressions.push_back(make_expression(c));
    }
    return out;
}

nvset builder::make_nvset(xmlNode* raw) {
    xmlNode* n = resolve(raw);
    nvset out;
    out.id = attr(n, "id");
    out.score = attr(n, "score");
    for (xmlNode* c : children(n)) {
        if (xml::is(c, "rule")) out.rules.push_back(make_rule(c));
        if (xml::is(c, "nvpair")) {
            // populate_hash: the element's own name and value, else the
            // referenced one's; a pair without either is ignored
            xmlNode* p = resolve(c);
            xmlNode* named = xml::has_attr(c, "name") ? c : p;
            xmlNode* valued = xml::has_attr(c, "value") ? c : p;
            if (!xml::has_attr(named, "name") || !xml::has_attr(valued, "value")) continue;
            out.pairs.push_back({attr(p, "id"), attr(named, "name"), attr(valued, "value")});
        }
    }
    return out;
}

std::vector<nvset> builder::nvsets(xmlNode* parent, const char* name) {
    std::vector<nvset> out;
    for (xmlNode* c : children(parent, name)) out.push_back(make_nvset(c));
    return out;
}

op_def builder::make_op(xmlNode* raw) {
    xmlNode* o = resolve(raw);
    op_def op;
    auto a = all_attrs(o);
    auto take = [&](const char* k) {
        auto it = a.find(k);
        if (it == a.end()) return std::string();
        std::string v = it->second;
        a.erase(it);
        return v;
    };
    op.id = take("id");
    op.name = take("name");
    op.interval = take("interval");
    op.role = take("role");
    op.timeout = take("timeout");
    op.on_fail = take("on-fail");
    op.enabled = take("enabled");
    op.start_delay = take("start-delay");
    op.interval_origin = take("interval-origin");
    op.record_pending = take("record-pending");
    op.requires_ = take("requires");
    op.other = std::move(a);
    op.meta = nvsets(o, "meta_attributes");
    op.instance = nvsets(o, "instance_attributes");
    return op;
}

resource builder::make_resource(xmlNode* r) {
    resource out;
    out.id = attr(r, "id");
    out.description = attr(r, "description");
    out.line = xml::line(r);
    const std::string kind = xml::name(r);
    out.kind = kind == "group"    ? resource_kind::group
               : kind == "clone"  ? resource_kind::clone
               : kind == "master" ? resource_kind::master
               : kind == "bundle" ? resource_kind::bundle
                                  : resource_kind::primitive;
    out.rclass = attr(r, "class");
    out.provider = attr(r, "provider");
    out.type = attr(r, "type");
    out.template_id = attr(r, "template");
    out.meta = nvsets(r, "meta_attributes");
    out.instance = nvsets(r, "instance_attributes");
    out.utilization = nvsets(r, "utilization");
    if (xmlNode* ops = xml::first(r, "operations")) {
        for (xmlNode* o : children(resolve(ops), "op")) out.ops.push_back(make_op(o));
    }
    if (!out.template_id.empty()) {
        auto it = by_id.find(out.template_id);
        if (it != by_id.end() && xml::is(it->second, "template")) {
            resource t = make_resource(it->second);
            if (out.rclass.empty()) out.rclass = t.rclass;
            if (out.provider.empty()) out.provider = t.provider;
            if (out.type.empty()) out.type = t.type;
            // The expanded primitive holds the template's sets, then its own (in
            // document order); equal-score sets apply last-first, so its own win
            out.meta.insert(out.meta.begin(), t.meta.begin(), t.meta.end());
            out.instance.insert(out.instance.begin(), t.instance.begin(), t.instance.end());
            out.utilization.insert(out.utilization.begin(), t.utilization.begin(), t.utilization.end());
            // An op of the primitive replaces the template's ops of the same name
            // and role, whatever their interval (template_op_key)
            auto op_role = [](const op_def& op) {
                const std::string& r = op.role;
                const bool any = r.empty() || strcasecmp(r.c_str(), "Started") == 0 ||
                                 strcasecmp(r.c_str(), "Unpromoted") == 0 || strcasecmp(r.c_str(), "Slave") == 0;
                return any ? std::string("Unknown") : r;
            };
            const size_t own = out.ops.size();
            for (auto& op : t.ops) {
                bool overridden = false;
                for (size_t i = 0; i < own; ++i)
                    overridden = overridden || (out.ops[i].name == op.name && op_role(out.ops[i]) == op_role(op));
                if (!overridden) out.ops.push_back(std::move(op));
            }
        }
    }
    for (xmlNode* c : children(r)) {
        if (xml::is(c, "primitive") || xml::is(c, "group") || xml::is(c, "clone") || xml::is(c, "master"))
            out.children.push_back(make_resource(c));
    }
    if (out.kind == resource_kind::bundle) {
        bundle_info b;
        for (const char* engine : {"docker", "rkt", "podman"}) {
            if (xmlNode* e = xml::first(r, engine)) {
                b.container_type = engine;
                b.container = all_attrs(e);
            }
        }
        if (xmlNode* net = xml::first(r, "network")) {
            b.network = all_attrs(net);
            for (xmlNode* p : children(net, "port-mapping")) b.port_mappings.push_back(all_attrs(p));
        }
        if (xmlNode* st = xml::first(r, "storage")) {
            for (xmlNode* m : children(st, "storage-mapping")) b.storage_mappings.push_back(all_attrs(m));
        }
        out.bundle = std::move(b);
    }
    return out;
}

resource_set builder::make_set(xmlNode* raw) {
    xmlNode* s = resolve(raw);
    resource_set out;
    out.id = attr(s, "id");
    out.sequential = attr(s, "sequential");
    out.require_all = attr(s, "require-all");
    out.ordering = attr(s, "ordering");
    out.action = attr(s, "action");
    out.role = attr(s, "role");
    out.score = attr(s, "score");
    out.kind = attr(s, "kind");
    for (xmlNode* ref : children(s, "resource_ref")) {
        std::string id = attr(ref, "id");
        auto t = tags.find(id);
        if (t == tags.end())
            out.resources.push_back(id);
        else
            out.resources.insert(out.resources.end(), t->second.begin(), t->second.end());
    }
    return out;
}

std::vector<resource_set> builder::sets(xmlNode* c) {
    std::vector<resource_set> out;
    for (xmlNode* s : children(c, "resource_set")) out.push_back(make_set(s));
    return out;
}

int64_t to_i64(const std::string& s) { return s.empty() ? 0 : std::atoll(s.c_str()); }

}  // namespace

void set_op_field(op_record& r, std::string_view name, std::string&& value) {
    if (name == "id")
        r.id = std::move(value);
    else if (name == "operation")
        r.operation = std::move(value);
    else if (name == "interval")
        r.interval = value.empty() ? "0" : std::move(value);
    else if (name == "call-id")
        r.call_id = std::atoi(value.c_str());
    else if (name == "rc-code")
        r.rc_code = std::atoi(value.c_str());
    else if (name == "op-status")
        r.op_status = std::atoi(value.c_str());
    else if (name == "op-digest")
        r.op_digest = std::move(value);
    else if (name == "op-restart-digest")
        r.op_restart_digest = std::move(value);
    else if (name == "op-secure-digest")
        r.op_secure_digest = std::move(value);
    else if (name == "op-secure-params")
        r.op_secure_params = std::move(value);
    else if (name == "op-force-restart") {
        r.has_op_force_restart = true;
        r.op_force_restart = std::move(value);
    } else if (name == "transition-key")
        r.transition_key = std::move(value);
    else if (name == "transition-magic")
        r.transition_magic = std::move(value);
    else if (name == "on_node")
        r.on_node = std::move(value);
    else if (name == "migrate_source")
        r.migrate_source = std::move(value);
    else if (name == "migrate_target")
        r.migrate_target = std::move(value);
    else if (name == "exit-reason")
        r.exit_reason = std::move(value);
    else if (name == "crm_feature_set")
        r.crm_feature_set = std::move(value);
    else if (name == "last-rc-change")
        r.last_rc_change = to_i64(value);
    else if (name == "last-run")
        r.last_run = to_i64(value);
    else if (name == "exec-time")
        r.exec_time = to_i64(value);
    else if (name == "queue-time")
        r.queue_time = to_i64(value);
}

void set_resource_field(lrm_resource& r, std::string_view name, std::string&& value) {
    if (name == "id")
        r.id = std::move(value);
    else if (name == "class")
        r.rclass = std::move(value);
    else if (name == "provider")
        r.provider = std::move(value);
    else if (name == "type")
        r.type = std::move(value);
    else if (name == "container")
        r.container = std::move(value);
    else if (name == "shutdown-lock")
        r.shutdown_lock = std::move(value);
}

namespace {

// One pass over each entry's attributes: histories hold most of a big CIB
template <typename T, typename Setter>
T from_attributes(xmlNode* n, Setter set) {
    T out;
    for (const xmlAttr* a = n->properties; a; a = a->next)
        set(out, reinterpret_cast<const char*>(a->name), xml::attr_value(n, a));
    return out;
}

std::vector<nvset> transient_sets(builder& b, xmlNode* ns) {
    std::vector<nvset> out;
    for (xmlNode* t : children(ns, "transient_attributes"))
        for (auto& set : b.nvsets(t, "instance_attributes")) out.push_back(std::move(set));
    return out;
}

// A builder for one part of the document, indexed first; the rest of the
// document only if an id-ref there needs it (rare).
builder part_builder(xmlNode* part) {
    builder b;
    b.index(part);
    b.whole = xmlDocGetRootElement(part->doc);
    return b;
}

node_state make_node_state(builder& b, xmlNode* ns) {
    node_state st;
    read_node_state_attributes(ns, st);
    st.transient_attributes = transient_sets(b, ns);
    if (xmlNode* lrm = xml::first(ns, "lrm")) {
        st.has_lrm = true;
        st.resources = build_history(lrm);
    }
    return st;
}

void build_status(builder& b, xmlNode* status, cib_model& m) {
    for (xmlNode* ns : children(status, "node_state")) m.node_states.push_back(make_node_state(b, ns));
    if (xmlNode* tickets = xml::first(status, "tickets")) {
        for (xmlNode* t : children(tickets, "ticket_state")) m.ticket_states.push_back({attr(t, "id"), all_attrs(t)});
    }
}

void build_constraints(builder& b, xmlNode* constraints, cib_model& m) {
    for (xmlNode* c : children(constraints)) {
        if (xml::is(c, "rsc_location")) {
            location_constraint l{attr(c, "id"),    attr(c, "rsc"),  attr(c, "rsc-pattern"),        attr(c, "node"),
                                  attr(c, "score"), attr(c, "role"), attr(c, "resource-discovery"), {},
                                  b.sets(c),        xml::line(c)};
            for (xmlNode* r : children(c, "rule")) l.rules.push_back(b.make_rule(r));
            m.locations.push_back(std::move(l));
        } else if (xml::is(c, "rsc_colocation")) {
            m.colocations.push_back({attr(c, "id"), attr(c, "rsc"), attr(c, "with-rsc"), attr(c, "rsc-role"),
                                     attr(c, "with-rsc-role"), attr(c, "rsc-instance"), attr(c, "with-rsc-instance"),
                                     attr(c, "score"), attr(c, "node-attribute"), attr(c, "influence"), b.sets(c),
                                     xml::line(c)});
        } else if (xml::is(c, "rsc_order")) {
            m.orders.push_back({attr(c, "id"), attr(c, "first"), attr(c, "then"), attr(c, "first-action"),
                                attr(c, "then-action"), attr(c, "first-instance"), attr(c, "then-instance"),
                                attr(c, "kind"), attr(c, "score"), attr(c, "symmetrical"), attr(c, "require-all"),
                                b.sets(c), xml::line(c)});
        } else if (xml::is(c, "rsc_ticket")) {
            m.tickets.push_back({attr(c, "id"), attr(c, "ticket"), attr(c, "rsc"), attr(c, "rsc-role"),
                                 attr(c, "loss-policy"), b.sets(c), xml::line(c)});
        }
    }
}

void build_configuration(builder& b, xmlNode* config, cib_model& m) {
    if (xmlNode* c = xml::first(config, "crm_config")) m.crm_config = b.nvsets(c, "cluster_property_set");
    if (xmlNode* c = xml::first(config, "rsc_defaults")) m.rsc_defaults = b.nvsets(c, "meta_attributes");
    if (xmlNode* c = xml::first(config, "op_defaults")) m.op_defaults = b.nvsets(c, "meta_attributes");
    for (xmlNode* n : children(xml::first(config, "nodes"), "node")) {
        m.nodes.push_back({attr(n, "id"), attr(n, "uname"), attr(n, "type"), attr(n, "score"), attr(n, "description"),
                           b.nvsets(n, "instance_attributes"), b.nvsets(n, "utilization")});
    }
    if (xmlNode* tags = xml::first(config, "tags")) {
        for (xmlNode* t : children(tags, "tag")) {
            tag tg{attr(t, "id"), {}};
            for (xmlNode* r : children(t, "obj_ref")) tg.refs.push_back(attr(r, "id"));
            b.tags[tg.id] = tg.refs;
            m.tags.push_back(std::move(tg));
        }
    }
    for (xmlNode* r : children(xml::first(config, "resources"))) {
        if (xml::is(r, "template"))
            m.templates.push_back(b.make_resource(r));
        else
            m.resources.push_back(b.make_resource(r));
    }
    if (xmlNode* c = xml::first(config, "constraints")) build_constraints(b, c, m);
    for (xmlNode* lvl : children(xml::first(config, "fencing-topology"), "fencing-level")) {
        fencing_level f{attr(lvl, "id"),
                        attr(lvl, "target"),
                        attr(lvl, "target-pattern"),
                        attr(lvl, "target-attribute"),
                        attr(lvl, "target-value"),
                        std::atoi(attr(lvl, "index").c_str()),
                        {}};
        std::string devices = attr(lvl, "devices");
        size_t start = 0;
        while (start <= devices.size()) {
            size_t comma = devices.find(',', start);
            if (comma == std::string::npos) comma = devices.size();
            if (comma > start) f.devices.push_back(devices.substr(start, comma - start));
            start = comma + 1;
        }
        m.fencing_levels.push_back(std::move(f));
    }
    for (xmlNode* a : children(xml::first(config, "alerts"), "alert")) {
        alert al{
            attr(a, "id"), attr(a, "path"), b.nvsets(a, "meta_attributes"), b.nvsets(a, "instance_attributes"), {}};
        for (xmlNode* r : children(a, "recipient")) al.recipients.push_back({attr(r, "id"), attr(r, "value")});
        m.alerts.push_back(std::move(al));
    }
    m.has_acls = xml::first(config, "acls") != nullptr;
}

}  // namespace

void read_node_state_attributes(xmlNode* ns, node_state& st) {
    st.id = attr(ns, "id");
    st.uname = attr(ns, "uname");
    st.in_ccm = attr(ns, "in_ccm");
    st.crmd = attr(ns, "crmd");
    st.join = attr(ns, "join");
    st.expected = attr(ns, "expected");
    st.crm_debug_origin = attr(ns, "crm-debug-origin");
    st.shutdown = attr(ns, "shutdown");
    st.remote_node = attr(ns, "remote_node") == "true";
    st.node_fenced = attr(ns, "node_fenced");
}

lrm_resource build_lrm_resource(xmlNode* rs) {
    auto r = from_attributes<lrm_resource>(rs, set_resource_field);
    for (xmlNode* o : children(rs, "lrm_rsc_op")) r.ops.push_back(from_attributes<op_record>(o, set_op_field));
    return r;
}

std::vector<lrm_resource> build_history(xmlNode* lrm) {
    std::vector<lrm_resource> out;
    for (xmlNode* rs : children(xml::first(lrm, "lrm_resources"), "lrm_resource"))
        out.push_back(build_lrm_resource(rs));
    return out;
}

node_state build_node_state(xmlNode* ns) {
    builder b = part_builder(ns);
    return make_node_state(b, ns);
}

std::vector<nvset> build_transient_attributes(xmlNode* ns) {
    builder b = part_builder(ns);
    return transient_sets(b, ns);
}

std::vector<nvset> build_crm_config(xmlNode* root) {
    xmlNode* crm_config = xml::first(xml::first(root, "configuration"), "crm_config");
    if (!crm_config) return {};
    builder b = part_builder(crm_config);
    return b.nvsets(crm_config, "cluster_property_set");
}

void read_root_attributes(xmlNode* root, cib_model& m) {
    m.validate_with = attr(root, "validate-with");
    m.epoch = attr(root, "epoch");
    m.admin_epoch = attr(root, "admin_epoch");
    m.num_updates = attr(root, "num_updates");
    m.have_quorum = attr(root, "have-quorum");
    m.dc_uuid = attr(root, "dc-uuid");
    m.execution_date = attr(root, "execution-date");
    m.crm_feature_set = attr(root, "crm_feature_set");
    m.no_quorum_panic = attr(root, "no-quorum-panic");
}

namespace {

expected<cib_model, error> build(xmlNode* root, bool with_status) {
    cib_model m;
    read_root_attributes(root, m);
    builder b;
    b.index(root);
    xmlNode* config = xml::first(root, "configuration");
    if (!config) return unexpected(error{errc::schema_invalid, "<cib> has no <configuration>", "", xml::line(root)});
    build_configuration(b, config, m);
    if (xmlNode* status = xml::first(root, "status"); status && with_status) build_status(b, status, m);
    return m;
}

}  // namespace

expected<cib_model, error> build_configuration_model(xmlNode* root) { return build(root, false); }

expected<cib_model, error> build_model(xmlNode* root) { return build(root, true); }

}  // namespace holdfast::cib
