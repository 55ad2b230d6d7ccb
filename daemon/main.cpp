// holdfastd: the Holdfast node daemon. See man/holdfastd.8 and daemon/README.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "daemon/event_loop.hpp"
#include "daemon/log.hpp"
#include "daemon/node_daemon.hpp"
#include "daemon/notify.hpp"
#include "daemon/options.hpp"

using namespace holdfast::daemon;

namespace {

// Detaches into the background. The parent stays until the child reports it
// serves (a byte on the pipe) or dies (EOF), so `holdfastd && holdfast status`
// works, and exits 0 or 1 accordingly. Returns the write end in the child.
int detach() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid > 0) {
        close(fds[1]);
        char ok = 0;
        ssize_t n = read(fds[0], &ok, 1);
        _exit(n == 1 ? 0 : 1);
    }
    close(fds[0]);
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    if (chdir("/") != 0) return -1;
    return fds[1];
}

}  // namespace

int main(int argc, char** argv) {
    auto opts = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (!opts) {
        std::fprintf(stderr, "holdfastd: %s\n%s", opts.error().c_str(), daemon_usage);
        return 2;
    }
    if (opts->help) {
        std::fputs(daemon_usage, stdout);
        return 0;
    }
    if (opts->version) {
        std::puts("holdfastd " HOLDFAST_VERSION);
        return 0;
    }
    umask(077);  // the CIB, blackbox dumps and IPC files are for root's eyes
    int ready_fd = -1;
    if (!opts->foreground && (ready_fd = detach()) < 0) {
        std::perror("holdfastd: cannot detach");
        return 1;
    }
    log_setup({.to_stderr = opts->foreground,
               .to_syslog = !opts->foreground,
               .debug = opts->debug,
               .blackbox_dir = opts->state_dir});
    install_crash_dump();
    // sd-event takes these from a signalfd; they must not reach default handlers
    if (auto b = block_signals({SIGTERM, SIGINT, SIGUSR1}); !b) {
        log_event(LOG_ERR, "daemon_start_failed", {{"reason", "cannot block signals"}});
        return 1;
    }
    auto daemon = node_daemon::start(*opts);
    if (!daemon) {
        log_event(LOG_ERR, "daemon_start_failed", {{"reason", daemon.error()}});
        log_teardown();
        return 1;
    }
    int rc = (*daemon)->run([ready_fd] {
        if (ready_fd >= 0) {
            char ok = 1;
            if (write(ready_fd, &ok, 1) != 1) log_event(LOG_WARNING, "detach_report_failed");
            close(ready_fd);
        }
    });
    daemon->reset();
    log_event(LOG_NOTICE, "daemon_exit", {{"code", std::to_string(rc)}});
    log_teardown();
    return rc;
}
