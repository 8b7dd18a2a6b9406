// Step kinds of `/deploy <service>`: "vercel.redeploy", "railway.redeploy", "verify.run".
#include "commands/deploy/steps.hpp"

#include "commands/deploy/plan.hpp"
#include "commands/deploy/verify.hpp"
#include "commands/deploy/waits.hpp"
#include "commands/plan/step_guards.hpp"
#include "commands/plan/step_params.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>

namespace opsbot::commands {
namespace {

/// The precondition of "vercel.redeploy": a /deploy requires that the plan's `from` is still live (issue 12 item 2);
/// a rotation's redeploy (`follow_live`) ships the new value on whatever is live when it acts, so it has nothing
/// to check.
result<void> vercel_still_from(const vercel_redeploy_params& params, const plan_step&, const step_environment& env) {
    if (params.follow_live.value_or(false)) {
        return {};
    }
    auto* vercel = env.platforms.vercel_of(params.service);
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, "no Vercel adapter for " + params.service);
    }
    auto live = vercel->current_production();
    if (!live) {
        return std::unexpected(live.error());
    }
    return require_still_live(params.service, "production", params.from.value_or(""), live->id);
}

/// The precondition of "railway.redeploy": as vercel_still_from, with Railway's live deployment.
result<void> railway_still_from(const railway_redeploy_params& params, const plan_step&,
                                const step_environment& env) {
    if (params.follow_live.value_or(false)) {
        return {};
    }
    auto* railway = env.platforms.railway_of(params.service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + params.service);
    }
    auto live = railway_live_id(*railway, params.environment);
    if (!live) {
        return std::unexpected(live.error());
    }
    return require_still_live(params.service, params.environment, params.from.value_or(""), *live);
}

/// The act part of "vercel.redeploy": rebuilds what is live when it acts — re-read right before, never an id
/// recorded at planning time (its precondition made sure a /deploy's `from` is that one). The build is then polled
/// until READY (check_deploy_wait).
result<act_outcome> vercel_redeploy(const vercel_redeploy_params& params, const plan_step&,
                                    const step_environment& env) {
    const std::string& service = params.service;
    auto* vercel = env.platforms.vercel_of(service);
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, "no Vercel adapter for " + service);
    }
    auto live = vercel->current_production();
    if (!live) {
        return std::unexpected(live.error());
    }
    const bool follow_live = params.follow_live.value_or(false);
    // /deploy ships the branch's newest commit; a /rotate redeploy rebuilds the same commit with the new env.
    auto memo = rebuild_vercel(params.name, service, env, *vercel, *live, params.latest_commit);
    if (!memo) {
        return std::unexpected(memo.error());
    }
    if (follow_live) {
        (*memo)["prefix"] = fmt::format("rebuilt `{}` ({}), the deployment live when this step acted, with the new "
                                        "value: ",
                                        live->id, live->commit_sha.substr(0, 7));
    }
    return act_outcome{std::nullopt, std::move(*memo)};
}

/// The act part: the new deployment is then polled until it is live (check_deploy_wait).
result<act_outcome> railway_redeploy(const railway_redeploy_params& params, const plan_step&,
                                     const step_environment& env) {
    const std::string& service = params.service;
    const std::string& environment = params.environment;
    auto* railway = env.platforms.railway_of(service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + service);
    }
    auto before_latest = railway_latest_id(*railway, environment);
    if (!before_latest) {
        return std::unexpected(before_latest.error());
    }
    auto created = railway->redeploy_latest(environment);
    std::string note;
    if (!created) {
        // Never sent again: read whether Railway started a deployment (issue 12 item 3).
        created = railway_deployment_after(created.error(), *railway, environment, *before_latest, env,
                                           fmt::format("the deploy of {} in {}", service, environment));
        if (!created) {
            return std::unexpected(created.error());
        }
        note = fmt::format(" ({})", answer_lost_note);
    }
    auto memo = railway_deployment_memo(*created);
    memo["suffix"] = note;
    return act_outcome{std::nullopt, std::move(memo)};
}

result<std::string> verify_run(const verify_run_params& params, const plan_step&, const step_environment& env) {
    if (env.platforms.config == nullptr) {
        return fail(error_kind::unavailable, "verify.run: the platform registry carries no config");
    }
    const std::string& environment = params.environment;
    deploy_timeouts timeouts;
    checklist list = deploy_verify_checklist(*env.platforms.config, env.platforms, env.clk, environment, timeouts);
    std::string recorded;
    storage::database* audit_db = env.platforms.audit_db;
    if (audit_db == nullptr && env.platforms.database) {
        audit_db = env.platforms.database->audit_db;
    }
    if (audit_db != nullptr) {
        auto seq = record_verification(*audit_db, env.clk, "opsbot", environment, list);
        if (seq) {
            recorded = fmt::format(" (audit #{})", *seq);
        } else {
            spdlog::error("verify.run: could not record the verification: {}", seq.error().message);
        }
    }
    // The checks no API can do stay in the step's outcome too (runbook §7): never dropped on the way.
    std::string manual;
    for (const auto& item : list.manual) {
        manual += "; Manual: " + item;
    }
    if (list.worst() == check_mark::fail) {
        return fail(error_kind::conflict, fmt::format("post-deploy verification of {} failed{}: {}{}", environment,
                                                      recorded, list.summary_of(check_mark::fail), manual));
    }
    std::string warnings = list.summary_of(check_mark::warn);
    return fmt::format("post-deploy verification of {} passed{}{}{}", environment, recorded,
                       warnings.empty() ? "" : "; to look at: " + warnings, manual);
}

}  // namespace

std::vector<step_kind> deploy_step_kinds() {
    return {
        // Acting steps that then wait for their deployment (no `run`: the executor stores their polls).
        typed_polled_step<vercel_redeploy_params>("vercel.redeploy", step_role::acting, false, &vercel_redeploy,
                                                  &check_deploy_wait, &vercel_still_from),
        typed_polled_step<railway_redeploy_params>("railway.redeploy", step_role::acting, false, &railway_redeploy,
                                                   &check_deploy_wait, &railway_still_from),
        typed_step<verify_run_params>("verify.run", step_role::reading, true, &verify_run),
    };
}

}  // namespace opsbot::commands
