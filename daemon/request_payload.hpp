#pragma once
// The payloads of client requests that are not documents, read in one place:
//   fence          "TARGET" or "TARGET ACTION" (ACTION: reboot, off, on; default reboot)
//   fence_history  "" (every node) or "TARGET"
//   fence_confirm  "TARGET"
//   history        "" (everything kept) or "SECONDS" (epoch seconds, decimal digits: events from then on)
// A node name is 1 to 255 bytes, without spaces or control characters (a
// host name or a Corosync node name). Pure functions, fuzzed by
// test/fuzz/fuzz_request_payloads.cpp; errors are one line naming the word.
#include <cstdint>
#include <string>
#include <string_view>

#include "cib/expected.hpp"

namespace holdfast::daemon {

struct fence_payload {
    std::string target;
    std::string action;  // reboot, off or on
};

expected<fence_payload, std::string> parse_fence_payload(std::string_view payload);
// optional: "" means every node (returned as "")
expected<std::string, std::string> parse_node_payload(std::string_view payload, bool optional);
// 0 for ""
expected<int64_t, std::string> parse_history_payload(std::string_view payload);

}  // namespace holdfast::daemon
