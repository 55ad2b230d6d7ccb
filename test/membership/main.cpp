// membership_corosync: the membership wrappers against a real corosync. The
// Boost test runner starts only inside the private namespaces (see
// corosync_node.hpp), so the host never sees corosync or its files.
#define BOOST_TEST_MODULE membership_corosync
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include "test/membership/corosync_node.hpp"

namespace {

int run_boost(int argc, char** argv) { return boost::unit_test::unit_test_main(&init_unit_test, argc, argv); }

}  // namespace

int main(int argc, char** argv) { return holdfast::test::with_isolated_corosync(&run_boost, argc, argv); }
