#pragma once

#include "commands/grammar/command_spec.hpp"

namespace opsbot::commands {

/// The grammar, help and manifest entry of `/incident`: the runbook's emergency procedures.
family_spec incident_family();

}  // namespace opsbot::commands
