#include "daemon/event_loop.hpp"

#include <time.h>

#include <systemd/sd-event.h>

#include <cerrno>

namespace holdfast::daemon {

// One callback box per source; sd-event's userdata points here, so it lives on
// the heap and never moves while the source exists.
struct event_source::state {
    sd_event_source* src = nullptr;
    std::function<void(int, uint32_t)> on_io;
    std::function<void()> on_fire;
    std::function<void(int)> on_signal;
    ~state() {
        if (src) sd_event_source_disable_unref(src);
    }
};

event_source::event_source() = default;
event_source::~event_source() = default;
event_source::event_source(event_source&&) noexcept = default;
event_source& event_source::operator=(event_source&&) noexcept = default;
void event_source::reset() { state_.reset(); }

namespace {

// Each callback runs from a copy: it may destroy the source that owns the
// original (a closed connection removes its own fd source).
int io_cb(sd_event_source*, int fd, uint32_t revents, void* userdata) {
    auto fn = static_cast<event_source::state*>(userdata)->on_io;
    fn(fd, revents);
    return 0;
}

int fire_cb(sd_event_source*, void* userdata) {
    auto fn = static_cast<event_source::state*>(userdata)->on_fire;
    fn();
    return 0;
}

int time_cb(sd_event_source*, uint64_t, void* userdata) { return fire_cb(nullptr, userdata); }

int signal_cb(sd_event_source*, const signalfd_siginfo* si, void* userdata) {
    auto fn = static_cast<event_source::state*>(userdata)->on_signal;
    fn(static_cast<int>(si->ssi_signo));
    return 0;
}

}  // namespace

void event_loop::unref::operator()(sd_event* e) const { sd_event_unref(e); }

event_loop::~event_loop() = default;

expected<event_loop, int> event_loop::create() {
    sd_event* e = nullptr;
    if (int r = sd_event_new(&e); r < 0) return unexpected(r);
    return event_loop(e);
}

expected<event_source, int> event_loop::add_io(int fd, uint32_t events, std::function<void(int, uint32_t)> fn) {
    event_source s;
    s.state_ = std::make_unique<event_source::state>();
    s.state_->on_io = std::move(fn);
    if (int r = sd_event_add_io(loop_.get(), &s.state_->src, fd, events, io_cb, s.state_.get()); r < 0)
        return unexpected(r);
    return s;
}

expected<void, int> event_loop::set_io_events(event_source& s, uint32_t events) {
    if (!s.state_) return unexpected(-EINVAL);
    if (int r = sd_event_source_set_io_events(s.state_->src, events); r < 0) return unexpected(r);
    return {};
}

expected<event_source, int> event_loop::add_defer(std::function<void()> fn) {
    event_source s;
    s.state_ = std::make_unique<event_source::state>();
    s.state_->on_fire = std::move(fn);
    if (int r = sd_event_add_defer(loop_.get(), &s.state_->src, fire_cb, s.state_.get()); r < 0) return unexpected(r);
    sd_event_source_set_enabled(s.state_->src, SD_EVENT_ONESHOT);
    return s;
}

expected<event_source, int> event_loop::add_idle(std::function<void()> fn) {
    auto s = add_defer(std::move(fn));
    if (!s) return s;
    if (int r = sd_event_source_set_priority(s->state_->src, SD_EVENT_PRIORITY_IDLE); r < 0) return unexpected(r);
    return s;
}

expected<event_source, int> event_loop::add_signal(int signo, std::function<void(int)> fn) {
    event_source s;
    s.state_ = std::make_unique<event_source::state>();
    s.state_->on_signal = std::move(fn);
    if (int r = sd_event_add_signal(loop_.get(), &s.state_->src, signo, signal_cb, s.state_.get()); r < 0)
        return unexpected(r);
    return s;
}

int event_loop::run() { return sd_event_loop(loop_.get()); }

void event_loop::exit(int code) { sd_event_exit(loop_.get(), code); }

namespace {
constexpr uint64_t timer_accuracy_usec = 1;
}  // namespace

expected<timer, int> timer::create(event_loop& loop, std::function<void()> fn) {
    timer t;
    t.src_.state_ = std::make_unique<event_source::state>();
    t.src_.state_->on_fire = std::move(fn);
    // accuracy 1 us: 0 would mean sd-event's default of 250 ms, which lets it
    // batch wake-ups on a 250 ms grid (a 20 ms timer fired up to
    // 250 ms late); these timers are few and each marks a step of a recovery
    if (int r = sd_event_add_time(loop.raw(), &t.src_.state_->src, CLOCK_MONOTONIC, 0, timer_accuracy_usec, time_cb,
                                  t.src_.state_.get());
        r < 0)
        return unexpected(r);
    sd_event_source_set_enabled(t.src_.state_->src, SD_EVENT_OFF);
    return t;
}

expected<void, int> timer::arm(usec after) {
    sd_event_source* s = src_.state_->src;
    // from the clock now, not from the loop's cached time of this iteration
    // (sd_event_source_set_time_relative), which can be milliseconds old: a
    // start-delay must not fire early
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    const uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1'000'000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
    if (int r = sd_event_source_set_time(s, now + static_cast<uint64_t>(after.count())); r < 0) return unexpected(r);
    if (int r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT); r < 0) return unexpected(r);
    return {};
}

void timer::disarm() {
    if (src_.state_) sd_event_source_set_enabled(src_.state_->src, SD_EVENT_OFF);
}

bool timer::armed() const {
    int enabled = SD_EVENT_OFF;
    return src_.state_ && sd_event_source_get_enabled(src_.state_->src, &enabled) > 0 && enabled != SD_EVENT_OFF;
}

void idle_batch::poke() {
    if (due_) return;  // the run already due does this work too
    due_ = true;
    auto src = loop_.add_idle([this] { run_if_due(); });
    if (!src) return run_if_due();
    source_ = std::move(*src);
}

void idle_batch::run_if_due() {
    if (!due_) return;
    due_ = false;
    fn_();
}

expected<void, int> block_signals(std::initializer_list<int> signals) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : signals) sigaddset(&set, s);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return unexpected(-errno);
    return {};
}

}  // namespace holdfast::daemon
