// The streaming CIB reader: see stream_load.hpp for why.
//
// libxml2's own SAX2 handlers build the small document; ours sit in front of
// them and, inside each history (<lrm_resources> of a node_state's first <lrm>
// in the first <status>), take the elements straight into model values
// instead, so no tree node is ever made for them.
#include "cib/stream_load.hpp"

#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>

#include <memory>

#include "cib/build_model.hpp"

namespace holdfast::cib {
namespace {

constexpr int parse_flags = XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT;

// Depths below the <cib> element (0) of the elements the filter looks for.
constexpr int status_depth = 1, node_state_depth = 2, lrm_depth = 3, resources_depth = 4, resource_depth = 5,
              op_depth = 6;

struct filter_state {
    xmlSAXHandler tree;  // libxml2's tree-building handlers
    streamed_cib* out = nullptr;
    int depth = 0;  // of the next element to start
    bool status_seen = false, in_status = false;
    bool in_node_state = false, lrm_seen = false;
    bool in_lrm = false, resources_seen = false;
    bool capturing = false;    // inside a history's <lrm_resources>
    bool in_resource = false;  // inside one of its <lrm_resource>
};

filter_state& state_of(void* ctx) { return *static_cast<filter_state*>(static_cast<xmlParserCtxt*>(ctx)->_private); }

// SAX2 attributes: (localname, prefix, URI, value, value end) per attribute,
// values already decoded (a CIB has no DTD, so no entities of its own).
template <typename T, typename Setter>
void take_attributes(T& into, int count, const xmlChar** attrs, Setter set) {
    for (int i = 0; i < count; ++i, attrs += 5) {
        const auto* begin = reinterpret_cast<const char*>(attrs[3]);
        const auto* end = reinterpret_cast<const char*>(attrs[4]);
        set(into, reinterpret_cast<const char*>(attrs[0]), std::string(begin, static_cast<size_t>(end - begin)));
    }
}

void capture_start(filter_state& s, int depth, std::string_view name, int nattrs, const xmlChar** attrs) {
    auto& history = *s.out->histories.back();
    if (depth == resource_depth && name == "lrm_resource") {
        s.in_resource = true;
        take_attributes(history.emplace_back(), nattrs, attrs, set_resource_field);
    } else if (depth == op_depth && s.in_resource && name == "lrm_rsc_op") {
        take_attributes(history.back().ops.emplace_back(), nattrs, attrs, set_op_field);
    }
}

// Notes where in the document the element just started sits, and whether a
// history begins with it.
void track_start(filter_state& s, int depth, std::string_view name) {
    switch (depth) {
        case status_depth:
            s.in_status = !s.status_seen && name == "status";
            s.status_seen = s.status_seen || s.in_status;
            break;
        case node_state_depth:
            s.in_node_state = s.in_status && name == "node_state";
            s.lrm_seen = false;
            if (s.in_node_state) s.out->histories.emplace_back();
            break;
        case lrm_depth:
            s.in_lrm = s.in_node_state && !s.lrm_seen && name == "lrm";
            s.resources_seen = false;
            if (s.in_lrm) {
                s.lrm_seen = true;
                s.out->histories.back().emplace();
            }
            break;
        case resources_depth:
            s.capturing = s.in_lrm && !s.resources_seen && name == "lrm_resources";
            s.resources_seen = s.resources_seen || s.capturing;
            break;
        default: break;
    }
}

void on_start(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri, int nns,
              const xmlChar** ns, int nattrs, int ndefaulted, const xmlChar** attrs) {
    filter_state& s = state_of(ctx);
    const int depth = s.depth++;
    const std::string_view name = reinterpret_cast<const char*>(localname);
    if (s.capturing) return capture_start(s, depth, name, nattrs, attrs);
    s.tree.startElementNs(ctx, localname, prefix, uri, nns, ns, nattrs, ndefaulted, attrs);
    track_start(s, depth, name);
}

void on_end(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri) {
    filter_state& s = state_of(ctx);
    const int depth = --s.depth;
    if (s.capturing && depth > resources_depth) {
        if (depth == resource_depth) s.in_resource = false;
        return;
    }
    s.capturing = false;
    s.tree.endElementNs(ctx, localname, prefix, uri);
    if (depth == status_depth) s.in_status = false;
    if (depth == node_state_depth) s.in_node_state = false;
    if (depth == lrm_depth) s.in_lrm = false;
}

// Text, comments and the like inside a history have no place in the model.
void on_characters(void* ctx, const xmlChar* ch, int len) {
    if (!state_of(ctx).capturing) state_of(ctx).tree.characters(ctx, ch, len);
}
void on_cdata(void* ctx, const xmlChar* ch, int len) {
    if (!state_of(ctx).capturing) state_of(ctx).tree.cdataBlock(ctx, ch, len);
}
void on_comment(void* ctx, const xmlChar* text) {
    if (!state_of(ctx).capturing) state_of(ctx).tree.comment(ctx, text);
}
void on_pi(void* ctx, const xmlChar* target, const xmlChar* data) {
    if (!state_of(ctx).capturing) state_of(ctx).tree.processingInstruction(ctx, target, data);
}
void on_reference(void* ctx, const xmlChar* name) {
    if (!state_of(ctx).capturing) state_of(ctx).tree.reference(ctx, name);
}

struct ctxt_deleter {
    void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

}  // namespace

expected<streamed_cib, error> read_without_history(const std::string& path, std::string_view text,
                                                   const std::string& name) {
    std::unique_ptr<xmlParserCtxt, ctxt_deleter> ctxt(xmlNewParserCtxt());
    if (!ctxt || !ctxt->sax) return unexpected(error{errc::io, "cannot read " + name, name, 0});
    streamed_cib out;
    filter_state state;
    state.tree = *ctxt->sax;
    state.out = &out;
    ctxt->_private = &state;
    xmlSAXHandler* sax = ctxt->sax;
    sax->startElementNs = on_start;
    sax->endElementNs = on_end;
    sax->characters = on_characters;
    sax->cdataBlock = on_cdata;
    sax->comment = on_comment;
    sax->processingInstruction = on_pi;
    sax->reference = on_reference;

    xml::error_sink sink;
    xmlSetStructuredErrorFunc(&sink, &xml::error_sink::on_error);
    xmlDoc* doc = path.empty() ? xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()), name.c_str(),
                                                   nullptr, parse_flags)
                               : xmlCtxtReadFile(ctxt.get(), path.c_str(), nullptr, parse_flags);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    out.doc.reset(doc);
    if (!doc) {
        std::string msg = sink.message.empty() ? "not well-formed XML" : sink.message;
        return unexpected(error{errc::malformed_xml, "malformed XML: " + msg, name, sink.line});
    }
    return out;
}

void attach_histories(streamed_cib& s, cib_model& m) {
    for (size_t i = 0; i < s.histories.size() && i < m.node_states.size(); ++i) {
        if (s.histories[i]) m.node_states[i].resources = std::move(*s.histories[i]);
    }
    s.histories.clear();
}

}  // namespace holdfast::cib
