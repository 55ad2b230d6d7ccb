#pragma once
// A string as a JSON string literal, quoted and escaped: the one escaping of
// every JSON Holdfast writes (the CLI's --output-as=json documents, holdfastd's
// history journal). Beside xml_text.hpp as the other text encoding.
#include <cstdio>
#include <string>
#include <string_view>

namespace holdfast::cib {

inline std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

}  // namespace holdfast::cib
