#pragma once
// Loading, validating and writing a CIB.
//
// A document owns the parsed libxml2 tree (so writing back keeps everything,
// including what Holdfast does not model) and the typed model built from it.
// Lifecycle: load_file()/load_string() -> read model() / xml -> write().
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cib/error.hpp"
#include "cib/expected.hpp"
#include "cib/model.hpp"

namespace holdfast::cib {

struct load_options {
    bool validate = true;  // check against the RelaxNG schema from validate-with
    // false: operation histories (<lrm> content, most of a big CIB) go into the
    // model only, read as a stream; the document then cannot be written back
    bool history_xml = true;
    // Where Pacemaker's schemas live (pacemaker-common); env PCMK_schema_directory overrides.
    std::string schema_dir = "/usr/share/pacemaker";
};

class document {
public:
    document();
    ~document();
    document(document&&) noexcept;
    document& operator=(document&&) noexcept;

    // A deep copy: its own XML tree and model (complete() documents only make
    // a complete copy; an incomplete one copies as incomplete).
    document clone() const;

    const cib_model& model() const { return model_; }
    cib_model& model() { return model_; }

    // The underlying xmlDoc* (as void* to keep libxml2 out of this header).
    void* xml() const;

    // false when loaded with history_xml off: xml() then lacks the histories
    bool complete() const;

    // Serialise the XML tree (formatted like Pacemaker writes it); of a
    // document that is not complete(), without the operation histories.
    std::string to_string() const;
    expected<void, error> write_file(const std::string& path) const;  // complete() documents only

    // Rebuild model() from the XML tree after it was edited in place
    // (complete() documents only).
    expected<void, error> reload_model();

private:
    friend struct document_builder;
    struct impl;
    std::unique_ptr<impl> impl_;
    cib_model model_;
};

expected<document, error> load_file(const std::string& path, const load_options& opts = {});
expected<document, error> load_string(std::string_view xml, const load_options& opts = {},
                                      const std::string& name_for_errors = "");

// A fresh cluster's CIB as Pacemaker's CIB manager starts it: an empty
// configuration (crm_config, nodes, resources, constraints), an empty status,
// admin_epoch = epoch = num_updates = 0.
expected<document, error> empty_cib(const std::string& validate_with = "pacemaker-3.9", const load_options& opts = {});

// The (admin_epoch, epoch, num_updates) triple that orders CIB copies: the
// higher one is newer, compared field by field in that order, as Pacemaker
// does. A missing or unparsable field counts as 0.
struct cib_version {
    int64_t admin_epoch = 0;
    int64_t epoch = 0;
    int64_t num_updates = 0;
    auto operator<=>(const cib_version&) const = default;
    std::string to_string() const;  // "admin_epoch.epoch.num_updates"
};
cib_version version(const document& doc);
cib_version version(const cib_model& model);

// Checks the schema cannot express: duplicate ids, constraints naming
// resources that do not exist, scores that are not scores. Empty when fine.
std::vector<error> check_semantics(const cib_model& model);

}  // namespace holdfast::cib
