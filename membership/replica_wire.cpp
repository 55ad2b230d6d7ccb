#include "membership/replica_wire.hpp"

#include <algorithm>

namespace holdfast::membership::wire {

namespace {

// Explicit little-endian: the bytes mean the same on every node.
void put_u16(std::string& out, std::uint16_t v) {
    for (int i = 0; i < 2; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Reads fixed-size fields off the front of a view; any overrun sets failed.
class reader {
public:
    explicit reader(std::string_view in) : in_(in) {}
    template <typename T>
    T get() {
        T v = 0;
        if (in_.size() < sizeof(T)) {
            failed_ = true;
            return 0;
        }
        for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<unsigned char>(in_[i])) << (8 * i);
        in_.remove_prefix(sizeof(T));
        return v;
    }
    std::string_view rest() const { return in_; }
    bool failed() const { return failed_; }

private:
    std::string_view in_;
    bool failed_ = false;
};

void put_round(std::string& out, const std::vector<cpg_member>& round) {
    put_u32(out, static_cast<std::uint32_t>(round.size()));
    for (const auto& m : round) {
        put_u32(out, m.nodeid);
        put_u32(out, m.pid);
    }
}

// CPG groups hold at most CPG_MEMBERS_MAX processes; more is garbage.
bool get_round(reader& r, std::vector<cpg_member>& round) {
    std::uint32_t n = r.get<std::uint32_t>();
    if (r.failed() || n > CPG_MEMBERS_MAX) return false;
    for (std::uint32_t i = 0; i < n; ++i) {
        cpg_member m;
        m.nodeid = r.get<std::uint32_t>();
        m.pid = r.get<std::uint32_t>();
        round.push_back(m);
    }
    return !r.failed();
}

void put_version(std::string& out, const replica_version& v) {
    put_u64(out, v.admin_epoch);
    put_u64(out, v.epoch);
    put_u64(out, v.num_updates);
}

replica_version get_version(reader& r) {
    replica_version v;
    v.admin_epoch = r.get<std::uint64_t>();
    v.epoch = r.get<std::uint64_t>();
    v.num_updates = r.get<std::uint64_t>();
    return v;
}

bool known_kind(std::uint8_t k) { return k >= 1 && k <= 5; }

}  // namespace

std::uint64_t digest(std::string_view bytes) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::vector<std::string> fragment(kind k, std::uint32_t msg_id, std::string_view body, std::size_t max_frame) {
    const std::size_t piece = max_frame - header_size;
    const std::size_t count = std::max<std::size_t>(1, (body.size() + piece - 1) / piece);
    std::vector<std::string> frames;
    frames.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::string f;
        std::string_view part = body.substr(std::min(body.size(), i * piece), piece);
        f.reserve(header_size + part.size());
        f.push_back(static_cast<char>(format));
        f.push_back(static_cast<char>(k));
        put_u16(f, 0);
        put_u32(f, msg_id);
        put_u32(f, static_cast<std::uint32_t>(i));
        put_u32(f, static_cast<std::uint32_t>(count));
        f.append(part);
        frames.push_back(std::move(f));
    }
    return frames;
}

bool reassembler::feed(const cpg_member& from, std::string_view frame, message& out) {
    reader r(frame);
    auto fmt = r.get<std::uint8_t>();
    auto k = r.get<std::uint8_t>();
    auto reserved = r.get<std::uint16_t>();
    auto msg_id = r.get<std::uint32_t>();
    auto index = r.get<std::uint32_t>();
    auto count = r.get<std::uint32_t>();
    auto it = partial_.find(key(from));
    auto malformed = [&] {
        // The sender's unfinished body cannot be trusted either.
        if (it != partial_.end()) partial_.erase(it);
        ++dropped_;
        return false;
    };
    if (r.failed() || fmt != format || !known_kind(k) || reserved != 0 || count == 0 || index >= count)
        return malformed();
    std::string_view piece = r.rest();
    if (index == 0) {
        // An unfinished body followed by a new first frame: the old body is
        // lost (counted), the new one is judged on its own.
        if (it != partial_.end()) {
            partial_.erase(it);
            ++dropped_;
        }
        if (piece.size() > max_body_) {
            ++dropped_;
            return false;
        }
        if (count == 1) {
            out = message{static_cast<kind>(k), std::string(piece)};
            return true;
        }
        partial_[key(from)] = partial{msg_id, 1, count, static_cast<kind>(k), std::string(piece)};
        return false;
    }
    if (it == partial_.end()) return malformed();
    partial& p = it->second;
    if (p.msg_id != msg_id || p.next != index || p.count != count || p.k != static_cast<kind>(k) ||
        p.body.size() + piece.size() > max_body_)
        return malformed();
    p.body.append(piece);
    if (++p.next < p.count) return false;
    out = message{p.k, std::move(p.body)};
    partial_.erase(it);
    return true;
}

void reassembler::forget_all_but(const std::vector<cpg_member>& members) {
    std::erase_if(partial_, [&](const auto& entry) {
        return std::none_of(members.begin(), members.end(), [&](const cpg_member& m) { return key(m) == entry.first; });
    });
}

std::string encode_version(const std::vector<cpg_member>& round, const replica_version& v, std::uint64_t dig) {
    std::string out;
    put_round(out, round);
    put_version(out, v);
    put_u64(out, dig);
    return out;
}

std::string encode_snapshot(const std::vector<cpg_member>& round, const replica_version& v, std::string_view bytes) {
    std::string out;
    out.reserve(4 + 8 * round.size() + 24 + bytes.size());
    put_round(out, round);
    put_version(out, v);
    out.append(bytes);
    return out;
}

std::string encode_own_state(const std::vector<cpg_member>& round, std::string_view bytes) {
    std::string out;
    put_round(out, round);
    out.append(bytes);
    return out;
}

std::string encode_changes(const std::vector<std::string>& changes) {
    std::string out;
    put_u32(out, static_cast<std::uint32_t>(changes.size()));
    for (const auto& c : changes) {
        put_u32(out, static_cast<std::uint32_t>(c.size()));
        out.append(c);
    }
    return out;
}

std::optional<std::vector<std::string_view>> decode_changes(std::string_view body) {
    reader r(body);
    const std::uint32_t n = r.get<std::uint32_t>();
    // each change takes at least its 4-byte length: a larger count is garbage
    if (r.failed() || n > body.size() / 4) return std::nullopt;
    std::vector<std::string_view> out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t len = r.get<std::uint32_t>();
        if (r.failed() || len > r.rest().size()) return std::nullopt;
        out.push_back(r.rest().substr(0, len));
        r = reader(r.rest().substr(len));
    }
    if (!r.rest().empty()) return std::nullopt;
    return out;
}

std::optional<version_body> decode_version(std::string_view body) {
    reader r(body);
    version_body v;
    if (!get_round(r, v.round)) return std::nullopt;
    v.version = get_version(r);
    v.digest = r.get<std::uint64_t>();
    if (r.failed() || !r.rest().empty()) return std::nullopt;
    return v;
}

std::optional<snapshot_body> decode_snapshot(std::string_view body) {
    reader r(body);
    snapshot_body s;
    if (!get_round(r, s.round)) return std::nullopt;
    s.version = get_version(r);
    if (r.failed()) return std::nullopt;
    s.bytes = r.rest();
    return s;
}

std::optional<own_state_body> decode_own_state(std::string_view body) {
    reader r(body);
    own_state_body o;
    if (!get_round(r, o.round)) return std::nullopt;
    o.bytes = r.rest();
    return o;
}

}  // namespace holdfast::membership::wire
