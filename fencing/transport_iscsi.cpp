// The lab path: one libiscsi session per pr_device (transport.hpp).
//
// Automatic reconnection is off: a new session is a new I_T nexus, and
// targets such as tgtd tie registrations to it, so a silent reconnect would
// quietly drop this node's registration. A broken session is reported as
// transport_failure instead; the caller decides.
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "fencing/transport.hpp"

namespace holdfast::fencing::detail {
namespace {

constexpr int command_timeout_s = 15;

struct context_deleter {
    void operator()(iscsi_context* c) const {
        if (iscsi_is_logged_in(c)) iscsi_logout_sync(c);
        iscsi_destroy_context(c);
    }
};
struct url_deleter {
    void operator()(iscsi_url* u) const { iscsi_destroy_url(u); }
};
struct task_deleter {
    void operator()(scsi_task* t) const { scsi_free_scsi_task(t); }
};
using context_ptr = std::unique_ptr<iscsi_context, context_deleter>;
using task_ptr = std::unique_ptr<scsi_task, task_deleter>;

class iscsi_transport final : public transport {
public:
    iscsi_transport(context_ptr ctx, int lun) : ctx_(std::move(ctx)), lun_(lun) {}

    command_result execute(std::span<const uint8_t> c, std::span<const uint8_t> out, size_t in_len) override {
        command_result r;
        const int dir = !out.empty() ? SCSI_XFER_WRITE : in_len > 0 ? SCSI_XFER_READ : SCSI_XFER_NONE;
        const int xfer = static_cast<int>(!out.empty() ? out.size() : in_len);
        task_ptr task(scsi_create_task(static_cast<int>(c.size()), const_cast<uint8_t*>(c.data()), dir, xfer));
        if (!task) {
            r.message = "out of memory for a SCSI task";
            return r;
        }
        iscsi_data data{out.size(), const_cast<uint8_t*>(out.data())};
        // The sync call hands the task back (the same pointer) or NULL on failure.
        if (!iscsi_scsi_command_sync(ctx_.get(), lun_, task.get(), out.empty() ? nullptr : &data)) {
            r.message = iscsi_get_error(ctx_.get());
            return r;
        }
        classify(*task, r);
        return r;
    }

private:
    void classify(const scsi_task& t, command_result& r) {
        switch (t.status) {
            case SCSI_STATUS_GOOD:
                r.st = command_result::status::good;
                if (t.datain.size > 0) r.data_in.assign(t.datain.data, t.datain.data + t.datain.size);
                return;
            case SCSI_STATUS_CHECK_CONDITION:
                r.st = command_result::status::check_condition;
                r.sense =
                    cdb::sense{static_cast<uint8_t>(t.sense.key), static_cast<uint8_t>((t.sense.ascq >> 8) & 0xff),
                               static_cast<uint8_t>(t.sense.ascq & 0xff)};
                return;
            case SCSI_STATUS_RESERVATION_CONFLICT: r.st = command_result::status::reservation_conflict; return;
            case SCSI_STATUS_CANCELLED:
            case SCSI_STATUS_ERROR:
            case SCSI_STATUS_TIMEOUT:
                r.st = command_result::status::failed;
                r.message = iscsi_get_error(ctx_.get());
                return;
            default: r.st = command_result::status::other_status; r.scsi_status = t.status;
        }
    }

    context_ptr ctx_;
    int lun_;
};

}  // namespace

pr_result<std::unique_ptr<transport>> open_iscsi(const std::string& url, const std::string& initiator) {
    context_ptr ctx(iscsi_create_context(initiator.c_str()));
    if (!ctx) return unexpected(pr_error{pr_errc::transport_failure, "cannot create an iSCSI context"});
    std::unique_ptr<iscsi_url, url_deleter> u(iscsi_parse_full_url(ctx.get(), url.c_str()));
    if (!u)
        return unexpected(
            pr_error{pr_errc::invalid_argument, "'" + url + "' is not an iSCSI URL: " + iscsi_get_error(ctx.get())});
    iscsi_set_targetname(ctx.get(), u->target);
    iscsi_set_session_type(ctx.get(), ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(ctx.get(), ISCSI_HEADER_DIGEST_NONE_CRC32C);
    iscsi_set_noautoreconnect(ctx.get(), 1);
    iscsi_set_timeout(ctx.get(), command_timeout_s);
    if (iscsi_full_connect_sync(ctx.get(), u->portal, u->lun) != 0)
        return unexpected(pr_error{
            pr_errc::transport_failure,
            "iSCSI login to " + std::string(u->portal) + " " + u->target + " failed: " + iscsi_get_error(ctx.get())});
    return std::unique_ptr<transport>(std::make_unique<iscsi_transport>(std::move(ctx), u->lun));
}

}  // namespace holdfast::fencing::detail
