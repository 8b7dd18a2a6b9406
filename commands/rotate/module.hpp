#pragma once

#include "commands/grammar/family.hpp"

namespace opsbot::commands {

/// `/rotate`: the runbook's rotation procedure of one secret — its slash command, how each subcommand is served, and its step kinds.
family_module rotate_module();

}  // namespace opsbot::commands
