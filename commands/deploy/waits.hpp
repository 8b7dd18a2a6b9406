#pragma once
// The waits and the rebuild shared by the deploy and rollback steps (commands/deploy/steps.cpp,
// commands/rollback/steps.cpp): a Railway deployment until it is live, a Vercel build until it is READY. A wait is
// a memo (what to poll) and a check (one read of the platform), so the executor can store it between polls
// (docs/design.md "Actions and steps"; commands/plan/step_kind.hpp act/poll_check).

#include "adapters/railway.hpp"
#include "adapters/vercel.hpp"
#include "commands/plan/plan.hpp"
#include "commands/plan/step_kind.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace opsbot::commands {

/// What the memo of a platform wait names in "wait", and the text it puts around the check's outcome.
namespace wait_memo {
inline constexpr const char* railway_deployment = "railway_deployment";  ///< "id": a deployment until it is live
inline constexpr const char* vercel_ready = "vercel_ready";              ///< "id": a build until it is READY
/// The step's outcome: memo "prefix" + what the check found + memo "suffix" (e.g. "the answer was lost; …").
std::string framed(const boost::json::object& memo, const std::string& found);
}  // namespace wait_memo

/// The memo of a wait for a Railway deployment `id` / a Vercel build `id`.
boost::json::object railway_deployment_memo(const std::string& id);
boost::json::object vercel_ready_memo(const std::string& id);

/// One poll of a deploy step's wait (its memo's "wait": railway_deployment or vercel_ready), on the adapter of the
/// step's `service`: a Railway deployment SUCCESS ("deployment `id` is live …"), or FAILED / CRASHED / REMOVED /
/// SKIPPED / held for approval (conflict) (DeploymentStatus, docs/platforms.md §2.1); a Vercel build READY, or
/// ERROR / CANCELED (conflict) (§1.2). Not done yet: poll_verdict{false}.
result<poll_verdict> check_deploy_wait(const plan_step& step, const step_environment& env,
                                       const boost::json::object& memo, int attempt);

/// Rebuilds `source` as a new production deployment (POST /v13/deployments; with `latest_commit` the branch's
/// newest commit, else the same commit, with the project's current environment): the act part; returns the memo
/// of the wait until it is READY. An unclear answer is never repeated: the project's deployments are read for the
/// new build, and without one the step fails with error_kind::unknown_outcome. The build is made under project
/// `name`, or the source's project name, or `service`.
result<boost::json::object> rebuild_vercel(std::string name, const std::string& service, const step_environment& env,
                                           adapters::vercel_platform& vercel,
                                           const adapters::vercel_deployment& source, bool latest_commit);

}  // namespace opsbot::commands
