#include "tools/holdfast-lab/boot_sequence.hpp"

namespace holdfast::lab {

std::vector<service> boot_sequence(const lab_layout&, int) {
    return {
        // -f: stay in the foreground, so the node's PID 1 is its parent and sees it exit.
        {"corosync", {"/usr/sbin/corosync", "-f"}},
    };
}

}  // namespace holdfast::lab
