#pragma once
// The SharedDisk OCF agent (ocf:holdfast:SharedDisk): a shared LUN guarded by
// a SCSI-3 persistent reservation, through fencing/scsi_pr. Each action is one
// short process that opens the LUN, acts and exits; see shared_disk.cpp for
// why that holds on targets (tgtd) that tie registrations to the session.
#include <cstdint>
#include <string>

#include "fencing/scsi_pr.hpp"

namespace holdfast::ra::shared_disk {

struct config {
    std::string device;     // block/sg device path or iscsi:// URL
    std::string node;       // this node's name (CRM_meta_on_node, else uname)
    std::string cluster;    // the cluster's name (parameter, else corosync.conf)
    std::string initiator;  // iSCSI initiator name for iscsi:// devices
    uint64_t key = 0;       // this node's reservation key
    fencing::pr_type type = fencing::pr_type::write_exclusive_registrants_only;
    bool preempt = false;  // start may take the LUN from another holder
    // fence_holdfast_scsi's records (fencing_state_dir parameter): where this
    // node was unfenced on the LUN, its key is the node's, not the disk's
    std::string fencing_state_dir = fencing::default_unfence_state_dir;
    std::string state_file;  // HA_RSCTMP/SharedDisk-<instance>.state: started here (unfenced LUNs)
};

// An OCF exit code and the reason printed as "ocf-exit-reason:".
struct outcome {
    int rc = 0;
    std::string reason;
};

// The configuration from the OCF_RESKEY_* environment, or why it is unusable.
holdfast::expected<config, outcome> load_config();

outcome start(const config& c);
outcome stop(const config& c);
outcome monitor(const config& c);
outcome validate(const config& c);
// The OCF 1.1 meta-data document.
const char* meta_data();

}  // namespace holdfast::ra::shared_disk
