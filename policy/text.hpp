#pragma once
// Small text predicates with Pacemaker's meaning, shared across policy/.
#include <cctype>
#include <optional>
#include <string_view>

namespace holdfast::policy {

// Case-insensitive equality (pcmk__str_eq with pcmk__str_casei)
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Pacemaker's crm_is_true: yes/true/on/y/1, any case
inline bool text_is_true(std::string_view v) {
    return iequals(v, "true") || iequals(v, "yes") || iequals(v, "on") || iequals(v, "y") || v == "1";
}

// Pacemaker's crm_str_to_boolean: true or false for the words crm_is_true and
// its negatives (no/false/off/n/0) take, nothing for anything else
inline std::optional<bool> parse_boolean(std::string_view v) {
    if (text_is_true(v)) return true;
    if (iequals(v, "false") || iequals(v, "no") || iequals(v, "off") || iequals(v, "n") || v == "0") return false;
    return std::nullopt;
}

}  // namespace holdfast::policy
