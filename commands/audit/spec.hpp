#pragma once

#include "commands/grammar/command_spec.hpp"

namespace opsbot::commands {

/// The grammar, help and manifest entry of `/audit`: the audit trail.
family_spec audit_family();

}  // namespace opsbot::commands
