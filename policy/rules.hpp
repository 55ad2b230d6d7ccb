#pragma once
// Rule and nvset evaluation with Pacemaker 2.1.5's semantics (lib/pengine/rules.c).
//
// Rules appear in location constraints, in instance/meta/utilization attribute
// sets, crm_config, rsc_defaults and op_defaults. Evaluation is pure: "now"
// and everything else comes in through rule_context; nothing reads the clock.
//
// Model convention: an empty string in cib::expression / cib::rule stands for
// an absent XML attribute (Pacemaker's NULL).
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cib/model.hpp"
#include "policy/iso8601.hpp"
#include "policy/working_set.hpp"

namespace holdfast::policy {

using attr_map = std::map<std::string, std::string>;

// What the node-health colours count as in a score (Pacemaker sets these
// from node-health-strategy once crm_config is unpacked; 0 before that).
struct health_scores {
    int red = 0;
    int yellow = 0;
    int green = 0;
};

struct rule_context {
    // Node attributes, including #uname #id #kind #cluster-name #site-name ...
    // (the caller fills those). Null: no node; attribute expressions then fail.
    const attr_map* node_attrs = nullptr;

    // For "#role" expressions (Pacemaker 2.1.5 always evaluates with unknown,
    // which makes every #role expression false).
    role rsc_role = role::unknown;

    std::time_t now = 0;
    // Seconds east of UTC of the local time "now" is seen in: date_spec fields
    // are local, and a date-time written without a zone is in this offset.
    // Pacemaker uses the host's zone (iso8601::host_utc_offset).
    int utc_offset = 0;

    // rsc_expression: the resource's agent; without one rsc_expressions fail.
    // Empty strings stand for absent attributes (a group has no class).
    struct resource_agent {
        std::string_view standard;
        std::string_view provider;
        std::string_view type;
    };
    std::optional<resource_agent> rsc;

    // op_expression: the operation; without one op_expressions fail.
    struct operation {
        std::string_view name;
        uint32_t interval_ms = 0;
    };
    std::optional<operation> op;

    // Location-constraint rules only (Pacemaker's match data): value-source
    // lookups and rsc-pattern submatches. Without it value-source is ignored
    // and values are literal.
    struct match_data {
        const attr_map* params = nullptr;  // value-source="param"
        const attr_map* meta = nullptr;    // value-source="meta"
        // rsc-pattern capture groups (POSIX extended regex, as regexec
        // reports them): [0] whole match, [1].. groups, an unmatched group as
        // "". "%N" in an attribute name (and score-attribute) is replaced by
        // entry N, dropped when N is out of range. Null: no pattern match
        // (plain rsc=, or an inverted "!pattern").
        const std::vector<std::string>* submatches = nullptr;
    };
    std::optional<match_data> match;

    // Optional output: lowered to the earliest time (epoch seconds) at which
    // an evaluated date expression will change its outcome. Pacemaker's
    // next_change; the caller turns it into a recheck time.
    std::optional<std::time_t>* next_change = nullptr;

    // Colours in nvset scores (see health_scores).
    health_scores colours;
};

// Pacemaker's char2score: "INFINITY"/"+INFINITY" -> 1000000, "-INFINITY" ->
// -1000000 (case-sensitive), otherwise a leading base-10 integer (blanks and
// trailing junk allowed) clamped to +/-1000000; no digits, empty or an
// integer overflowing 64 bits -> 0. "red"/"yellow"/"green" (any case) -> 0,
// or what `colours` says in the second form.
int char2score(std::string_view text);
int char2score(std::string_view text, const health_scores& colours);

// Pacemaker's text2role: case-insensitive Stopped Started Unpromoted Slave
// Promoted Master Unknown; anything else is role::unknown.
role text_to_role(std::string_view text);

// Whether a rule (and/or of its expressions) holds. A rule without
// expressions holds for boolean-op "and" and fails for "or". The rule's
// role= is not looked at here (see location_rule_role).
bool evaluate_rule(const cib::rule& rule, const rule_context& ctx);

// A set of rules as in an nvset (or a constraint's lifetime): true when there
// is none or when any one holds (evaluation stops at the first that does).
bool evaluate_rules(const std::vector<cib::rule>& rules, const rule_context& ctx);

// One expression of a rule (nested rules included).
bool evaluate_expression(const cib::expression& expr, const rule_context& ctx);

// A date_expression's finer outcome (what crm_rule reports).
enum class date_result { undetermined, before_range, within_range, after_range };
date_result evaluate_date_expression(const cib::expression& expr, const rule_context& ctx);

// A location rule's score on one node: score= as char2score; else
// score-attribute= names a node attribute ("%N" expanded with submatches)
// whose value is the score, -INFINITY when the node lacks it; else 0.
int rule_score(const cib::rule& rule, const attr_map& node_attrs, const std::vector<std::string>* submatches = nullptr,
               const health_scores& colours = {});

// A location rule's role filter as Pacemaker applies it: nullopt when role=
// is set but not a valid role (the rule is ignored); role::unknown when it
// applies to every role (no role, or Unpromoted); else the role.
std::optional<role> location_rule_role(const cib::rule& rule);

// "%0".."%9" in text replaced by the submatches (Pacemaker's
// pe_expand_re_matches); a reference past the end is dropped.
std::string expand_submatches(std::string_view text, const std::vector<std::string>& submatches);

// Unpack nvsets into out, Pacemaker's way: sets ordered by score (highest
// first; equal scores in *reverse* document order, as Pacemaker's prepend +
// stable sort leaves them; the set whose id equals always_first,
// case-insensitively, before all: "cib-bootstrap-options" for crm_config);
// a set applies when evaluate_rules() holds; a pair sets its name if unset
// (or always when overwrite); a value of "#default" (any case) removes the
// name instead.
void unpack_nvsets(const std::vector<cib::nvset>& sets, const rule_context& ctx, attr_map& out, bool overwrite = false,
                   std::string_view always_first = {});

}  // namespace holdfast::policy
