#pragma once
// A minimal std::expected stand-in: g++ 12's libstdc++ has no <expected>.
// Errors cross module boundaries as values; this is the carrier.
#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace holdfast {

template <typename E>
class unexpected {
public:
    explicit unexpected(E e) : error_(std::move(e)) {}
    E& error() & { return error_; }
    E&& error() && { return std::move(error_); }
    const E& error() const& { return error_; }

private:
    E error_;
};

template <typename E>
unexpected(E) -> unexpected<E>;

template <typename T, typename E>
class expected {
public:
    expected() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
    expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    template <typename G>
    expected(unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u).error())) {}

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        assert(has_value());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(has_value());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(has_value());
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    E& error() & {
        assert(!has_value());
        return std::get<1>(v_);
    }
    const E& error() const& {
        assert(!has_value());
        return std::get<1>(v_);
    }

private:
    std::variant<T, E> v_;
};

// expected<void, E>: success carries nothing.
template <typename E>
class expected<void, E> {
public:
    expected() = default;
    template <typename G>
    expected(unexpected<G> u) : err_(E(std::move(u).error())), ok_(false) {}

    bool has_value() const { return ok_; }
    explicit operator bool() const { return ok_; }
    E& error() & {
        assert(!ok_);
        return err_;
    }
    const E& error() const& {
        assert(!ok_);
        return err_;
    }

private:
    E err_{};
    bool ok_ = true;
};

}  // namespace holdfast
