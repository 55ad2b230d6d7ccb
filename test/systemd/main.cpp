// The systemd resource class against a real systemd of the test's own (see
// private_systemd.hpp). Skips (exit 77) without root, the tools, cgroup2, or
// when that systemd cannot boot here, saying why.
#define BOOST_TEST_MODULE ra_systemd
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>
#include <iostream>

#include "test/systemd/private_systemd.hpp"
#include "test/systemd/test_units.hpp"

int main(int argc, char** argv) {
    if (const auto why = holdfast::test::private_systemd::unavailable_reason(); !why.empty()) {
        std::cout << "skipped: " << why << "\n";
        return 77;
    }
    {
        holdfast::test::private_systemd probe(holdfast::test::test_units());
        if (!probe.boot_error().empty()) {
            std::cout << "skipped: a private systemd cannot boot on this machine: " << probe.boot_error() << "\n";
            return 77;
        }
    }
    return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
