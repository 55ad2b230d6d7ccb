#pragma once
// The VirtualMachine agent's test fixture: a private OCF_ROOT holding the
// built agent (VM_AGENT_BIN), a test-driver node file with domains in every
// state, and calls through ra::run as the executor makes them.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "ra/executor.hpp"

namespace holdfast::test {

namespace fs = std::filesystem;
namespace ra = holdfast::ra;

// Five domains in the states the agent must tell apart (runstate is the
// virDomainState number); vm-stubborn restarts on power off, so a graceful
// shutdown never finishes and stop has to destroy it.
inline constexpr const char* node_xml = R"(<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
<domain type='test'><name>vm-run</name><memory unit='MiB'>256</memory><vcpu>2</vcpu><os><type>hvm</type></os></domain>
<domain type='test'><name>vm-off</name><memory>131072</memory><vcpu>1</vcpu><os><type>hvm</type></os>
  <test:runstate>5</test:runstate></domain>
<domain type='test'><name>vm-crashed</name><memory>131072</memory><vcpu>1</vcpu><os><type>hvm</type></os>
  <test:runstate>6</test:runstate></domain>
<domain type='test'><name>vm-paused</name><memory>131072</memory><vcpu>1</vcpu><os><type>hvm</type></os>
  <test:runstate>3</test:runstate></domain>
<domain type='test'><name>vm-stubborn</name><memory>131072</memory><vcpu>1</vcpu><os><type>hvm</type></os>
  <on_poweroff>restart</on_poweroff></domain>
</node>
)";

inline constexpr const char* new_domain_xml = R"(<domain type='test'><name>vm-new</name>
<memory unit='GiB'>1</memory><vcpu>4</vcpu><os><type>hvm</type></os></domain>
)";

// A private OCF_ROOT holding the built agent, plus the files the tests use.
class vm_fixture {
public:
    vm_fixture() : dir_(fs::temp_directory_path() / ("holdfast-vm-" + std::to_string(getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "resource.d" / "holdfast");
        fs::create_directories(dir_ / "run");
        fs::create_symlink(VM_AGENT_BIN, dir_ / "resource.d" / "holdfast" / "VirtualMachine");
        std::ofstream(dir_ / "node.xml") << node_xml;
        std::ofstream(dir_ / "new.xml") << new_domain_xml;
        std::ofstream(dir_ / "not-a-domain.xml") << "<network><name>x</name></network>\n";
        const char* old = std::getenv("OCF_ROOT");
        if (old) old_root_ = old;
        setenv("OCF_ROOT", dir_.c_str(), 1);
    }
    ~vm_fixture() {
        if (old_root_.empty())
            unsetenv("OCF_ROOT");
        else
            setenv("OCF_ROOT", old_root_.c_str(), 1);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    vm_fixture(const vm_fixture&) = delete;
    vm_fixture& operator=(const vm_fixture&) = delete;

    // One agent call; hypervisor defaults to the node file.
    ra::op_result run(const std::string& action, std::map<std::string, std::string> params,
                      int64_t timeout_ms = 10000) const {
        params.try_emplace("hypervisor", "test://" + (dir_ / "node.xml").string());
        params["CRM_meta_timeout"] = std::to_string(timeout_ms);
        ra::operation op{"vm", "ocf", "holdfast", "VirtualMachine", action, 0, timeout_ms, std::move(params)};
        return ra::run(op);
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

private:
    fs::path dir_;
    std::string old_root_;
};

inline bool done(const ra::op_result& r) {
    return static_cast<int>(r.status) == static_cast<int>(ra::exec_status::done);
}

}  // namespace holdfast::test
