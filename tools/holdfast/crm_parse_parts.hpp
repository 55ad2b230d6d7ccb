#pragma once
// tools/holdfast internal: the pieces of the crm text parser (crm_parse.hpp)
// its files share: the words of a statement (crm_lex.cpp), the configuration
// being built (crm_build.cpp), and the statement readers (crm_parse.cpp,
// crm_parse_constraints.cpp, crm_parse_more.cpp).
#include <libxml/tree.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cib/expected.hpp"
#include "tools/holdfast/crm_parse.hpp"

namespace holdfast::tools::crmp {

using result = expected<void, std::string>;

struct word {
    std::string text;       // quotes and escapes removed
    int line = 0;           // where it starts
    int index = 0;          // 1-based, in its statement
    bool past_end = false;  // stands for what is missing after the last word
};

struct statement {
    std::vector<word> words;
    std::string rest;  // the raw text after the first word (an `xml` statement's element)
};

// The statements of a text, or the one-line error of the first bad word.
expected<std::vector<statement>, std::string> split(std::string_view text);

// "line L, word W "TEXT": WHAT"
std::string error_at(const word& w, const std::string& what);

// The words of one statement, left to right, after its keyword.
class reader {
public:
    explicit reader(const statement& s) : s_(s) {}
    bool done() const { return pos_ >= s_.words.size(); }
    const word* peek() const { return done() ? nullptr : &s_.words[pos_]; }
    const word& take() { return s_.words[pos_++]; }
    // The word at the end (for "missing" errors): after the last one.
    word end() const;
    // The next word, or an error saying it is missing (expected `what`).
    expected<word, std::string> need(const std::string& what);
    const word& keyword() const { return s_.words[0]; }

private:
    const statement& s_;
    size_t pos_ = 1;
};

// NAME=VALUE split at the first '='; nullopt-like failure when the word is
// not such a pair (no '=', or nothing before it).
bool is_pair(const word& w);
std::pair<std::string, std::string> split_pair(const word& w);
// An XML id (NCName): what Pacemaker's schema accepts in id attributes.
bool valid_id(std::string_view s);
// INFINITY for inf, -INFINITY for -inf, else as written (checked: an integer).
expected<std::string, std::string> score_value(const word& w, const std::string& text);
bool looks_like_score(const std::string& s);

struct doc_deleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using doc_ptr = std::unique_ptr<xmlDoc, doc_deleter>;

// The configuration the statements are applied to, and the ids in it.
class builder {
public:
    static expected<builder, std::string> from(const std::string& base, crm_mode mode);

    crm_mode mode() const { return mode_; }
    xmlNode* config() const { return config_; }
    // The section, made at its usual place when missing.
    xmlNode* section(const char* name);
    // An unused id from `base`: base, base-0, base-1... (characters an id may
    // not hold become '_'); marked used.
    std::string new_id(const std::string& base);
    // A new element (not in the tree yet) with these name and id.
    xmlNode* element(const char* name, const std::string& id = "");
    // Any element of the configuration with this id (nodes aside).
    xmlNode* find(const std::string& id) const;
    // The <node> with this id.
    xmlNode* find_node(const std::string& id);
    // Checks an object's id word: a valid id, and free unless it names an
    // element `kind` that this (update) statement replaces.
    result claim_id(const word& w, const char* kind);
    result claim(const word& w, const std::string& id, const char* kind);
    // The same for a node's id, which is not an XML id (a remote node's is
    // its connection resource's), said by `w`.
    result claim_node(const word& w, const std::string& id);
    // The element this statement replaces (see claim), or nullptr.
    xmlNode* replacing() const { return replacing_; }
    // Puts a finished object into the tree: in place of the element with its
    // id (update), before `before`, or at the end of `section`.
    void place(xmlNode* object, const char* section, xmlNode* before = nullptr);
    // The element removed from the tree and its ids freed.
    void remove(xmlNode* n);
    std::string text() const;
    // The ids of an element that has come into the tree, or left it.
    void note_ids(const xmlNode* n);
    void forget_ids(const xmlNode* n);

private:
    xmlNode* replacing_ = nullptr;
    doc_ptr doc_;
    xmlNode* config_ = nullptr;
    crm_mode mode_ = crm_mode::update;
    std::set<std::string> ids_;
};

void set_attr(xmlNode* n, const char* name, const std::string& value);
std::string get_attr(const xmlNode* n, const char* name);
xmlNode* add_child(xmlNode* parent, xmlNode* child);

// name=value words up to the first word that is not one, as nvpairs of a new
// set element `set_name` (id from `id_base`) added to `owner`.
xmlNode* read_nvpairs(reader& r, builder& b, xmlNode* owner, const char* set_name, const std::string& id_base);
void add_nvpair(builder& b, xmlNode* set, const std::string& name, const std::string& value);

// Statement readers: each builds its object and places it.
result read_node(reader& r, builder& b);
result read_primitive(reader& r, builder& b, bool is_template);
result read_group(reader& r, builder& b);
result read_clone(reader& r, builder& b, bool ms);
result read_options(reader& r, builder& b, const std::string& keyword);
result read_xml(const statement& s, builder& b);
result read_location(reader& r, builder& b);
result read_colocation(reader& r, builder& b);
result read_order(reader& r, builder& b);
result read_ticket(reader& r, builder& b);
result read_fencing_topology(reader& r, builder& b);
result read_alert(reader& r, builder& b);
// `rule ...` words (after the keyword) into a <rule> child of `owner`.
result read_rule(reader& r, builder& b, xmlNode* owner, const std::string& id_base);

}  // namespace holdfast::tools::crmp
