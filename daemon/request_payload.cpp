#include "daemon/request_payload.hpp"

#include <cstdio>

namespace holdfast::daemon {
namespace {

constexpr size_t max_node_name = 255;

// The first byte that may not be in a node name, or npos.
size_t bad_name_byte(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c <= 0x20 || c == 0x7f) return i;
    }
    return std::string_view::npos;
}

// At most 40 bytes of a word for a message, so a huge payload is not echoed
// whole, control characters as \xNN so the message stays one line (the
// fuzzer found a name with a newline in it)
std::string shown(std::string_view s) {
    std::string out;
    for (unsigned char c : s.substr(0, 40)) {
        if (c >= 0x20 && c != 0x7f) {
            out += static_cast<char>(c);
            continue;
        }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
    }
    return out + (s.size() > 40 ? "..." : "");
}

}  // namespace

expected<std::string, std::string> parse_node_payload(std::string_view payload, bool optional) {
    if (payload.empty()) {
        if (optional) return std::string();
        return unexpected(std::string("no node name given"));
    }
    if (payload.size() > max_node_name)
        return unexpected("node name '" + shown(payload) + "' is longer than 255 bytes");
    if (bad_name_byte(payload) != std::string_view::npos)
        return unexpected("node name '" + shown(payload) + "' has a space or control character");
    return std::string(payload);
}

expected<fence_payload, std::string> parse_fence_payload(std::string_view payload) {
    const size_t space = payload.find(' ');
    auto target = parse_node_payload(payload.substr(0, space), false);
    if (!target) return unexpected(target.error());
    fence_payload f{std::move(*target), "reboot"};
    if (space == std::string_view::npos) return f;
    const std::string_view action = payload.substr(space + 1);
    if (action != "reboot" && action != "off" && action != "on")
        return unexpected("unknown fencing action '" + shown(action) + "' (reboot, off or on)");
    f.action = action;
    return f;
}

expected<int64_t, std::string> parse_history_payload(std::string_view payload) {
    // strtoll would take blanks, a sign and overflow silently: digits only, at most 18 of them
    const auto bad = [&] { return unexpected("bad history start '" + shown(payload) + "' (epoch seconds)"); };
    if (payload.size() > 18) return bad();
    int64_t from = 0;
    for (char c : payload) {
        if (c < '0' || c > '9') return bad();
        from = from * 10 + (c - '0');
    }
    return from;
}

}  // namespace holdfast::daemon
