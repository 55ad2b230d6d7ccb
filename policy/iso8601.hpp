#pragma once
// ISO 8601 date-times and durations as Pacemaker 2.1.5 understands them.
//
// Pacemaker keeps a date-time as (year, ordinal day, seconds of day, UTC
// offset) in *local* fields and does its calendar arithmetic on those fields,
// with a few quirks (adding years keeps the ordinal day, adding months clamps
// the day of month, durations turn into seconds oddly). Rules compare dates
// and pick calendar fields out of "now", so to decide exactly like Pacemaker
// we keep the same representation and the same arithmetic here.
//
// Pure: nothing reads the clock. Where Pacemaker would consult the clock or the
// host's time zone (a time without a zone, a time without a date), the caller
// says what "now" and the local UTC offset are (parse_env).
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace holdfast::policy::iso8601 {

constexpr int hour_seconds = 60 * 60;
constexpr int day_seconds = 24 * hour_seconds;

// A date-time or a duration (Pacemaker's crm_time_t).
struct time_value {
    int years = 0;    // calendar year, or number of years (duration)
    int months = 0;   // number of months (durations only)
    int days = 0;     // ordinal day of the year (1-366), or number of days (duration)
    int seconds = 0;  // seconds since local midnight, or number of seconds (duration)
    int offset = 0;   // seconds east of UTC (date-times only)
    bool duration = false;

    // Pacemaker's "is defined": any field set at all.
    bool defined() const { return years != 0 || months != 0 || days != 0 || seconds != 0 || offset != 0 || duration; }
};

// What parsing takes from outside when the text leaves it implicit.
struct parse_env {
    std::time_t now = 0;   // "12:00:00" / "T12:00" take their date from here
    int local_offset = 0;  // a time of day without a zone is in this UTC offset
};

// Calendar helpers (Gregorian, proleptic).
bool leap_year(int year);
int year_days(int year);
int days_in_month(int month, int year);  // 0 for a month outside 1-12
int january1_weekday(int year);          // 1 = Monday ... 7 = Sunday
int weeks_in_year(int year);             // ISO weeks: 52 or 53

// The UTC offset the host's time zone (TZ) has at time t, as Pacemaker stores
// it for "now" (whole minutes). Reads the zone database, not the clock.
int host_utc_offset(std::time_t t);
// The offset Pacemaker assumes for a zone-less time of day: the host offset
// passed through Pacemaker's minute handling (which drops the sign of the
// minutes for negative half-hour zones).
int zoneless_offset(int gmtoff);
// parse_env for the host's zone at `now`.
parse_env host_parse_env(std::time_t now);

// A date-time for epoch seconds, with local fields in the given offset.
time_value from_epoch(std::time_t t, int offset = 0);
// Seconds since 0001-01-01 (Pacemaker's crm_time_get_seconds; for a duration
// this is Pacemaker's odd conversion: "P1D" is 0, "P2D" one day).
int64_t to_seconds(const time_value& t);
// Seconds since the Unix epoch.
int64_t to_epoch(const time_value& t);

// The same instant with offset 0 (durations keep their months).
time_value to_utc(const time_value& t);
// Sensible date-time: day within its year, seconds within the day.
bool valid(const time_value& t);
// <0, 0, >0 comparing the instants (UTC years, days, seconds field by field).
int compare(const time_value& a, const time_value& b);

// In-place arithmetic with Pacemaker's semantics.
void add_seconds(time_value& t, int extra);
void add_minutes(time_value& t, int extra);
void add_hours(time_value& t, int extra);
void add_days(time_value& t, int extra);
void add_weeks(time_value& t, int extra);
void add_months(time_value& t, int extra);  // clamps the day of month
void add_years(time_value& t, int extra);   // keeps the ordinal day
// date-time plus / minus a duration
time_value add(const time_value& t, const time_value& duration);
time_value subtract(const time_value& t, const time_value& duration);

// Calendar fields of a date-time, as date_spec sees them (local fields).
struct calendar_fields {
    uint32_t year = 0;
    uint32_t month = 0;
    uint32_t monthday = 0;
    uint32_t yearday = 0;
    uint32_t hour = 0;
    uint32_t minute = 0;
    uint32_t second = 0;
    uint32_t weekyear = 0;
    uint32_t week = 0;
    uint32_t weekday = 0;  // 1 = Monday ... 7 = Sunday
    uint32_t moon = 0;     // 0-7, 0 = new, 4 = full (Pacemaker's NetHack formula)
};
calendar_fields calendar(const time_value& t);
void gregorian(const time_value& t, uint32_t& y, uint32_t& m, uint32_t& d);
void time_of_day(const time_value& t, uint32_t& h, uint32_t& m, uint32_t& s);
bool iso_week(const time_value& t, uint32_t& y, uint32_t& w, uint32_t& d);
uint32_t moon_phase(const time_value& t);

// "2005-01-20 12:00:00", "2005-020T12:00:00Z", "2005-W03-4", "20050120",
// "2005-01-20 12:00:00 +02:00", "epoch", "12:00" ... exactly what Pacemaker
// accepts (including its leniencies); nullopt where Pacemaker refuses.
std::optional<time_value> parse_date_time(std::string_view text, const parse_env& env = {});
// "P1Y2M3DT4H5M6S", "PT10S", "P2W" ... (Pacemaker's crm_time_parse_duration).
std::optional<time_value> parse_duration(std::string_view text);

// "start/end", "start/duration", "duration/end"; a lone duration starts now.
struct period {
    time_value start;
    time_value end;
};
std::optional<period> parse_period(std::string_view text, const parse_env& env = {});

// Milliseconds of a Pacemaker interval spec ("10", "10s", "500ms", "2min",
// "1h", "PT10S"), capped at UINT32_MAX; nullopt where Pacemaker warns "Using
// 0 instead". Empty text is 0 (an absent interval).
std::optional<uint32_t> parse_interval_ms(std::string_view text);

// Formatting like crm_time_as_string.
enum format_flag : unsigned {
    fmt_date = 0x001,
    fmt_time = 0x002,
    fmt_with_timezone = 0x004,  // keep local fields and print the offset
    fmt_duration = 0x008,
    fmt_ordinal = 0x010,
    fmt_weeks = 0x020,
    fmt_seconds = 0x100,  // seconds since 0001-01-01
    fmt_epoch = 0x200,
};
std::string format(const time_value& t, unsigned flags = fmt_date | fmt_time);

}  // namespace holdfast::policy::iso8601
