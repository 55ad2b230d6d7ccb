#pragma once
// Strict readers for CIB values, for checking configuration (holdfast verify).
// The scheduler reads the same values leniently, as Pacemaker does.
#include <string_view>

#include "cib/error.hpp"
#include "cib/expected.hpp"

namespace holdfast::cib {

constexpr int score_infinity = 1000000;

// An integer, "INFINITY", "+INFINITY" or "-INFINITY"; clamped to +/-INFINITY.
expected<int, error> parse_score(std::string_view text);

// Pacemaker's notion of true: "true" "on" "yes" "y" "1" (any case).
bool is_true(std::string_view text);

}  // namespace holdfast::cib
