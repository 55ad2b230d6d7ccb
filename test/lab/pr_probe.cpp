// lab_pr_probe URL: the lab tests' independent view of a LUN's persistent reservations. It keeps one
// iSCSI session (its own initiator name, never registered, so it changes nothing) and answers each
// line read on stdin with one line on stdout:
//     keys=KEY,KEY,... holder=KEY|- type=TYPE|-      (keys sorted, "-" for none)
// or "error=MESSAGE" when the target did not answer. It exits at the end of stdin; it reads the state
// only when asked, so the caller knows the answer is newer than its question.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include "fencing/scsi_pr.hpp"

namespace pr = holdfast::fencing;

namespace {

std::string describe(pr::pr_device& d) {
    auto keys = d.read_keys();
    if (!keys) return "error=" + keys.error().message;
    auto r = d.read_reservation();
    if (!r) return "error=" + r.error().message;
    auto k = keys->keys;
    std::sort(k.begin(), k.end());
    k.erase(std::unique(k.begin(), k.end()), k.end());
    std::string out = "keys=";
    for (size_t i = 0; i < k.size(); ++i) out += (i ? "," : "") + pr::key_to_string(k[i]);
    if (k.empty()) out += "-";
    out += " holder=" + (r->held ? pr::key_to_string(r->key) : std::string("-"));
    out += " type=" + (r->held ? std::string(pr::to_string(r->type)) : std::string("-"));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: lab_pr_probe iscsi://HOST:PORT/IQN/LUN\n");
        return 2;
    }
    auto d = pr::pr_device::open(argv[1], {"iqn.2026-12.org.holdfast:lab-observer"});
    if (!d) {
        std::printf("error=%s\n", d.error().message.c_str());
        return 1;
    }
    for (std::string line; std::getline(std::cin, line);) {
        std::printf("%s\n", describe(*d).c_str());
        std::fflush(stdout);
    }
    return 0;
}
