#pragma once

#include "commands/plan/step_kind.hpp"

#include <vector>

namespace opsbot::commands {

/// "vercel.redeploy", "railway.redeploy" and "verify.run". "verify.run" needs env.platforms.config and records
/// the verification in the audit log.
std::vector<step_kind> deploy_step_kinds();

}  // namespace opsbot::commands
