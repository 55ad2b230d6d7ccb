// Applying a CIB change: edit a copy, decide what changed, bump the version
// as Pacemaker's CIB manager does (cib_perform_op), check the copy, and only
// then let it replace the document.
#include <set>
#include <utility>

#include "cib/change.hpp"
#include "cib/change_edit.hpp"
#include "cib/document_tree.hpp"

namespace holdfast::cib {
namespace {

bool touches_configuration(const change& c) {
    switch (c.op) {
        case change_op::replace_node_state:
        case change_op::record_operation:
        case change_op::update_node_state:
        case change_op::clear_node_history:
        case change_op::set_cib_attribute: return false;
        case change_op::set_node_attribute:
        case change_op::delete_node_attribute: return c.lifetime == attribute_lifetime::permanent;
        default: return true;
    }
}

bool needs_payload(change_op op) {
    return op == change_op::replace_configuration || op == change_op::update_configuration ||
           op == change_op::replace_node_state || op == change_op::record_operation ||
           op == change_op::update_node_state;
}

expected<void, error> edit_tree(xmlNode* root, const change& c, const xmlNode* payload) {
    switch (c.op) {
        case change_op::replace_configuration: return edit::replace_configuration(root, payload);
        case change_op::update_configuration: return edit::update_configuration(root, payload);
        case change_op::delete_element: return edit::delete_element(root, c);
        case change_op::set_property: return edit::set_property(root, c);
        case change_op::delete_property: return edit::delete_property(root, c);
        case change_op::set_node_attribute: return edit::set_node_attribute(root, c);
        case change_op::delete_node_attribute: return edit::delete_node_attribute(root, c);
        case change_op::replace_node_state: return edit::replace_node_state(root, payload);
        case change_op::record_operation: return edit::record_operation(root, c, payload);
        case change_op::update_node_state: return edit::update_node_state(root, payload);
        case change_op::clear_node_history: return edit::clear_node_history(root, c);
        case change_op::set_cib_attribute: return edit::set_cib_attribute(root, c);
    }
    return unexpected(error{errc::bad_change, "unknown change", "", 0});
}

std::string dump(const xmlNode* n) {
    if (!n) return {};
    std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), &xmlBufferFree);
    xmlNodeDump(buf.get(), n->doc, const_cast<xmlNode*>(n), 0, 0);
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                       static_cast<size_t>(xmlBufferLength(buf.get())));
}

// What a change may have altered, as text, to tell a real change from a
// no-op (Pacemaker bumps nothing when its diff is empty). A status change
// touches one node's state only.
std::string region(const xmlNode* root, const change& c, const xmlNode* payload) {
    if (touches_configuration(c))
        return xml::attr(root, "validate-with") + "\n" + xml::attr(root, "admin_epoch") + "\n" +
               dump(xml::first(root, "configuration"));
    if (c.op == change_op::set_cib_attribute) return xml::attr(root, c.name.c_str());
    const bool by_payload = c.op == change_op::replace_node_state || c.op == change_op::update_node_state;
    const std::string id = by_payload ? xml::attr(payload, "id") : c.node_id;
    return dump(edit::find_node_state(const_cast<xmlNode*>(root), id));
}

void set(xmlNode* n, const char* name, const std::string& value) { xmlSetProp(n, xml::x(name), xml::x(value.c_str())); }

// Pacemaker: a configuration change bumps epoch and zeroes num_updates, and
// stamps when and by whom it was written; a status change bumps num_updates.
void bump(xmlNode* root, const cib_version& before, const change& c, bool config_changed) {
    if (config_changed) {
        set(root, "epoch", std::to_string(before.epoch + 1));
        set(root, "num_updates", "0");
        const std::pair<const char*, const std::string*> stamps[] = {{"cib-last-written", &c.now},
                                                                     {"update-origin", &c.origin},
                                                                     {"update-client", &c.client},
                                                                     {"update-user", &c.user}};
        for (const auto& [name, value] : stamps)
            if (!value->empty()) set(root, name, *value);
    } else {
        set(root, "num_updates", std::to_string(before.num_updates + 1));
    }
}

expected<void, error> set_admin_epoch(xmlNode* root, const change& c, const cib_version& before) {
    if (!c.admin_epoch) return {};
    if (!touches_configuration(c))
        return unexpected(error{errc::bad_change, "admin_epoch is set by configuration changes only", "", 0});
    if (*c.admin_epoch < before.admin_epoch)
        return unexpected(error{errc::old_data,
                                "admin_epoch would go backwards (" + std::to_string(before.admin_epoch) + " -> " +
                                    std::to_string(*c.admin_epoch) + ")",
                                "", 0});
    set(root, "admin_epoch", std::to_string(*c.admin_epoch));
    return {};
}

// The result may keep the semantic errors the CIB already had, but must add none.
expected<void, error> no_new_semantic_errors(const document& before, const document& after) {
    std::set<std::pair<int, std::string>> known;
    for (const auto& e : check_semantics(before.model())) known.emplace(static_cast<int>(e.code), e.message);
    for (const auto& e : check_semantics(after.model()))
        if (!known.count({static_cast<int>(e.code), e.message})) return unexpected(e);
    return {};
}

}  // namespace

expected<applied, error> apply(document& doc, const change& c) {
    if (!doc.complete())
        return unexpected(error{errc::bad_change, "the CIB was read without its operation history", "", 0});
    xml::doc_ptr payload_doc;
    const xmlNode* payload = nullptr;
    if (needs_payload(c.op)) {
        auto parsed = edit::parse_payload(c.payload);
        if (!parsed) return unexpected(parsed.error());
        payload_doc = std::move(*parsed);
        payload = xmlDocGetRootElement(payload_doc.get());
    }
    const cib_version before = version(doc);
    auto* original = static_cast<xmlDoc*>(doc.xml());
    xml::doc_ptr scratch(xmlCopyDoc(original, 1));
    if (!scratch) throw std::bad_alloc();  // libxml2 fails a copy only when out of memory
    xmlNode* root = xmlDocGetRootElement(scratch.get());
    if (auto r = edit_tree(root, c, payload); !r) return unexpected(r.error());
    if (auto r = set_admin_epoch(root, c, before); !r) return unexpected(r.error());

    applied result{before, before, false, false};
    if (region(xmlDocGetRootElement(original), c, payload) == region(root, c, payload)) return result;
    result.changed = true;
    result.config_changed = touches_configuration(c);
    bump(root, before, c, result.config_changed);

    // The status section is not checked by Pacemaker's schemas, so a status
    // change needs no schema validation.
    load_options opts;
    opts.validate = result.config_changed;
    auto next = document_from_tree(std::move(scratch), opts, document_name(doc));
    if (!next) return unexpected(next.error());
    if (result.config_changed) {
        if (auto r = no_new_semantic_errors(doc, *next); !r) return unexpected(r.error());
    }
    result.after = version(*next);
    doc = std::move(*next);
    return result;
}

std::string node_state_xml(const document& doc, const std::string& id) {
    const auto* d = static_cast<xmlDoc*>(doc.xml());
    if (!d) return {};
    return dump(edit::find_node_state(xmlDocGetRootElement(const_cast<xmlDoc*>(d)), id));
}

}  // namespace holdfast::cib
