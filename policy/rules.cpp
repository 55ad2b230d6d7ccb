// Rule, expression and nvset evaluation (Pacemaker 2.1.5 lib/pengine/rules.c
// semantics, written afresh).
//
// Values flow as `const std::string*` where Pacemaker has a nullable C
// string: null means "absent", which several comparisons treat specially.
#include "policy/rules.hpp"

#include <strings.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace holdfast::policy {

namespace {

constexpr int infinity = score_infinity;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool ieq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

enum class scan_rc { ok, no_digits, overflow };

// strtoll(text, &end, 10) over a string_view: blanks, a sign, digits; on
// overflow the value is clipped. `used` is how many characters it consumed
// (0 when there were no digits).
scan_rc scan_ll(std::string_view text, long long& value, size_t& used) {
    size_t i = 0;
    while (i < text.size() && is_space(text[i])) {
        ++i;
    }
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        negative = text[i] == '-';
        ++i;
    }
    const size_t first_digit = i;
    unsigned long long magnitude = 0;
    bool overflow = false;
    const unsigned long long limit =
        negative ? 0ULL - static_cast<unsigned long long>(LLONG_MIN) : static_cast<unsigned long long>(LLONG_MAX);
    for (; i < text.size() && is_digit(text[i]); ++i) {
        const unsigned d = static_cast<unsigned>(text[i] - '0');
        if (overflow || magnitude > (limit - d) / 10) {
            overflow = true;
        } else {
            magnitude = magnitude * 10 + d;
        }
    }
    if (i == first_digit) {
        value = 0;
        used = 0;
        return scan_rc::no_digits;
    }
    used = i;
    if (overflow) {
        value = negative ? LLONG_MIN : LLONG_MAX;
        return scan_rc::overflow;
    }
    value = negative ? static_cast<long long>(0ULL - magnitude) : static_cast<long long>(magnitude);
    return scan_rc::ok;
}

// Pacemaker's pcmk__scan_ll: trailing characters are fine, overflow is not.
bool scan_integer(std::string_view text, long long& value) {
    size_t used = 0;
    return scan_ll(text, value, used) == scan_rc::ok;
}

// Pacemaker's pcmk__scan_double: strtod, refusing over- and underflow (and,
// like Pacemaker, any tiny value written with characters other than 0 . e E,
// so "-0" counts as an underflow).
bool scan_number(const std::string& text, double& value) {
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    value = std::strtod(begin, &end);
    if (errno != 0 || end == begin) {
        return false;
    }
    if (std::fabs(value) <= DBL_MIN) {
        for (const char* p = begin; p != end; ++p) {
            if (std::strchr("0.eE", *p) == nullptr) {
                return false;
            }
        }
    }
    return true;
}

// One dotted component as strtol reads it (blanks, sign, digits), truncated
// to int as Pacemaker's version comparison does.
int version_component(const char* text, const char** end) {
    if (*text == '\0') {
        return -1;
    }
    long long value = 0;
    size_t used = 0;
    const scan_rc rc = scan_ll(text, value, used);
    *end = text + used;
    if (rc == scan_rc::overflow) {
        value = value < 0 ? LONG_MIN : LONG_MAX;
    }
    return static_cast<int>(value);
}

// Pacemaker's compare_version. Where Pacemaker would loop forever (a
// component that is neither a number nor a dot on both sides) the strings
// count as equal.
int compare_version(const char* a, const char* b) {
    const char* it1 = a;
    const char* it2 = b;
    while (it1 != nullptr || it2 != nullptr) {
        const char* before1 = it1;
        const char* before2 = it2;
        const int d1 = it1 != nullptr ? version_component(it1, &it1) : 0;
        const int d2 = it2 != nullptr ? version_component(it2, &it2) : 0;
        if (d1 != d2) {
            return d1 < d2 ? -1 : 1;
        }
        for (const char** it : {&it1, &it2}) {
            if (*it != nullptr && **it == '.') {
                ++*it;
            }
            if (*it != nullptr && **it == '\0') {
                *it = nullptr;
            }
        }
        if (it1 == before1 && it2 == before2) {
            break;
        }
    }
    return 0;
}

