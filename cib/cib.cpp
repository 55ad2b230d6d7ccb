// Loading, schema checking and writing CIB documents with libxml2.
#include "cib/cib.hpp"

#include <libxml/parser.h>
#include <libxml/valid.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <new>

#include "cib/build_model.hpp"
#include "cib/stream_load.hpp"
#include "cib/xml.hpp"

namespace holdfast::cib {

const char* to_string(errc e) {
    switch (e) {
        case errc::io: return "cannot read";
        case errc::malformed_xml: return "malformed XML";
        case errc::unknown_schema: return "unknown schema";
        case errc::schema_invalid: return "invalid against schema";
        case errc::duplicate_id: return "duplicate id";
        case errc::dangling_reference: return "reference to something missing";
        case errc::bad_value: return "bad value";
        case errc::bad_change: return "bad change";
        case errc::not_found: return "not found";
        case errc::not_unique: return "not unique";
        case errc::old_data: return "older than the current CIB";
        case errc::absent: return "no stored CIB";
        case errc::corrupt: return "corrupt stored CIB";
        case errc::permission_denied: return "permission denied";
    }
    return "error";
}

std::string error::to_string() const {
    std::string out;
    if (!file.empty()) out += file + ":";
    if (line > 0) out += std::to_string(line) + ":";
    if (!out.empty()) out += " ";
    return out + message;
}

struct document::impl {
    xml::doc_ptr doc;
    std::string name;
    bool complete = true;  // false: read without the operation histories' XML
};

document::document() : impl_(std::make_unique<impl>()) {}
document::~document() = default;
document::document(document&&) noexcept = default;
document& document::operator=(document&&) noexcept = default;

void* document::xml() const { return impl_->doc.get(); }

std::string document::to_string() const {
    xmlChar* mem = nullptr;
    int size = 0;
    xmlDocDumpFormatMemory(impl_->doc.get(), &mem, &size, 1);
    std::string out(reinterpret_cast<const char*>(mem), static_cast<size_t>(size));
    xmlFree(mem);
    return out;
}

bool document::complete() const { return impl_->complete; }

expected<void, error> document::write_file(const std::string& path) const {
    if (!impl_->complete)
        return unexpected(
            error{errc::io, "cannot write " + path + ": the CIB was read without its operation history", path, 0});
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << to_string();
    out.close();
    if (!out) return unexpected(error{errc::io, "cannot write " + path, path, 0});
    return {};
}

expected<void, error> document::reload_model() {
    if (!impl_->complete)
        return unexpected(error{errc::io, "the CIB was read without its operation history", impl_->name, 0});
    auto m = build_model(xmlDocGetRootElement(impl_->doc.get()));
    if (!m) {
        error e = m.error();
        e.file = impl_->name;
        return unexpected(e);
    }
    model_ = std::move(*m);
    return {};
}

namespace {

std::string schema_dir(const load_options& opts) {
    if (const char* env = std::getenv("PCMK_schema_directory"); env && *env) return env;
    return opts.schema_dir;
}

// Storage for a process-lifetime object whose destructor never runs (like
// absl::NoDestructor): the object stays reachable and costs nothing at exit.
template <typename T>
class no_destructor {
public:
    no_destructor() { ::new (static_cast<void*>(storage_)) T(); }
    T& get() { return *std::launder(reinterpret_cast<T*>(storage_)); }

private:
    alignas(T) unsigned char storage_[sizeof(T)];
};

// Parsed schemas are immutable once built; keep them for the process. They are
// never freed: freeing pacemaker-3.x's compiled grammar costs more at exit than
// validating a large configuration.
xmlRelaxNG* schema_for(const std::string& path) {
    static std::mutex lock;
    static no_destructor<std::map<std::string, xml::relaxng_ptr>> storage;
    auto& cache = storage.get();
    std::lock_guard<std::mutex> guard(lock);
    auto it = cache.find(path);
    if (it != cache.end()) return it->second.get();
    std::unique_ptr<xmlRelaxNGParserCtxt, xml::relaxng_parser_deleter> ctxt(xmlRelaxNGNewParserCtxt(path.c_str()));
    xml::error_sink sink;
    xmlRelaxNGSetParserStructuredErrors(ctxt.get(), &xml::error_sink::on_error, &sink);
    xml::relaxng_ptr schema(xmlRelaxNGParse(ctxt.get()));
    xmlRelaxNG* raw = schema.get();
    cache.emplace(path, std::move(schema));
    return raw;
}

bool file_exists(const std::string& path) {
    std::ifstream f(path);
    return f.good();
}

// Every Pacemaker schema takes the status section's content as anything
// (status-1.0.rng), yet it is most of a big CIB: validation sees an empty
// <status/> in its place, and the real one is put back afterwards.
class status_set_aside {
public:
    explicit status_set_aside(xmlNode* root) {
        for (xmlNode* c = root ? root->children : nullptr; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE && xml::is(c, "status")) {
                real_ = c;
                break;
            }
        }
        if (!real_) return;
        stand_in_ = xmlNewDocNode(root->doc, real_->ns, real_->name, nullptr);
        if (stand_in_) xmlReplaceNode(real_, stand_in_);
    }
    ~status_set_aside() {
        if (!stand_in_) return;
        xmlReplaceNode(stand_in_, real_);
        xmlFreeNode(stand_in_);
    }
    status_set_aside(const status_set_aside&) = delete;
    status_set_aside& operator=(const status_set_aside&) = delete;

private:
    xmlNode* real_ = nullptr;
    xmlNode* stand_in_ = nullptr;
};

void clear_id_marks(xmlNode* n) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        for (xmlAttr* a = n->properties; a; a = a->next) a->atype = static_cast<xmlAttributeType>(0);
        clear_id_marks(n->children);
    }
}

