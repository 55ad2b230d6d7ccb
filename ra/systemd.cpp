// systemd units as a resource class (see systemd.hpp).
#include "ra/systemd.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>

#include "ra/lsb.hpp"

#ifndef HOLDFAST_LIBEXEC_DIR
#define HOLDFAST_LIBEXEC_DIR "/usr/libexec/holdfast"
#endif

namespace holdfast::ra {

namespace {

bool has_unit_suffix(const std::string& type) {
    static const std::array<std::string, 5> suffixes{".service", ".socket", ".mount", ".timer", ".path"};
    const auto dot = type.rfind('.');
    if (dot == std::string::npos || dot == 0) return false;
    for (const auto& s : suffixes)
        if (type.compare(dot, std::string::npos, s) == 0) return true;
    return false;
}

}  // namespace

std::string systemd_unit_name(const std::string& type, bool template_instance) {
    if (type.empty()) return type;
    if (has_unit_suffix(type)) {
        const auto dot = type.rfind('.');
        if (template_instance && type[dot - 1] == '@') return type.substr(0, dot) + "holdfast" + type.substr(dot);
        return type;
    }
    if (template_instance && type.back() == '@') return type + "holdfast.service";
    return type + ".service";
}

bool systemd_action_supported(const std::string& action) {
    for (const char* a : {"start", "stop", "restart", "monitor", "status", "meta-data"})
        if (action == a) return true;
    return false;
}

std::string systemd_helper_path() {
    if (const char* env = std::getenv("HOLDFAST_SYSTEMD_OP"); env && *env) return env;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto beside = self.parent_path() / "holdfast-systemd-op";
        if (access(beside.c_str(), X_OK) == 0) return beside.string();
    }
    return std::string(HOLDFAST_LIBEXEC_DIR) + "/holdfast-systemd-op";
}

std::vector<std::string> systemd_helper_environment() {
    std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"};
    for (const char* name : {"HOLDFAST_SYSTEMD_BUS", "HOLDFAST_SYSTEMD_DROPIN_DIR"})
        if (const char* v = std::getenv(name); v && *v) env.push_back(std::string(name) + "=" + v);
    return env;
}

std::string service_class(const std::string& type) {
    return access(lsb_script_path(type).c_str(), X_OK) == 0 ? "lsb" : "systemd";
}

}  // namespace holdfast::ra
