// membership_replica: cib_replica against a real corosync, inside the private
// namespaces of corosync_node.hpp (root only; skips with 77 otherwise).
#define BOOST_TEST_MODULE membership_replica
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include "test/membership/corosync_node.hpp"

namespace {

int run_boost(int argc, char** argv) { return boost::unit_test::unit_test_main(&init_unit_test, argc, argv); }

}  // namespace

int main(int argc, char** argv) { return holdfast::test::with_isolated_corosync(&run_boost, argc, argv); }
