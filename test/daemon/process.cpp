#include "test/daemon/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace holdfast::test {
namespace {

int decode_status(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
    for (const auto& kv : extra_env) putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
}

void become(credentials as) {
    if (setgroups(0, nullptr) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0) _exit(126);
}

std::optional<int> wait_pid(pid_t pid, std::chrono::seconds deadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        int st = 0;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) return decode_status(st);
        if (r < 0) return std::nullopt;
        if (std::chrono::steady_clock::now() > end) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

child child::spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                   const std::string& stderr_file, std::optional<credentials> as) {
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int fd = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) dup2(fd, STDERR_FILENO);
        if (as) become(*as);
        exec_child(argv, extra_env);
    }
    return child(pid);
}

child::~child() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

std::optional<int> child::wait(std::chrono::seconds deadline) {
    auto r = wait_pid(pid_, deadline);
    if (r) pid_ = -1;
    return r;
}

run_result run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
               std::optional<credentials> as) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    // stderr to an unlinked file, read once the child is done (no second pipe to juggle)
    std::unique_ptr<FILE, decltype(&fclose)> err(tmpfile(), fclose);
    if (!err) throw std::runtime_error("tmpfile failed");
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(fileno(err.get()), STDERR_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        if (as) become(*as);
        exec_child(argv, extra_env);
    }
    close(out[1]);
    child guard = child::adopt(pid);
    run_result r;
    char buf[65536];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
    close(out[0]);
    r.status = guard.wait(std::chrono::seconds(60)).value_or(-1);
    std::rewind(err.get());
    while ((n = static_cast<ssize_t>(std::fread(buf, 1, sizeof buf, err.get()))) > 0)
        r.err.append(buf, static_cast<size_t>(n));
    return r;
}

int run_as(credentials as, int (*fn)(const std::string&), const std::string& arg) {
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        become(as);
        _exit(fn(arg));
    }
    child guard = child::adopt(pid);
    return guard.wait(std::chrono::seconds(60)).value_or(-1);
}

notify_listener::notify_listener() {
    char dir[] = "/tmp/holdfast-notify-XXXXXX";
    if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp failed");
    path_ = std::string(dir) + "/notify";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path_.c_str(), sizeof sa.sun_path - 1);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
        throw std::runtime_error("cannot bind the notify socket");
}

notify_listener::~notify_listener() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
    rmdir(path_.substr(0, path_.rfind('/')).c_str());
}

bool notify_listener::wait_for(const std::string& line, std::chrono::seconds deadline) {
    auto has = [&] {
        for (const auto& m : seen_)
            if (("\n" + m + "\n").find("\n" + line + "\n") != std::string::npos) return true;
        return false;
    };
    auto end = std::chrono::steady_clock::now() + deadline;
    while (!has()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n > 0) seen_.emplace_back(buf, static_cast<size_t>(n));
    }
    return true;
}

}  // namespace holdfast::test
