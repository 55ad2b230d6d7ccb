// Hands demo, scenario and bench to the Python driver (see driver.hpp).
#include "tools/holdfast-lab/driver.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace holdfast::lab {

bool is_driver_verb(const std::string& verb) { return verb == "demo" || verb == "scenario" || verb == "bench"; }

namespace {

namespace fs = std::filesystem;

// HOLDFAST_LAB_SCENARIOS overrides; else the source tree this binary was built from (the driver
// needs the tree's test helpers and agents, so it runs from a checkout, not from an install).
fs::path driver_dir() {
    if (const char* over = std::getenv("HOLDFAST_LAB_SCENARIOS"); over && *over) return over;
    return fs::path(HOLDFAST_SOURCE_DIR) / "tools" / "holdfast-lab" / "scenarios";
}

}  // namespace

int exec_driver(int argc, char** argv) {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) {
        std::fprintf(stderr, "holdfast-lab: cannot find this program's path: %s\n", ec.message().c_str());
        return 1;
    }
    const fs::path script = driver_dir() / "main.py";
    if (::access(script.c_str(), R_OK) != 0) {
        std::fprintf(stderr, "holdfast-lab: %s not found: demo, scenario and bench run from a source checkout\n",
                     script.c_str());
        return 1;
    }
    // The driver finds the build's binaries next to this one and the tree's helpers from here.
    ::setenv("HOLDFAST_LAB", self.c_str(), 1);
    ::setenv("HOLDFAST_BIN_DIR", self.parent_path().c_str(), 1);
    ::setenv("HOLDFAST_SOURCE_DIR", HOLDFAST_SOURCE_DIR, 1);
    ::setenv("PYTHONDONTWRITEBYTECODE", "1", 1);  // no __pycache__ in the source tree
    std::vector<char*> args{const_cast<char*>("python3"), const_cast<char*>(script.c_str())};
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    args.push_back(nullptr);
    ::execvp("python3", args.data());
    std::perror("holdfast-lab: python3");
    return 1;
}

}  // namespace holdfast::lab
