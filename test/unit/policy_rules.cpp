// Rule evaluation. Expected outcomes were confirmed against Pacemaker 2.1.5:
// attribute expressions and date expressions through crm_simulate (a
// location rule per case), date boundaries through crm_rule.
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/rules.hpp"

namespace hp = holdfast::policy;
namespace cib = holdfast::cib;
using kind = cib::expression::kind;

namespace {

constexpr std::time_t jan20_noon = 1106222400;  // 2005-01-20 12:00:00Z, a Thursday

cib::expression attr_expr(const std::string& attribute, const std::string& op, const std::string& value = "",
                          const std::string& type = "") {
    cib::expression e;
    e.what = kind::attribute;
    e.attribute = attribute;
    e.operation = op;
    e.value = value;
    e.type = type;
    return e;
}

cib::rule rule_of(std::vector<cib::expression> exprs, const std::string& boolean_op = "and") {
    cib::rule r;
    r.id = "r";
    r.boolean_op = boolean_op;
    r.expressions = std::move(exprs);
    return r;
}

// node attribute "a" (absent when node_value is nullopt) compared with value
bool compare(std::optional<std::string> node_value, const std::string& op, const std::string& value,
             const std::string& type = "") {
    hp::attr_map attrs;
    if (node_value) {
        attrs["a"] = *node_value;
    }
    hp::rule_context ctx;
    ctx.node_attrs = &attrs;
    return hp::evaluate_rule(rule_of({attr_expr("a", op, value, type)}), ctx);
}

cib::expression date_expr(const std::string& op, const std::string& start, const std::string& end = "") {
    cib::expression e;
    e.what = kind::date;
    e.operation = op;
    e.start = start;
    e.end = end;
    return e;
}

cib::expression date_spec(std::map<std::string, std::string> spec) {
    cib::expression e = date_expr("date_spec", "");
    e.date_spec = std::move(spec);
    return e;
}

std::time_t at(const std::string& text) {
    return static_cast<std::time_t>(hp::iso8601::to_epoch(*hp::iso8601::parse_date_time(text)));
}

bool holds_at(const cib::expression& e, const std::string& when) {
    hp::rule_context ctx;
    ctx.now = at(when);
    return hp::evaluate_expression(e, ctx);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_rules)

BOOST_AUTO_TEST_CASE(string_comparisons) {
    BOOST_TEST(compare("ABC", "eq", "abc"));  // case-insensitive
    BOOST_TEST(compare("x", "EQ", "X"));      // operations too
    BOOST_TEST(!compare("abc", "ne", "ABC"));
    BOOST_TEST(compare("10", "lt", "9", "string"));
    BOOST_TEST(compare("abc", "gt", "5"));  // not numbers: strings after all
    BOOST_TEST(compare("b", "gte", "a", "string"));
    BOOST_TEST(compare("a", "lte", "a", "string"));
}

BOOST_AUTO_TEST_CASE(default_type_depends_on_operation_and_dots) {
    BOOST_TEST(!compare("10", "lt", "9"));     // integer
    BOOST_TEST(compare("5.0", "lt", "  7"));   // number ('.' present, blanks fine)
    BOOST_TEST(compare("1.10", "lt", "1.9"));  // number: 1.1 < 1.9
    BOOST_TEST(!compare("0x10", "gte", "1"));  // integer 0 (junk after the 0)
    BOOST_TEST(!compare("5", "eq", "5.0"));    // eq defaults to string
}

BOOST_AUTO_TEST_CASE(integer_comparisons) {
    BOOST_TEST(compare("7abc", "eq", "7", "integer"));  // trailing junk tolerated
    BOOST_TEST(compare("+5", "eq", "5", "INTEGER"));
    BOOST_TEST(compare("5.9", "eq", "5", "integer"));
    // Overflow is a parse failure: compared as strings ("9..." > "5").
    BOOST_TEST(compare("99999999999999999999", "gt", "5", "integer"));
    BOOST_TEST(!compare("99999999999999999999", "lt", "5", "integer"));
    BOOST_TEST(compare("abc", "gt", "5", "integer"));
}

BOOST_AUTO_TEST_CASE(number_comparisons) {
    BOOST_TEST(compare("0x10", "gt", "15", "number"));  // strtod reads hex
    BOOST_TEST(compare("1e1", "eq", "10", "number"));
    BOOST_TEST(compare("nan", "eq", "nan", "number"));  // unordered compares equal
    // "-0" counts as an underflow, so the comparison is by string.
    BOOST_TEST(!compare("-0", "gt", "-1", "number"));
    BOOST_TEST(!compare("-0", "gt", "-1.0"));
    BOOST_TEST(!compare("1e400", "gt", "5", "number"));  // overflow: strings again
}

BOOST_AUTO_TEST_CASE(version_comparisons) {
    BOOST_TEST(compare("1.9", "lt", "1.10", "version"));
    BOOST_TEST(compare("1.2", "eq", "1.2.0", "version"));
    BOOST_TEST(compare("2.0.1", "gt", "2", "version"));
    BOOST_TEST(compare("1.10", "gte", "1.10", "version"));
    // Pacemaker would spin forever on these; they count as equal.
    BOOST_TEST(compare("abc", "eq", "ABD", "version"));
}

BOOST_AUTO_TEST_CASE(unknown_type_compares_equal) {
    BOOST_TEST(compare("1", "eq", "2", "foo"));
    BOOST_TEST(!compare("1", "lt", "2", "foo"));
    BOOST_TEST(compare("1", "lte", "2", "foo"));
}

BOOST_AUTO_TEST_CASE(missing_values) {
    BOOST_TEST(compare(std::nullopt, "ne", "abc"));
    BOOST_TEST(!compare(std::nullopt, "eq", "abc"));
    BOOST_TEST(!compare(std::nullopt, "lt", "abc"));
    BOOST_TEST(compare(std::nullopt, "not_defined", ""));
    BOOST_TEST(!compare(std::nullopt, "defined", ""));
    BOOST_TEST(compare("", "defined", ""));
    BOOST_TEST(!compare("5", "lt", ""));  // no value to order against
    BOOST_TEST(compare("5", "ne", ""));
    BOOST_TEST(!compare("5", "", "5"));     // no operation
    BOOST_TEST(!compare("5", "foo", "5"));  // unknown operation
}

BOOST_AUTO_TEST_CASE(attribute_expressions_need_a_node) {
    hp::rule_context ctx;  // no node attributes
    BOOST_TEST(!hp::evaluate_expression(attr_expr("a", "not_defined"), ctx));
    const hp::attr_map attrs{{"#uname", "node1"}, {"#kind", "remote"}};
    ctx.node_attrs = &attrs;
    BOOST_TEST(hp::evaluate_expression(attr_expr("#uname", "eq", "node1"), ctx));
    BOOST_TEST(hp::evaluate_expression(attr_expr("#kind", "ne", "cluster"), ctx));
    BOOST_TEST(!hp::evaluate_expression(attr_expr("", "not_defined"), ctx));
}

BOOST_AUTO_TEST_CASE(role_expressions) {
    hp::rule_context ctx;
    const auto holds = [&](const std::string& op, const std::string& value) {
        return hp::evaluate_expression(attr_expr("#role", op, value), ctx);
    };
    BOOST_TEST(!holds("eq", "Unknown"));  // Pacemaker 2.1.5 evaluates with an unknown role
    BOOST_TEST(!holds("ne", "Promoted"));
    ctx.rsc_role = hp::role::promoted;
    BOOST_TEST(holds("eq", "Master"));
    BOOST_TEST(holds("eq", "promoted"));
    BOOST_TEST(holds("defined", ""));
    BOOST_TEST(!holds("not_defined", ""));
    BOOST_TEST(holds("ne", "Unpromoted"));
    ctx.rsc_role = hp::role::started;
    BOOST_TEST(holds("eq", "Started"));
    BOOST_TEST(!holds("ne", "Promoted"));  // ne only for promotable roles
    BOOST_TEST(holds("not_defined", ""));
    BOOST_TEST(!holds("defined", ""));
}

BOOST_AUTO_TEST_CASE(value_source) {
    const hp::attr_map attrs{{"a", "node1-value"}, {"b", "meta-value"}};
    const hp::attr_map params{{"p", "node1-value"}};
    const hp::attr_map meta{{"m", "meta-value"}};
    hp::rule_context ctx;
    ctx.node_attrs = &attrs;
    cib::expression e = attr_expr("a", "eq", "p");
    e.value_source = "param";
    BOOST_TEST(!hp::evaluate_expression(e, ctx));  // without match data: literal "p"
    ctx.match = hp::rule_context::match_data{&params, &meta, nullptr};
    BOOST_TEST(hp::evaluate_expression(e, ctx));
    cib::expression m = attr_expr("b", "eq", "m");
    m.value_source = "META";
    BOOST_TEST(hp::evaluate_expression(m, ctx));
    e.value = "missing";  // no such parameter: compared with nothing
    BOOST_TEST(!hp::evaluate_expression(e, ctx));
    e.operation = "ne";
    BOOST_TEST(hp::evaluate_expression(e, ctx));
}

BOOST_AUTO_TEST_CASE(pattern_submatches_in_attribute_names) {
    const hp::attr_map attrs{{"db-ok", "yes"}};
    const std::vector<std::string> groups{"rsc-db", "db"};
    hp::rule_context ctx;
    ctx.node_attrs = &attrs;
    ctx.match = hp::rule_context::match_data{nullptr, nullptr, &groups};
    BOOST_TEST(hp::evaluate_expression(attr_expr("%1-ok", "eq", "yes"), ctx));
    BOOST_TEST(hp::expand_submatches("%0/%1/%2/%", groups) == "rsc-db/db//%");
}

BOOST_AUTO_TEST_CASE(op_expressions) {
    cib::expression e;
    e.what = kind::op;
    e.op_name = "monitor";
    e.op_interval = "10s";
    hp::rule_context ctx;
    BOOST_TEST(!hp::evaluate_expression(e, ctx));  // no operation in context
    ctx.op = hp::rule_context::operation{"monitor", 10000};
    BOOST_TEST(hp::evaluate_expression(e, ctx));
    e.op_interval = "PT10S";
    BOOST_TEST(hp::evaluate_expression(e, ctx));
    e.op_interval = "20";
    BOOST_TEST(!hp::evaluate_expression(e, ctx));
    e.op_interval = "";  // any interval
    BOOST_TEST(hp::evaluate_expression(e, ctx));
    e.op_interval = "bogus";
    BOOST_TEST(!hp::evaluate_expression(e, ctx));
    e.op_interval = "";
    e.op_name = "Monitor";  // names are case-sensitive
    BOOST_TEST(!hp::evaluate_expression(e, ctx));
}

BOOST_AUTO_TEST_CASE(rsc_expressions) {
    cib::expression e;
    e.what = kind::rsc;
    e.rsc_class = "ocf";
    e.rsc_provider = "heartbeat";
    e.rsc_type = "IPaddr2";
    hp::rule_context ctx;
    BOOST_TEST(!hp::evaluate_expression(e, ctx));  // no resource in context
    ctx.rsc = hp::rule_context::resource_agent{"ocf", "heartbeat", "IPaddr2"};
    BOOST_TEST(hp::evaluate_expression(e, ctx));
    e.rsc_type = "";
    BOOST_TEST(hp::evaluate_expression(e, ctx));
    e.rsc_provider = "";  // absent provider must match an absent provider
    BOOST_TEST(!hp::evaluate_expression(e, ctx));
    ctx.rsc = hp::rule_context::resource_agent{"ocf", "", "IPaddr2"};
    BOOST_TEST(hp::evaluate_expression(e, ctx));
    e.rsc_class = "";
    e.rsc_provider = "";
    ctx.rsc = hp::rule_context::resource_agent{"stonith", "", "fence_xvm"};
    BOOST_TEST(hp::evaluate_expression(e, ctx));
    e.rsc_class = "ocf";
    BOOST_TEST(!hp::evaluate_expression(e, ctx));
    ctx.rsc = hp::rule_context::resource_agent{};  // a group: no class at all
    BOOST_TEST(!hp::evaluate_expression(e, ctx));
}

BOOST_AUTO_TEST_CASE(boolean_ops_and_nesting) {
    const hp::attr_map attrs{{"a", "1"}};
    hp::rule_context ctx;
    ctx.node_attrs = &attrs;
    const cib::expression yes = attr_expr("a", "eq", "1");
    const cib::expression no = attr_expr("a", "eq", "2");
    BOOST_TEST(hp::evaluate_rule(rule_of({yes, yes}), ctx));
    BOOST_TEST(!hp::evaluate_rule(rule_of({yes, no}), ctx));
    BOOST_TEST(hp::evaluate_rule(rule_of({no, yes}, "or"), ctx));
    BOOST_TEST(hp::evaluate_rule(rule_of({no, yes}, "OR"), ctx));
    BOOST_TEST(!hp::evaluate_rule(rule_of({no, no}, "or"), ctx));
    BOOST_TEST(!hp::evaluate_rule(rule_of({yes, no}, "bogus"), ctx));  // anything else is "and"
    // Empty rules: "and" holds, "or" does not (confirmed with crm_simulate).
    BOOST_TEST(hp::evaluate_rule(rule_of({}), ctx));
    BOOST_TEST(!hp::evaluate_rule(rule_of({}, "or"), ctx));

    cib::expression nested;
    nested.what = kind::nested_rule;
    nested.nested = std::make_shared<cib::rule>(rule_of({no, yes}, "or"));
    BOOST_TEST(hp::evaluate_rule(rule_of({yes, nested}), ctx));
    nested.nested = std::make_shared<cib::rule>(rule_of({no, no}, "or"));
    BOOST_TEST(!hp::evaluate_rule(rule_of({yes, nested}), ctx));
    BOOST_TEST(hp::evaluate_rule(rule_of({nested, yes}, "or"), ctx));
}

BOOST_AUTO_TEST_CASE(rule_sets_hold_when_any_rule_does) {
    const hp::attr_map attrs{{"a", "1"}};
    hp::rule_context ctx;
    ctx.node_attrs = &attrs;
    const cib::rule yes = rule_of({attr_expr("a", "eq", "1")});
    const cib::rule no = rule_of({attr_expr("a", "eq", "2")});
    BOOST_TEST(hp::evaluate_rules({}, ctx));
    BOOST_TEST(hp::evaluate_rules({no, yes}, ctx));
    BOOST_TEST(!hp::evaluate_rules({no, no}, ctx));
}

// Boundaries as crm_rule reports them.
BOOST_AUTO_TEST_CASE(in_range_boundaries_are_inclusive) {
    const cib::expression e = date_expr("in_range", "2005-01-20 12:00:00", "2005-01-21 12:00:00");
    BOOST_TEST(!holds_at(e, "2005-01-20 11:59:59"));
    BOOST_TEST(holds_at(e, "2005-01-20 12:00:00"));
    BOOST_TEST(holds_at(e, "2005-01-21 12:00:00"));
    BOOST_TEST(!holds_at(e, "2005-01-21 12:00:01"));
    const cib::expression end_only = date_expr("", "", "2005-01-20");  // operation defaults to in_range
    BOOST_TEST(holds_at(end_only, "2005-01-20 00:00:00"));
    BOOST_TEST(!holds_at(end_only, "2005-01-20 00:00:01"));
    BOOST_TEST(!holds_at(date_expr("in_range", "", ""), "2005-01-20"));  // needs start or end
    BOOST_TEST(!holds_at(date_expr("in_range", "garbage", ""), "2005-01-20"));
}

BOOST_AUTO_TEST_CASE(gt_and_lt_are_strict) {
    const cib::expression gt = date_expr("gt", "2005-01-20 12:00:00");
    BOOST_TEST(!holds_at(gt, "2005-01-20 12:00:00"));
    BOOST_TEST(holds_at(gt, "2005-01-20 12:00:01"));
    const cib::expression lt = date_expr("lt", "", "2005-01-20 12:00:00");
    BOOST_TEST(holds_at(lt, "2005-01-20 11:59:59"));
    BOOST_TEST(!holds_at(lt, "2005-01-20 12:00:00"));
    BOOST_TEST(!holds_at(date_expr("gt", "", "2005-01-20"), "2006-01-01"));  // gt needs start
    BOOST_TEST(!holds_at(date_expr("bogus", "2005-01-20", ""), "2006-01-01"));
}

BOOST_AUTO_TEST_CASE(durations_across_month_and_year_ends) {
    cib::expression e = date_expr("in_range", "2004-01-31");
    e.duration = {{"months", "1"}};  // clamps to 2004-02-29 00:00:00
    BOOST_TEST(holds_at(e, "2004-02-29 00:00:00"));
    BOOST_TEST(!holds_at(e, "2004-02-29 23:59:59"));
    e = date_expr("in_range", "2004-02-29");
    e.duration = {{"years", "1"}};  // ordinal day 60 of 2005: March 1st
    BOOST_TEST(holds_at(e, "2005-03-01 00:00:00"));
    BOOST_TEST(!holds_at(e, "2005-03-01 00:00:01"));
    e = date_expr("in_range", "2004-12-31");
    e.duration = {{"years", "1"}};  // day 366 of 2005: covers all of 2005, not 2006
    BOOST_TEST(holds_at(e, "2005-12-31 23:59:59"));
    BOOST_TEST(!holds_at(e, "2006-01-01 00:00:00"));
    e = date_expr("in_range", "2005-01-31 23:00:00");
    e.duration = {{"hours", "2"}, {"minutes", "-30"}, {"seconds", "59"}, {"id", "ignored"}};
    BOOST_TEST(holds_at(e, "2005-02-01 00:30:59"));
    BOOST_TEST(!holds_at(e, "2005-02-01 00:31:00"));
    e = date_expr("in_range", "2005-01-20", "2005-01-21");
    e.duration = {{"days", "10"}};  // an end wins over a duration
    BOOST_TEST(!holds_at(e, "2005-01-25"));
}

BOOST_AUTO_TEST_CASE(date_spec_fields) {
    const cib::expression office = date_spec({{"years", "2005"}, {"weekdays", "1-5"}, {"hours", "9-16"}});
    BOOST_TEST(!holds_at(office, "2005-01-21 08:59:59"));  // Friday
    BOOST_TEST(holds_at(office, "2005-01-21 09:00:00"));
    BOOST_TEST(holds_at(office, "2005-01-21 16:59:59"));
    BOOST_TEST(!holds_at(office, "2005-01-21 17:00:00"));
    BOOST_TEST(!holds_at(office, "2005-01-22 10:00:00"));  // Saturday
    BOOST_TEST(!holds_at(office, "2006-01-20 10:00:00"));
    const cib::expression open = date_spec({{"years", "2005-"}, {"yeardays", "-31"}, {"weeks", "3"}});
    BOOST_TEST(holds_at(open, "2005-01-17"));
    BOOST_TEST(!holds_at(open, "2005-01-16"));  // ISO week 2
    BOOST_TEST(holds_at(open, "2005-01-23"));
    BOOST_TEST(!holds_at(open, "2005-01-24"));
    BOOST_TEST(!holds_at(open, "2004-01-14"));
    BOOST_TEST(holds_at(date_spec({{"weekyears", "2009"}, {"weeks", "53"}, {"weekdays", "7"}}), "2010-01-03"));
    BOOST_TEST(holds_at(date_spec({{"monthdays", "29"}, {"months", "2"}}), "2004-02-29 23:00:00"));
    BOOST_TEST(holds_at(date_spec({{"yeardays", "366"}}), "2004-12-31"));
    BOOST_TEST(holds_at(date_spec({{"minutes", "30"}, {"seconds", "0-9"}}), "2005-01-20 12:30:09"));
    BOOST_TEST(holds_at(date_spec({{"moon", "4"}}), "2005-01-25"));
    BOOST_TEST(!holds_at(date_spec({{"moon", "4"}}), "2005-01-20"));
    BOOST_TEST(!holds_at(date_spec({{"hours", "5-3"}}), "2005-01-20 04:00:00"));  // empty range
    // Unparsable fields are ignored; no fields at all always holds.
    BOOST_TEST(holds_at(date_spec({{"hours", "9-x"}, {"months", "1"}}), "2005-01-20 04:00:00"));
    BOOST_TEST(holds_at(date_spec({{"hours", "9 "}}), "2005-01-20 04:00:00"));
    BOOST_TEST(holds_at(date_spec({}), "2005-01-20"));
}

BOOST_AUTO_TEST_CASE(date_spec_in_local_time) {
    hp::rule_context ctx;
    ctx.now = jan20_noon;  // 12:00 UTC
    ctx.utc_offset = 5 * 3600 + 1800;
    BOOST_TEST(hp::evaluate_expression(date_spec({{"hours", "17"}, {"minutes", "30"}}), ctx));
    // A zone-less date-time is local too: 17:00 local is before 17:30 local.
    BOOST_TEST(hp::evaluate_expression(date_expr("gt", "2005-01-20 17:00:00"), ctx));
    BOOST_TEST(!hp::evaluate_expression(date_expr("gt", "2005-01-20 17:30:00"), ctx));
}

BOOST_AUTO_TEST_CASE(next_change) {
    std::optional<std::time_t> next;
    hp::rule_context ctx;
    ctx.now = jan20_noon;
    ctx.next_change = &next;
    // Before the range: it starts at start.
    BOOST_TEST(!hp::evaluate_expression(date_expr("in_range", "2005-01-21"), ctx));
    BOOST_TEST(next.value_or(0) == at("2005-01-21"));
    // Within: a second after end, if earlier.
    BOOST_TEST(hp::evaluate_expression(date_expr("in_range", "2005-01-01", "2005-01-20 18:00:00"), ctx));
    BOOST_TEST(next.value_or(0) == at("2005-01-20 18:00:01"));
    BOOST_TEST(hp::evaluate_expression(date_expr("lt", "", "2005-01-20 17:00:00"), ctx));
    BOOST_TEST(next.value_or(0) == at("2005-01-20 17:00:00"));
    BOOST_TEST(!hp::evaluate_expression(date_expr("gt", "2005-01-20 15:00:00"), ctx));
    BOOST_TEST(next.value_or(0) == at("2005-01-20 15:00:01"));
    // Later changes and settled outcomes leave it alone.
    BOOST_TEST(!hp::evaluate_expression(date_expr("in_range", "2006-01-01"), ctx));
    BOOST_TEST(!hp::evaluate_expression(date_expr("in_range", "2004-01-01", "2004-02-01"), ctx));
    BOOST_TEST(hp::evaluate_expression(date_spec({{"years", "2005"}}), ctx));
    BOOST_TEST(next.value_or(0) == at("2005-01-20 15:00:01"));
}

BOOST_AUTO_TEST_CASE(date_results) {
    hp::rule_context ctx;
    ctx.now = jan20_noon;
    BOOST_TEST(
        (hp::evaluate_date_expression(date_expr("in_range", "2006-01-01"), ctx) == hp::date_result::before_range));
    BOOST_TEST(
        (hp::evaluate_date_expression(date_expr("in_range", "", "2004-01-01"), ctx) == hp::date_result::after_range));
    BOOST_TEST((hp::evaluate_date_expression(date_spec({{"years", "2006"}}), ctx) == hp::date_result::before_range));
    BOOST_TEST((hp::evaluate_date_expression(date_expr("lt", ""), ctx) == hp::date_result::undetermined));
}

BOOST_AUTO_TEST_SUITE_END()
