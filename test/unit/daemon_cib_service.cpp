// daemon/: cib_service's saving: at once without a loop; on a loop, after
// the listeners and once per loop turn for every change applied in it; and
// whatever is due when the service goes away.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>

#include "cib/change.hpp"
#include "cib/store.hpp"
#include "daemon/cib_service.hpp"
#include "daemon/event_loop.hpp"
#include "test/unit/cib_test_util.hpp"

using namespace holdfast;
using namespace std::chrono_literals;
using holdfast::test::temp_dir;

namespace {

std::string property_change(const std::string& value) {
    return cib::serialize(cib::change::set_property("cluster-name", value));
}

// The version of the CIB saved in `dir` ("" when nothing readable is there).
std::string saved_version(const temp_dir& dir) {
    auto doc = cib::load(dir.str());
    return doc ? cib::version(*doc).to_string() : "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(without_a_loop_each_change_is_saved_before_the_listeners_hear) {
    temp_dir dir;
    daemon::cib_service svc(holdfast::test::load_ok(holdfast::test::two_node_cib()), dir.str());
    std::string saved_when_told;
    svc.add_listener([&](const cib::change*, const cib::applied*) { saved_when_told = saved_version(dir); });
    BOOST_TEST(svc.apply(property_change("a")));
    BOOST_TEST(saved_when_told == "0.8.0");
    BOOST_TEST(saved_version(dir) == "0.8.0");
}

BOOST_AUTO_TEST_CASE(on_a_loop_changes_of_one_turn_share_one_save_after_the_listeners) {
    temp_dir dir;
    auto loop = daemon::event_loop::create();
    BOOST_REQUIRE(loop);
    daemon::cib_service svc(holdfast::test::load_ok(holdfast::test::two_node_cib()), dir.str());
    svc.save_on(*loop);
    int told = 0;
    std::string saved_when_told;
    svc.add_listener([&](const cib::change*, const cib::applied*) {
        ++told;
        saved_when_told = saved_version(dir);
    });
    for (const char* v : {"a", "b", "c"}) BOOST_TEST(svc.apply(property_change(v)));
    BOOST_TEST(told == 3);
    BOOST_TEST(saved_when_told == "");  // nothing written yet: the listeners came first
    BOOST_TEST(saved_version(dir) == "");

    auto stop = daemon::timer::create(*loop, [&] { loop->exit(0); });
    BOOST_REQUIRE(stop);
    BOOST_REQUIRE(stop->arm(200ms));
    BOOST_TEST(loop->run() == 0);
    BOOST_TEST(saved_version(dir) == "0.10.0");  // the newest of the three
}

BOOST_AUTO_TEST_CASE(a_save_still_due_is_written_when_the_service_goes_away) {
    temp_dir dir;
    auto loop = daemon::event_loop::create();
    BOOST_REQUIRE(loop);
    {
        daemon::cib_service svc(holdfast::test::load_ok(holdfast::test::two_node_cib()), dir.str());
        svc.save_on(*loop);
        BOOST_TEST(svc.apply(property_change("a")));
        BOOST_TEST(saved_version(dir) == "");
    }
    BOOST_TEST(saved_version(dir) == "0.8.0");
}

namespace {

std::string attribute(const std::string& id, const std::string& name) {
    return cib::serialize(
        cib::change::set_node_attribute(id, "node" + id, name, "1", cib::attribute_lifetime::transient));
}

}  // namespace

// After a merge this node may install the other partition's copy, whose view
// of this node is stale. What it announces of itself must still be what its
// own partition applied, also after changes applied between the install and
// the announcement (changes held during the round and replayed), or the
// merged CIB forgets what runs here and the scheduler starts it elsewhere.
BOOST_AUTO_TEST_CASE(own_state_after_an_install_is_the_replaced_copy_with_later_changes) {
    temp_dir dir;
    daemon::cib_service svc(holdfast::test::load_ok(holdfast::test::two_node_cib()), dir.str());
    svc.set_local_node("1", "node1");
    const membership::cpg_member me{1, 100, membership::cpg_reason::undefined};
    svc.merge_own_state(me, svc.own_state());   // no longer freshly started
    const std::string theirs = svc.snapshot();  // the other partition: without what follows
    BOOST_TEST(svc.apply(attribute("1", "ran-here")));
    BOOST_TEST_REQUIRE(svc.install(theirs));
    BOOST_TEST(svc.apply(attribute("2", "replayed")));  // a status change after the install
    BOOST_TEST(svc.apply(attribute("1", "held")));      // one about us
    const std::string mine = svc.own_state();
    BOOST_TEST(mine.find("ran-here") != std::string::npos);
    BOOST_TEST(mine.find("held") != std::string::npos);
    BOOST_TEST(mine.find("replayed") == std::string::npos);  // node 2's, not ours
    svc.merge_own_state(me, mine);
    BOOST_TEST(svc.snapshot().find("ran-here") != std::string::npos);  // the cluster's copy has it again
    BOOST_TEST(svc.own_state().find("ran-here") != std::string::npos);
}
