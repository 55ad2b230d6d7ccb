#pragma once
// --output-as=text|xml|json (also "--output-as FORMAT"), crm_mon's option
// name, parsed in one place for every read-only command that prints.
#include <optional>
#include <string>
#include <string_view>

#include "tools/holdfast/commands.hpp"

namespace holdfast::tools {

enum class output_format { text, xml, json };

const char* to_string(output_format f);
std::optional<output_format> output_format_from(std::string_view s);

// When a[i] is --output-as (either spelling): consumes it (and its value) and
// returns true; `error` is then set when the value is missing or unknown, a
// one-line message naming the word. False and nothing consumed otherwise.
bool take_output_option(const args& a, size_t& i, output_format& f, std::string& error);

}  // namespace holdfast::tools
