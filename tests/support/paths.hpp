#pragma once

#include <string>

namespace opsbot::testing {

/// The source tree (for manifest/, fixtures) and the built `opsbot` binary (for CLI tests).
std::string source_dir();
std::string opsbot_binary();

}  // namespace opsbot::testing
