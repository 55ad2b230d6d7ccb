// ISO 8601 parsing, arithmetic and formatting with Pacemaker 2.1.5's semantics.
//
// The arithmetic mirrors Pacemaker's field-wise algorithms on purpose (not a
// calendar library): a rule's outcome depends on their quirks, e.g. adding a
// year to 2004-12-31 gives "2005, day 366", which compares after every
// instant of 2005.
#include "policy/iso8601.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>

namespace holdfast::policy::iso8601 {

namespace {

// Days in 400 Gregorian years: lets long additions skip whole cycles while
// landing exactly where Pacemaker's year-by-year loops land.
constexpr int cycle_days = 146097;
constexpr int64_t epoch_seconds = 62135596800LL;  // 1970-01-01 since 0001-01-01

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// C++20 makes narrowing to a signed type modular, which is what Pacemaker's
// int arithmetic does in practice when it overflows.
int wrap(int64_t v) { return static_cast<int>(v); }

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = floor_div(y, 400);
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * cycle_days + static_cast<int64_t>(doe) - 719468;
}

int64_t year_from_days(int64_t z) {
    z += 719468;
    const int64_t era = floor_div(z, cycle_days);
    const unsigned doe = static_cast<unsigned>(z - era * cycle_days);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

// Days of years 1 .. year-1 (Pacemaker sums them one by one).
int64_t days_before_year(int year) {
    if (year <= 1) {
        return 0;
    }
    const int64_t n = year - 1;
    return 365 * n + n / 4 - n / 100 + n / 400;
}

uint32_t ordinal_days(uint32_t y, uint32_t m, uint32_t d) {
    // Months past 12 contribute nothing, so the loop stops there.
    const uint32_t last = std::min<uint32_t>(m, 13);
    for (uint32_t lpc = 1; lpc < last; lpc++) {
        d += static_cast<uint32_t>(days_in_month(static_cast<int>(lpc), static_cast<int>(y)));
    }
    return d;
}

void split_seconds(int sec, uint32_t& h, uint32_t& m, uint32_t& s) {
    uint32_t seconds = sec < 0 ? 0U - static_cast<uint32_t>(sec) : static_cast<uint32_t>(sec);
    h = seconds / hour_seconds;
    seconds -= hour_seconds * h;
    m = seconds / 60;
    s = seconds - 60 * m;
}

}  // namespace

bool leap_year(int year) {
    bool leap = (year % 4 == 0);
    if (year % 100 == 0 && year % 400 != 0) {
        leap = false;
    }
    return leap;
}

int year_days(int year) { return leap_year(year) ? 366 : 365; }

int days_in_month(int month, int year) {
    static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) {
        return 0;
    }
    if (month == 2 && leap_year(year)) {
        return 29;
    }
    return days[static_cast<size_t>(month - 1)];
}

int january1_weekday(int year) {
    const int yy = (year - 1) % 100;
    const int c = (year - 1) - yy;
    const int g = yy + yy / 4;
    return 1 + ((((c / 100) % 4) * 5) + g) % 7;
}

int weeks_in_year(int year) {
    int weeks = 52;
    if (january1_weekday(year) == 4 || january1_weekday(year + 1) == 5) {
        weeks++;
    }
    return weeks;
}

int host_utc_offset(std::time_t t) {
    struct tm local {};
    if (localtime_r(&t, &local) == nullptr) {
        return 0;
    }
    return static_cast<int>(local.tm_gmtoff);
}

int zoneless_offset(int gmtoff) {
    const int h = gmtoff / hour_seconds;
    int m = (gmtoff - hour_seconds * h) / 60;
    if (h < 0 && m < 0) {
        m = -m;  // Pacemaker's quirk: -01:30 becomes -00:30
    }
    return hour_seconds * h + 60 * m;
}

parse_env host_parse_env(std::time_t now) { return parse_env{now, zoneless_offset(host_utc_offset(now))}; }

