// The executor benchmark's Holdfast side (driven by test/bench/exec_bench.py).
//
// Runs OCF actions the way holdfastd's local_executor does, on the daemon's
// own event loop: ra::start() vforks and execs the agent, the loop watches its
// pidfd with a timeout timer armed, ra::finish() turns the exit into a result,
// and the result becomes the <lrm_rsc_op> history entry the node would
// multicast (make_op_update + lrm_resource_xml). local_executor itself is
// bound to the Corosync cluster object, so the bench repeats its run path
// with the same calls; what it leaves out is handing the entry to Corosync.
//
//   exec_bench oneshot N PROVIDER TYPE ACTION
//     N actions one after the other; before each, the same agent with the
//     same argv and environment by plain posix_spawn + waitpid (the
//     baseline the driver subtracts: the agent's own run time).
//     Prints {"baseline_ms": [...], "executor_ms": [...]}.
//   exec_bench recurring R INTERVAL_MS SECONDS PROVIDER TYPE
//     R resources, each with a recurring monitor at INTERVAL_MS; after 2 s of
//     warm-up, counts monitors completed and this process's own CPU
//     (RUSAGE_SELF: the agents' CPU is their own) over SECONDS.
//     Prints {"monitors": M, "cpu_ms": C, "seconds": S}.
// Not a test: nothing here judges a time.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/event_loop.hpp"
#include "daemon/op_update.hpp"
#include "ra/executor.hpp"
#include "ra/ocf.hpp"

namespace {

using namespace holdfast;
using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

policy::graph_action action_for(const std::string& rsc, const std::string& provider, const std::string& type,
                                const std::string& task, int64_t interval_ms) {
    policy::graph_action a;
    a.id = 1;
    a.task = task;
    a.operation_key = rsc + "_" + task + "_" + std::to_string(interval_ms);
    a.rsc_id = rsc;
    a.rsc_class = "ocf";
    a.rsc_provider = provider;
    a.rsc_type = type;
    a.node_uname = "bench";
    a.node_id = "1";
    a.interval_ms = interval_ms;
    a.attributes = {{"CRM_meta_timeout", "20000"}, {"CRM_meta_interval", std::to_string(interval_ms)}};
    return a;
}

ra::operation operation_of(const policy::graph_action& a) {
    ra::operation op;
    op.rsc_id = a.rsc_id;
    op.rclass = a.rsc_class;
    op.provider = a.rsc_provider;
    op.type = a.rsc_type;
    op.action = a.task;
    op.interval_ms = a.interval_ms;
    op.timeout_ms = 20000;
    op.params = a.attributes;
    return op;
}

// One agent run on the loop, from fork to its history entry.
class action_runner {
public:
    using done_fn = std::function<void(const ra::op_result&)>;
    explicit action_runner(daemon::event_loop& loop) : loop_(loop) {}

    bool launch(const policy::graph_action& a, done_fn done) {
        auto r = std::make_unique<run>();
        r->action = a;
        r->op = operation_of(a);
        r->done = std::move(done);
        auto child = ra::start(r->op);
        if (!child) return false;
        r->child.emplace(std::move(*child));
        const uint64_t serial = next_++;
        auto watch = loop_.add_io(r->child->pidfd(), EPOLLIN, [this, serial](int, uint32_t) { finished(serial); });
        auto t = daemon::timer::create(loop_, [this, serial] {
            if (auto it = runs_.find(serial); it != runs_.end()) it->second->child->kill_for_timeout();
        });
        if (!watch || !t) return false;
        r->watch = std::move(*watch);
        r->timeout = std::move(*t);
        (void)r->timeout->arm(std::chrono::milliseconds(r->op.timeout_ms));
        runs_.emplace(serial, std::move(r));
        return true;
    }
    size_t recorded_bytes() const { return recorded_bytes_; }

private:
    struct run {
        policy::graph_action action;
        ra::operation op;
        done_fn done;
        std::optional<ra::child_process> child;
        daemon::event_source watch;
        std::optional<daemon::timer> timeout;
    };

