#include "cib/secrets.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace holdfast::cib {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// One attribute of a tag: where its value's text starts and ends (inside the quotes).
struct attribute {
    std::string_view name;
    size_t value_begin = 0, value_end = 0;
};

// The attributes of the tag whose name ends at `i` (just after "<name"), and
// where the tag ends; nullopt when it is not a well-formed start tag.
std::optional<std::pair<std::vector<attribute>, size_t>> scan_tag(std::string_view t, size_t i) {
    std::vector<attribute> attrs;
    while (i < t.size()) {
        while (i < t.size() && blank(t[i])) ++i;
        if (i < t.size() && (t[i] == '>' || t[i] == '/')) return std::pair{attrs, i};
        const size_t name_begin = i;
        while (i < t.size() && name_char(t[i])) ++i;
        if (i == name_begin) return std::nullopt;
        attribute a{t.substr(name_begin, i - name_begin)};
        while (i < t.size() && blank(t[i])) ++i;
        if (i >= t.size() || t[i] != '=') return std::nullopt;
        ++i;
        while (i < t.size() && blank(t[i])) ++i;
        if (i >= t.size() || (t[i] != '"' && t[i] != '\'')) return std::nullopt;
        const char quote = t[i++];
        const size_t close = t.find(quote, i);
        if (close == std::string_view::npos) return std::nullopt;
        a.value_begin = i;
        a.value_end = close;
        attrs.push_back(a);
        i = close + 1;
    }
    return std::nullopt;
}

// A secret value's place in a text and the parameter it belongs to.
struct secret_value {
    size_t begin = 0, end = 0;
    std::string_view name;
    bool operator<(const secret_value& o) const { return begin < o.begin; }
};

// Value ranges of secret attributes in the tags of an XML text.
void secret_xml_values(std::string_view t, std::vector<secret_value>& out) {
    for (size_t lt = t.find('<'); lt != std::string_view::npos; lt = t.find('<', lt + 1)) {
        size_t i = lt + 1;
        const size_t name_begin = i;
        while (i < t.size() && name_char(t[i])) ++i;
        if (i == name_begin) continue;
        const std::string_view element = t.substr(name_begin, i - name_begin);
        auto tag = scan_tag(t, i);
        if (!tag) continue;
        const auto& attrs = tag->first;
        std::string_view pair_name;
        if (element == "nvpair")
            for (const auto& a : attrs)
                if (a.name == "name" && is_secret_param(t.substr(a.value_begin, a.value_end - a.value_begin)))
                    pair_name = t.substr(a.value_begin, a.value_end - a.value_begin);
        for (const auto& a : attrs) {
            if (!pair_name.empty() && a.name == "value")
                out.push_back({a.value_begin, a.value_end, pair_name});
            else if (is_secret_param(a.name))
                out.push_back({a.value_begin, a.value_end, a.name});
        }
        lt = tag->second;
    }
}

// Value ranges of NAME=VALUE pairs with a secret NAME, outside XML tags.
void secret_pair_values(std::string_view t, std::vector<secret_value>& out) {
    for (size_t eq = t.find('='); eq != std::string_view::npos; eq = t.find('=', eq + 1)) {
        size_t b = eq;
        while (b > 0 && name_char(t[b - 1])) --b;
        if (b == eq || !is_secret_param(t.substr(b, eq - b))) continue;
        size_t v = eq + 1;
        if (v < t.size() && (t[v] == '"' || t[v] == '\'')) {
            const size_t close = t.find(t[v], v + 1);
            const size_t end = close == std::string_view::npos ? t.size() : close;
            out.push_back({v + 1, end, t.substr(b, eq - b)});
            continue;
        }
        size_t e = v;
        while (e < t.size() && !blank(t[e]) && t[e] != ',' && t[e] != ';' && t[e] != '&' && t[e] != '<' &&
               t[e] != '>' && t[e] != '"' && t[e] != '\'')
            ++e;
        out.push_back({v, e, t.substr(b, eq - b)});
    }
}

}  // namespace

bool is_secret_param(std::string_view raw) {
    while (!raw.empty() && raw.front() == '-') raw.remove_prefix(1);
    std::string name(raw);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name.find("passw") != std::string::npos || name.find("secret") != std::string::npos) return true;
    for (const char* suffix : {"token", "apikey", "api_key", "private_key", "_community"})
        if (ends_with(name, suffix)) return true;
    return name == "community";
}

std::string mask_secrets(std::string_view text) {
    std::vector<secret_value> ranges;
    secret_xml_values(text, ranges);
    secret_pair_values(text, ranges);
    std::sort(ranges.begin(), ranges.end());
    std::string out;
    out.reserve(text.size());
    size_t at = 0;
    for (const auto& r : ranges) {
        const size_t b = r.begin, e = r.end;
        if (b < at) continue;  // the same value found both ways
        out.append(text.substr(at, b - at));
        if (e > b) out.append(masked_value);
        at = e;
    }
    out.append(text.substr(at));
    return out;
}

std::optional<std::string> masked_secret_in(std::string_view xml) {
    std::vector<secret_value> found;
    secret_xml_values(xml, found);
    for (const auto& v : found)
        if (xml.substr(v.begin, v.end - v.begin) == masked_value) return std::string(v.name);
    return std::nullopt;
}

}  // namespace holdfast::cib
