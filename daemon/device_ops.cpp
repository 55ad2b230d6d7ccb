// Fence devices as resources (see device_ops.hpp).
#include "daemon/device_ops.hpp"

#include "fencing/agent.hpp"
#include "ra/ocf.hpp"

namespace holdfast::daemon {

std::string device_check_action(const fencing::agent_metadata& md) {
    if (md.has_action("monitor")) return "monitor";
    if (md.has_action("list")) return "list";
    return "status";
}

ra::op_result run_device_check(const fencing::device& d, fencing::metadata_cache& cache, int timeout_ms) {
    auto not_installed = [](std::string why) {
        return ra::op_result{
            static_cast<int>(ra::ocf_rc::not_installed), ra::exec_status::not_installed, std::move(why), {}};
    };
    auto md = cache.get(d.agent);
    if (!md) return not_installed(md.error().message);
    auto out = fencing::run_action(d, *md, {device_check_action(*md), {}, 0, timeout_ms});
    if (!out) return not_installed(out.error().message);
    if (out->ok()) return {static_cast<int>(ra::ocf_rc::success), ra::exec_status::done, {}, {}};
    const bool timed_out = out->failure->code == fencing::errc::timed_out;
    return {static_cast<int>(ra::ocf_rc::error),
            timed_out ? ra::exec_status::timed_out : ra::exec_status::done,
            out->failure->message,
            {}};
}

}  // namespace holdfast::daemon
