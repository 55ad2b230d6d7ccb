#include "cib/values.hpp"

#include <cctype>
#include <string>

namespace holdfast::cib {

expected<int, error> parse_score(std::string_view text) {
    std::string s(text);
    if (s == "INFINITY" || s == "+INFINITY") return score_infinity;
    if (s == "-INFINITY") return -score_infinity;
    size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i == s.size())
        return unexpected(error{errc::bad_value, "score '" + s + "' is not a number or INFINITY", "", 0});
    long long v = 0;
    for (; i < s.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i])))
            return unexpected(error{errc::bad_value, "score '" + s + "' is not a number or INFINITY", "", 0});
        if (v < score_infinity) v = v * 10 + (s[i] - '0');
    }
    if (v > score_infinity) v = score_infinity;
    return static_cast<int>(s[0] == '-' ? -v : v);
}

bool is_true(std::string_view text) {
    std::string s(text);
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s == "true" || s == "on" || s == "yes" || s == "y" || s == "1";
}

}  // namespace holdfast::cib
