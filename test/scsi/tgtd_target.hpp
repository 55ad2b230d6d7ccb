#pragma once
// A real tgtd iSCSI target for the reservation tests: one target with one LUN
// backed by a temporary file, listening on 127.0.0.1 at a free port, with its
// own control port (tgtadm -C) so it never touches another tgtd.
//
// Lifecycle: start() -> url() for as long as the object lives -> destructor
// (also on a failing test): delete the target, then SIGKILL tgtd by its PID
// (tgtd ignores SIGTERM), reap it, remove the backing file and its control
// sockets. tgtd also gets SIGKILL if the test process dies first
// (PR_SET_PDEATHSIG), so a crash leaves nothing behind.
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

namespace holdfast::test {

class tgtd_target {
public:
    // Why the tests cannot run here (not root, no tgtd), or empty.
    static std::string unavailable_reason();
    // nullopt (and the reason in *why) when tgtd did not come up.
    static std::unique_ptr<tgtd_target> start(std::string* why);

    tgtd_target() = default;  // inert: start() makes a running one
    tgtd_target(const tgtd_target&) = delete;
    tgtd_target& operator=(const tgtd_target&) = delete;
    ~tgtd_target();

    // iscsi://127.0.0.1:PORT/IQN/1
    std::string url() const;

private:
    bool tgtadm(const std::string& args) const;

    pid_t pid_ = -1;
    int control_ = 0;
    int port_ = 0;
    std::string iqn_;
    std::string backing_;
};

}  // namespace holdfast::test
