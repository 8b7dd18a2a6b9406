#pragma once

#include "commands/grammar/family.hpp"

namespace opsbot::commands {

/// `/rollback`: promote the previous (or a named) production deployment — its slash command, how each subcommand is served, and its step kinds.
family_module rollback_module();

}  // namespace opsbot::commands
