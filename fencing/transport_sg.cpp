// The production path: SG_IO on a block or sg device through libsgutils2's
// pass-through layer (transport.hpp).
//
// The pass-through layer rather than sg_ll_persistent_reserve_in/out: it
// hands back the SCSI status and the whole sense buffer, so the answer is
// classified exactly as on the iSCSI path, and both paths send the same CDBs
// (scsi_cdb.hpp), which the unit tests check byte by byte.
#include <scsi/sg_lib.h>
#include <scsi/sg_pt.h>

#include <cerrno>
#include <cstring>

#include "fencing/transport.hpp"

namespace holdfast::fencing::detail {
namespace {

constexpr int command_timeout_s = 15;
constexpr int scsi_status_check_condition = 0x02;
constexpr int scsi_status_reservation_conflict = 0x18;

struct pt_deleter {
    void operator()(sg_pt_base* p) const { destruct_scsi_pt_obj(p); }
};

class sg_fd {
public:
    explicit sg_fd(int fd) : fd_(fd) {}
    sg_fd(const sg_fd&) = delete;
    sg_fd& operator=(const sg_fd&) = delete;
    ~sg_fd() {
        if (fd_ >= 0) scsi_pt_close_device(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

class sg_transport final : public transport {
public:
    sg_transport(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

    command_result execute(std::span<const uint8_t> c, std::span<const uint8_t> out, size_t in_len) override {
        command_result r;
        std::unique_ptr<sg_pt_base, pt_deleter> pt(construct_scsi_pt_obj());
        if (!pt) {
            r.message = "out of memory for a pass-through object";
            return r;
        }
        uint8_t sense[64] = {};
        r.data_in.resize(in_len);
        set_scsi_pt_cdb(pt.get(), c.data(), static_cast<int>(c.size()));
        set_scsi_pt_sense(pt.get(), sense, sizeof sense);
        if (!out.empty()) set_scsi_pt_data_out(pt.get(), out.data(), static_cast<int>(out.size()));
        if (in_len > 0) set_scsi_pt_data_in(pt.get(), r.data_in.data(), static_cast<int>(in_len));
        const int rc = do_scsi_pt(pt.get(), fd_.get(), command_timeout_s, 0);
        if (rc != 0) {
            r.message = path_ + ": SG_IO failed (" +
                        (rc < 0 ? std::string(std::strerror(-rc)) : "pass-through error " + std::to_string(rc)) + ")";
            return r;
        }
        classify(*pt, sense, r);
        return r;
    }

private:
    void classify(const sg_pt_base& pt, const uint8_t* sense, command_result& r) {
        const int resid = get_scsi_pt_resid(&pt);
        switch (get_scsi_pt_result_category(&pt)) {
            case SCSI_PT_RESULT_GOOD:
                r.st = command_result::status::good;
                if (resid > 0 && static_cast<size_t>(resid) <= r.data_in.size())
                    r.data_in.resize(r.data_in.size() - resid);
                return;
            case SCSI_PT_RESULT_SENSE:
            case SCSI_PT_RESULT_STATUS: {
                const int st = get_scsi_pt_status_response(&pt);
                if (st == scsi_status_reservation_conflict) {
                    r.st = command_result::status::reservation_conflict;
                } else if (st == scsi_status_check_condition) {
                    r.st = command_result::status::check_condition;
                    auto s = cdb::parse_sense(std::span<const uint8_t>(sense, get_scsi_pt_sense_len(&pt)));
                    if (s) r.sense = *s;
                } else {
                    r.st = command_result::status::other_status;
                    r.scsi_status = st;
                }
                return;
            }
            default: r.st = command_result::status::failed; r.message = path_ + ": transport or OS error on SG_IO";
        }
    }

    std::string path_;
    sg_fd fd_;
};

}  // namespace

pr_result<std::unique_ptr<transport>> open_sg(const std::string& path) {
    // Read-write: PERSISTENT RESERVE OUT is refused on a read-only fd.
    const int fd = scsi_pt_open_device(path.c_str(), false, 0);
    if (fd < 0)
        return unexpected(pr_error{pr_errc::transport_failure, "cannot open " + path + ": " + std::strerror(-fd)});
    return std::unique_ptr<transport>(std::make_unique<sg_transport>(path, fd));
}

}  // namespace holdfast::fencing::detail
