// scsi_pr: the persistent-reservation library and the SharedDisk agent
// against a real tgtd on loopback. Skips (exit 77) without root or tgtd.
#define BOOST_TEST_MODULE scsi_pr
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>
#include <iostream>

#include "test/scsi/tgtd_target.hpp"

int main(int argc, char** argv) {
    if (const auto why = holdfast::test::tgtd_target::unavailable_reason(); !why.empty()) {
        std::cout << "skipped: " << why << "\n";
        return 77;
    }
    return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
