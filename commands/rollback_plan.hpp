#pragma once

#include "commands/plan.hpp"
#include "commands/platform_registry.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/error.hpp"

#include <optional>
#include <string>

namespace opsbot::commands {

struct rollback_request {
    std::string service;                    ///< a key of config.services
    std::optional<std::string> deployment;  ///< a named target; default: the previous good deployment
};

/// Builds the plan of `/rollback <service> [DEPLOYMENT]` from what the platform says now (runbook §5):
/// Vercel: instant rollback to the previous READY production deployment (promote for a named one) and
/// wait for the alias job; Railway: deploymentRollback to the newest older deployment with
/// canRollback, wait for the new deployment to succeed, then the production /health check.
/// Both restore the target's variables, so when the audit log shows a rotation of the service's secrets newer
/// than the target the plan keeps the current values instead (without an audit log it warns in its impact): Vercel rebuilds the target's commit with the current environment (mode "rebuild"), Railway redeploys
/// the target's build with the current variables (deploymentRedeploy, mode "redeploy"); the plan's impact names
/// the rotations and the rule (issue 12 item 10). Every step re-checks that its `from` is still live.
/// Called again right before running: a different digest means the world moved and the approval is void.
result<plan> plan_rollback(const stack_config& config, const platform_registry& platforms,
                           const rollback_request& request, const clock& clk);

}  // namespace opsbot::commands
