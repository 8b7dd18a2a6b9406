#pragma once

#include "commands/grammar/family.hpp"

namespace opsbot::commands {

/// `/incident`: the runbook's emergency procedures — its slash command, how each subcommand is served, and its step kinds.
family_module incident_module();

}  // namespace opsbot::commands
