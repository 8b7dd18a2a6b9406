#pragma once

#include "commands/grammar/family.hpp"

namespace opsbot::commands {

/// `/audit`: the audit trail — its slash command, how each subcommand is served, and its step kinds.
family_module audit_module();

}  // namespace opsbot::commands
