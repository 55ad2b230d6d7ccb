// bench_cib_client: the cluster benchmark's long-lived CIB client for
// holdfastd (its twin for Pacemaker is pcmk_cib_client.c). One IPC
// connection for the whole run, so what is timed is the cluster's commit and
// not a program's start-up. Reads commands on stdin, answers one line each,
// times from CLOCK_MONOTONIC in seconds (the clock every lab node shares):
//   set NAME VALUE       -> done T0 T1 RC     one property change, waited for
//   burst NAME N         -> done T0 T1 FAILS  values 1..N, one after the other
//   wait NAME VALUE SECS -> seen Q0 Q1 | timeout   whole-CIB reads until one shows it
//   state NODE ATTR=VALUE SECS -> seen Q0 Q1 | timeout   the same, until NODE's
//                           node_state has that attribute (fence_bench.py)
//   quit
// Not a test and not part of Holdfast: a measuring instrument.
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "cib/change.hpp"
#include "daemon/client.hpp"

namespace {

using holdfast::daemon::client;
using holdfast::daemon::errc;
using holdfast::daemon::request;
using holdfast::daemon::request_type;

double now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

bool set_property(client& c, const std::string& name, const std::string& value) {
    auto r = c.call(
        request{request_type::cib_change, holdfast::cib::serialize(holdfast::cib::change::set_property(name, value))});
    return r && r->status == errc::ok;
}

// The nvpair's value in the CIB text (the benchmark names are plain words).
bool shows(const std::string& cib, const std::string& name, const std::string& value) {
    return cib.find("name=\"" + name + "\" value=\"" + value + "\"") != std::string::npos;
}

// NODE's <node_state> tag carries ATTR="VALUE" (attr_value is ATTR=VALUE).
bool node_state_shows(const std::string& cib, const std::string& node, const std::string& attr_value) {
    const auto eq = attr_value.find('=');
    if (eq == std::string::npos) return false;
    const std::string want = " " + attr_value.substr(0, eq) + "=\"" + attr_value.substr(eq + 1) + "\"";
    for (size_t at = cib.find("<node_state "); at != std::string::npos; at = cib.find("<node_state ", at + 1)) {
        const std::string tag = cib.substr(at, cib.find('>', at) - at);
        if (tag.find(" uname=\"" + node + "\"") != std::string::npos) return tag.find(want) != std::string::npos;
    }
    return false;
}

using predicate = bool (*)(const std::string&, const std::string&, const std::string&);

void wait_for(client& c, predicate shows, const std::string& name, const std::string& value, double seconds) {
    const double end = now() + seconds;
    for (;;) {
        const double q0 = now();
        auto r = c.call(request{request_type::cib_query, {}});
        const double q1 = now();
        if (r && r->status == errc::ok && shows(r->payload, name, value)) {
            std::printf("seen %.6f %.6f\n", q0, q1);
            return;
        }
        if (q1 > end) {
            std::printf("timeout\n");
            return;
        }
        usleep(200);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::string ipc = argc > 1 ? argv[1] : holdfast::daemon::default_ipc_name;
    auto c = client::connect(ipc, holdfast::daemon::small_ipc_buffer_bytes);
    if (!c) {
        std::fprintf(stderr, "bench_cib_client: cannot connect to %s: %s\n", ipc.c_str(),
                     holdfast::daemon::describe(c.error()));
        return 1;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd, name, value;
        in >> cmd >> name >> value;
        if (cmd == "set") {
            const double t0 = now();
            const bool ok = set_property(*c, name, value);
            std::printf("done %.6f %.6f %d\n", t0, now(), ok ? 0 : 1);
        } else if (cmd == "burst") {
            const double t0 = now();
            int failures = 0;
            for (int i = 1, n = std::stoi(value); i <= n; ++i) failures += !set_property(*c, name, std::to_string(i));
            std::printf("done %.6f %.6f %d\n", t0, now(), failures);
        } else if (cmd == "wait") {
            double seconds = 60;
            in >> seconds;
            wait_for(*c, shows, name, value, seconds);
        } else if (cmd == "state") {
            double seconds = 60;
            in >> seconds;
            wait_for(*c, node_state_shows, name, value, seconds);
        } else if (cmd == "quit") {
            break;
        }
    }
    return 0;
}
