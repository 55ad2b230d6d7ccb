#pragma once
// Thin, checked wrappers over the system calls holdfast-lab needs: file descriptors, small files,
// running helper programs (optionally inside a node's namespaces) and reading /proc.
// Everything here is synchronous and runs in the calling process; nothing keeps state except the
// interruption flag set by the signal handler.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tools/holdfast-lab/error.hpp"

namespace holdfast::lab {

// Owns one file descriptor.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
    unique_fd& operator=(unique_fd&& o) noexcept;
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd();

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release();

private:
    int fd_ = -1;
};

result<unique_fd> open_fd(const std::filesystem::path& p, int flags, mode_t mode = 0);
result<std::string> read_file(const std::filesystem::path& p);
// Writes through a temporary file and a rename, so a reader never sees half a file.
result<void> write_file(const std::filesystem::path& p, const std::string& text, mode_t mode = 0644);

// Set by SIGINT/SIGTERM/SIGHUP once catch_interrupts() has run; long waits give up when it is set.
bool interrupted();
void catch_interrupts();
// From here on SIGINT/SIGTERM/SIGHUP are ignored (also by helper commands): a teardown must finish.
void ignore_interrupts();
// Sleeps, but returns early (false) when interrupted.
bool sleep_for(std::chrono::milliseconds d);

// The namespaces of a running node, opened before forking so the child can enter them.
struct node_namespaces {
    unique_fd net, uts, mnt, pid;
};
result<node_namespaces> open_node_namespaces(pid_t pid1);

struct run_options {
    bool capture = true;                               // collect stdout and stderr (else inherit them)
    std::optional<std::chrono::milliseconds> timeout;  // kill the command after this long
    const node_namespaces* enter = nullptr;            // run inside these namespaces
};
struct run_output {
    int status = 0;    // exit code, or 128 + signal number
    std::string text;  // stdout and stderr, when captured
};
// Runs argv (searched in PATH) and waits for it; an error only when it could not be run or waited for.
result<run_output> run(const std::vector<std::string>& argv, const run_options& opt = {});
// Like run(), but a non-zero exit is an errc::command error carrying the output.
result<std::string> run_ok(const std::vector<std::string>& argv);

// Reaps every exited child (holdfast-lab is a child subreaper, so orphans land here).
void reap_children();

// What /proc says of one process; nullopt when it is gone or a zombie.
struct proc_info {
    unsigned long long start_time = 0;  // field 22 of /proc/PID/stat: tells PID reuse apart
    char state = '?';                   // R, S, D, T, t, ...
};
std::optional<proc_info> proc_stat(pid_t pid);
// The inode of /proc/PID/ns/KIND (net, pid, ...), or 0 when it cannot be read.
ino_t ns_inode(pid_t pid, const char* kind);
ino_t ns_inode(const std::filesystem::path& ns_file);
// Every live process whose namespace KIND has one of these inodes.
std::vector<pid_t> processes_in(const char* kind, const std::vector<ino_t>& inodes);

}  // namespace holdfast::lab
