#pragma once
// One SCSI command to one logical unit, and its outcome: the seam between the
// persistent-reservation logic (scsi_pr.cpp) and the two ways Holdfast reaches
// a LUN. Internal to fencing/.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fencing/scsi_cdb.hpp"
#include "fencing/scsi_pr.hpp"

namespace holdfast::fencing::detail {

struct command_result {
    enum class status { good, check_condition, reservation_conflict, other_status, failed };
    status st = status::failed;
    cdb::sense sense;     // with check_condition
    int scsi_status = 0;  // with other_status
    std::vector<uint8_t> data_in;
    std::string message;  // with failed: what the transport says
};

class transport {
public:
    virtual ~transport() = default;
    // data_out and data_in_len are exclusive (a CDB moves data one way).
    virtual command_result execute(std::span<const uint8_t> cdb, std::span<const uint8_t> data_out,
                                   size_t data_in_len) = 0;
};

// SG_IO through libsgutils2's pass-through on a block or sg device.
pr_result<std::unique_ptr<transport>> open_sg(const std::string& path);
// One iSCSI session through libiscsi to iscsi://HOST[:PORT]/IQN/LUN.
pr_result<std::unique_ptr<transport>> open_iscsi(const std::string& url, const std::string& initiator);

}  // namespace holdfast::fencing::detail
