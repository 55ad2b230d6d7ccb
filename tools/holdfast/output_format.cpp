#include "tools/holdfast/output_format.hpp"

namespace holdfast::tools {

const char* to_string(output_format f) {
    switch (f) {
        case output_format::text: return "text";
        case output_format::xml: return "xml";
        case output_format::json: return "json";
    }
    return "text";
}

std::optional<output_format> output_format_from(std::string_view s) {
    if (s == "text") return output_format::text;
    if (s == "xml") return output_format::xml;
    if (s == "json") return output_format::json;
    return std::nullopt;
}

bool take_output_option(const args& a, size_t& i, output_format& f, std::string& error) {
    std::string value;
    if (a[i].rfind("--output-as=", 0) == 0) {
        value = a[i].substr(12);
    } else if (a[i] == "--output-as") {
        if (i + 1 >= a.size()) {
            error = "--output-as needs a value (text, xml or json)";
            return true;
        }
        value = a[++i];
    } else {
        return false;
    }
    if (auto parsed = output_format_from(value))
        f = *parsed;
    else
        error = "unknown --output-as '" + value + "' (text, xml or json)";
    return true;
}

}  // namespace holdfast::tools
