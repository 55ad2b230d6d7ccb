// The wire form of a CIB change: one small XML element, versioned, carrying
// its payload as a child element. Strict on reading: every node must read a
// change the same way, so anything unexpected is refused, not skipped.
#include <array>
#include <charconv>
#include <climits>
#include <optional>
#include <utility>

#include "cib/change.hpp"
#include "cib/xml.hpp"
#include "cib/xml_text.hpp"

namespace holdfast::cib {
namespace {

constexpr const char* wire_version = "1";

constexpr std::array<std::pair<change_op, const char*>, 14> op_names{{
    {change_op::replace_configuration, "replace-configuration"},
    {change_op::update_configuration, "update-configuration"},
    {change_op::delete_element, "delete-element"},
    {change_op::set_property, "set-property"},
    {change_op::delete_property, "delete-property"},
    {change_op::set_node_attribute, "set-node-attribute"},
    {change_op::delete_node_attribute, "delete-node-attribute"},
    {change_op::replace_node_state, "replace-node-state"},
    {change_op::record_operation, "record-operation"},
    {change_op::update_node_state, "update-node-state"},
    {change_op::clear_node_history, "clear-node-history"},
    {change_op::set_cib_attribute, "set-cib-attribute"},
    {change_op::clear_resource_history, "clear-resource-history"},
    {change_op::remove_node_state, "remove-node-state"},
}};

// What each op needs, so a reader refuses a change missing a field
struct op_shape {
    bool payload = false;
    bool target = false;
    bool node = false;
    bool name = false;
    bool value = false;
    bool lifetime = false;
};

op_shape shape(change_op op) {
    switch (op) {
        case change_op::replace_configuration:
        case change_op::update_configuration:
        case change_op::replace_node_state:
        case change_op::update_node_state: return {.payload = true};
        case change_op::clear_node_history:
        case change_op::remove_node_state: return {.node = true};
        case change_op::set_cib_attribute: return {.name = true, .value = true};
        case change_op::delete_element: return {.target = true};
        case change_op::set_property: return {.name = true, .value = true};
        case change_op::delete_property: return {.name = true};
        case change_op::set_node_attribute: return {.node = true, .name = true, .value = true, .lifetime = true};
        case change_op::delete_node_attribute: return {.node = true, .name = true, .lifetime = true};
        case change_op::record_operation: return {.payload = true, .node = true};
        case change_op::clear_resource_history: return {.target = true, .node = true, .value = true};
    }
    return {};
}

void escape_into(std::string& out, std::string_view s) { append_xml_attr(out, s); }

void put(std::string& out, const char* name, std::string_view value) {
    out += ' ';
    out += name;
    out += "=\"";
    escape_into(out, value);
    out += '"';
}

// A payload read from a file may start with an XML declaration, which cannot
// stand inside another element.
std::string_view element_text(std::string_view payload) {
    size_t start = payload.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return {};
    payload.remove_prefix(start);
    if (payload.substr(0, 5) == "<?xml") {
        size_t end = payload.find("?>");
        if (end == std::string_view::npos) return payload;  // refused on reading
        payload.remove_prefix(end + 2);
    }
    return payload;
}

error bad(const std::string& what) { return error{errc::bad_change, "bad CIB change: " + what, "", 0}; }

const std::array<const char*, 15> known_attributes{"version",   "op",     "target", "tag",      "node-id",
                                                   "node-name", "name",   "value",  "lifetime", "admin-epoch",
                                                   "now",       "origin", "client", "user",     "if-epoch"};

bool count_of(std::string_view s, int64_t& v) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && v >= 0 && !s.empty();
}

// "ADMIN_EPOCH.EPOCH", both counts.
std::optional<cib_version> parse_if_epoch(std::string_view s) {
    const auto dot = s.find('.');
    cib_version v;
    if (dot == std::string_view::npos || !count_of(s.substr(0, dot), v.admin_epoch) ||
        !count_of(s.substr(dot + 1), v.epoch))
        return std::nullopt;
    return v;
}

expected<void, error> check_attributes(const xmlNode* root) {
    for (const xmlAttr* a = root->properties; a; a = a->next) {
        bool known = false;
        for (const char* k : known_attributes) known = known || xmlStrcmp(a->name, xml::x(k)) == 0;
        if (!known || a->ns)
            return unexpected(bad("unknown attribute '" + std::string(reinterpret_cast<const char*>(a->name)) + "'"));
    }
    return {};
}

// The one element child, or null; refuses text, comments and anything else.
expected<xmlNode*, error> payload_element(const xmlNode* root) {
    xmlNode* found = nullptr;
    for (xmlNode* c = root->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (found) return unexpected(bad("more than one payload element"));
            found = c;
        } else if (c->type == XML_TEXT_NODE) {
            const xmlChar* t = c->content;
            for (; t && *t; ++t)
                if (*t != ' ' && *t != '\n' && *t != '\t' && *t != '\r')
                    return unexpected(bad("text outside the payload element"));
        } else {
            return unexpected(bad("unexpected content beside the payload element"));
        }
    }
    return found;
}

