#pragma once
// What an acting deploy step checks right before it acts (issue 12 item 2: the live deployment is still the one
// the approved plan recorded) and how it finds out, after an unclear answer, whether the platform acted (item 3:
// a mutation is never sent twice on its own). Used by commands/step_runner.cpp and commands/deploy_steps.cpp.

#include "adapters/railway.hpp"
#include "adapters/vercel.hpp"
#include "commands/step_runner.hpp"
#include "core/error.hpp"

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace opsbot::commands {

/// Added to an outcome when the platform's answer was lost but a read shows that it acted.
inline constexpr std::string_view answer_lost_note = "the answer was lost; the platform shows it acted";

/// The deployment serving `environment` of a Railway service now (pick_railway_live); "" when none is.
result<std::string> railway_live_id(adapters::railway_platform& railway, const std::string& environment);

/// error_kind::changed_since_approval unless `live_now` is `expected` ("" = nothing live): "production changed
/// since approval: the plan was approved while `A` served web (production); `B` serves it now. …".
result<void> require_still_live(std::string_view service, std::string_view environment, std::string_view expected,
                                std::string_view live_now);

/// The error of a mutation whose answer was unclear and whose effect the platform does not show:
/// error_kind::unknown_outcome, "outcome unknown: … the platform shows no change; check by hand, not retried".
error outcome_unknown(std::string_view what, const error& answer);

/// After an unclear answer to a Railway mutation that creates a deployment: the newest deployment of
/// `environment` if it is not `before_latest` (the newest before the call), read up to three times
/// (poll_interval apart); nullopt when none appeared.
result<std::optional<std::string>> railway_new_deployment(adapters::railway_platform& railway,
                                                          const std::string& environment,
                                                          const std::string& before_latest,
                                                          const step_environment& env);

/// A Railway mutation that makes a deployment failed with `answer`: any error but unknown_outcome is returned as it
/// is; after an unknown outcome the platform is read (railway_new_deployment) and the new deployment's id returned,
/// or outcome_unknown(what, answer) when none appeared. Never sends anything.
result<std::string> railway_deployment_after(const error& answer, adapters::railway_platform& railway,
                                             const std::string& environment, const std::string& before_latest,
                                             const step_environment& env, std::string_view what);

/// The newest deployment of `environment` now ("" when there is none yet): what railway_new_deployment compares to.
result<std::string> railway_latest_id(adapters::railway_platform& railway, const std::string& environment);

/// After an unclear answer to a Vercel rollback/promote to `target`: true when the project's lastAliasRequest is a
/// job to `target` other than `before` (the job seen before the call), or `target` already serves production.
result<bool> vercel_alias_job_started(adapters::vercel_platform& vercel, const std::string& target,
                                      const std::optional<adapters::vercel_alias_job>& before,
                                      const step_environment& env);

/// The ids of the project's production deployments now (before a redeploy, for vercel_new_deployment).
result<std::set<std::string>> vercel_deployment_ids(adapters::vercel_platform& vercel);

/// After an unclear answer to a Vercel redeploy: a production deployment not in `before` built from `commit_sha`
/// (any commit when empty), read up to three times; nullopt when none appeared.
result<std::optional<std::string>> vercel_new_deployment(adapters::vercel_platform& vercel,
                                                         const std::set<std::string>& before,
                                                         const std::string& commit_sha, const step_environment& env);

}  // namespace opsbot::commands
