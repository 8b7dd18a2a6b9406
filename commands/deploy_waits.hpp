#pragma once
// The waits and the rebuild shared by the deploy and rollback steps (commands/step_runner.cpp,
// commands/deploy_steps.cpp): a Railway deployment until it is live, a Vercel build until it is READY.

#include "adapters/railway.hpp"
#include "adapters/vercel.hpp"
#include "commands/plan.hpp"
#include "commands/step_runner.hpp"
#include "core/error.hpp"

#include <string>

namespace opsbot::commands {

/// Polls deployment(id) until SUCCESS ("deployment `id` is live …"), or FAILED / CRASHED / REMOVED / SKIPPED
/// (conflict), or the step's timeout (DeploymentStatus, platforms.md §2.1).
result<std::string> wait_railway_deployment(const plan_step& step, const step_environment& env,
                                            adapters::railway_platform& railway, const std::string& id);

/// Polls GET /v13/deployments/{id} until READY, or ERROR / CANCELED (conflict), or the step's timeout (§1.2).
result<std::string> wait_vercel_ready(const plan_step& step, const step_environment& env,
                                      adapters::vercel_platform& vercel, const std::string& id);

/// Rebuilds `source` as a new production deployment (POST /v13/deployments; with `latest_commit` the branch's
/// newest commit, else the same commit, with the project's current environment) and waits until it is READY.
/// An unclear answer is never repeated: the project's deployments are read for the new build, and without one
/// the step fails with error_kind::unknown_outcome.
result<std::string> rebuild_vercel(const plan_step& step, const step_environment& env,
                                   adapters::vercel_platform& vercel, const adapters::vercel_deployment& source,
                                   bool latest_commit);

}  // namespace opsbot::commands
