#pragma once

#include <string>
#include <vector>

namespace opsbot::bot {

/// `opsbot demo`, handed in by main: the demo world (simulator, sandboxes) is not part of the bot library.
using demo_runner = int (*)(const std::vector<std::string>& args);

/// The `opsbot` command line (docs/design.md "The command line"). Returns the process exit code. Without `demo`,
/// `opsbot demo` says this build has none.
int run_cli(const std::vector<std::string>& args, demo_runner demo = nullptr);

}  // namespace opsbot::bot
