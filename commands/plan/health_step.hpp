#pragma once

#include "commands/plan/step_kind.hpp"

namespace opsbot::commands {

/// "health.check": GET the step's `url` and require the runbook's {"status":"ok"} with every check ok.
/// Shared by every family whose plans change a running service (plan.hpp's health_check_step makes the step).
step_kind health_check_kind();

}  // namespace opsbot::commands
