#pragma once

#include <string>
#include <vector>

namespace opsbot::bot {

/// The `opsbot` command line (DESIGN.md "The command line"). Returns the process exit code.
int run_cli(const std::vector<std::string>& args);

}  // namespace opsbot::bot
