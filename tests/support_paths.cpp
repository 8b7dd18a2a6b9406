#include "tests/support/paths.hpp"

namespace opsbot::testing {

std::string source_dir() { return OPSBOT_SOURCE_DIR; }
std::string opsbot_binary() { return OPSBOT_BINARY; }

}  // namespace opsbot::testing
