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
/// Called again right before running: a different digest means the world moved and the approval is void.
result<plan> plan_rollback(const stack_config& config, const platform_registry& platforms,
                           const rollback_request& request, const clock& clk);

}  // namespace opsbot::commands
