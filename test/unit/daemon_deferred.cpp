// daemon/: deferred replies (dispatch.hpp) through serve_request, and through
// a real ipc_server to real client processes: an answer given later reaches
// its client, one for a client that left goes nowhere, and a reply dropped
// uncalled still answers.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "daemon/client.hpp"
#include "daemon/dispatch.hpp"
#include "daemon/event_loop.hpp"
#include "daemon/ipc_server.hpp"

using namespace holdfast::daemon;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(deferred_handlers_run_after_the_permission_check) {
    std::vector<reply_fn> held;
    deferred_table later;
    later[request_type::cib_change] = [&](const request&, const peer&, reply_fn reply) { held.push_back(reply); };
    dispatch_table now;
    now[request_type::ping] = [](const request& r, const peer&) { return response{errc::ok, r.payload}; };
    std::vector<response> got;
    auto collect = [&](response r) { got.push_back(std::move(r)); };

    peer root{0, 0, 1, peer_class::root};
    peer refused{1000, 1000, 1, peer_class::refused};
    auto change = encode_request({request_type::cib_change, "<x/>"});
    serve_request(now, later, refused, as_bytes(change), collect);
    BOOST_TEST(held.empty());
    BOOST_REQUIRE(got.size() == 1u);
    BOOST_TEST(static_cast<int>(got[0].status) == static_cast<int>(errc::permission_denied));

    serve_request(now, later, root, as_bytes(change), collect);
    BOOST_TEST(held.size() == 1u);
    BOOST_TEST(got.size() == 1u);  // not answered yet
    held[0](response{errc::ok, "later"});
    BOOST_REQUIRE(got.size() == 2u);
    BOOST_TEST(got[1].payload == "later");

    auto ping = encode_request({request_type::ping, "now"});
    serve_request(now, later, root, as_bytes(ping), collect);
    BOOST_REQUIRE(got.size() == 3u);
    BOOST_TEST(got[2].payload == "now");
    auto shutdown = encode_request({request_type::shutdown, ""});
    serve_request(now, later, root, as_bytes(shutdown), collect);
    BOOST_REQUIRE(got.size() == 4u);
    BOOST_TEST(static_cast<int>(got[3].status) == static_cast<int>(errc::not_supported));
}

namespace {

// A client process: one cib_change with `payload`; exits 0 when the answer is
// ok with payload "done", 10 + errc when it is an error, 1 otherwise.
pid_t client_process(const std::string& ipc, const std::string& payload, std::chrono::milliseconds timeout) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    auto c = client::connect(ipc);
    if (!c) _exit(2);
    auto r = c->call({request_type::cib_change, payload}, timeout);
    if (!r) _exit(3);
    if (r->status != errc::ok) _exit(10 + static_cast<int>(r->status));
    _exit(r->payload == "done" ? 0 : 1);
}

// Reaps the child without blocking (the server needs the loop to run):
// true once it has exited, with its status.
bool reaped(pid_t pid, int& status) {
    if (status >= 0) return true;
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) != pid) return false;
    status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(deferred_replies_over_libqb_to_present_and_departed_clients) {
    if (geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: the IPC server admits only root without a haclient group");
        return;
    }
    auto loop = event_loop::create();
    BOOST_REQUIRE(loop);
    std::vector<std::pair<std::string, reply_fn>> held;
    deferred_table later;
    later[request_type::cib_change] = [&](const request& r, const peer&, reply_fn reply) {
        if (r.payload != "drop") held.emplace_back(r.payload, std::move(reply));
    };
    std::string ipc = "holdfast-unit-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}());
    auto server = ipc_server::start(*loop, ipc, std::nullopt, {}, std::move(later));
    BOOST_REQUIRE(server);

    // a client killed while its request is held, one that waits for its
    // answer, one whose request the handler drops unanswered
    pid_t leaver = client_process(ipc, "leave", 60s);
    pid_t waiter = client_process(ipc, "stay", 60s);
    pid_t dropped = client_process(ipc, "drop", 60s);
    BOOST_REQUIRE(leaver > 0);
    BOOST_REQUIRE(waiter > 0);
    BOOST_REQUIRE(dropped > 0);
    int leaver_status = -1, waiter_status = -1, dropped_status = -1;
    bool killed = false, answered = false;
    int ticks = 0;
    // checked every 10 ms; the tick limit only bounds a broken run
    std::optional<timer> poll;
    auto t = timer::create(*loop, [&] {
        bool leaver_done = reaped(leaver, leaver_status), dropped_done = reaped(dropped, dropped_status);
        if (reaped(waiter, waiter_status) || ++ticks > 6000) return loop->exit(0);
        bool leave_held = false;
        for (auto& h : held) leave_held |= h.first == "leave";
        if (leave_held && !killed) killed = kill(leaver, SIGKILL) == 0;
        // both held, the killed client's and the dropped one's connections gone: answer
        if (!answered && killed && leaver_done && dropped_done && held.size() == 2 && (*server)->connections() == 1) {
            for (auto& h : held) h.second(response{errc::ok, "done"});
            answered = true;
        }
        poll->arm(10ms);
    });
    BOOST_REQUIRE(t);
    poll = std::move(*t);
    poll->arm(10ms);
    BOOST_TEST(loop->run() == 0);
    BOOST_TEST(answered);
    BOOST_TEST(waiter_status == 0);
    BOOST_TEST(leaver_status == 128 + SIGKILL);
    BOOST_TEST(dropped_status == 10 + static_cast<int>(errc::internal));
}
