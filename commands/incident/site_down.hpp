#pragma once

#include "commands/plan/plan.hpp"
#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

namespace opsbot::commands {

/// `/incident site-down` (runbook §8 "Site Down After Deploy"): the fastest way back for every configured
/// service as one plan — Vercel: instant rollback (promote previous), Railway: roll back to the previous
/// deployment — built from the existing rollback steps (idempotent), then the production /health checks.
/// Vercel services come first (instant). A service that cannot be rolled back (no previous deployment, or its
/// platform did not answer) is left out with the reason and its runbook fallback in the plan's impact lines;
/// the error names every reason when no service can be rolled back.
/// The plan's family is "rollback": it is approved under `policies.rollback` like any rollback, and its
/// service is the one rolled back, or "web+api" (sorted names joined by '+') when it spans several.
result<plan> plan_site_down(const stack_config& config, const platform_registry& platforms, const clock& clk);

}  // namespace opsbot::commands