time_value from_epoch(std::time_t t, int offset) {
    const int64_t local = static_cast<int64_t>(t) + offset;
    const int64_t days = floor_div(local, day_seconds);
    const int64_t year = year_from_days(days);
    time_value v;
    // struct tm cannot say years up to 1900 (tm_year > 0 is checked), so
    // Pacemaker leaves the year 0 there.
    v.years = year > 1900 ? static_cast<int>(year) : 0;
    v.days = static_cast<int>(days - days_from_civil(year, 1, 1) + 1);
    v.seconds = static_cast<int>(local - days * day_seconds);
    const int h = offset / hour_seconds;
    const int m = (offset - hour_seconds * h) / 60;
    v.offset = hour_seconds * h + 60 * m;
    return v;
}

time_value to_utc(const time_value& t) {
    time_value u;
    u.years = t.years;
    u.days = t.days;
    u.seconds = t.seconds;
    if (t.offset != 0) {
        add_seconds(u, -t.offset);
    } else {
        u.months = t.months;  // only durations have months, and they have no offset
    }
    return u;
}

int64_t to_seconds(const time_value& t) {
    const time_value u = to_utc(t);
    int64_t s = days_before_year(u.years) * day_seconds;
    if (u.months > 0) {
        s += int64_t{day_seconds} * 30 * u.months;  // Pacemaker's 30-day month
    }
    if (u.days > 0) {
        s += int64_t{day_seconds} * (u.days - 1);
    }
    return s + u.seconds;
}

int64_t to_epoch(const time_value& t) { return to_seconds(t) - epoch_seconds; }

bool valid(const time_value& t) {
    return t.days > 0 && t.days <= year_days(t.years) && t.seconds >= 0 && t.seconds < day_seconds;
}

int compare(const time_value& a, const time_value& b) {
    const time_value ua = to_utc(a);
    const time_value ub = to_utc(b);
    if (ua.years != ub.years) {
        return ua.years > ub.years ? 1 : -1;
    }
    if (ua.days != ub.days) {
        return ua.days > ub.days ? 1 : -1;
    }
    if (ua.seconds != ub.seconds) {
        return ua.seconds > ub.seconds ? 1 : -1;
    }
    return 0;
}

void add_seconds(time_value& t, int extra) {
    int64_t s = int64_t{t.seconds} + extra;
    int64_t days = s / day_seconds;
    s %= day_seconds;
    if (s < 0) {
        s += day_seconds;
        --days;
    }
    t.seconds = static_cast<int>(s);
    add_days(t, wrap(days));
}

void add_minutes(time_value& t, int extra) { add_seconds(t, wrap(int64_t{extra} * 60)); }

void add_hours(time_value& t, int extra) { add_seconds(t, wrap(int64_t{extra} * hour_seconds)); }

void add_weeks(time_value& t, int extra) { add_days(t, wrap(int64_t{extra} * 7)); }

void add_years(time_value& t, int extra) { t.years = wrap(int64_t{t.years} + extra); }

void add_days(time_value& t, int extra) {
    int ydays = year_days(t.years);
    int64_t days = int64_t{t.days} + extra;
    // Whole 400-year cycles first; the loops below then do what Pacemaker's do.
    if (days > cycle_days + 366) {
        const int64_t cycles = (days - 367) / cycle_days;
        t.years = wrap(t.years + cycles * 400);
        days -= cycles * cycle_days;
    }
    while (days > ydays) {
        t.years = wrap(int64_t{t.years} + 1);
        days -= ydays;
        ydays = year_days(t.years);
    }
    const int lower_bound = t.duration ? 0 : 1;
    if (days < lower_bound - cycle_days) {
        const int64_t cycles = (lower_bound - days) / cycle_days;
        t.years = wrap(t.years - cycles * 400);
        days += cycles * cycle_days;
    }
    while (days < lower_bound) {
        t.years = wrap(int64_t{t.years} - 1);
        days += year_days(t.years);
    }
    t.days = static_cast<int>(days);
}

namespace {

// Pacemaker steps month by month and wraps only when it meets 13 (going up)
// or 0 (going down); a month already past 12 (an unnormalised day count) never
// wraps up. Same walk, whole years at a time.
void step_months(uint32_t& y, uint32_t& m, int extra) {
    if (extra > 0) {
        uint32_t k = static_cast<uint32_t>(extra);
        if (m == 0) {
            m = 1;
            --k;
        }
        if (m >= 13) {
            m += k;
            return;
        }
        y += k / 12;
        for (k %= 12; k > 0; --k) {
            if (++m == 13) {
                m = 1;
                ++y;
            }
        }
    } else if (extra < 0) {
        uint32_t k = static_cast<uint32_t>(-int64_t{extra});
        if (m >= 13) {
            const uint32_t down = std::min(k, m - 12);
            m -= down;
            k -= down;
        }
        if (m == 0) {
            m -= k;
            return;
        }
        y -= k / 12;
        for (k %= 12; k > 0; --k) {
            if (--m == 0) {
                m = 12;
                --y;
            }
        }
    }
}

}  // namespace

