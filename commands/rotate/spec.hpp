#pragma once

#include "commands/grammar/command_spec.hpp"

namespace opsbot::commands {

/// The grammar, help and manifest entry of `/rotate`: the runbook's rotation procedure of one secret.
family_spec rotate_family();

}  // namespace opsbot::commands
