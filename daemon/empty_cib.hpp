#pragma once
// The CIB a node starts with when it has none on disk: valid against
// pacemaker-3.9, nothing configured, epoch 0 (so any cluster copy wins).
namespace holdfast::daemon {

inline constexpr const char* empty_cib_xml =
    "<cib crm_feature_set=\"3.16.2\" validate-with=\"pacemaker-3.9\" epoch=\"0\" num_updates=\"0\" "
    "admin_epoch=\"0\">\n"
    "  <configuration>\n"
    "    <crm_config/>\n"
    "    <nodes/>\n"
    "    <resources/>\n"
    "    <constraints/>\n"
    "  </configuration>\n"
    "  <status/>\n"
    "</cib>\n";

}  // namespace holdfast::daemon
