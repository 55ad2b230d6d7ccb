#pragma once
// holdfastd's single event loop: a thin RAII layer over libsystemd's sd-event.
// Everything in the daemon (IPC, later Corosync fds, timers, signals) runs as a
// callback on this loop, on the main thread; nothing here is thread-safe.
//
// Lifecycle: create() -> add sources -> run() until exit() -> destroy sources
// -> destroy the loop. A source is a move-only handle; destroying it removes
// the callback (it is safe to destroy a source from inside its own callback).
// Signals must be blocked (block_signals) before add_signal, as sd-event
// reads them from a signalfd.
#include <signal.h>
#include <sys/epoll.h>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "cib/expected.hpp"

struct sd_event;
struct sd_event_source;

namespace holdfast::daemon {

using usec = std::chrono::microseconds;

class event_source {
public:
    event_source();
    ~event_source();
    event_source(event_source&&) noexcept;
    event_source& operator=(event_source&&) noexcept;
    bool active() const { return static_cast<bool>(state_); }
    void reset();

    struct state;  // the sd_event_source and the callback its userdata points at

private:
    friend class event_loop;
    friend class timer;
    std::unique_ptr<state> state_;
};

class event_loop {
public:
    static expected<event_loop, int> create();  // error: -errno
    event_loop(event_loop&&) noexcept = default;
    event_loop& operator=(event_loop&&) noexcept = default;
    ~event_loop();

    // events/revents are EPOLLIN, EPOLLOUT, ... (the same bits as POLLIN, ...)
    expected<event_source, int> add_io(int fd, uint32_t events, std::function<void(int fd, uint32_t revents)> fn);
    expected<void, int> set_io_events(event_source& s, uint32_t events);
    // Runs fn once, on the next iteration (before polling again).
    expected<event_source, int> add_defer(std::function<void()> fn);
    // Runs fn once, when nothing else is pending: after the work already
    // waiting, so that what it gathers (changes to send, a CIB to save) is
    // gathered from all of it.
    expected<event_source, int> add_idle(std::function<void()> fn);
    expected<event_source, int> add_signal(int signo, std::function<void(int signo)> fn);

    int run();  // until exit(); returns exit()'s code, or -errno on failure
    void exit(int code);
    sd_event* raw() const { return loop_.get(); }

    struct unref {
        void operator()(sd_event* e) const;
    };

private:
    explicit event_loop(sd_event* e) : loop_(e) {}
    std::unique_ptr<sd_event, unref> loop_;
};

// A one-shot monotonic timer that can be re-armed: arm() (re)starts it.
class timer {
public:
    static expected<timer, int> create(event_loop& loop, std::function<void()> fn);
    expected<void, int> arm(usec after);
    void disarm();
    bool armed() const;

private:
    event_source src_;
};

// Gathers work for one idle moment: poke() whenever there is something to
// do; fn runs once, when the loop has nothing else pending, however often it
// was poked (the CIB saved once for the changes of a turn, the changes of a
// turn sent as one message). run_if_due() does it now (at shutdown). Pinned:
// the loop's source points at it.
class idle_batch {
public:
    idle_batch(event_loop& loop, std::function<void()> fn) : loop_(loop), fn_(std::move(fn)) {}
    idle_batch(const idle_batch&) = delete;
    idle_batch& operator=(const idle_batch&) = delete;
    void poke();  // when no idle source can be made, fn runs at once
    void run_if_due();
    bool due() const { return due_; }

private:
    event_loop& loop_;
    std::function<void()> fn_;
    event_source source_;
    bool due_ = false;
};

// Blocks these signals in the calling thread (sigprocmask), so the loop's
// signal sources receive them.
expected<void, int> block_signals(std::initializer_list<int> signals);

}  // namespace holdfast::daemon
