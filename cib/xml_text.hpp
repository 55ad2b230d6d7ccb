#pragma once
// Text for an XML attribute value written between double quotes, as libxml2
// writes one: & < > " escaped, and tab, newline and carriage return as
// character references so that attribute-value normalisation keeps them.
// Shared by everything that writes XML by hand (graphs, status, changes).
#include <string>
#include <string_view>

namespace holdfast::cib {

inline void append_xml_attr(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\n': out += "&#10;"; break;
            case '\r': out += "&#13;"; break;
            case '\t': out += "&#9;"; break;
            default: out += c;
        }
    }
}

inline std::string xml_attr(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    append_xml_attr(out, s);
    return out;
}

}  // namespace holdfast::cib
