#pragma once
// Small RAII and reading helpers over libxml2, for cib/ only.
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <memory>
#include <string>
#include <vector>

namespace holdfast::cib::xml {

struct doc_deleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using doc_ptr = std::unique_ptr<xmlDoc, doc_deleter>;

struct node_deleter {
    void operator()(xmlNode* n) const { xmlFreeNode(n); }
};
using node_ptr = std::unique_ptr<xmlNode, node_deleter>;  // an element not linked into a tree

struct relaxng_deleter {
    void operator()(xmlRelaxNG* s) const { xmlRelaxNGFree(s); }
};
using relaxng_ptr = std::unique_ptr<xmlRelaxNG, relaxng_deleter>;

struct relaxng_parser_deleter {
    void operator()(xmlRelaxNGParserCtxt* c) const { xmlRelaxNGFreeParserCtxt(c); }
};
struct relaxng_valid_deleter {
    void operator()(xmlRelaxNGValidCtxt* c) const { xmlRelaxNGFreeValidCtxt(c); }
};
struct parser_ctxt_deleter {
    void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

inline const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

inline bool is(const xmlNode* n, const char* name) {
    return n && n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, x(name)) == 0;
}

inline std::string name(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

// The value of an attribute node (one text child in all but odd cases,
// read in place; anything else through libxml2's general path).
inline std::string attr_value(const xmlNode* owner, const xmlAttr* p) {
    const xmlNode* t = p->children;
    if (!t) return {};
    if (!t->next && t->type == XML_TEXT_NODE && t->content) return reinterpret_cast<const char*>(t->content);
    xmlChar* v = xmlNodeListGetString(owner->doc, t, 1);
    if (!v) return {};
    std::string out(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return out;
}

// An attribute's value, or "" when absent.
inline std::string attr(const xmlNode* n, const char* a) {
    const xmlAttr* p = xmlHasProp(n, x(a));
    return p ? attr_value(n, p) : std::string();
}

inline bool has_attr(const xmlNode* n, const char* a) { return xmlHasProp(n, x(a)) != nullptr; }

// Element children, optionally only those with a given name.
inline std::vector<xmlNode*> children(const xmlNode* n, const char* only = nullptr) {
    std::vector<xmlNode*> out;
    for (xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (only && xmlStrcmp(c->name, x(only)) != 0) continue;
        out.push_back(c);
    }
    return out;
}

inline xmlNode* first(const xmlNode* n, const char* only) {
    for (xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (is(c, only)) return c;
    return nullptr;
}

inline int line(const xmlNode* n) { return static_cast<int>(xmlGetLineNo(n)); }

// One element and its content as XML text, unformatted.
inline std::string dump(const xmlNode* n) {
    std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), &xmlBufferFree);
    xmlNodeDump(buf.get(), n->doc, const_cast<xmlNode*>(n), 0, 0);
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                       static_cast<size_t>(xmlBufferLength(buf.get())));
}

// Collects libxml2's first error instead of letting it print.
struct error_sink {
    std::string message;
    int line = 0;
    static void on_error(void* self, xmlError* e) {
        auto* sink = static_cast<error_sink*>(self);
        if (!sink->message.empty() || !e || !e->message) return;
        sink->message = e->message;
        while (!sink->message.empty() && (sink->message.back() == '\n' || sink->message.back() == ' '))
            sink->message.pop_back();
        sink->line = e->line;
        if (e->node && e->domain == XML_FROM_RELAXNGV) {
            auto* n = static_cast<xmlNode*>(e->node);
            sink->line = xml::line(n);
            sink->message = "element <" + xml::name(n) + ">: " + sink->message;
        }
    }
};

}  // namespace holdfast::cib::xml
