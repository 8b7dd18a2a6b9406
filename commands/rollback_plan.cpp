#include "commands/rollback_plan.hpp"

#include "commands/format.hpp"

#include <fmt/format.h>

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

result<plan> plan_vercel(const service_config& service, adapters::vercel_platform& vercel,
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
    plan p = production_rollback(service, "Vercel", vercel_next_step);
    plan_step rollback;
    rollback.kind = "vercel.rollback";
    rollback.description =
        fmt::format("{} {} from `{}` ({}, {}) to `{}` ({}, {}), and wait until the alias job succeeds",
                    request.deployment ? "Promote" : "Instantly roll back", service.name, current->id,
                    short_sha(current->commit_sha), age_of_ms(current->created_ms, clk), target->id,
                    short_sha(target->commit_sha), age_of_ms(target->created_ms, clk));
    rollback.params = {{"service", service.name},
                       {"from", current->id},
                       {"to", target->id},
                       {"mode", request.deployment ? "promote" : "rollback"}};
    rollback.timeout = std::chrono::minutes{3};
    p.steps.push_back(std::move(rollback));
    return p;
}

result<plan> plan_railway(const service_config& service, adapters::railway_platform& railway,
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
    plan p = production_rollback(service, "Railway", railway_next_step);
    plan_step rollback;
    rollback.kind = "railway.rollback";
    rollback.description = fmt::format(
        "Roll {} back from `{}` ({}, {}) to `{}` ({}, {}) and wait for the new deployment to succeed",
        service.name, live->id, short_sha(live->commit_hash), age_of_iso(live->created_at, clk), target->id,
        short_sha(target->commit_hash), age_of_iso(target->created_at, clk));
    rollback.params = {{"service", service.name}, {"environment", "production"}, {"from", live->id},
                       {"to", target->id}};
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
    if (service.platform == "vercel") {
        auto vercel = vercel_adapter(platforms, service.name);
        if (!vercel) {
            return std::unexpected(vercel.error());
        }
        return plan_vercel(service, **vercel, request, clk);
    }
    if (service.platform == "railway") {
        auto railway = railway_adapter(platforms, service.name);
        if (!railway) {
            return std::unexpected(railway.error());
        }
        return plan_railway(service, **railway, request, clk);
    }
    return fail(error_kind::unavailable,
                fmt::format("Service `{}` runs on `{}`, which /rollback does not support.", service.name,
                            service.platform));
}

}  // namespace opsbot::commands