void add_months(time_value& t, int extra) {
    uint32_t y = 0;
    uint32_t m = 0;
    uint32_t d = 0;
    gregorian(t, y, m, d);
    step_months(y, m, extra);
    const uint32_t dmax = static_cast<uint32_t>(days_in_month(static_cast<int>(m), static_cast<int>(y)));
    if (dmax < d) {
        d = dmax;  // keep the day of month unless the month is shorter
    }
    t.years = static_cast<int>(y);
    t.days = static_cast<int>(ordinal_days(y, m, d));
}

time_value add(const time_value& t, const time_value& duration) {
    time_value answer = t;
    const time_value u = to_utc(duration);
    answer.years = wrap(int64_t{answer.years} + u.years);
    add_months(answer, u.months);
    add_days(answer, u.days);
    add_seconds(answer, u.seconds);
    return answer;
}

time_value subtract(const time_value& t, const time_value& duration) {
    time_value answer = t;
    const time_value u = to_utc(duration);
    answer.years = wrap(int64_t{answer.years} - u.years);
    if (u.months != 0) {
        add_months(answer, -u.months);
    }
    add_days(answer, -u.days);
    add_seconds(answer, -u.seconds);
    return answer;
}

void gregorian(const time_value& t, uint32_t& y, uint32_t& m, uint32_t& d) {
    int months = 0;
    int days = t.days;
    if (t.years != 0) {
        for (months = 1; months <= 12 && days > 0; months++) {
            const int mdays = days_in_month(months, t.years);
            if (mdays >= days) {
                break;
            }
            days -= mdays;
        }
    } else if (t.months != 0) {
        months = t.months;  // a duration: its days stay days
    }
    y = static_cast<uint32_t>(t.years);
    m = static_cast<uint32_t>(months);
    d = static_cast<uint32_t>(days);
}

void time_of_day(const time_value& t, uint32_t& h, uint32_t& m, uint32_t& s) { split_seconds(t.seconds, h, m, s); }

bool iso_week(const time_value& t, uint32_t& y, uint32_t& w, uint32_t& d) {
    if (t.days <= 0) {
        return false;
    }
    const int jan1 = january1_weekday(t.years);
    const int h = t.days + jan1 - 1;
    d = static_cast<uint32_t>(1 + ((h - 1) % 7));
    int year_num = t.years;
    if (t.days <= (8 - jan1) && jan1 > 4) {
        // Early January days that still belong to last year's final week.
        year_num = t.years - 1;
        w = static_cast<uint32_t>(weeks_in_year(year_num));
    } else {
        const int correction = 4 - static_cast<int>(d);
        if ((year_days(year_num) - t.days) < correction) {
            year_num = t.years + 1;  // late December days in next year's week 1
            w = 1;
        }
    }
    if (year_num == t.years) {
        const int j = t.days + (7 - static_cast<int>(d)) + (jan1 - 1);
        w = static_cast<uint32_t>(j / 7);
        if (jan1 > 4) {
            w -= 1;
        }
    }
    y = static_cast<uint32_t>(year_num);
    return true;
}

uint32_t moon_phase(const time_value& t) {
    const uint32_t y = static_cast<uint32_t>(t.years);
    const uint32_t diy = static_cast<uint32_t>(t.days);
    const uint32_t goldn = (y % 19) + 1;
    uint32_t epact = (11 * goldn + 18) % 30;
    if ((epact == 25 && goldn > 11) || epact == 24) {
        epact++;
    }
    return ((((diy + epact) * 6) + 11) % 177) / 22 & 7;
}

