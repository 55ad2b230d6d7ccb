#include "membership/cmap.hpp"

#include <cstring>

namespace holdfast::membership {

struct cmap_store::tracking {
    cmap_store* owner = nullptr;
    std::function<void(const cmap_change&)> on_change;
};

namespace {

template <typename T>
std::optional<T> scalar(const cmap_value& v, cmap_value_types_t type) {
    if (v.type != type || v.bytes.size() != sizeof(T)) return std::nullopt;
    T out;
    std::memcpy(&out, v.bytes.data(), sizeof(T));
    return out;
}

template <typename T>
std::string number(const cmap_value& v) {
    T out{};
    if (v.bytes.size() == sizeof(T)) std::memcpy(&out, v.bytes.data(), sizeof(T));
    return std::to_string(out);
}

cmap_value copy_value(const cmap_notify_value& n) {
    cmap_value v;
    v.type = n.type;
    auto* p = static_cast<const std::byte*>(n.data);
    if (p) v.bytes.assign(p, p + n.len);
    return v;
}

}  // namespace

std::optional<std::string> cmap_value::as_string() const {
    if (type != CMAP_VALUETYPE_STRING) return std::nullopt;
    auto* p = reinterpret_cast<const char*>(bytes.data());
    return std::string(p, strnlen(p, bytes.size()));
}

std::optional<std::uint32_t> cmap_value::as_u32() const { return scalar<std::uint32_t>(*this, CMAP_VALUETYPE_UINT32); }
std::optional<std::uint8_t> cmap_value::as_u8() const { return scalar<std::uint8_t>(*this, CMAP_VALUETYPE_UINT8); }

std::string cmap_value::to_string() const {
    switch (type) {
        case CMAP_VALUETYPE_INT8: return number<int8_t>(*this);
        case CMAP_VALUETYPE_UINT8: return number<uint8_t>(*this);
        case CMAP_VALUETYPE_INT16: return number<int16_t>(*this);
        case CMAP_VALUETYPE_UINT16: return number<uint16_t>(*this);
        case CMAP_VALUETYPE_INT32: return number<int32_t>(*this);
        case CMAP_VALUETYPE_UINT32: return number<uint32_t>(*this);
        case CMAP_VALUETYPE_INT64: return number<int64_t>(*this);
        case CMAP_VALUETYPE_UINT64: return number<uint64_t>(*this);
        case CMAP_VALUETYPE_FLOAT: return number<float>(*this);
        case CMAP_VALUETYPE_DOUBLE: return number<double>(*this);
        case CMAP_VALUETYPE_STRING: return *as_string();
        case CMAP_VALUETYPE_BINARY: break;
    }
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (std::byte b : bytes) {
        out += hex[std::to_integer<unsigned>(b) >> 4];
        out += hex[std::to_integer<unsigned>(b) & 15];
    }
    return out;
}

cmap_store::cmap_store(pass_key) {}

cmap_store::~cmap_store() {
    if (open_) cmap_finalize(handle_);
}

result<std::unique_ptr<cmap_store>> cmap_store::open(cmap_map_t map) {
    auto c = std::make_unique<cmap_store>(pass_key{});
    if (auto r = detail::check("cmap_initialize_map", cmap_initialize_map(&c->handle_, map)); !r)
        return unexpected(r.error());
    c->open_ = true;
    if (auto r = detail::check("cmap_fd_get", cmap_fd_get(c->handle_, &c->fd_)); !r) return unexpected(r.error());
    return c;
}

result<cmap_value> cmap_store::get(std::string_view key) {
    std::string k(key);
    std::string op = "cmap_get(" + k + ")";
    // Size first, then the value; a value that grew in between is read again.
    for (int attempt = 0; attempt < 3; ++attempt) {
        size_t len = 0;
        cmap_value v;
        if (auto r = detail::check(op, cmap_get(handle_, k.c_str(), nullptr, &len, &v.type)); !r)
            return unexpected(r.error());
        v.bytes.resize(len);
        size_t got = len;
        cs_error_t cs = cmap_get(handle_, k.c_str(), v.bytes.data(), &got, &v.type);
        if (cs == CS_ERR_INVALID_PARAM && attempt < 2) continue;
        if (cs != CS_OK) return unexpected(detail::cs_failure(op, cs));
        v.bytes.resize(got);
        return v;
    }
    return unexpected(error{errc::try_again, 0, op + ": value kept changing size"});
}

template <typename T>
result<T> cmap_store::get_typed(std::string_view key, std::optional<T> (cmap_value::*as)() const, const char* type) {
    auto v = get(key);
    if (!v) return unexpected(v.error());
    auto out = ((*v).*as)();
    if (!out) return unexpected(error{errc::wrong_type, 0, "cmap key " + std::string(key) + " is not " + type});
    return std::move(*out);
}

result<std::string> cmap_store::get_string(std::string_view key) {
    return get_typed<std::string>(key, &cmap_value::as_string, "a string");
}
result<std::uint32_t> cmap_store::get_u32(std::string_view key) {
    return get_typed<std::uint32_t>(key, &cmap_value::as_u32, "a uint32");
}
result<std::uint8_t> cmap_store::get_u8(std::string_view key) {
    return get_typed<std::uint8_t>(key, &cmap_value::as_u8, "a uint8");
}

result<void> cmap_store::set_string(std::string_view key, std::string_view value) {
    std::string k(key), v(value);
    return detail::check("cmap_set_string(" + k + ")", cmap_set_string(handle_, k.c_str(), v.c_str()));
}
result<void> cmap_store::set_u32(std::string_view key, std::uint32_t value) {
    std::string k(key);
    return detail::check("cmap_set_uint32(" + k + ")", cmap_set_uint32(handle_, k.c_str(), value));
}
result<void> cmap_store::set_u8(std::string_view key, std::uint8_t value) {
    std::string k(key);
    return detail::check("cmap_set_uint8(" + k + ")", cmap_set_uint8(handle_, k.c_str(), value));
}
result<void> cmap_store::erase(std::string_view key) {
    std::string k(key);
    return detail::check("cmap_delete(" + k + ")", cmap_delete(handle_, k.c_str()));
}

result<std::vector<cmap_key>> cmap_store::keys(std::string_view prefix) {
    std::string p(prefix);
    cmap_iter_handle_t iter = 0;
    if (auto r = detail::check("cmap_iter_init(" + p + ")", cmap_iter_init(handle_, p.c_str(), &iter)); !r)
        return unexpected(r.error());
    std::vector<cmap_key> out;
    cs_error_t cs = CS_OK;
    for (;;) {
        char name[CMAP_KEYNAME_MAXLEN + 1] = {};
        size_t len = 0;
        cmap_value_types_t type{};
        cs = cmap_iter_next(handle_, iter, name, &len, &type);
        if (cs != CS_OK) break;
        out.push_back(cmap_key{name, type, len});
    }
    cmap_iter_finalize(handle_, iter);
    if (cs != CS_ERR_NO_SECTIONS) return unexpected(detail::cs_failure("cmap_iter_next(" + p + ")", cs));
    return out;
}

result<cmap_track_id> cmap_store::track(std::string_view key, bool prefix,
                                        std::function<void(const cmap_change&)> on_change) {
    std::string k(key);
    auto t = std::make_unique<tracking>(tracking{this, std::move(on_change)});
    int32_t flags = CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_MODIFY | (prefix ? CMAP_TRACK_PREFIX : 0);
    cmap_track_handle_t id = 0;
    if (auto r = detail::check("cmap_track_add(" + k + ")",
                               cmap_track_add(handle_, k.c_str(), flags, &cmap_store::on_notify, t.get(), &id));
        !r)
        return unexpected(r.error());
    trackings_[id] = std::move(t);
    return id;
}

result<void> cmap_store::untrack(cmap_track_id id) {
    auto it = trackings_.find(id);
    if (it == trackings_.end()) return unexpected(error{errc::not_found, 0, "cmap untrack: unknown tracking"});
    // libcmap ignores notifications still queued for a deleted tracking, so
    // freeing its user_data right away is safe.
    auto r = detail::check("cmap_track_delete", cmap_track_delete(handle_, id));
    trackings_.erase(it);
    return r;
}

result<void> cmap_store::dispatch(dispatch_mode mode) {
    guard_.reset();
    auto flags = mode == dispatch_mode::all ? CS_DISPATCH_ALL : CS_DISPATCH_ONE_NONBLOCKING;
    auto r = detail::check("cmap_dispatch", cmap_dispatch(handle_, flags));
    if (auto cb = guard_.take("cmap_dispatch"); !cb) return cb;
    return r;
}

void cmap_store::on_notify(cmap_handle_t, cmap_track_handle_t, int32_t event, const char* key,
                           cmap_notify_value new_value, cmap_notify_value old_value, void* user_data) {
    auto* t = static_cast<tracking*>(user_data);
    if (!t || !t->on_change) return;
    cmap_store* owner = t->owner;
    owner->guard_.run([&] {
        cmap_change c;
        c.key = key;
        if (event == CMAP_TRACK_ADD)
            c.event = cmap_event::added;
        else if (event == CMAP_TRACK_DELETE)
            c.event = cmap_event::deleted;
        if (event != CMAP_TRACK_DELETE) c.new_value = copy_value(new_value);
        if (event != CMAP_TRACK_ADD) c.old_value = copy_value(old_value);
        // Copied: on_change may untrack() and so free *t.
        auto fn = t->on_change;
        fn(c);
    });
}

}  // namespace holdfast::membership
