#include "tests/support/paths.hpp"

namespace opsbot::testing {

std::string source_dir() { return OPSBOT_SOURCE_DIR; }
std::string opsbot_binary() { return OPSBOT_BINARY; }
std::string child_probe_binary() { return OPSBOT_CHILD_PROBE; }

}  // namespace opsbot::testing
