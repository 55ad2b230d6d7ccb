// holdfast-lab status: what each node says of itself, asked from inside the node.
#include <cstdio>
#include <sstream>

#include "tools/holdfast-lab/bmc.hpp"
#include "tools/holdfast-lab/lab.hpp"
#include "tools/holdfast-lab/network.hpp"
#include "tools/holdfast-lab/node.hpp"
#include "tools/holdfast-lab/sys.hpp"

namespace holdfast::lab {

namespace {

using namespace std::chrono_literals;

// Reads `corosync-quorumtool -s -p`: the "Quorate:" line and the node ids listed after the
// "Nodeid" heading of the membership table.
void parse_quorumtool(const std::string& text, node_view& v) {
    std::istringstream in(text);
    std::string line;
    bool in_members = false;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string first;
        if (!(words >> first)) continue;
        if (first == "Quorate:") {
            std::string value;
            words >> value;
            v.quorate = value == "Yes";
        } else if (first == "Nodeid") {
            in_members = true;
        } else if (in_members) {
            try {
                v.members.push_back(std::stoi(first));
            } catch (...) {
                in_members = false;
            }
        }
    }
}

std::string members_text(const std::vector<int>& members) {
    std::string s;
    for (int m : members) s += (s.empty() ? "" : ",") + std::to_string(m);
    return s.empty() ? "-" : s;
}

}  // namespace

node_view query_node(const lab_layout& l, int node) {
    node_view v;
    auto cable = cable_up(l, node);
    if (cable) v.cable_up = *cable;
    auto r = running_node(l, node);
    if (!r) return v;
    v.running = true;
    v.pid = r->pid;
    v.frozen = node_frozen(*r);
    if (v.frozen) return v;  // a frozen node answers nothing
    auto ns = open_node_namespaces(r->pid);
    if (!ns) return v;
    run_options opt;
    opt.enter = &*ns;
    opt.timeout = 5s;  // corosync itself may be stopped
    auto out = run({"corosync-quorumtool", "-s", "-p"}, opt);
    // Exit 0: quorate, 2: not quorate; anything else: corosync did not answer.
    if (out && (out->status == 0 || out->status == 2)) parse_quorumtool(out->text, v);
    if (!v.quorate) v.members.clear();
    return v;
}

result<void> print_status(const lab_layout& l) {
    auto cfg = load_config(l);
    if (!cfg) return holdfast::unexpected(cfg.error());
    std::printf("lab id=%s dir=%s nodes=%d token=%d", l.id().c_str(), l.dir().c_str(), cfg->nodes, cfg->token_ms);
    if (cfg->lun) {
        std::printf(" lun=%s", l.lun_url().c_str());
        for (int n = 2; n <= lab_layout::lun_count; ++n) std::printf(" lun%d=%s", n, l.lun_url(n).c_str());
        std::printf(" lun_state=%s", lun_state(l).c_str());
    }
    std::printf("\n");
    for (int i = 1; i <= cfg->nodes; ++i) {
        auto v = query_node(l, i);
        const char* cable = !v.cable_up ? "missing" : *v.cable_up ? "up" : "cut";
        const char* quorate = !v.quorate ? "unknown" : *v.quorate ? "yes" : "no";
        auto pid = v.running ? std::to_string(v.pid) : std::string("-");
        std::printf("%s state=%s pid=%s cable=%s frozen=%s quorate=%s members=%s", lab_layout::node_name(i).c_str(),
                    v.running ? "running" : "dead", pid.c_str(), cable, v.frozen ? "yes" : "no",
                    v.running ? quorate : "-", members_text(v.members).c_str());
        if (cfg->bmc) std::printf(" bmc=%s:623 bmc_power=%s", l.bmc_address(i).c_str(), bmc_state(l, i).c_str());
        std::printf("\n");
    }
    return {};
}

}  // namespace holdfast::lab