    void finished(uint64_t serial) {
        auto it = runs_.find(serial);
        if (it == runs_.end()) return;
        auto r = std::move(it->second);
        runs_.erase(it);
        r->watch.reset();
        auto exit = r->child->reap();
        const ra::op_result res = exit ? ra::finish(r->op, *exit) : ra::not_started(exit.error());
        r->done(res);
    }

public:
    // The history entry as the node would send it (its size kept, so the work is not optimised away).
    void record(const policy::graph_action& a, const ra::op_result& res) {
        const daemon::op_context c{1, "bench-dc", ++call_id_, static_cast<int64_t>(std::time(nullptr)), 0, 0, "3.16.2"};
        const daemon::op_update u = daemon::make_op_update(a, res, c);
        for (const auto& entry : u.entries) recorded_bytes_ += daemon::lrm_resource_xml(u, entry).size();
    }

private:
    daemon::event_loop& loop_;
    uint64_t next_ = 0;
    int call_id_ = 0;
    size_t recorded_bytes_ = 0;
    std::map<uint64_t, std::unique_ptr<run>> runs_;
};

// The agent's own run time: the same argv and environment, no executor.
double baseline_run(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    std::vector<char*> av, ev;
    for (const auto& s : argv) av.push_back(const_cast<char*>(s.c_str()));
    for (const auto& s : env) ev.push_back(const_cast<char*>(s.c_str()));
    av.push_back(nullptr);
    ev.push_back(nullptr);
    const auto t0 = clock_type::now();
    pid_t pid = -1;
    if (posix_spawn(&pid, av[0], nullptr, nullptr, av.data(), ev.data()) != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return ms_since(t0);
}

void print_list(const char* name, const std::vector<double>& v, bool last) {
    std::printf("\"%s\": [", name);
    for (size_t i = 0; i < v.size(); ++i) std::printf("%s%.4f", i ? ", " : "", v[i]);
    std::printf("]%s", last ? "" : ", ");
}

int oneshot(daemon::event_loop& loop, int n, const std::string& provider, const std::string& type,
            const std::string& task) {
    action_runner runner(loop);
    const auto proto = action_for("bench0", provider, type, task, 0);
    const ra::operation op = operation_of(proto);
    const std::vector<std::string> argv{ra::ocf_agent_path(provider, type), task};
    const auto env = ra::ocf_environment(op.rsc_id, provider, type, op.params);
    std::vector<double> base, exec;
    int failures = 0;
    clock_type::time_point t0;
    std::function<void()> next = [&] {
        if (static_cast<int>(exec.size()) == n) return loop.exit(0);
        base.push_back(baseline_run(argv, env));
        t0 = clock_type::now();
        const auto a = action_for("bench" + std::to_string(exec.size() % 10), provider, type, task, 0);
        const bool ok = runner.launch(a, [&, a](const ra::op_result& r) {
            runner.record(a, r);
            exec.push_back(ms_since(t0));
            failures += r.status != ra::exec_status::done;
            next();
        });
        if (!ok) loop.exit(1);
    };
    auto first = loop.add_defer(next);
    if (!first || loop.run() != 0) return 1;
    std::printf("{");
    print_list("baseline_ms", base, false);
    print_list("executor_ms", exec, false);
    std::printf("\"failures\": %d, \"recorded_bytes\": %zu}\n", failures, runner.recorded_bytes());
    return 0;
}

double cpu_ms_self() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
    return ms(ru.ru_utime) + ms(ru.ru_stime);
}

// As local_executor: every monitor result is compared with the last one and
// recorded only when it changed; the next run is armed when one finishes.
int recurring(daemon::event_loop& loop, int resources, int interval_ms, int seconds, const std::string& provider,
              const std::string& type) {
    struct monitor {
        policy::graph_action action;
        std::optional<daemon::timer> next;
        int last_rc = -1;
    };
    action_runner runner(loop);
    std::vector<monitor> monitors(resources);
    long completed = 0, failures = 0;
    std::function<void(int)> fire = [&](int i) {
        if (!runner.launch(monitors[i].action, [&, i](const ra::op_result& r) {
                ++completed;
                failures += r.status != ra::exec_status::done;
                if (r.rc != monitors[i].last_rc) runner.record(monitors[i].action, r);
                monitors[i].last_rc = r.rc;
                (void)monitors[i].next->arm(std::chrono::milliseconds(interval_ms));
            }))
            loop.exit(1);
    };
    for (int i = 0; i < resources; ++i) {
        monitors[i].action = action_for("rsc" + std::to_string(i), provider, type, "monitor", interval_ms);
        auto t = daemon::timer::create(loop, [&fire, i] { fire(i); });
        if (!t) return 1;
        monitors[i].next = std::move(*t);
        (void)monitors[i].next->arm(std::chrono::milliseconds(1));
    }
    long count0 = 0;
    double cpu0 = 0;
    clock_type::time_point t0;
    auto begin = daemon::timer::create(loop, [&] {
        count0 = completed;
        cpu0 = cpu_ms_self();
        t0 = clock_type::now();
    });
    auto end = daemon::timer::create(loop, [&] { loop.exit(0); });
    if (!begin || !end || !begin->arm(std::chrono::seconds(2)) || !end->arm(std::chrono::seconds(2 + seconds)))
        return 1;
    if (loop.run() != 0) return 1;
    const double cpu = cpu_ms_self() - cpu0;
    std::printf("{\"monitors\": %ld, \"cpu_ms\": %.1f, \"seconds\": %.3f, \"failures\": %ld}\n", completed - count0,
                cpu, ms_since(t0) / 1000.0, failures);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> a(argv + 1, argv + argc);
    auto loop = daemon::event_loop::create();
    if (!loop) {
        std::fprintf(stderr, "exec_bench: no event loop\n");
        return 1;
    }
    if (a.size() == 5 && a[0] == "oneshot") return oneshot(*loop, std::atoi(a[1].c_str()), a[2], a[3], a[4]);
    if (a.size() == 6 && a[0] == "recurring")
        return recurring(*loop, std::atoi(a[1].c_str()), std::atoi(a[2].c_str()), std::atoi(a[3].c_str()), a[4], a[5]);
    std::fprintf(stderr,
                 "usage: exec_bench oneshot N PROVIDER TYPE ACTION\n"
                 "       exec_bench recurring RESOURCES INTERVAL_MS SECONDS PROVIDER TYPE\n");
    return 2;
}
