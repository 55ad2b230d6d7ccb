#pragma once
// The CLI's JSON documents use cib's one escaping (cib/json_text.hpp).
#include "cib/json_text.hpp"

namespace holdfast::tools {

using cib::json_string;

}  // namespace holdfast::tools