int sign(long long v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

template <typename T>
int three_way(T l, T r) {
    return l < r ? -1 : (l > r ? 1 : 0);
}

bool ordering_op(std::string_view op) { return ieq(op, "lt") || ieq(op, "lte") || ieq(op, "gt") || ieq(op, "gte"); }

// -1/0/1 comparing an attribute value with an expression value; type empty
// picks integer or number for ordering operations (number when either side
// has a '.'), string otherwise. Unparsable numbers fall back to strings; an
// unknown type compares equal.
int compare_values(const std::string* l, const std::string* r, std::string_view type, std::string_view op) {
    if (l == nullptr || r == nullptr) {
        return (l == nullptr && r == nullptr) ? 0 : (r == nullptr ? 1 : -1);
    }
    if (type.empty()) {
        if (!ordering_op(op)) {
            type = "string";
        } else if (l->find('.') != std::string::npos || r->find('.') != std::string::npos) {
            type = "number";
        } else {
            type = "integer";
        }
    }
    if (ieq(type, "integer")) {
        long long lv = 0;
        long long rv = 0;
        if (scan_integer(*l, lv) && scan_integer(*r, rv)) {
            return three_way(lv, rv);
        }
        type = "string";
    } else if (ieq(type, "number")) {
        double lv = 0;
        double rv = 0;
        if (scan_number(*l, lv) && scan_number(*r, rv)) {
            return three_way(lv, rv);
        }
        type = "string";
    } else if (ieq(type, "version")) {
        return compare_version(l->c_str(), r->c_str());
    }
    if (ieq(type, "string")) {
        return sign(strcasecmp(l->c_str(), r->c_str()));
    }
    return 0;
}

bool accept_values(const std::string* l, const std::string* r, std::string_view type, std::string_view op) {
    if (ieq(op, "defined")) {
        return l != nullptr;
    }
    if (ieq(op, "not_defined")) {
        return l == nullptr;
    }
    const int cmp = compare_values(l, r, type, op);
    if (ieq(op, "eq")) {
        return cmp == 0;
    }
    if (ieq(op, "ne")) {
        return cmp != 0;
    }
    if (l == nullptr || r == nullptr) {
        return false;  // ordering against nothing means nothing
    }
    if (ieq(op, "lt")) {
        return cmp < 0;
    }
    if (ieq(op, "lte")) {
        return cmp <= 0;
    }
    if (ieq(op, "gt")) {
        return cmp > 0;
    }
    if (ieq(op, "gte")) {
        return cmp >= 0;
    }
    return false;
}

const std::string* lookup(const attr_map* map, const std::string& key) {
    if (map == nullptr) {
        return nullptr;
    }
    const auto it = map->find(key);
    return it == map->end() ? nullptr : &it->second;
}

// value-source: "param"/"meta" name a resource parameter / meta attribute
// whose value is compared; anything else is the literal value.
const std::string* expression_value(const cib::expression& e, const rule_context::match_data& match) {
    if (e.value.empty()) {
        return nullptr;
    }
    if (ieq(e.value_source, "param")) {
        return lookup(match.params, e.value);
    }
    if (ieq(e.value_source, "meta")) {
        return lookup(match.meta, e.value);
    }
    return &e.value;
}

bool eval_attribute(const cib::expression& e, const rule_context& ctx) {
    if (e.attribute.empty() || ctx.node_attrs == nullptr) {
        return false;
    }
    const std::string* value = e.value.empty() ? nullptr : &e.value;
    const std::string* attribute = &e.attribute;
    std::string expanded;  // only rsc-pattern constraints pay for this
    if (ctx.match) {
        if (ctx.match->submatches != nullptr) {
            expanded = expand_submatches(e.attribute, *ctx.match->submatches);
            attribute = &expanded;
        }
        value = expression_value(e, *ctx.match);
    }
    return accept_values(lookup(ctx.node_attrs, *attribute), value, e.type, e.operation);
}

bool eval_role(const cib::expression& e, const rule_context& ctx) {
    const role r = ctx.rsc_role;
    if (r == role::unknown) {
        return false;
    }
    const bool unpromotable = r > role::unknown && r < role::unpromoted;
    if (ieq(e.operation, "defined")) {
        return r > role::started;
    }
    if (ieq(e.operation, "not_defined")) {
        return unpromotable;
    }
    if (ieq(e.operation, "eq")) {
        return text_to_role(e.value) == r;
    }
    if (ieq(e.operation, "ne")) {
        // "ne" is only meaningful for promotable clone roles.
        return !unpromotable && text_to_role(e.value) != r;
    }
    return false;
}

bool eval_op(const cib::expression& e, const rule_context& ctx) {
    if (!ctx.op) {
        return false;
    }
    if (!e.op_interval.empty()) {
        const std::optional<uint32_t> interval = iso8601::parse_interval_ms(e.op_interval);
        if (!interval || *interval != ctx.op->interval_ms) {
            return false;
        }
    }
    return e.op_name == ctx.op->name;  // case-sensitive; both absent matches
}

bool eval_rsc(const cib::expression& e, const rule_context& ctx) {
    if (!ctx.rsc) {
        return false;
    }
    if (!e.rsc_class.empty() && e.rsc_class != ctx.rsc->standard) {
        return false;
    }
    // The provider must match even when absent on one side only.
    if (e.rsc_provider != ctx.rsc->provider) {
        return false;
    }
    return e.rsc_type.empty() || e.rsc_type == ctx.rsc->type;
}

}  // namespace

