#include "commands/rollback/plan.hpp"

#include "commands/plan/step_params.hpp"
#include "commands/rollback/steps.hpp"

#include "adapters/sentry.hpp"
#include "commands/grammar/format.hpp"
#include "commands/rollback/rotation_history.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace opsbot::commands {
namespace {

constexpr std::string_view vercel_next_step =
    "Runbook §5 (Vercel): promote the previous deployment from the dashboard (Project > Deployments > "
    "\"Promote to Production\"), or `git revert HEAD` and push to main.";
constexpr std::string_view railway_next_step =
    "Runbook §5 (Railway): redeploy the previous successful deployment from the dashboard (API service > "
    "Deployments > Redeploy), or `git revert HEAD` and push to main.";

/// The deployment the requester named, if any.
std::optional<std::string_view> named_target(const rollback_request& request) {
    if (request.deployment) {
        return *request.deployment;
    }
    return std::nullopt;
}

/// A production rollback plan of `service` on `platform`, without its steps yet.
plan production_rollback(const service_config& service, std::string_view platform, std::string_view next_step) {
    plan p;
    p.family = "rollback";
    p.service = service.name;
    p.environment = "production";
    p.title = fmt::format("Roll back {} (production, {})", service.name, platform);
    p.next_step_on_failure = std::string(next_step);
    return p;
}

result<plan> plan_vercel(const stack_config& config, const platform_registry& platforms,
                         const service_config& service, adapters::vercel_platform& vercel,
                         const rollback_request& request, const clock& clk) {
    auto deployments = vercel.list_production_deployments(50);
    if (!deployments) {
        return std::unexpected(deployments.error());
    }
    auto current = adapters::pick_vercel_current_production(*deployments);
    if (!current) {
        return std::unexpected(current.error());
    }
    auto target = adapters::pick_vercel_rollback_target(*deployments, current->id, named_target(request));
    if (!target) {
        return std::unexpected(target.error());
    }
    auto rotations = check_rotations(config, platforms, service.name,
                                     clock::time_point{std::chrono::milliseconds{target->created_ms}});
    if (!rotations) {
        return std::unexpected(rotations.error());
    }
    plan p = production_rollback(service, "Vercel", vercel_next_step);
    p.impact = rotation_lines(*rotations, service.name, target->id,
                              fmt::format("a new build of `{}`'s commit with the current environment (takes a build, "
                                          "usually a few minutes, instead of the instant rollback)",
                                          target->id));
    const bool rebuild = rotations->keep_current_values();
    plan_step rollback;
    rollback.kind = "vercel.rollback";
    const std::string from_text = fmt::format("`{}` ({}, {})", current->id, short_sha(current->commit_sha),
                                              age_of_ms(current->created_ms, clk));
    const std::string to_text = fmt::format("`{}` ({}, {})", target->id, short_sha(target->commit_sha),
                                            age_of_ms(target->created_ms, clk));
    rollback.description =
        rebuild ? fmt::format("Roll {} back from {} to the code of {} by REBUILDING that commit with the current "
                              "environment (POST /v13/deployments; takes a build), so no rotated secret comes back; "
                              "wait until the new deployment is READY",
                              service.name, from_text, to_text)
                : fmt::format("{} {} from {} to {}, and wait until the alias job succeeds",
                              request.deployment ? "Promote" : "Instantly roll back", service.name, from_text, to_text);
    rollback_step_params params{service.name, std::nullopt, current->id, target->id,
                                rebuild ? "rebuild" : request.deployment ? "promote" : "rollback", std::nullopt};
    if (rebuild) {
        params.keeps_rotated = rotations->newer_secrets();
    }
    rollback.params = params_of(params);
    rollback.timeout = rebuild ? std::chrono::minutes{15} : std::chrono::minutes{3};
    p.steps.push_back(std::move(rollback));
    return p;
}

result<plan> plan_railway(const stack_config& config, const platform_registry& platforms,
                          const service_config& service, adapters::railway_platform& railway,
                          const rollback_request& request, const clock& clk) {
    auto deployments = railway.list_deployments("production", 50);
    if (!deployments) {
        return std::unexpected(deployments.error());
    }
    auto live = adapters::pick_railway_live(*deployments);
    if (!live) {
        return std::unexpected(live.error());
    }
    auto target = adapters::pick_railway_rollback_target(*deployments, live->id, named_target(request));
    if (!target) {
        return std::unexpected(target.error());
    }
    auto rotations = check_rotations(config, platforms, service.name, adapters::parse_utc_iso8601(target->created_at));
    if (!rotations) {
        return std::unexpected(rotations.error());
    }
    const bool redeploy = rotations->keep_current_values();
    if (redeploy && !target->can_redeploy) {
        return fail(error_kind::conflict,
                    fmt::format("`{}` cannot be redeployed (canRedeploy is false), and a deploymentRollback would "
                                "restore the variables it was made with, bringing back {}. Roll back by hand without "
                                "restoring variables: runbook §5 Option B (`git revert HEAD` and push to main).",
                                target->id, fmt::format("the rotated {}", fmt::join(rotations->newer_secrets(), ", "))));
    }
    plan p = production_rollback(service, "Railway", railway_next_step);
    p.impact = rotation_lines(*rotations, service.name, target->id,
                              fmt::format("`{}`'s build is redeployed with the service's current variables "
                                          "(deploymentRedeploy, runbook §5 \"Redeploy\")",
                                          target->id));
    plan_step rollback;
    rollback.kind = "railway.rollback";
    rollback.description = fmt::format(
        "{} {} back from `{}` ({}, {}) to `{}` ({}, {}){} and wait for the new deployment to succeed",
        redeploy ? "Redeploy" : "Roll", service.name, live->id, short_sha(live->commit_hash),
        age_of_iso(live->created_at, clk), target->id, short_sha(target->commit_hash),
        age_of_iso(target->created_at, clk),
        redeploy ? " with the CURRENT variables (deploymentRedeploy), so no rotated secret comes back"
                 : " (deploymentRollback: image and variables of the target)");
    rollback_step_params params{service.name, "production", live->id, target->id,
                                redeploy ? "redeploy" : "rollback", std::nullopt};
    if (redeploy) {
        params.keeps_rotated = rotations->newer_secrets();
    }
    rollback.params = params_of(params);
    rollback.timeout = std::chrono::minutes{10};
    p.steps.push_back(std::move(rollback));
    auto health = service.health_url.find("production");
    if (health != service.health_url.end()) {
        p.steps.push_back(health_check_step(health->second));
    }
    return p;
}

}  // namespace

result<plan> plan_rollback(const stack_config& config, const platform_registry& platforms,
                           const rollback_request& request, const clock& clk) {
    auto found = find_service(config, request.service);
    if (!found) {
        return std::unexpected(found.error());
    }
    const service_config& service = **found;
    auto platform = deploy_adapter(platforms, service);
    if (!platform) {
        return std::unexpected(platform.error());
    }
    // The one place /rollback differs per platform: how a rollback target is picked and which step kind acts.
    if (auto* vercel = (*platform)->as_vercel()) {
        return plan_vercel(config, platforms, service, *vercel, request, clk);
    }
    if (auto* railway = (*platform)->as_railway()) {
        return plan_railway(config, platforms, service, *railway, request, clk);
    }
    return fail(error_kind::unavailable,
                fmt::format("Service `{}` runs on `{}`, which /rollback does not support.", service.name,
                            display_name((*platform)->kind())));
}

}  // namespace opsbot::commands
