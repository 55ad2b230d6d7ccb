#pragma once
// The lab's orchestration verbs (demo, scenario, bench) are Python programs in
// tools/holdfast-lab/scenarios/: they drive this binary, the holdfast CLI and the instruments the
// build makes (probes, test agents), and read the lab tests' helpers in test/lab. This hands them
// the command line.
#include <string>

namespace holdfast::lab {

// True for a verb the Python driver runs.
bool is_driver_verb(const std::string& verb);

// Replaces this process with `python3 DRIVER ARGS...` (argv[1..] unchanged) and returns only on
// failure, with the exit status to use after printing why.
int exec_driver(int argc, char** argv);

}  // namespace holdfast::lab