// ------------------------------------------------------------- date rules

namespace {

using iso8601::time_value;

void note_change(const rule_context& ctx, const time_value& when) {
    if (ctx.next_change == nullptr) {
        return;
    }
    const auto t = static_cast<std::time_t>(iso8601::to_epoch(when));
    if (!ctx.next_change->has_value() || t < **ctx.next_change) {
        *ctx.next_change = t;
    }
}

// <duration years= months= ...>: each nonzero integer field added in
// Pacemaker's order (years, months, weeks, days, hours, minutes, seconds).
time_value end_from_duration(const time_value& start, const std::map<std::string, std::string>& spec) {
    using adder = void (*)(time_value&, int);
    static constexpr std::array<std::pair<const char*, adder>, 7> fields{{
        {"years", iso8601::add_years},
        {"months", iso8601::add_months},
        {"weeks", iso8601::add_weeks},
        {"days", iso8601::add_days},
        {"hours", iso8601::add_hours},
        {"minutes", iso8601::add_minutes},
        {"seconds", iso8601::add_seconds},
    }};
    time_value end = start;
    for (const auto& [name, add] : fields) {
        const auto it = spec.find(name);
        long long value = 0;
        if (it != spec.end() && scan_integer(it->second, value) && value != 0 && value >= INT_MIN && value <= INT_MAX) {
            add(end, static_cast<int>(value));
        }
    }
    return end;
}

// Pacemaker's pcmk__parse_ll_range: "N", "N-M", "N-", "-M"; -1 marks an open
// end. False for anything else.
bool parse_range(std::string_view text, long long& low, long long& high) {
    low = -1;
    high = -1;
    if (text.empty() || text == "-") {
        return false;
    }
    size_t used = 0;
    if (text[0] == '-') {
        const scan_rc rc = scan_ll(text.substr(1), high, used);
        if (rc != scan_rc::ok) {
            high = -1;
        }
        return rc == scan_rc::ok && used == text.size() - 1;
    }
    if (scan_ll(text, low, used) != scan_rc::ok) {
        low = -1;
        return false;
    }
    if (used == text.size()) {
        high = low;  // a single value
        return true;
    }
    if (text[used] != '-') {
        low = -1;
        return false;
    }
    const std::string_view rest = text.substr(used + 1);
    if (!rest.empty()) {
        size_t more = 0;
        if (scan_ll(rest, high, more) != scan_rc::ok || more != rest.size()) {
            return false;
        }
    }
    return true;
}

// One date_spec field: an unparsable value is ignored (passes).
date_result check_field(std::string_view text, uint32_t field) {
    long long low = 0;
    long long high = 0;
    if (!parse_range(text, low, high)) {
        return date_result::undetermined;
    }
    const long long v = field;
    if (low == high || (low != -1 && high != -1)) {
        return v < low ? date_result::before_range : (v > high ? date_result::after_range : date_result::within_range);
    }
    if (low == -1) {
        return v <= high ? date_result::within_range : date_result::after_range;
    }
    return v >= low ? date_result::within_range : date_result::before_range;
}

date_result eval_date_spec(const time_value& now, const std::map<std::string, std::string>& spec) {
    const iso8601::calendar_fields c = iso8601::calendar(now);
    const std::array<std::pair<const char*, uint32_t>, 11> fields{{
        {"years", c.year},
        {"months", c.month},
        {"monthdays", c.monthday},
        {"hours", c.hour},
        {"minutes", c.minute},
        {"seconds", c.second},
        {"yeardays", c.yearday},
        {"weekyears", c.weekyear},
        {"weeks", c.week},
        {"weekdays", c.weekday},
        {"moon", c.moon},
    }};
    for (const auto& [name, value] : fields) {
        const auto it = spec.find(name);
        if (it == spec.end()) {
            continue;
        }
        const date_result rc = check_field(it->second, value);
        if (rc == date_result::before_range || rc == date_result::after_range) {
            return rc;
        }
    }
    return date_result::within_range;
}

date_result eval_in_range(const std::optional<time_value>& start, const std::optional<time_value>& end,
                          const time_value& now, const rule_context& ctx) {
    if (!start && !end) {
        return date_result::undetermined;
    }
    if (start && iso8601::compare(now, *start) < 0) {
        note_change(ctx, *start);
        return date_result::before_range;
    }
    if (end && iso8601::compare(now, *end) > 0) {
        return date_result::after_range;
    }
    if (end && ctx.next_change != nullptr) {
        time_value after_end = *end;  // the outcome flips one second after end
        iso8601::add_seconds(after_end, 1);
        note_change(ctx, after_end);
    }
    return date_result::within_range;
}

}  // namespace