expected<change, error> read_fields(xmlNode* root) {
    change c;
    const std::string op = xml::attr(root, "op");
    bool found = false;
    for (const auto& [value, name] : op_names)
        if (op == name) {
            c.op = value;
            found = true;
        }
    if (!found) return unexpected(bad("unknown op '" + op + "'"));
    const op_shape need = shape(c.op);
    auto required = [&](bool needed, const char* attr, std::string& into) -> expected<void, error> {
        if (needed && !xml::has_attr(root, attr)) return unexpected(bad(op + " needs '" + attr + "'"));
        into = xml::attr(root, attr);
        return {};
    };
    for (auto r : {required(need.target, "target", c.target), required(need.node, "node-id", c.node_id),
                   required(need.name, "name", c.name), required(need.value, "value", c.value)})
        if (!r) return unexpected(r.error());
    c.tag = xml::attr(root, "tag");
    c.node_name = xml::attr(root, "node-name");
    c.now = xml::attr(root, "now");
    c.origin = xml::attr(root, "origin");
    c.client = xml::attr(root, "client");
    c.user = xml::attr(root, "user");
    if (need.lifetime) {
        const std::string l = xml::attr(root, "lifetime");
        if (l != "permanent" && l != "transient") return unexpected(bad("lifetime must be permanent or transient"));
        c.lifetime = l == "transient" ? attribute_lifetime::transient : attribute_lifetime::permanent;
    }
    if (xml::has_attr(root, "admin-epoch")) {
        const std::string a = xml::attr(root, "admin-epoch");
        int64_t v = 0;
        auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), v);
        if (ec != std::errc() || end != a.data() + a.size() || v < 0)
            return unexpected(bad("admin-epoch '" + a + "' is not a count"));
        c.admin_epoch = v;
    }
    if (xml::has_attr(root, "if-epoch")) {
        auto v = parse_if_epoch(xml::attr(root, "if-epoch"));
        if (!v) return unexpected(bad("if-epoch '" + xml::attr(root, "if-epoch") + "' is not ADMIN_EPOCH.EPOCH"));
        c.if_epoch = *v;
    }
    auto payload = payload_element(root);
    if (!payload) return unexpected(payload.error());
    if (need.payload != (*payload != nullptr))
        return unexpected(bad(op + (need.payload ? " needs a payload element" : " takes no payload")));
    if (*payload) c.payload = xml::dump(*payload);
    return c;
}

}  // namespace

const char* to_string(change_op op) {
    for (const auto& [value, name] : op_names)
        if (value == op) return name;
    return "unknown";
}

std::string serialize(const change& c) {
    const op_shape need = shape(c.op);
    std::string out = "<cib_change";
    put(out, "version", wire_version);
    put(out, "op", to_string(c.op));
    if (need.target || !c.target.empty()) put(out, "target", c.target);
    if (!c.tag.empty()) put(out, "tag", c.tag);
    if (need.node || !c.node_id.empty()) put(out, "node-id", c.node_id);
    if (!c.node_name.empty()) put(out, "node-name", c.node_name);
    if (need.name || !c.name.empty()) put(out, "name", c.name);
    if (need.value || !c.value.empty()) put(out, "value", c.value);
    if (need.lifetime) put(out, "lifetime", c.lifetime == attribute_lifetime::transient ? "transient" : "permanent");
    if (c.admin_epoch) put(out, "admin-epoch", std::to_string(*c.admin_epoch));
    if (c.if_epoch)
        put(out, "if-epoch", std::to_string(c.if_epoch->admin_epoch) + "." + std::to_string(c.if_epoch->epoch));
    if (!c.now.empty()) put(out, "now", c.now);
    if (!c.origin.empty()) put(out, "origin", c.origin);
    if (!c.client.empty()) put(out, "client", c.client);
    if (!c.user.empty()) put(out, "user", c.user);
    const std::string_view payload = element_text(c.payload);
    if (payload.empty()) return out + "/>";
    out += '>';
    out += payload;
    return out + "</cib_change>";
}

