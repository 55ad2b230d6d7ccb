#pragma once
// Entry points of the `holdfast` subcommands. Each takes the arguments after
// the subcommand name and returns the process exit status.
#include <string>
#include <vector>

namespace holdfast::tools {

using args = std::vector<std::string>;

int run_simulate(const args& a);  // tools/holdfast/simulate.cpp
int run_verify(const args& a);    // tools/holdfast/verify.cpp

}  // namespace holdfast::tools
