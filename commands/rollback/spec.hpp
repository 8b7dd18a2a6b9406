#pragma once

#include "commands/grammar/command_spec.hpp"

namespace opsbot::commands {

/// The grammar, help and manifest entry of `/rollback`: promote the previous (or a named) production deployment.
family_spec rollback_family();

}  // namespace opsbot::commands
