#pragma once

#include "commands/plan/step_kind.hpp"

#include <vector>

namespace opsbot::commands {

/// The step kinds of `/rotate` (and of `/incident secret-leaked`): secret.generate, secret.stage,
/// secret.reencrypt, secret.write_railway, secret.write_vercel, secret.verify, secret.revoke, secret.unstage,
/// and the manual ones. Each works on the run's secret vault (step_environment::vault).
std::vector<step_kind> rotate_step_kinds();

/// manual.wait (a person puts the new value in place, then `/rotate SECRET --continue`) and manual.checklist.
std::vector<step_kind> manual_step_kinds();

}  // namespace opsbot::commands
