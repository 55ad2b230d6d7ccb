// lab_pr_probe URL: the lab tests' independent view of a LUN's persistent reservations. It keeps one
// iSCSI session (its own initiator name, never registered, so it changes nothing) and answers each
// line read on stdin with one line on stdout:
//     keys=KEY,KEY,... holder=KEY|- type=TYPE|-      (keys sorted, "-" for none)
// or "error=MESSAGE" when the target did not answer. It exits at the end of stdin; it reads the state
// only when asked, so the caller knows the answer is newer than its question.
//
// lab_pr_probe URL --initiator IQN --register KEY: a node's own session instead (run inside the node):
// registers KEY on its own I_T nexus at start (REGISTER AND IGNORE EXISTING KEY) and also answers a
// line "write" with "write=ok" or "write=ERROR" (e.g. write=reservation_conflict) after writing one
// block at LBA 0 through that same session: what a fenced node's writes get.
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

std::string write_block(pr::pr_device& d) {
    auto len = d.block_length();
    if (!len) return std::string("write=") + pr::to_string(len.error().code);
    auto w = d.write(0, std::vector<uint8_t>(*len, 0x5a));
    return std::string("write=") + (w ? "ok" : pr::to_string(w.error().code));
}

}  // namespace

int main(int argc, char** argv) {
    std::string initiator = "iqn.2026-12.org.holdfast:lab-observer", key_text;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string opt = argv[i];
        if (opt == "--initiator") initiator = argv[i + 1];
        if (opt == "--register") key_text = argv[i + 1];
    }
    if (argc != 2 && argc != 6) {
        std::fprintf(stderr, "usage: lab_pr_probe iscsi://HOST:PORT/IQN/LUN [--initiator IQN --register KEY]\n");
        return 2;
    }
    auto d = pr::pr_device::open(argv[1], {initiator});
    if (!d) {
        std::printf("error=%s\n", d.error().message.c_str());
        return 1;
    }
    if (!key_text.empty()) {
        auto key = pr::parse_key(key_text);
        auto r = key ? d->register_ignore(*key) : pr::pr_result<void>(holdfast::unexpected(key.error()));
        std::printf("%s\n", r ? "registered" : ("error=" + r.error().message).c_str());
        std::fflush(stdout);
        if (!r) return 1;
    }
    for (std::string line; std::getline(std::cin, line);) {
        std::printf("%s\n", line == "write" ? write_block(*d).c_str() : describe(*d).c_str());
        std::fflush(stdout);
    }
    return 0;
}
