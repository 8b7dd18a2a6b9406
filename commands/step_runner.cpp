#include "commands/step_runner.hpp"

#include "commands/step_support.hpp"
#include "commands/deploy_plan.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {



result<std::string> vercel_rollback(const plan_step& step, const step_environment& env) {
    auto* vercel = env.platforms.vercel_of(step_param(step, "service"));
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, "no Vercel adapter for " + step_param(step, "service"));
    }
    const std::string target = step_param(step, "to");
    // Idempotent: if the target already serves production, there is nothing to do.
    if (auto current = vercel->current_production(); current && current->id == target) {
        return fmt::format("`{}` already serves production; nothing to do", target);
    }
    // An older finished job to the same target must not be mistaken for ours: remember what was there.
    std::optional<adapters::vercel_alias_job> before;
    if (auto job = vercel->alias_job_status(); job && job->present) {
        before = *job;
    }
    auto requested = step_param(step, "mode") == "promote" ? vercel->request_promote(target)
                                                      : vercel->request_rollback(target);
    if (!requested) {
        return std::unexpected(requested.error());
    }
    // Vercel answers 201/202 with no body: the outcome is only visible in lastAliasRequest (platforms.md §0, §1.3).
    return poll_until(step, env, [&](int attempt) -> result<std::optional<std::string>> {
        auto job = vercel->alias_job_status();
        if (!job) {
            return std::unexpected(job.error());
        }
        const bool stale = before && before->finished() && before->to_deployment_id == target &&
                           before->requested_at_ms == job->requested_at_ms;
        if (!job->present || job->to_deployment_id != target || !job->finished() || stale) {
            return std::optional<std::string>{};
        }
        if (job->job_status == "failed") {
            return fail(error_kind::conflict, fmt::format("Vercel's {} job to `{}` failed", job->type, target));
        }
        return std::optional<std::string>{
            fmt::format("Vercel {} job to `{}` {} ({} polls)", job->type, target, job->job_status, attempt)};
    });
}

result<std::string> railway_rollback(const plan_step& step, const step_environment& env) {
    auto* railway = env.platforms.railway_of(step_param(step, "service"));
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + step_param(step, "service"));
    }
    const std::string environment = step_param(step, "environment");
    const std::string from = step_param(step, "from");
    auto done = railway->rollback(step_param(step, "to"));
    if (!done) {
        return std::unexpected(done.error());
    }
    // deploymentRollback returns a Boolean, not the new deployment: watch the service's latest deployment
    // until one newer than the replaced live deployment settles (platforms.md §2.2).
    return poll_until(step, env, [&](int attempt) -> result<std::optional<std::string>> {
        auto latest = railway->latest_deployment(environment);
        if (!latest) {
            return std::unexpected(latest.error());
        }
        if (latest->id == from) {
            return std::optional<std::string>{};
        }
        if (auto stop = adapters::railway_wait_stop_reason(latest->status)) {
            return fail(error_kind::conflict, fmt::format("the rollback deployment `{}` {}", latest->id, *stop));
        }
        if (!latest->succeeded()) {
            return std::optional<std::string>{};
        }
        return std::optional<std::string>{
            fmt::format("deployment `{}` is live (SUCCESS after {} polls)", latest->id, attempt)};
    });
}

result<std::string> health_check(const plan_step& step, const step_environment& env) {
    if (!env.platforms.health) {
        return fail(error_kind::unavailable, "no health checker configured");
    }
    auto report = env.platforms.health->check(
        step_param(step, "url"), std::chrono::duration_cast<std::chrono::milliseconds>(step.timeout));
    if (!report) {
        return std::unexpected(report.error());
    }
    if (!report->ok) {
        return fail(error_kind::conflict, fmt::format("{} is unhealthy: {}", step_param(step, "url"), report->reason));
    }
    return fmt::format("{} is healthy (status {}, db {}, redis {})", step_param(step, "url"), report->status,
                       report->db.empty() ? "n/a" : report->db, report->redis.empty() ? "n/a" : report->redis);
}

}  // namespace

result<std::string> run_step(const plan_step& step, const step_environment& env) {
    if (step.kind == "vercel.rollback") {
        return vercel_rollback(step, env);
    }
    if (step.kind == "railway.rollback") {
        return railway_rollback(step, env);
    }
    if (step.kind == "vercel.redeploy" || step.kind == "railway.redeploy" || step.kind == "verify.run") {
        return run_deploy_step(step, env);
    }
    if (step.kind == "health.check") {
        return health_check(step, env);
    }
    if (step.kind.starts_with("postgres.") || step.kind.starts_with("prisma.") || step.kind.starts_with("migrate.")) {
        return run_database_step(step, env);
    }
    if (step.kind.starts_with("secret.") || step.kind.starts_with("manual.")) {
        return run_rotate_step(step, env);
    }
    return fail(error_kind::internal, fmt::format("no runner for step kind `{}`", step.kind));
}

}  // namespace opsbot::commands