// Validation registers ID and IDREF attributes in tables of the document that
// point at the attributes (and marks them); after the tree was edited in
// place those would point at freed ones. Each validation starts from none.
// The status section is never validated, so never marked.
void forget_ids(xmlDoc* doc) {
    if (doc->ids) xmlFreeIDTable(static_cast<xmlIDTablePtr>(doc->ids));
    if (doc->refs) xmlFreeRefTable(static_cast<xmlRefTablePtr>(doc->refs));
    doc->ids = nullptr;
    doc->refs = nullptr;
    xmlNode* root = xmlDocGetRootElement(doc);
    for (xmlNode* c = root ? root->children : nullptr; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !xml::is(c, "status")) clear_id_marks(c);
}

expected<void, error> validate(xmlDoc* doc, const load_options& opts, const std::string& name) {
    xmlNode* root = xmlDocGetRootElement(doc);
    std::string with = xml::attr(root, "validate-with");
    if (with == "none") return {};
    if (with.empty()) with = "pacemaker-1.0";
    const std::string path = schema_dir(opts) + "/" + with + ".rng";
    if (with.rfind("pacemaker-", 0) != 0 || !file_exists(path))
        return unexpected(error{errc::unknown_schema,
                                "validate-with=\"" + with + "\" names no known schema (looked for " + path + ")", name,
                                xml::line(root)});
    xmlRelaxNG* schema = schema_for(path);
    if (!schema)
        return unexpected(error{errc::unknown_schema, "schema " + path + " cannot be parsed", name, xml::line(root)});
    std::unique_ptr<xmlRelaxNGValidCtxt, xml::relaxng_valid_deleter> v(xmlRelaxNGNewValidCtxt(schema));
    xml::error_sink sink;
    xmlRelaxNGSetValidStructuredErrors(v.get(), &xml::error_sink::on_error, &sink);
    forget_ids(doc);
    status_set_aside aside(root);
    // ID/IDREF checks report through the global handler: keep them quiet too
    xmlSetStructuredErrorFunc(&sink, &xml::error_sink::on_error);
    const int invalid = xmlRelaxNGValidateDoc(v.get(), doc);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (invalid != 0) {
        std::string msg = sink.message.empty() ? "does not validate" : sink.message;
        return unexpected(error{errc::schema_invalid, "invalid against " + with + ": " + msg, name, sink.line});
    }
    return {};
}

}  // namespace

expected<void, error> validate_tree(xmlDoc* doc, const load_options& opts, const std::string& name) {
    return validate(doc, opts, name);
}

// The one place that assembles a document (a friend of it).
struct document_builder {
    static document make(xml::doc_ptr doc, cib_model model, const std::string& name, bool complete);
    static const std::string& name(const document& d) { return d.impl_->name; }
};

document document::clone() const {
    xml::doc_ptr copy(xmlCopyDoc(impl_->doc.get(), 1));
    if (!copy) throw std::bad_alloc();  // libxml2 fails a copy only when out of memory
    return document_builder::make(std::move(copy), model_, impl_->name, impl_->complete);
}

