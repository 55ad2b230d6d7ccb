#include "test/membership/test_store.hpp"

#include <charconv>
#include <optional>

#include "membership/replica_wire.hpp"

namespace holdfast::test {

namespace {

// Netstring-like fields: "<length>:<bytes>".
void put(std::string& out, std::string_view s) {
    out += std::to_string(s.size());
    out += ':';
    out += s;
}

std::optional<std::string_view> get(std::string_view& in) {
    auto colon = in.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(in.data(), in.data() + colon, n);
    if (ec != std::errc() || p != in.data() + colon || in.size() - colon - 1 < n) return std::nullopt;
    auto s = in.substr(colon + 1, n);
    in.remove_prefix(colon + 1 + n);
    return s;
}

std::optional<std::uint64_t> get_u64(std::string_view& in) {
    auto s = get(in);
    std::uint64_t v = 0;
    if (!s || std::from_chars(s->data(), s->data() + s->size(), v).ec != std::errc()) return std::nullopt;
    return v;
}

}  // namespace

std::string test_store::snapshot() const {
    std::string out;
    put(out, std::to_string(ver.admin_epoch));
    put(out, std::to_string(ver.epoch));
    put(out, std::to_string(ver.num_updates));
    for (const auto& [k, v] : data) {
        put(out, k);
        put(out, v);
    }
    return out;
}

bool test_store::install(std::string_view in) {
    membership::replica_version v;
    auto a = get_u64(in), e = get_u64(in), n = get_u64(in);
    if (!a || !e || !n) return false;
    v = {*a, *e, *n};
    std::map<std::string, std::string> d;
    while (!in.empty()) {
        auto k = get(in), val = get(in);
        if (!k || !val) return false;
        d[std::string(*k)] = std::string(*val);
    }
    ver = v;
    data = std::move(d);
    return true;
}

bool test_store::apply(std::string_view change) {
    auto eq = change.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    data[std::string(change.substr(0, eq))] = std::string(change.substr(eq + 1));
    std::string& order = data["_order"];
    order = std::to_string(membership::wire::digest(order + "\n" + std::string(change)));
    ++ver.num_updates;
    return true;
}

void test_store::merge_own_state(const membership::cpg_member& from, std::string_view state) {
    std::string& slot = data["status/" + std::to_string(from.pid)];
    if (slot == state) return;
    slot = std::string(state);
    ++ver.num_updates;
}

}  // namespace holdfast::test
