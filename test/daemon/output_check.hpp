#pragma once
// Reading what `holdfast --output-as=xml|json` printed, as a script would:
// XML through libxml2, JSON through Python's json module (python3 -c), so a
// test checks the values a consumer would get, never the text's layout.
#include <libxml/parser.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "cib/xml.hpp"
#include "test/daemon/daemon_fixture.hpp"

namespace holdfast::test {

// The value of a Python expression over the parsed JSON document `d`, as
// Python prints it; "<invalid json>" when `text` does not parse.
inline std::string json_value(const std::string& text, const std::string& expression) {
    temp_dir tmp;
    const auto file = tmp.path / "out.json";
    std::ofstream(file) << text;
    const std::string script =
        "import json,sys\ntry:\n    d = json.load(open(sys.argv[1]))\nexcept ValueError:\n"
        "    print('<invalid json>'); sys.exit(0)\nprint(" +
        expression + ")\n";
    auto r = run({"/usr/bin/python3", "-c", script, file.string()}, {});
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
    if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
}

// A parsed XML document; null when the text is not well-formed.
inline cib::xml::doc_ptr parse_xml(const std::string& text) {
    return cib::xml::doc_ptr(xmlReadMemory(text.data(), static_cast<int>(text.size()), "out.xml", nullptr,
                                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

inline std::string root_name(const cib::xml::doc_ptr& doc) {
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    return root ? cib::xml::name(root) : std::string();
}

// The values of attribute `attr` of the root's children named `item`.
inline std::vector<std::string> item_values(const cib::xml::doc_ptr& doc, const char* item, const char* attr) {
    std::vector<std::string> out;
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    for (const xmlNode* n : cib::xml::children(root, item)) out.push_back(cib::xml::attr(n, attr));
    return out;
}

}  // namespace holdfast::test