const std::string& document_name(const document& doc) { return document_builder::name(doc); }

document document_builder::make(xml::doc_ptr doc, cib_model model, const std::string& name, bool complete) {
    document d;
    d.impl_->doc = std::move(doc);
    d.impl_->name = name;
    d.impl_->complete = complete;
    d.model_ = std::move(model);
    return d;
}

namespace {

// Schema check and model building, shared by both ways of reading.
expected<document, error> from_tree(xml::doc_ptr doc, const load_options& opts, const std::string& name,
                                    streamed_cib* histories) {
    xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!xml::is(root, "cib"))
        return unexpected(
            error{errc::schema_invalid, "the root element is not <cib>", name, root ? xml::line(root) : 1});
    if (opts.validate) {
        if (auto v = validate(doc.get(), opts, name); !v) return unexpected(v.error());
    }
    auto model = build_model(root);
    if (!model) {
        error e = model.error();
        e.file = name;
        return unexpected(e);
    }
    if (histories) attach_histories(*histories, *model);
    return document_builder::make(std::move(doc), std::move(*model), name, histories == nullptr);
}

}  // namespace

expected<document, error> empty_cib(const std::string& validate_with, const load_options& opts) {
    xml::doc_ptr doc(xmlNewDoc(xml::x("1.0")));
    xmlNode* root = xmlNewDocNode(doc.get(), nullptr, xml::x("cib"), nullptr);
    xmlDocSetRootElement(doc.get(), root);
    // The feature set Debian 12's Pacemaker 2.1.5 writes into a new CIB
    xmlNewProp(root, xml::x("crm_feature_set"), xml::x("3.16.1"));
    xmlNewProp(root, xml::x("validate-with"), xml::x(validate_with.c_str()));
    for (const char* counter : {"epoch", "num_updates", "admin_epoch"}) xmlNewProp(root, xml::x(counter), xml::x("0"));
    xmlNode* config = xmlNewChild(root, nullptr, xml::x("configuration"), nullptr);
    for (const char* section : {"crm_config", "nodes", "resources", "constraints"})
        xmlNewChild(config, nullptr, xml::x(section), nullptr);
    xmlNewChild(root, nullptr, xml::x("status"), nullptr);
    return from_tree(std::move(doc), opts, "", nullptr);
}

namespace {

int64_t counter(const std::string& text) {
    int64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (c - '0');
        if (v > (int64_t{1} << 53)) return 0;
    }
    return v;
}

}  // namespace

std::string cib_version::to_string() const {
    return std::to_string(admin_epoch) + "." + std::to_string(epoch) + "." + std::to_string(num_updates);
}

cib_version version(const cib_model& m) { return {counter(m.admin_epoch), counter(m.epoch), counter(m.num_updates)}; }

cib_version version(const document& doc) { return version(doc.model()); }

expected<document, error> load_string(std::string_view text, const load_options& opts, const std::string& name) {
    if (!opts.history_xml) {
        auto s = read_without_history("", text, name);
        if (!s) return unexpected(s.error());
        return from_tree(std::move(s->doc), opts, name, &*s);
    }
    std::unique_ptr<xmlParserCtxt, xml::parser_ctxt_deleter> ctxt(xmlNewParserCtxt());
    xml::error_sink sink;
    xmlSetStructuredErrorFunc(&sink, &xml::error_sink::on_error);
    xml::doc_ptr doc(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()), name.c_str(), nullptr,
                                       XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT));
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (!doc) {
        std::string msg = sink.message.empty() ? "not well-formed XML" : sink.message;
        return unexpected(error{errc::malformed_xml, "malformed XML: " + msg, name, sink.line});
    }
    return from_tree(std::move(doc), opts, name, nullptr);
}

expected<document, error> load_file(const std::string& path, const load_options& opts) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return unexpected(error{errc::io, "cannot read " + path, path, 0});
    if (!opts.history_xml) {
        // Streamed from the file: the text never sits in memory whole
        auto s = read_without_history(path, {}, path);
        if (!s) return unexpected(s.error());
        return from_tree(std::move(s->doc), opts, path, &*s);
    }
    std::string text(static_cast<size_t>(in.tellg()), '\0');
    in.seekg(0);
    if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
        return unexpected(error{errc::io, "cannot read " + path, path, 0});
    return load_string(text, opts, path);
}

}  // namespace holdfast::cib