expected<change, error> parse_change(std::string_view bytes) {
    if (bytes.empty()) return unexpected(bad("empty"));
    if (bytes.size() > static_cast<size_t>(INT_MAX)) return unexpected(bad("too large"));
    std::unique_ptr<xmlParserCtxt, xml::parser_ctxt_deleter> ctxt(xmlNewParserCtxt());
    xml::error_sink sink;
    xmlSetStructuredErrorFunc(&sink, &xml::error_sink::on_error);
    xml::doc_ptr doc(xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), "change", "UTF-8",
                                       XML_PARSE_NONET | XML_PARSE_NOCDATA));
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (!doc) return unexpected(bad("not well-formed XML: " + (sink.message.empty() ? "no document" : sink.message)));
    if (doc->intSubset || doc->extSubset) return unexpected(bad("a DTD is not allowed"));
    xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!xml::is(root, "cib_change") || root->ns) return unexpected(bad("the root element is not <cib_change>"));
    if (xml::attr(root, "version") != wire_version)
        return unexpected(
            bad("unsupported version '" + xml::attr(root, "version") + "' (this node reads " + wire_version + ")"));
    if (auto a = check_attributes(root); !a) return unexpected(a.error());
    return read_fields(root);
}

change change::replace_configuration(std::string xml) {
    change c;
    c.op = change_op::replace_configuration;
    c.payload = std::move(xml);
    return c;
}

change change::update_configuration(std::string xml) {
    change c;
    c.op = change_op::update_configuration;
    c.payload = std::move(xml);
    return c;
}

change change::delete_element(std::string id, std::string tag) {
    change c;
    c.op = change_op::delete_element;
    c.target = std::move(id);
    c.tag = std::move(tag);
    return c;
}

change change::set_property(std::string name, std::string value) {
    change c;
    c.op = change_op::set_property;
    c.name = std::move(name);
    c.value = std::move(value);
    return c;
}

change change::delete_property(std::string name) {
    change c;
    c.op = change_op::delete_property;
    c.name = std::move(name);
    return c;
}

change change::set_node_attribute(std::string node_id, std::string node_name, std::string name, std::string value,
                                  attribute_lifetime lifetime) {
    change c;
    c.op = change_op::set_node_attribute;
    c.node_id = std::move(node_id);
    c.node_name = std::move(node_name);
    c.name = std::move(name);
    c.value = std::move(value);
    c.lifetime = lifetime;
    return c;
}

change change::delete_node_attribute(std::string node_id, std::string name, attribute_lifetime lifetime) {
    change c;
    c.op = change_op::delete_node_attribute;
    c.node_id = std::move(node_id);
    c.name = std::move(name);
    c.lifetime = lifetime;
    return c;
}

change change::replace_node_state(std::string node_state_xml) {
    change c;
    c.op = change_op::replace_node_state;
    c.payload = std::move(node_state_xml);
    return c;
}

change change::record_operation(std::string node_id, std::string node_name, std::string lrm_resource_xml) {
    change c;
    c.op = change_op::record_operation;
    c.node_id = std::move(node_id);
    c.node_name = std::move(node_name);
    c.payload = std::move(lrm_resource_xml);
    return c;
}

change change::update_node_state(std::string node_state_xml) {
    change c;
    c.op = change_op::update_node_state;
    c.payload = std::move(node_state_xml);
    return c;
}

change change::clear_node_history(std::string node_id) {
    change c;
    c.op = change_op::clear_node_history;
    c.node_id = std::move(node_id);
    return c;
}

change change::remove_node_state(std::string node_id) {
    change c;
    c.op = change_op::remove_node_state;
    c.node_id = std::move(node_id);
    return c;
}

change change::set_cib_attribute(std::string name, std::string value) {
    change c;
    c.op = change_op::set_cib_attribute;
    c.name = std::move(name);
    c.value = std::move(value);
    return c;
}

change change::clear_resource_history(std::string node_id, std::string rsc_id, bool failed_only) {
    change c;
    c.op = change_op::clear_resource_history;
    c.node_id = std::move(node_id);
    c.target = std::move(rsc_id);
    c.value = failed_only ? "failed" : "all";
    return c;
}

}  // namespace holdfast::cib
