#pragma once
// Shared by the policy unit tests: load an inline CIB (without the schema
// check), unpack it at a fixed time and, unless asked not to, schedule it.
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <string>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"

namespace holdfast::test {

struct scheduled_cib {
    cib::document doc;
    policy::working_set ws;
    policy::schedule_result result;

    explicit scheduled_cib(const std::string& text, bool schedule = true, std::time_t now = 5000) {
        cib::load_options o;
        o.validate = false;
        auto d = cib::load_string(text, o);
        BOOST_REQUIRE(d.has_value());
        doc = std::move(*d);
        ws = policy::unpack(doc.model(), now);
        if (!schedule) return;
        BOOST_REQUIRE(!policy::unsupported_feature(ws).has_value());
        result = policy::schedule(ws);
    }
};

}  // namespace holdfast::test