date_result evaluate_date_expression(const cib::expression& e, const rule_context& ctx) {
    // A zone-less date-time gets Pacemaker's rendering of the local offset.
    const iso8601::parse_env env{ctx.now, iso8601::zoneless_offset(ctx.utc_offset)};
    const time_value now = iso8601::from_epoch(ctx.now, ctx.utc_offset);
    std::optional<time_value> start;
    std::optional<time_value> end;
    if (!e.start.empty()) {
        start = iso8601::parse_date_time(e.start, env);
    }
    if (!e.end.empty()) {
        end = iso8601::parse_date_time(e.end, env);
    }
    if (start && !end && !e.duration.empty()) {
        end = end_from_duration(*start, e.duration);
    }
    const std::string_view op = e.operation;
    if (op.empty() || ieq(op, "in_range")) {
        return eval_in_range(start, end, now, ctx);
    }
    if (ieq(op, "date_spec")) {
        return eval_date_spec(now, e.date_spec);  // Pacemaker sets no next_change here
    }
    if (ieq(op, "gt")) {
        if (!start) {
            return date_result::undetermined;
        }
        if (iso8601::compare(now, *start) > 0) {
            return date_result::within_range;
        }
        time_value after_start = *start;
        iso8601::add_seconds(after_start, 1);
        note_change(ctx, after_start);
        return date_result::before_range;
    }
    if (ieq(op, "lt")) {
        if (!end) {
            return date_result::undetermined;
        }
        if (iso8601::compare(now, *end) < 0) {
            note_change(ctx, *end);
            return date_result::within_range;
        }
        return date_result::after_range;
    }
    return date_result::undetermined;
}

// ---------------------------------------------------------------- public

int char2score(std::string_view text) { return char2score(text, health_scores{}); }

int char2score(std::string_view text, const health_scores& colours) {
    if (text == "-INFINITY") {
        return -infinity;
    }
    if (text == "INFINITY" || text == "+INFINITY") {
        return infinity;
    }
    if (ieq(text, "red")) {
        return colours.red;
    }
    if (ieq(text, "yellow")) {
        return colours.yellow;
    }
    if (ieq(text, "green")) {
        return colours.green;
    }
    long long value = 0;
    if (!scan_integer(text, value)) {
        return 0;
    }
    return static_cast<int>(std::clamp<long long>(value, -infinity, infinity));
}

role text_to_role(std::string_view text) {
    if (ieq(text, "Stopped")) {
        return role::stopped;
    }
    if (ieq(text, "Started")) {
        return role::started;
    }
    if (ieq(text, "Unpromoted") || ieq(text, "Slave")) {
        return role::unpromoted;
    }
    if (ieq(text, "Promoted") || ieq(text, "Master")) {
        return role::promoted;
    }
    return role::unknown;
}

bool evaluate_expression(const cib::expression& e, const rule_context& ctx) {
    switch (e.what) {
        case cib::expression::kind::attribute:
            return e.attribute == "#role" ? eval_role(e, ctx) : eval_attribute(e, ctx);
        case cib::expression::kind::date: return evaluate_date_expression(e, ctx) == date_result::within_range;
        case cib::expression::kind::op: return eval_op(e, ctx);
        case cib::expression::kind::rsc: return eval_rsc(e, ctx);
        case cib::expression::kind::nested_rule: return e.nested != nullptr && evaluate_rule(*e.nested, ctx);
    }
    return false;
}

