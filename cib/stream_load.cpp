// The streaming CIB reader: see stream_load.hpp for why.
#include "cib/stream_load.hpp"

#include <libxml/xmlreader.h>

#include <memory>

#include "cib/build_model.hpp"

namespace holdfast::cib {
namespace {

struct reader_deleter {
    void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};
using reader_ptr = std::unique_ptr<xmlTextReader, reader_deleter>;

constexpr int parse_flags = XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT;

// Walks the reader and fills the small document. Each step is one call of
// xmlTextReaderRead/Next; `ret` is what the last one returned (1 = on a node).
class walker {
public:
    walker(xmlTextReader* r, streamed_cib& out) : r_(r), out_(out) {}

    // false when the input is not well-formed (the error sink has the reason)
    bool run() {
        while ((ret_ = xmlTextReaderRead(r_)) == 1 && xmlTextReaderNodeType(r_) != XML_READER_TYPE_ELEMENT) {
        }
        if (ret_ != 1) return false;
        xmlNode* root = xmlDocCopyNode(xmlTextReaderCurrentNode(r_), out_.doc.get(), 2);
        if (!root) return false;
        xmlDocSetRootElement(out_.doc.get(), root);
        if (xmlTextReaderIsEmptyElement(r_) == 0) {
            ret_ = xmlTextReaderRead(r_);
            while (ret_ == 1 && xmlTextReaderDepth(r_) >= 1) {
                if (!at_element(1)) {
                    ret_ = xmlTextReaderRead(r_);
                } else if (!status_seen_ && is_named("status")) {
                    status_seen_ = true;
                    if (!read_status(root)) return false;
                } else if (!copy_whole(root)) {
                    return false;
                }
            }
        }
        while (ret_ == 1) ret_ = xmlTextReaderRead(r_);  // the rest must still be well-formed
        return ret_ == 0;
    }

private:
    bool at_element(int depth) const {
        return xmlTextReaderNodeType(r_) == XML_READER_TYPE_ELEMENT && xmlTextReaderDepth(r_) == depth;
    }
    bool is_named(const char* name) const { return xml::is(xmlTextReaderCurrentNode(r_), name); }

    // Expands the element the reader is on, copies it under `parent`, and
    // moves past it (which frees the expanded subtree).
    bool copy_whole(xmlNode* parent) {
        xmlNode* n = xmlTextReaderExpand(r_);
        if (!n) return false;
        xmlAddChild(parent, xmlDocCopyNode(n, out_.doc.get(), 1));
        ret_ = xmlTextReaderNext(r_);
        return ret_ >= 0;
    }

    bool read_status(xmlNode* root) {
        xmlNode* status = xmlAddChild(root, xmlDocCopyNode(xmlTextReaderCurrentNode(r_), out_.doc.get(), 2));
        if (xmlTextReaderIsEmptyElement(r_) != 0) {
            ret_ = xmlTextReaderRead(r_);
            return ret_ >= 0;
        }
        ret_ = xmlTextReaderRead(r_);
        while (ret_ == 1 && xmlTextReaderDepth(r_) >= 2) {
            if (!at_element(2)) {
                ret_ = xmlTextReaderRead(r_);
            } else if (is_named("node_state")) {
                xmlNode* n = xmlTextReaderExpand(r_);
                if (!n) return false;
                xmlAddChild(status, copy_node_state(n));
                ret_ = xmlTextReaderNext(r_);
            } else if (!copy_whole(status)) {
                return false;
            }
        }
        return ret_ >= 0;
    }

    // The node_state without its history, which goes to out_.histories.
    xmlNode* copy_node_state(xmlNode* ns) {
        xmlDoc* doc = out_.doc.get();
        xmlNode* copy = xmlDocCopyNode(ns, doc, 2);
        std::optional<std::vector<lrm_resource>> history;
        for (xmlNode* c = ns->children; c; c = c->next) {
            if (!xml::is(c, "lrm")) {
                xmlAddChild(copy, xmlDocCopyNode(c, doc, 1));
                continue;
            }
            if (!history) history = build_history(c);
            xmlNode* lrm = xmlAddChild(copy, xmlDocCopyNode(c, doc, 2));
            for (xmlNode* l = c->children; l; l = l->next)
                xmlAddChild(lrm, xmlDocCopyNode(l, doc, xml::is(l, "lrm_resources") ? 2 : 1));
        }
        out_.histories.push_back(std::move(history));
        return copy;
    }

    xmlTextReader* r_;
    streamed_cib& out_;
    int ret_ = 0;
    bool status_seen_ = false;
};

}  // namespace

expected<streamed_cib, error> read_without_history(const std::string& path, std::string_view text,
                                                   const std::string& name) {
    xml::error_sink sink;
    xmlSetStructuredErrorFunc(&sink, &xml::error_sink::on_error);
    reader_ptr reader(path.empty() ? xmlReaderForMemory(text.data(), static_cast<int>(text.size()), name.c_str(),
                                                        nullptr, parse_flags)
                                   : xmlReaderForFile(path.c_str(), nullptr, parse_flags));
    if (!reader) {
        xmlSetStructuredErrorFunc(nullptr, nullptr);
        return unexpected(error{errc::io, "cannot read " + name, name, 0});
    }
    xmlTextReaderSetStructuredErrorHandler(reader.get(), &xml::error_sink::on_error, &sink);
    streamed_cib out;
    out.doc.reset(xmlNewDoc(xml::x("1.0")));
    const bool ok = walker(reader.get(), out).run();
    reader.reset();
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (!ok) {
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
