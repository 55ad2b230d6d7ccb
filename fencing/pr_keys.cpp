// Keys and reservation type names (scsi_pr.hpp): the one place where a
// node's reservation key is derived.
#include <cstdio>

#include "fencing/scsi_pr.hpp"

namespace holdfast::fencing {
namespace {

struct type_name {
    pr_type type;
    const char* name;
};
constexpr type_name type_names[] = {
    {pr_type::write_exclusive, "WE"},
    {pr_type::exclusive_access, "EA"},
    {pr_type::write_exclusive_registrants_only, "WE-RO"},
    {pr_type::exclusive_access_registrants_only, "EA-RO"},
    {pr_type::write_exclusive_all_registrants, "WE-AR"},
    {pr_type::exclusive_access_all_registrants, "EA-AR"},
};

constexpr uint64_t fnv_prime = 0x100000001b3ULL;

// The bytes of s, then a 0 byte, so ("a", "bc") and ("ab", "c") differ.
void fnv1a(uint64_t& h, const std::string& s) {
    for (unsigned char c : s) {
        h ^= c;
        h *= fnv_prime;
    }
    h *= fnv_prime;  // xor with the 0 separator changes nothing
}

}  // namespace

const char* to_string(pr_type t) {
    for (const auto& n : type_names)
        if (n.type == t) return n.name;
    return "unknown";
}

pr_result<pr_type> parse_pr_type(const std::string& name) {
    for (const auto& n : type_names)
        if (name == n.name) return n.type;
    return unexpected(pr_error{pr_errc::invalid_argument,
                               "unknown reservation type '" + name + "' (WE, EA, WE-RO, EA-RO, WE-AR, EA-AR)"});
}

bool pr_keys::has(uint64_t key) const {
    for (uint64_t k : keys)
        if (k == key) return true;
    return false;
}

// FNV-1a rather than std::hash: the value must be the same on every node,
// build and architecture, since one node computes another's key to fence it.
uint64_t node_key(const std::string& cluster, const std::string& node) {
    uint64_t h = 0xcbf29ce484222325ULL;
    fnv1a(h, "holdfast-pr");
    fnv1a(h, cluster);
    fnv1a(h, node);
    return h == 0 ? 1 : h;
}

std::string unfence_record_path(const std::string& state_dir, uint64_t key, const std::string& device) {
    std::string name = key_to_string(key) + "@";
    for (char c : device) name += (c == '/' || c == ':' || c == ' ') ? '_' : c;
    return state_dir + "/" + name;
}

std::string key_to_string(uint64_t key) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(key));
    return buf;
}

pr_result<uint64_t> parse_key(const std::string& text) {
    std::string s = text;
    if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) s = s.substr(2);
    uint64_t v = 0;
    bool ok = !s.empty() && s.size() <= 16;
    for (char c : s) {
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) ok = false;
        v = (v << 4) | static_cast<uint64_t>(d < 0 ? 0 : d);
    }
    if (!ok || v == 0)
        return unexpected(pr_error{pr_errc::invalid_argument, "key '" + text + "' is not 1-16 hex digits or is 0"});
    return v;
}

}  // namespace holdfast::fencing
