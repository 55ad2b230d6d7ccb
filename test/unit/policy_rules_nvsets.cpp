// Scores, role filters and nvset unpacking. Orderings and "#default" were
// confirmed with crm_simulate (meta_attributes setting target-role).
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

#include "policy/rules.hpp"

namespace hp = holdfast::policy;
namespace cib = holdfast::cib;

namespace {

cib::nvset set_of(const std::string& id, const std::string& score,
                  std::vector<std::pair<std::string, std::string>> pairs) {
    cib::nvset s;
    s.id = id;
    s.score = score;
    for (auto& [name, value] : pairs) {
        s.pairs.push_back(cib::nvpair{id + "-" + name, name, value});
    }
    return s;
}

cib::rule date_rule(const std::string& op, const std::string& start, const std::string& end = "") {
    cib::expression e;
    e.what = cib::expression::kind::date;
    e.operation = op;
    e.start = start;
    e.end = end;
    cib::rule r;
    r.id = "rule";
    r.expressions.push_back(e);
    return r;
}

hp::attr_map unpack(const std::vector<cib::nvset>& sets, bool overwrite = false, std::string_view always_first = {},
                    hp::attr_map out = {}) {
    hp::rule_context ctx;
    ctx.now = 1106222400;  // 2005-01-20 12:00:00Z
    hp::unpack_nvsets(sets, ctx, out, overwrite, always_first);
    return out;
}

cib::rule score_rule(const std::string& score, const std::string& score_attribute = "") {
    cib::rule r;
    r.score = score;
    r.score_attribute = score_attribute;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_rules_nvsets)

BOOST_AUTO_TEST_CASE(char2score_is_lenient) {
    BOOST_TEST(hp::char2score("INFINITY") == 1000000);
    BOOST_TEST(hp::char2score("+INFINITY") == 1000000);
    BOOST_TEST(hp::char2score("-INFINITY") == -1000000);
    BOOST_TEST(hp::char2score("infinity") == 0);  // case matters
    BOOST_TEST(hp::char2score("") == 0);
    BOOST_TEST(hp::char2score("abc") == 0);
    BOOST_TEST(hp::char2score("42") == 42);
    BOOST_TEST(hp::char2score(" -42xyz") == -42);
    BOOST_TEST(hp::char2score("+7") == 7);
    BOOST_TEST(hp::char2score("2000000") == 1000000);
    BOOST_TEST(hp::char2score("-2000000") == -1000000);
    BOOST_TEST(hp::char2score("99999999999999999999") == 0);  // overflow: not a number
    BOOST_TEST(hp::char2score("red") == 0);
    BOOST_TEST(hp::char2score("Yellow") == 0);
    BOOST_TEST(hp::char2score("green") == 0);
    const hp::health_scores migrate_on_red{-1000000, 0, 0};
    BOOST_TEST(hp::char2score("RED", migrate_on_red) == -1000000);
    BOOST_TEST(hp::char2score("yellow", hp::health_scores{0, -10, 5}) == -10);
    BOOST_TEST(hp::char2score("green", hp::health_scores{0, -10, 5}) == 5);
}

BOOST_AUTO_TEST_CASE(text_to_role) {
    BOOST_TEST((hp::text_to_role("Started") == hp::role::started));
    BOOST_TEST((hp::text_to_role("stopped") == hp::role::stopped));
    BOOST_TEST((hp::text_to_role("Slave") == hp::role::unpromoted));
    BOOST_TEST((hp::text_to_role("UNPROMOTED") == hp::role::unpromoted));
    BOOST_TEST((hp::text_to_role("Master") == hp::role::promoted));
    BOOST_TEST((hp::text_to_role("Promoted") == hp::role::promoted));
    BOOST_TEST((hp::text_to_role("bogus") == hp::role::unknown));
}

BOOST_AUTO_TEST_CASE(rule_scores) {
    const hp::attr_map attrs{{"weight", "250"}, {"big", "INFINITY"}, {"junk", "x"}, {"db-weight", "-30"}};
    BOOST_TEST(hp::rule_score(score_rule("100"), attrs) == 100);
    BOOST_TEST(hp::rule_score(score_rule("-INFINITY"), attrs) == -1000000);
    BOOST_TEST(hp::rule_score(score_rule("100", "weight"), attrs) == 100);  // score wins
    BOOST_TEST(hp::rule_score(score_rule("", "weight"), attrs) == 250);
    BOOST_TEST(hp::rule_score(score_rule("", "big"), attrs) == 1000000);
    BOOST_TEST(hp::rule_score(score_rule("", "junk"), attrs) == 0);
    BOOST_TEST(hp::rule_score(score_rule("", "missing"), attrs) == -1000000);
    BOOST_TEST(hp::rule_score(score_rule(""), attrs) == 0);
    const std::vector<std::string> groups{"db", "db"};
    BOOST_TEST(hp::rule_score(score_rule("", "%1-weight"), attrs, &groups) == -30);
    const hp::attr_map health{{"colour", "red"}};
    BOOST_TEST(hp::rule_score(score_rule("", "colour"), health) == 0);
    BOOST_TEST(hp::rule_score(score_rule("", "colour"), health, nullptr, {-1000000, 0, 0}) == -1000000);
}

BOOST_AUTO_TEST_CASE(location_rule_roles) {
    cib::rule r;
    BOOST_TEST((hp::location_rule_role(r) == hp::role::unknown));
    r.role = "Unpromoted";  // applies to every role
    BOOST_TEST((hp::location_rule_role(r) == hp::role::unknown));
    r.role = "Master";
    BOOST_TEST((hp::location_rule_role(r) == hp::role::promoted));
    r.role = "Started";
    BOOST_TEST((hp::location_rule_role(r) == hp::role::started));
    r.role = "Unknown";
    BOOST_TEST(!hp::location_rule_role(r).has_value());
    r.role = "bogus";
    BOOST_TEST(!hp::location_rule_role(r).has_value());
}

BOOST_AUTO_TEST_CASE(higher_scores_first_and_first_value_wins) {
    const hp::attr_map out = unpack({set_of("low", "5", {{"target-role", "Started"}, {"a", "low"}}),
                                     set_of("high", "10", {{"target-role", "Stopped"}})});
    BOOST_TEST(out.at("target-role") == "Stopped");
    BOOST_TEST(out.at("a") == "low");
    const hp::attr_map inf = unpack({set_of("x", "100", {{"k", "x"}}), set_of("y", "INFINITY", {{"k", "y"}}),
                                     set_of("z", "-INFINITY", {{"k", "z"}})});
    BOOST_TEST(inf.at("k") == "y");
}

BOOST_AUTO_TEST_CASE(equal_scores_go_in_reverse_document_order) {
    // Pacemaker 2.1.5 lets the *last* of equally scored sets win.
    const hp::attr_map out =
        unpack({set_of("m1", "", {{"target-role", "Stopped"}}), set_of("m2", "", {{"target-role", "Started"}}),
                set_of("m3", "0", {{"other", "3"}}), set_of("m4", "junk", {{"other", "4"}})});
    BOOST_TEST(out.at("target-role") == "Started");
    BOOST_TEST(out.at("other") == "4");
}

BOOST_AUTO_TEST_CASE(always_first_set) {
    const std::vector<cib::nvset> sets{set_of("cib-bootstrap-options", "", {{"stonith-enabled", "true"}}),
                                       set_of("extra", "", {{"stonith-enabled", "false"}}),
                                       set_of("high", "100", {{"stonith-enabled", "maybe"}})};
    BOOST_TEST(unpack(sets).at("stonith-enabled") == "maybe");
    BOOST_TEST(unpack(sets, false, "cib-bootstrap-options").at("stonith-enabled") == "true");
    BOOST_TEST(unpack(sets, false, "CIB-Bootstrap-Options").at("stonith-enabled") == "true");
}

BOOST_AUTO_TEST_CASE(default_value_removes) {
    // A lower-priority "#default" still removes what a higher one set.
    const hp::attr_map out = unpack({set_of("a1", "10", {{"target-role", "Stopped"}}),
                                     set_of("a2", "5", {{"target-role", "#DEFAULT"}, {"kept", "#default"}})});
    BOOST_TEST(out.count("target-role") == 0u);
    BOOST_TEST(out.count("kept") == 0u);
    const hp::attr_map pre = unpack({set_of("s", "", {{"x", "#default"}})}, false, {}, {{"x", "preset"}});
    BOOST_TEST(pre.count("x") == 0u);
}

BOOST_AUTO_TEST_CASE(existing_values_and_overwrite) {
    const std::vector<cib::nvset> sets{set_of("high", "10", {{"k", "high"}}), set_of("low", "1", {{"k", "low"}})};
    BOOST_TEST(unpack(sets, false, {}, {{"k", "preset"}}).at("k") == "preset");
    // With overwrite every applied set replaces: the last applied (lowest) wins.
    BOOST_TEST(unpack(sets, true, {}, {{"k", "preset"}}).at("k") == "low");
}

BOOST_AUTO_TEST_CASE(rules_gate_sets) {
    cib::nvset past = set_of("past", "10", {{"k", "past"}});
    past.rules.push_back(date_rule("lt", "", "2004-01-01"));
    cib::nvset now = set_of("now", "5", {{"k", "now"}});
    now.rules.push_back(date_rule("lt", "", "2004-01-01"));
    now.rules.push_back(date_rule("gt", "2004-01-01"));  // any rule may hold
    const cib::nvset plain = set_of("plain", "1", {{"k", "plain"}, {"p", "plain"}});
    const hp::attr_map out = unpack({past, now, plain});
    BOOST_TEST(out.at("k") == "now");
    BOOST_TEST(out.at("p") == "plain");
    cib::nvset empty_or = set_of("empty-or", "10", {{"k", "empty-or"}});
    cib::rule nothing;
    nothing.boolean_op = "or";
    empty_or.rules.push_back(nothing);  // an empty "or" rule never holds
    BOOST_TEST(unpack({empty_or, plain}).at("k") == "plain");
}

BOOST_AUTO_TEST_CASE(next_change_from_set_rules) {
    cib::nvset later = set_of("later", "10", {{"k", "later"}});
    later.rules.push_back(date_rule("gt", "2005-02-01"));
    std::optional<std::time_t> next;
    hp::rule_context ctx;
    ctx.now = 1106222400;
    ctx.next_change = &next;
    hp::attr_map out;
    hp::unpack_nvsets({later}, ctx, out);
    BOOST_TEST(out.empty());
    BOOST_TEST(next.value_or(0) == 1107216001);  // 2005-02-01 00:00:01
}

BOOST_AUTO_TEST_CASE(many_sets) {
    std::vector<cib::nvset> sets;
    for (int i = 0; i < 40; ++i) {
        sets.push_back(set_of("s" + std::to_string(i), std::to_string(i % 7), {{"k", std::to_string(i)}}));
    }
    // Highest score 6: sets 6, 13, 20, 27, 34; the last of them wins.
    BOOST_TEST(unpack(sets).at("k") == "34");
}

BOOST_AUTO_TEST_SUITE_END()
