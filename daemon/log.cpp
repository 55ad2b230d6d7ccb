#include "daemon/log.hpp"

#include <qb/qblog.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cib/secrets.hpp"

namespace holdfast::daemon {
namespace {

std::string blackbox_dir;
std::atomic<int> dump_count{0};
char crash_path[4096];  // prepared ahead: a crash handler should not allocate

bool needs_quotes(std::string_view v) {
    if (v.empty()) return true;
    for (char c : v)
        if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
    return false;
}

void append_quoted(std::string& out, std::string_view v) {
    out += '"';
    for (char c : v) {
        if (c == '"' || c == '\\') out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    out += '"';
}

void crash_handler(int signo) {
    qb_log_blackbox_write_to_file(crash_path);
    signal(signo, SIG_DFL);
    raise(signo);
}

}  // namespace

// Secrets never reach a log (the blackbox included): a field named like one
// is masked whole, and any NAME=VALUE or <nvpair> with a secret name inside
// a value (an agent's exit reason quoting its command line, a CIB excerpt).
std::string format_event(std::string_view name, std::initializer_list<log_field> fields) {
    std::string out(name);
    for (const auto& [key, raw] : fields) {
        const std::string value = cib::is_secret_param(key) ? std::string(cib::masked_value) : cib::mask_secrets(raw);
        out += ' ';
        out += key;
        out += '=';
        if (needs_quotes(value))
            append_quoted(out, value);
        else
            out += value;
    }
    return out;
}

void log_event(int priority, std::string_view name, std::initializer_list<log_field> fields) {
    std::string line = format_event(name, fields);
    std::string fn(name);
    // the event name is the callsite's "function", so qb filters can pick events
    qb_log_from_external_source(fn.c_str(), "holdfastd", "%s", static_cast<uint8_t>(priority), 0, 0, line.c_str());
}

void log_setup(const log_options& o) {
    qb_log_init("holdfastd", LOG_DAEMON, LOG_INFO);
    const int level = o.debug ? LOG_DEBUG : LOG_INFO;
    qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, o.to_syslog ? QB_TRUE : QB_FALSE);
    if (o.to_syslog) qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", level);
    qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, o.to_stderr ? QB_TRUE : QB_FALSE);
    if (o.to_stderr) {
        qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", level);
        qb_log_format_set(QB_LOG_STDERR, "%T %N[%P] %p: %b");
    }
    blackbox_dir = o.blackbox_dir;
    std::snprintf(crash_path, sizeof crash_path, "%s/blackbox-%d-crash", o.blackbox_dir.c_str(),
                  static_cast<int>(getpid()));
    if (o.blackbox_bytes > 0) {
        qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_SIZE, static_cast<int32_t>(o.blackbox_bytes));
        qb_log_filter_ctl(QB_LOG_BLACKBOX, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", LOG_DEBUG);
        qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_TRUE);
    }
}

void log_teardown() { qb_log_fini(); }

expected<std::string, int> dump_blackbox() {
    std::string path = blackbox_dir + "/blackbox-" + std::to_string(getpid()) + "-" + std::to_string(++dump_count);
    ssize_t r = qb_log_blackbox_write_to_file(path.c_str());
    if (r < 0) return unexpected(static_cast<int>(r));
    chmod(path.c_str(), 0600);  // it may hold CIB content
    return path;
}

void install_crash_dump() {
    struct sigaction sa {};
    sa.sa_handler = crash_handler;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (int s : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) sigaction(s, &sa, nullptr);
}

}  // namespace holdfast::daemon
