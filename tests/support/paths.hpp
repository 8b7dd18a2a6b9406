#pragma once

#include <string>

namespace opsbot::testing {

/// The source tree (for manifest/, fixtures) and the built `opsbot` binary (for CLI tests).
std::string source_dir();
std::string opsbot_binary();
/// The built child_probe (tests/standin/child_probe.cpp): reports the environment and descriptors it was given.
std::string child_probe_binary();

}  // namespace opsbot::testing
