// ISO 8601 parsing, arithmetic and calendar fields. Expected values were
// obtained from Pacemaker 2.1.5's own `iso8601` tool (TZ=UTC unless noted).
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "policy/iso8601.hpp"

namespace iso = holdfast::policy::iso8601;

namespace {

int64_t epoch_of(const std::string& text, const iso::parse_env& env = {}) {
    const std::optional<iso::time_value> t = iso::parse_date_time(text, env);
    BOOST_TEST_REQUIRE(t.has_value(), "could not parse '" << text << "'");
    return iso::to_epoch(*t);
}

bool parses(const std::string& text) { return iso::parse_date_time(text).has_value(); }

iso::time_value date(const std::string& text) {
    const std::optional<iso::time_value> t = iso::parse_date_time(text);
    BOOST_TEST_REQUIRE(t.has_value(), "could not parse '" << text << "'");
    return *t;
}

std::string period_text(const std::string& text) {
    const std::optional<iso::period> p = iso::parse_period(text);
    if (!p) {
        return "invalid";
    }
    return iso::format(p->start) + " to " + iso::format(p->end);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_iso8601)

BOOST_AUTO_TEST_CASE(parses_the_forms_pacemaker_accepts) {
    BOOST_TEST(epoch_of("2005-001") == 1104537600);
    BOOST_TEST(epoch_of("2005-01-20 12:00:00") == 1106222400);
    BOOST_TEST(epoch_of("2005-01-20T12:00:00Z") == 1106222400);
    BOOST_TEST(epoch_of("2005-W03-4") == 1106179200);  // Thursday 2005-01-20
    BOOST_TEST(epoch_of("2009-W53-7") == 1262476800);  // 2010-01-03
    BOOST_TEST(epoch_of("2005-W00-1") == 1104105600);  // week 0 is accepted: 2004-12-27
    BOOST_TEST(epoch_of("20050120") == 1106179200);
    BOOST_TEST(epoch_of("epoch") == 0);
    BOOST_TEST(epoch_of("EPOCH") == 0);
    BOOST_TEST(epoch_of("2005-01-20 24:00:00") == 1106265600);  // next midnight
    BOOST_TEST(epoch_of("2005-01-20T1230") == 1106224200);
    BOOST_TEST(epoch_of("2005-01-20T123045") == 1106224245);
    BOOST_TEST(epoch_of("2004-366") == 1104451200);
}

BOOST_AUTO_TEST_CASE(keeps_pacemakers_leniencies) {
    BOOST_TEST(epoch_of("2005-03--5") == 1109116800);   // day -5 of March: Feb 23
    BOOST_TEST(epoch_of("2005-01-20X") == 1106179200);  // trailing junk ignored
    // The blank ends the date: "01" is read as 01:00 and "20" as a +20:00 zone.
    BOOST_TEST(epoch_of("2005- 01- 20") == 1106110800);
    BOOST_TEST(epoch_of("2005-01-20T") == 1106179200);              // empty time is midnight
    BOOST_TEST(epoch_of("2005-01-20 12:00:00 abc") == 1106222400);  // unknown zone: UTC
}

BOOST_AUTO_TEST_CASE(rejects_what_pacemaker_rejects) {
    for (const char* bad :
         {"", "abc", "2005", "2005-02-29", "2005-13-01", "2005-00-10", "2005-01-00", "2005-366", "2005-01-20 25:00:00",
          "2005-01-20 12:60:00", "2005-01-20 12:00:00 +25:00", "2005-W54-1", "2005-W03-8", "2005-W03-0"}) {
        BOOST_TEST(!parses(bad), "'" << bad << "' should not parse");
    }
}

BOOST_AUTO_TEST_CASE(zones) {
    BOOST_TEST(epoch_of("2005-01-20 12:00:00 +02:00") == 1106215200);
    BOOST_TEST(epoch_of("2005-01-20 12:00:00 -05:30") == 1106242200);
    BOOST_TEST(epoch_of("2005-01-20 12:00:00 0230") == 1106213400);
    // A zone needs a blank before it; otherwise the time is local.
    const iso::parse_env plus_one{0, 3600};
    BOOST_TEST(epoch_of("2005-01-20 12:00:00+02:00", plus_one) == 1106218800);
    BOOST_TEST(epoch_of("2005-01-20 12:00:00", plus_one) == 1106218800);
    BOOST_TEST(epoch_of("2005-01-20 12:00:00Z", plus_one) == 1106222400);
    BOOST_TEST(epoch_of("2005-01-20", plus_one) == 1106179200);            // a date alone is UTC
    BOOST_TEST(epoch_of("2005-01-20 12:00:00 ", plus_one) == 1106222400);  // trailing blank: UTC
    // Local fields are kept: formatting with the zone shows them.
    const iso::time_value t = *iso::parse_date_time("2005-01-20 12:00:00 -05:30");
    BOOST_TEST(iso::format(t, iso::fmt_date | iso::fmt_time | iso::fmt_with_timezone) == "2005-01-20 12:00:00 -05:30");
    BOOST_TEST(iso::format(t) == "2005-01-20 17:30:00Z");
}

BOOST_AUTO_TEST_CASE(zoneless_offset_quirk) {
    BOOST_TEST(iso::zoneless_offset(19800) == 19800);    // +05:30
    BOOST_TEST(iso::zoneless_offset(-18000) == -18000);  // -05:00
    BOOST_TEST(iso::zoneless_offset(-34200) == -30600);  // -09:30 becomes -08:30 (Marquesas)
    BOOST_TEST(iso::zoneless_offset(-1800) == -1800);
}

BOOST_AUTO_TEST_CASE(time_only_takes_the_date_from_now) {
    const iso::parse_env env{1106179205, 0};  // 2005-01-20 00:00:05
    BOOST_TEST(epoch_of("12:00:00", env) == 1106222400);
    BOOST_TEST(epoch_of("T12:30", env) == 1106224200);
    BOOST_TEST(epoch_of("T", env) == 1106179200);
}

BOOST_AUTO_TEST_CASE(epoch_round_trip) {
    for (const int64_t t :
         {int64_t{0}, int64_t{951782400}, int64_t{1106222400}, int64_t{4102444799}, int64_t{-86400}}) {
        BOOST_TEST(iso::to_epoch(iso::from_epoch(static_cast<std::time_t>(t))) == t);
        BOOST_TEST(iso::to_epoch(iso::from_epoch(static_cast<std::time_t>(t), 19800)) == t);
    }
    const iso::time_value v = iso::from_epoch(1106222400, 3600);  // 13:00 local
    BOOST_TEST(v.years == 2005);
    BOOST_TEST(v.days == 20);
    BOOST_TEST(v.seconds == 13 * 3600);
    BOOST_TEST(v.offset == 3600);
}

BOOST_AUTO_TEST_CASE(durations) {
    const auto d = iso::parse_duration("P1Y2M3W4DT5H6M7S");
    BOOST_TEST_REQUIRE(d.has_value());
    BOOST_TEST(d->years == 1);
    BOOST_TEST(d->months == 2);
    BOOST_TEST(d->days == 25);
    BOOST_TEST(d->seconds == 5 * 3600 + 6 * 60 + 7);
    BOOST_TEST(iso::parse_duration("PT1M")->seconds == 60);  // M after T is minutes
    BOOST_TEST(iso::parse_duration("P1M")->months == 1);
    BOOST_TEST(iso::parse_duration("P-1D")->days == -1);
    BOOST_TEST(iso::parse_duration("P.5S")->seconds == 0);  // fractions count as 0
    for (const char* bad : {"", "P", "PX", "P1", "PT1.5S", "1D", "P 1D"}) {
        BOOST_TEST(!iso::parse_duration(bad).has_value(), "'" << bad << "' should not parse");
    }
    BOOST_TEST(iso::format(*iso::parse_duration("P1D"), iso::fmt_duration) == " 1 day ");
    BOOST_TEST(iso::format(*iso::parse_duration("P1DT1S"), iso::fmt_duration) == " 1 day 1 second");
    BOOST_TEST(iso::format(*iso::parse_duration("PT3661S"), iso::fmt_duration) ==
               "3661 seconds (1 hour 1 minute 1 second)");
}

BOOST_AUTO_TEST_CASE(adding_durations_like_pacemaker) {
    BOOST_TEST(period_text("2004-02-29/P1Y") == "2004-02-29 00:00:00Z to 2005-03-01 00:00:00Z");
    BOOST_TEST(period_text("2005-01-31/P1M") == "2005-01-31 00:00:00Z to 2005-02-28 00:00:00Z");
    BOOST_TEST(period_text("2004-01-31/P1M") == "2004-01-31 00:00:00Z to 2004-02-29 00:00:00Z");
    BOOST_TEST(period_text("2004-12-31/P1Y") == "2004-12-31 00:00:00Z to 2005-12-31 00:00:00Z");
    BOOST_TEST(period_text("2005-12-31 23:00:00/PT2H") == "2005-12-31 23:00:00Z to 2006-01-01 01:00:00Z");
    BOOST_TEST(period_text("P1M/2005-03-31") == "2005-02-28 00:00:00Z to 2005-03-31 00:00:00Z");
    BOOST_TEST(period_text("2005-040/2005-043") == "2005-02-09 00:00:00Z to 2005-02-12 00:00:00Z");
    BOOST_TEST(period_text("P1D/P2D") == "invalid");
    BOOST_TEST(period_text("2005-01-01") == "invalid");
}

BOOST_AUTO_TEST_CASE(adding_years_keeps_the_ordinal_day) {
    iso::time_value t = date("2004-12-31");  // day 366
    iso::add_years(t, 1);
    BOOST_TEST(t.years == 2005);
    BOOST_TEST(t.days == 366);  // not normalised: after every instant of 2005...
    BOOST_TEST(iso::compare(t, date("2005-12-31 23:59:59")) > 0);
    BOOST_TEST(iso::compare(date("2006-01-01"), t) > 0);  // ...and before 2006 field-wise
    iso::time_value leap = date("2004-02-29");
    iso::add_years(leap, 1);
    BOOST_TEST(iso::format(leap) == "2005-03-01 00:00:00Z");
}

BOOST_AUTO_TEST_CASE(month_arithmetic) {
    iso::time_value t = date("2005-03-31");
    iso::add_months(t, -1);
    BOOST_TEST(iso::format(t, iso::fmt_date) == "2005-02-28");
    t = date("2005-01-15");
    iso::add_months(t, 25);
    BOOST_TEST(iso::format(t, iso::fmt_date) == "2007-02-15");
    iso::add_months(t, -26);
    BOOST_TEST(iso::format(t, iso::fmt_date) == "2004-12-15");
    t = date("2005-01-01");
    iso::add_days(t, 365 * 1000);
    BOOST_TEST(iso::format(t, iso::fmt_date) == "3004-05-04");
    iso::add_days(t, -365 * 1000);
    BOOST_TEST(iso::format(t, iso::fmt_date) == "2005-01-01");
    t = date("2005-01-01");
    iso::add_seconds(t, -1);
    BOOST_TEST(iso::format(t) == "2004-12-31 23:59:59Z");
}

BOOST_AUTO_TEST_CASE(calendar_fields) {
    iso::calendar_fields c = iso::calendar(date("2005-01-20 13:14:15"));
    BOOST_TEST(c.year == 2005u);
    BOOST_TEST(c.month == 1u);
    BOOST_TEST(c.monthday == 20u);
    BOOST_TEST(c.yearday == 20u);
    BOOST_TEST(c.hour == 13u);
    BOOST_TEST(c.minute == 14u);
    BOOST_TEST(c.second == 15u);
    BOOST_TEST(c.weekyear == 2005u);
    BOOST_TEST(c.week == 3u);
    BOOST_TEST(c.weekday == 4u);  // Thursday
    BOOST_TEST(c.moon == 3u);     // checked with a date_spec moon rule in Pacemaker

    c = iso::calendar(date("2008-12-29"));  // Monday of 2009-W01
    BOOST_TEST(c.weekyear == 2009u);
    BOOST_TEST(c.week == 1u);
    BOOST_TEST(c.weekday == 1u);
    c = iso::calendar(date("2010-01-03"));  // Sunday of 2009-W53
    BOOST_TEST(c.weekyear == 2009u);
    BOOST_TEST(c.week == 53u);
    BOOST_TEST(c.weekday == 7u);
    c = iso::calendar(date("2004-12-31"));
    BOOST_TEST(c.yearday == 366u);
    BOOST_TEST(c.week == 53u);
    BOOST_TEST(c.weekday == 5u);
    BOOST_TEST(iso::calendar(date("2005-01-25")).moon == 4u);  // full
    BOOST_TEST(iso::calendar(date("2005-02-09")).moon == 0u);  // new
}

BOOST_AUTO_TEST_CASE(calendar_helpers) {
    BOOST_TEST(iso::leap_year(2004));
    BOOST_TEST(!iso::leap_year(1900));
    BOOST_TEST(iso::leap_year(2000));
    BOOST_TEST(iso::days_in_month(2, 2100) == 28);
    BOOST_TEST(iso::days_in_month(13, 2005) == 0);
    BOOST_TEST(iso::weeks_in_year(2004) == 53);
    BOOST_TEST(iso::weeks_in_year(2005) == 52);
    BOOST_TEST(iso::weeks_in_year(2009) == 53);
    BOOST_TEST(iso::january1_weekday(2005) == 6);  // Saturday
}

BOOST_AUTO_TEST_CASE(formatting) {
    const iso::time_value t = date("2005-01-20 12:00:00");
    BOOST_TEST(iso::format(t) == "2005-01-20 12:00:00Z");
    BOOST_TEST(iso::format(t, iso::fmt_date | iso::fmt_ordinal) == "2005-020");
    BOOST_TEST(iso::format(t, iso::fmt_date | iso::fmt_weeks) == "2005-W03-4");
    BOOST_TEST(iso::format(t, iso::fmt_epoch) == "1106222400");
    BOOST_TEST(iso::format(t, iso::fmt_seconds) == "63241819200");
    BOOST_TEST(iso::format(t, iso::fmt_time) == "12:00:00Z");
    BOOST_TEST(iso::format(iso::time_value{}) == "<undefined time>");
}

BOOST_AUTO_TEST_CASE(interval_specs) {
    BOOST_TEST(*iso::parse_interval_ms("") == 0u);
    BOOST_TEST(*iso::parse_interval_ms("10") == 10000u);
    BOOST_TEST(*iso::parse_interval_ms("10s") == 10000u);
    BOOST_TEST(*iso::parse_interval_ms(" 10 s") == 10000u);
    BOOST_TEST(*iso::parse_interval_ms("500ms") == 500u);
    BOOST_TEST(*iso::parse_interval_ms("2min") == 120000u);
    BOOST_TEST(*iso::parse_interval_ms("1h") == 3600000u);
    BOOST_TEST(*iso::parse_interval_ms("1.5s") == 1000u);  // the fraction is cut
    BOOST_TEST(*iso::parse_interval_ms("PT10S") == 10000u);
    BOOST_TEST(*iso::parse_interval_ms("PT1M") == 60000u);
    // Pacemaker 2.1.5 counts a duration's days from 1: "P1D" is 0, "P2D" one day.
    BOOST_TEST(*iso::parse_interval_ms("P1D") == 0u);
    BOOST_TEST(*iso::parse_interval_ms("P2D") == 86400000u);
    BOOST_TEST(*iso::parse_interval_ms("99999999999") == UINT32_MAX);
    for (const char* bad : {"abc", "-5", "5 days", "Pfoo", ".s"}) {
        BOOST_TEST(!iso::parse_interval_ms(bad).has_value(), "'" << bad << "' should be invalid");
    }
}

BOOST_AUTO_TEST_SUITE_END()
