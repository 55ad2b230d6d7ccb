#pragma once
// Lists of records as the XML and JSON of --output-as: the same rows feed
// both, so the two always carry the same names and values.
//   XML:  <LIST>\n  <ITEM name="value" .../>\n</LIST>   (an item's children: <CHILD .../> inside it)
//   JSON: {"LIST": [{"name": value, ..., "CHILDs": [{...}]}]}  (booleans and numbers unquoted)
#include <string>
#include <vector>

namespace holdfast::tools {

struct field {
    std::string name;
    std::string value;
    enum class kind { text, boolean, number } type = kind::text;
};

inline field text_field(std::string n, std::string v) { return {std::move(n), std::move(v), field::kind::text}; }
inline field bool_field(std::string n, bool v) { return {std::move(n), v ? "true" : "false", field::kind::boolean}; }
inline field number_field(std::string n, long long v) { return {std::move(n), std::to_string(v), field::kind::number}; }

struct record {
    std::vector<field> fields;
    std::vector<std::vector<field>> children;  // written as `child` elements / a "<child>s" array
};

struct record_list {
    std::string list;   // the root element / the JSON key
    std::string item;   // each record's element name
    std::string child;  // each child's element name ("" when records have none)
    std::vector<record> records;
};

// A record's fields as XML attributes (' name="value"'...) and as JSON members.
std::string xml_fields(const std::vector<field>& fs);
std::string json_fields(const std::vector<field>& fs);

std::string records_xml(const record_list& l);
std::string records_json(const record_list& l);

}  // namespace holdfast::tools
