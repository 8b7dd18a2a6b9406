#pragma once

#include "commands/plan/step_kind.hpp"

#include <vector>

namespace opsbot::commands {

/// "vercel.rollback" (instant rollback, promote, or a rebuild that keeps the current environment) and
/// "railway.rollback" (deploymentRollback, or deploymentRedeploy when a rotation is newer than the target).
/// Both re-check that the plan's `from` is still live right before they act.
std::vector<step_kind> rollback_step_kinds();

}  // namespace opsbot::commands