bool evaluate_rule(const cib::rule& rule, const rule_context& ctx) {
    const bool do_and = !ieq(rule.boolean_op, "or");
    for (const cib::expression& e : rule.expressions) {
        const bool passed = evaluate_expression(e, ctx);
        if (passed && !do_and) {
            return true;
        }
        if (!passed && do_and) {
            return false;
        }
    }
    // Every expression agreed; an empty rule holds only for "and".
    return do_and;
}

bool evaluate_rules(const std::vector<cib::rule>& rules, const rule_context& ctx) {
    if (rules.empty()) {
        return true;
    }
    for (const cib::rule& rule : rules) {
        if (evaluate_rule(rule, ctx)) {
            return true;
        }
    }
    return false;
}

std::string expand_submatches(std::string_view text, const std::vector<std::string>& submatches) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 1 < text.size() && is_digit(text[i + 1])) {
            const auto n = static_cast<size_t>(text[i + 1] - '0');
            if (n < submatches.size()) {
                out += submatches[n];
            }
            ++i;
            continue;
        }
        out += text[i];
    }
    return out;
}

int rule_score(const cib::rule& rule, const attr_map& node_attrs, const std::vector<std::string>* submatches,
               const health_scores& colours) {
    if (!rule.score.empty()) {
        return char2score(rule.score, colours);
    }
    if (rule.score_attribute.empty()) {
        return 0;  // Pacemaker: "no score specified, assuming 0"
    }
    const std::string* name = &rule.score_attribute;
    std::string expanded;
    if (submatches != nullptr && !submatches->empty()) {
        expanded = expand_submatches(rule.score_attribute, *submatches);
        name = &expanded;
    }
    const std::string* value = lookup(&node_attrs, *name);
    return value == nullptr ? -infinity : char2score(*value, colours);
}

std::optional<role> location_rule_role(const cib::rule& rule) {
    if (rule.role.empty()) {
        return role::unknown;
    }
    const role r = text_to_role(rule.role);
    if (r == role::unknown) {
        return std::nullopt;
    }
    // Whatever is promoted was unpromoted first, so Unpromoted means any role.
    return r == role::unpromoted ? role::unknown : r;
}

namespace {

struct set_order {
    int score = 0;
    uint32_t index = 0;
    bool first = false;
};

void apply_pairs(const cib::nvset& set, attr_map& out, bool overwrite) {
    for (const cib::nvpair& pair : set.pairs) {
        if (pair.name.empty()) {
            continue;
        }
        if (ieq(pair.value, "#default")) {
            out.erase(pair.name);  // back to the default, whoever set it
            continue;
        }
        const auto it = out.find(pair.name);
        if (it == out.end()) {
            out.emplace(pair.name, pair.value);
        } else if (overwrite) {
            it->second = pair.value;
        }
    }
}

}  // namespace

void unpack_nvsets(const std::vector<cib::nvset>& sets, const rule_context& ctx, attr_map& out, bool overwrite,
                   std::string_view always_first) {
    const size_t n = sets.size();
    if (n == 0) {
        return;
    }
    // Most objects have one or two sets: keep the ordering on the stack.
    std::array<set_order, 16> small{};
    std::vector<set_order> large;
    set_order* order = small.data();
    if (n > small.size()) {
        large.resize(n);
        order = large.data();
    }
    // Pacemaker prepends each set to a list before a stable sort, so sets of
    // equal score end up in reverse document order.
    for (size_t i = 0; i < n; ++i) {
        const cib::nvset& set = sets[n - 1 - i];
        order[i] = set_order{char2score(set.score, ctx.colours), static_cast<uint32_t>(n - 1 - i),
                             !always_first.empty() && ieq(set.id, always_first)};
    }
    std::stable_sort(order, order + n, [](const set_order& a, const set_order& b) {
        if (a.first != b.first) {
            return a.first;
        }
        return a.score > b.score;
    });
    for (size_t i = 0; i < n; ++i) {
        const cib::nvset& set = sets[order[i].index];
        if (evaluate_rules(set.rules, ctx)) {
            apply_pairs(set, out, overwrite);
        }
    }
}

}  // namespace holdfast::policy
