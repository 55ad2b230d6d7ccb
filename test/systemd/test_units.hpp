#pragma once
// The units the systemd class's tests boot their private systemd with. None
// has default dependencies, so the boot target pulls in nothing else.
#include <map>
#include <string>

namespace holdfast::test {

inline std::map<std::string, std::string> test_units() {
    const std::string head = "[Unit]\nDefaultDependencies=no\n";
    return {
        {"holdfast-test.target", head + "Description=Holdfast test target\n"},
        // Restart=always, so that the drop-in's Restart=no is visible
        {"hf-sleep.service", head + "Description=Holdfast test <sleeper> & co\n[Service]\nType=simple\n"
                                    "ExecStart=/bin/sleep infinity\nRestart=always\n"},
        // Its start job fails before the main process runs
        {"hf-fail.service", head + "Description=Holdfast failing unit\n[Service]\nType=simple\n"
                                   "ExecStartPre=/bin/false\nExecStart=/bin/sleep infinity\n"},
        // Its start job never ends
        {"hf-hang.service", head + "Description=Holdfast hanging unit\n[Service]\nType=oneshot\n"
                                   "ExecStart=/bin/sleep infinity\nTimeoutStartSec=infinity\n"},
    };
}

}  // namespace holdfast::test