calendar_fields calendar(const time_value& t) {
    calendar_fields c;
    gregorian(t, c.year, c.month, c.monthday);
    time_of_day(t, c.hour, c.minute, c.second);
    c.yearday = static_cast<uint32_t>(t.days);
    c.weekyear = c.year;
    c.weekday = c.yearday;
    iso_week(t, c.weekyear, c.week, c.weekday);
    c.moon = moon_phase(t);
    return c;
}

// ---------------------------------------------------------------- parsing

namespace {

// glibc sscanf restricted to "%d", "%Nd" and literal characters, over a
// string_view: returns the number of conversions, or -1 (EOF) when the input
// ran out before the first one. Pacemaker's parsers branch on exactly these
// counts, so the leniencies (leading blanks, signs, trailing junk) carry over.
int scan_ints(std::string_view in, std::string_view fmt, std::array<int*, 3> outs) {
    size_t pos = 0;
    int count = 0;
    for (size_t f = 0; f < fmt.size(); ++f) {
        if (fmt[f] != '%') {
            if (pos >= in.size()) {
                return count == 0 ? -1 : count;
            }
            if (in[pos] != fmt[f]) {
                return count;
            }
            ++pos;
            continue;
        }
        int64_t limit = 0;
        while (is_digit(fmt[++f])) {
            limit = limit * 10 + (fmt[f] - '0');
        }
        if (limit == 0) {
            limit = INT64_MAX;
        }
        while (pos < in.size() && is_space(in[pos])) {
            ++pos;
        }
        if (pos >= in.size()) {
            return count == 0 ? -1 : count;
        }
        bool negative = false;
        if (in[pos] == '+' || in[pos] == '-') {
            negative = in[pos] == '-';
            ++pos;
            --limit;
        }
        int64_t value = 0;
        int digits = 0;
        for (; limit > 0 && pos < in.size() && is_digit(in[pos]); ++pos, --limit, ++digits) {
            const int d = in[pos] - '0';
            value = value > (INT64_MAX - d) / 10 ? INT64_MAX : value * 10 + d;
        }
        if (digits == 0) {
            return count;
        }
        *outs[static_cast<size_t>(count)] = wrap(negative ? -value : value);
        ++count;
    }
    return count;
}

// "HH:MM:SS", "HH:MM", "HH", "HHMMSS": seconds of the day (24:00:00 allowed).
bool parse_clock(std::string_view text, int& result) {
    result = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int rc = scan_ints(text, "%d:%d:%d", {&hour, &minute, &second});
    if (rc == 1) {
        rc = scan_ints(text, "%2d%2d%2d", {&hour, &minute, &second});
    }
    if (rc == 0) {
        return false;  // note: -1 (nothing at all) passes as midnight, as in Pacemaker
    }
    // Pacemaker holds these unsigned, so negative values are "too large".
    const auto h = static_cast<uint32_t>(hour);
    const auto m = static_cast<uint32_t>(minute);
    const auto s = static_cast<uint32_t>(second);
    if (!(h == 24 && m == 0 && s == 0) && h >= 24) {
        return false;
    }
    if (m >= 60 || s >= 60) {
        return false;
    }
    result = static_cast<int>(h * hour_seconds + m * 60 + s);
    return true;
}

bool parse_offset(std::optional<std::string_view> text, int& offset, const parse_env& env) {
    if (!text) {
        offset = env.local_offset;
        return true;
    }
    offset = 0;
    std::string_view rest = *text;
    if (rest.empty() || rest[0] == 'Z') {
        return true;
    }
    if (rest[0] != '+' && rest[0] != '-' && !is_digit(rest[0])) {
        return true;  // anything else counts as UTC
    }
    const bool negate = rest[0] == '-';
    if (rest[0] == '+' || rest[0] == '-') {
        rest.remove_prefix(1);
    }
    if (!parse_clock(rest, offset)) {
        return false;
    }
    if (negate) {
        offset = -offset;
    }
    return true;
}

// The part after the date: a time of day, then "Z" anywhere or a zone after
// the first blank; without either the time is in the local offset.
bool parse_time_part(std::string_view text, time_value& dt, const parse_env& env) {
    if (!parse_clock(text, dt.seconds)) {
        return false;
    }
    std::optional<std::string_view> zone;
    if (const size_t z = text.find('Z'); z != std::string_view::npos) {
        zone = text.substr(z);
    } else if (size_t sp = text.find(' '); sp != std::string_view::npos) {
        while (sp < text.size() && is_space(text[sp])) {
            ++sp;
        }
        zone = text.substr(sp);
    }
    if (!parse_offset(zone, dt.offset, env)) {
        return false;
    }
    if (dt.seconds == day_seconds) {
        dt.seconds = 0;  // 24:00:00 is midnight of the next day
        add_days(dt, 1);
    }
    return true;
}

bool parse_week_date(int year, int week, int day, time_value& dt) {
    if (week > weeks_in_year(year) || day < 1 || day > 7) {
        return false;
    }
    const int jan1 = january1_weekday(year);
    dt.years = year;
    add_days(dt, wrap((int64_t{week} - 1) * 7));
    add_days(dt, jan1 <= 4 ? 1 - jan1 : 8 - jan1);
    add_days(dt, day);
    return true;
}

bool parse_calendar_date(std::string_view text, time_value& dt) {
    int year = 0;
    int month = 0;
    int week = 0;
    int day = 0;
    int rc = scan_ints(text, "%d-%d-%d", {&year, &month, &day});
    if (rc == 1) {
        rc = scan_ints(text, "%4d%2d%2d", {&year, &month, &day});
    }
    if (rc == 3) {
        if (month > 12 || day > days_in_month(month, year)) {
            return false;
        }
        dt.years = year;
        dt.days = static_cast<int>(
            ordinal_days(static_cast<uint32_t>(year), static_cast<uint32_t>(month), static_cast<uint32_t>(day)));
        return true;
    }
    if (scan_ints(text, "%d-%d", {&year, &day, nullptr}) == 2) {
        if (day > year_days(year)) {
            return false;
        }
        dt.years = year;
        dt.days = day;
        return true;
    }
    if (scan_ints(text, "%d-W%d-%d", {&year, &week, &day}) == 3) {
        return parse_week_date(year, week, day, dt);
    }
    return false;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (c != prefix[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<time_value> parse_date_time(std::string_view text, const parse_env& env) {
    if (text.empty()) {
        return std::nullopt;
    }
    time_value dt;
    std::optional<std::string_view> time_text;
    if (text[0] == 'T' || (text.size() > 2 && text[2] == ':')) {
        // Only a time of day: the date is today's.
        dt = from_epoch(env.now, env.local_offset);
        time_text = text[0] == 'T' ? text.substr(1) : text;
    } else {
        if (starts_with_nocase(text, "epoch") && (text.size() == 5 || text[5] == '/' || is_space(text[5]))) {
            dt.years = 1970;
            dt.days = 1;
            return dt;
        }
        if (!parse_calendar_date(text, dt)) {
            return std::nullopt;
        }
        const size_t p = text.find_first_not_of("0123456789-W");
        if (p != std::string_view::npos && (text[p] == ' ' || text[p] == 'T')) {
            time_text = text.substr(p + 1);
        }
    }
    if (time_text && !parse_time_part(*time_text, dt, env)) {
        return std::nullopt;
    }
    if (!valid(dt)) {
        return std::nullopt;
    }
    return dt;
}

namespace {

// One number of a duration; returns how many characters it took (0: none).
// A fraction (".5") is consumed but, as in Pacemaker, counts as 0.
size_t parse_duration_int(std::string_view str, int& result) {
    result = 0;
    size_t off = 0;
    bool fraction = false;
    bool negate = false;
    if (off < str.size() && (str[off] == '.' || str[off] == ',')) {
        fraction = true;
        off++;
    } else if (off < str.size() && str[off] == '-') {
        negate = true;
        off++;
    } else if (off < str.size() && (str[off] == '+' || str[off] == ':')) {
        off++;
    }
    int lpc = 0;
    int value = 0;
    for (; (fraction || lpc < 10) && off < str.size() && is_digit(str[off]); lpc++, off++) {
        if (!fraction) {
            value = wrap(int64_t{value} * 10 + (str[off] - '0'));
        }
    }
    result = negate ? wrap(-int64_t{value}) : value;
    return lpc > 0 ? off : 0;
}

bool apply_duration_unit(char unit, int amount, bool is_time, time_value& diff) {
    switch (unit) {
        case 'Y': diff.years = amount; return true;
        case 'M':
            if (is_time) {
                diff.seconds = wrap(diff.seconds + int64_t{amount} * 60);
            } else {
                diff.months = amount;
            }
            return true;
        case 'W': diff.days = wrap(diff.days + int64_t{amount} * 7); return true;
        case 'D': diff.days = wrap(int64_t{diff.days} + amount); return true;
        case 'H': diff.seconds = wrap(diff.seconds + int64_t{amount} * hour_seconds); return true;
        case 'S': diff.seconds = wrap(int64_t{diff.seconds} + amount); return true;
        default: return false;
    }
}

}  // namespace

std::optional<time_value> parse_duration(std::string_view text) {
    if (text.size() < 2 || text[0] != 'P' || is_space(text[1])) {
        return std::nullopt;
    }
    time_value diff;
    diff.duration = true;
    bool is_time = false;
    for (size_t i = 1; i < text.size() && text[i] != '/' && !is_space(text[i]); ++i) {
        if (text[i] == 'T') {
            is_time = true;  // from here on 'M' means minutes
            continue;
        }
        int amount = 0;
        const size_t used = parse_duration_int(text.substr(i), amount);
        if (used == 0) {
            return std::nullopt;
        }
        i += used;
        if (i >= text.size() || !apply_duration_unit(text[i], amount, is_time, diff)) {
            return std::nullopt;
        }
    }
    return diff;
}

std::optional<period> parse_period(std::string_view text, const parse_env& env) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::optional<time_value> start;
    std::optional<time_value> end;
    std::optional<time_value> diff;
    if (text[0] == 'P') {
        diff = parse_duration(text);
        if (!diff) {
            return std::nullopt;
        }
    } else if (!(start = parse_date_time(text, env))) {
        return std::nullopt;
    }
    if (const size_t slash = text.find('/'); slash != std::string_view::npos) {
        const std::string_view rest = text.substr(slash + 1);
        if (!rest.empty() && rest[0] == 'P') {
            if (diff || !(diff = parse_duration(rest))) {
                return std::nullopt;
            }
        } else if (!(end = parse_date_time(rest, env))) {
            return std::nullopt;
        }
    } else if (diff) {
        start = from_epoch(env.now, env.local_offset);  // a lone duration starts now
    } else {
        return std::nullopt;
    }
    if (!start) {
        start = subtract(*end, *diff);
    } else if (!end) {
        end = add(*start, *diff);
    }
    if (!valid(*start) || !valid(*end)) {
        return std::nullopt;
    }
    return period{*start, *end};
}

namespace {

// Pacemaker's crm_get_msec: a number with an optional unit, -1 when invalid.
int64_t number_with_unit_ms(std::string_view text) {
    constexpr std::string_view blanks = " \t\n\r\f";
    size_t i = std::min(text.find_first_not_of(blanks), text.size());
    const size_t num_end = std::min(text.find_first_not_of("0123456789.", i), text.size());
    if (num_end == i) {
        return -1;
    }
    const std::string_view units = text.substr(std::min(text.find_first_not_of(blanks, num_end), text.size()));
    int64_t multiplier = 1000;
    int64_t divisor = 1;
    if (starts_with_nocase(units, "ms")) {
        multiplier = 1;
    } else if (starts_with_nocase(units, "us")) {
        multiplier = 1;
        divisor = 1000;
    } else if (starts_with_nocase(units, "s")) {
        multiplier = 1000;
    } else if (starts_with_nocase(units, "m")) {
        multiplier = 60 * 1000;
    } else if (starts_with_nocase(units, "h")) {
        multiplier = 60 * 60 * 1000;
    } else if (!units.empty() && units[0] != '\n' && units[0] != '\r') {
        return -1;
    }
    int64_t value = -1;  // "." alone has no digits: Pacemaker's default -1
    if (is_digit(text[i])) {
        value = 0;
        for (; i < num_end && is_digit(text[i]); ++i) {
            const int d = text[i] - '0';
            value = value > (INT64_MAX - d) / 10 ? INT64_MAX : value * 10 + d;
        }
    }
    if (value > INT64_MAX / multiplier) {
        return INT64_MAX;
    }
    return value * multiplier / divisor;
}

}  // namespace

std::optional<uint32_t> parse_interval_ms(std::string_view text) {
    if (text.empty()) {
        return 0;
    }
    int64_t msec = -1;
    if (text[0] == 'P') {
        if (const auto d = parse_duration(text)) {
            msec = 1000 * to_seconds(*d);
        }
    } else {
        msec = number_with_unit_ms(text);
    }
    if (msec < 0) {
        return std::nullopt;
    }
    return msec >= int64_t{UINT32_MAX} ? UINT32_MAX : static_cast<uint32_t>(msec);
}

// ------------------------------------------------------------- formatting

namespace {

const char* plural(int64_t n) { return n == 1 ? "" : "s"; }

template <typename... Args>
void append(std::string& out, const char* fmt, Args... args) {
    std::array<char, 128> buf{};
    const int n = std::snprintf(buf.data(), buf.size(), fmt, args...);
    if (n > 0) {
        out.append(buf.data(), std::min(static_cast<size_t>(n), buf.size() - 1));
    }
}

std::string duration_text(const time_value& t) {
    std::string out;
    if (t.years != 0) {
        append(out, "%4d year%s ", t.years, plural(t.years));
    }
    if (t.months != 0) {
        append(out, "%2d month%s ", t.months, plural(t.months));
    }
    if (t.days != 0) {
        append(out, "%2d day%s ", t.days, plural(t.days));
    }
    if ((out.empty() || t.seconds != 0) && t.seconds > -60 && t.seconds < 60) {
        append(out, "%d second%s", t.seconds, plural(t.seconds));
    } else if (t.seconds != 0) {
        uint32_t h = 0;
        uint32_t m = 0;
        uint32_t s = 0;
        append(out, "%d seconds (", t.seconds);
        split_seconds(t.seconds, h, m, s);
        if (h != 0) {
            append(out, "%u hour%s%s", h, plural(h), (m != 0 || s != 0) ? " " : "");
        }
        if (m != 0) {
            append(out, "%u minute%s%s", m, plural(m), s != 0 ? " " : "");
        }
        if (s != 0) {
            append(out, "%u second%s", s, plural(s));
        }
        out += ')';
    }
    return out;
}

void append_date(std::string& out, const time_value& dt, unsigned flags) {
    uint32_t y = 0;
    uint32_t a = 0;
    uint32_t b = 0;
    if ((flags & fmt_weeks) != 0) {
        if (iso_week(dt, y, a, b)) {
            append(out, "%u-W%.2u-%u", y, a, b);
        }
    } else if ((flags & fmt_ordinal) != 0) {
        append(out, "%u-%.3u", static_cast<uint32_t>(dt.years), static_cast<uint32_t>(dt.days));
    } else {
        gregorian(dt, y, a, b);
        append(out, "%.4u-%.2u-%.2u", y, a, b);
    }
}

}  // namespace

std::string format(const time_value& t, unsigned flags) {
    // Local fields are printed only when the zone is asked for.
    const time_value dt = (t.offset != 0 && (flags & fmt_with_timezone) == 0) ? to_utc(t) : t;
    if (!dt.defined()) {
        return "<undefined time>";
    }
    if ((flags & fmt_duration) != 0) {
        return duration_text(t);
    }
    if ((flags & fmt_seconds) != 0) {
        return std::to_string(to_seconds(t));
    }
    if ((flags & fmt_epoch) != 0) {
        return std::to_string(to_epoch(t));
    }
    std::string out;
    if ((flags & fmt_date) != 0) {
        append_date(out, dt, flags);
    }
    if ((flags & fmt_time) != 0) {
        uint32_t h = 0;
        uint32_t m = 0;
        uint32_t s = 0;
        if (!out.empty()) {
            out += ' ';
        }
        time_of_day(dt, h, m, s);
        append(out, "%.2u:%.2u:%.2u", h, m, s);
        if ((flags & fmt_with_timezone) != 0 && dt.offset != 0) {
            split_seconds(dt.offset, h, m, s);
            append(out, " %c%.2u:%.2u", dt.offset < 0 ? '-' : '+', h, m);
        } else {
            out += 'Z';
        }
    }
    return out;
}

}  // namespace holdfast::policy::iso8601
