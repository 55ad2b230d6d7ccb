// policy/: the recheck time: when only the passing of time would change the
// schedule (a failure-timeout expiring), the result says when, so that the
// controller plans again then (Pacemaker's recheck-by).
#include <boost/test/unit_test.hpp>

#include <string>

#include "test/unit/policy_fixture.hpp"

namespace {

// d1 failed on node1 at 4990 (fail count 1, migration-threshold 1); its
// failure-timeout is `timeout` ("" for none).
std::string failed_cib(const std::string& timeout) {
    const std::string meta =
        timeout.empty() ? "" : "<nvpair id=\"d1-ft\" name=\"failure-timeout\" value=\"" + timeout + "\"/>";
    return R"(<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="o">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
        <meta_attributes id="d1-m"><nvpair id="d1-t" name="migration-threshold" value="1"/>)" +
           meta + R"(</meta_attributes>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1"><instance_attributes id="status-1">
        <nvpair id="s1" name="fail-count-d1#start_0" value="1"/>
        <nvpair id="s2" name="last-failure-d1#start_0" value="4990"/>
      </instance_attributes></transient_attributes>
    </node_state>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_unexpired_failure_timeout_asks_for_a_recheck_when_it_expires) {
    holdfast::test::scheduled_cib c(failed_cib("60s"), true, 5000);
    BOOST_TEST(c.result.recheck_by >= 5050);  // 4990 + 60: the failure counts until then
    BOOST_TEST(c.result.recheck_by <= 5051);
}

BOOST_AUTO_TEST_CASE(nothing_time_based_pending_asks_for_none) {
    holdfast::test::scheduled_cib expired(failed_cib("60s"), true, 6000);  // long expired
    BOOST_TEST(expired.result.recheck_by == 0);
    holdfast::test::scheduled_cib forever(failed_cib(""), true, 5000);  // no failure-timeout
    BOOST_TEST(forever.result.recheck_by == 0);
}
