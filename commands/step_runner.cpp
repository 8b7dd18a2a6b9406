#include "commands/step_runner.hpp"

#include "commands/deploy_plan.hpp"
#include "commands/deploy_waits.hpp"
#include "commands/step_guards.hpp"
#include "commands/step_support.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {



/// Waits for the alias job of a rollback/promote to `target` (Vercel answers 201/202 with no body: the outcome is
/// only visible in lastAliasRequest, platforms.md §0, §1.3). `before` is the job seen before the request.
result<std::string> wait_alias_job(const plan_step& step, const step_environment& env,
                                   adapters::vercel_platform& vercel, const std::string& target,
                                   const std::optional<adapters::vercel_alias_job>& before) {
    return poll_until(step, env, [&](int attempt) -> result<std::optional<std::string>> {
        auto job = vercel.alias_job_status();
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

result<std::string> vercel_rollback(const plan_step& step, const step_environment& env) {
    auto* vercel = env.platforms.vercel_of(step_param(step, "service"));
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, "no Vercel adapter for " + step_param(step, "service"));
    }
    const std::string target = step_param(step, "to");
    const std::string mode = step_param(step, "mode");
    auto current = vercel->current_production();
    if (!current) {
        return std::unexpected(current.error());
    }
    // Idempotent: if the target already serves production, there is nothing to do.
    if (current->id == target) {
        return fmt::format("`{}` already serves production; nothing to do", target);
    }
    // Right before acting: production is still what the approved plan rolled back from (issue 12 item 2).
    if (auto same = require_still_live(step_param(step, "service"), "production", step_param(step, "from"),
                                       current->id);
        !same) {
        return std::unexpected(same.error());
    }
    if (mode == "rebuild") {
        // A rotated secret is newer than the target: rebuild its commit with the current environment (item 10).
        auto source = vercel->get_deployment(target);
        if (!source) {
            return std::unexpected(source.error());
        }
        auto rebuilt = rebuild_vercel(step, env, *vercel, *source, false);
        if (!rebuilt) {
            return rebuilt;
        }
        return fmt::format("rebuilt `{}` ({}) with the current environment: {}", target,
                           source->commit_sha.substr(0, 7), *rebuilt);
    }
    // An older finished job to the same target must not be mistaken for ours: remember what was there.
    std::optional<adapters::vercel_alias_job> before;
    if (auto job = vercel->alias_job_status(); job && job->present) {
        before = *job;
    }
    auto requested = mode == "promote" ? vercel->request_promote(target) : vercel->request_rollback(target);
    std::string note;
    if (!requested) {
        if (requested.error().kind != error_kind::unknown_outcome) {
            return std::unexpected(requested.error());
        }
        // Never sent again: read whether Vercel took the job (issue 12 item 3).
        auto started = vercel_alias_job_started(*vercel, target, before, env);
        if (!started) {
            return std::unexpected(started.error());
        }
        if (!*started) {
            return std::unexpected(outcome_unknown(fmt::format("the {} to `{}`", mode, target), requested.error()));
        }
        note = fmt::format(" ({})", answer_lost_note);
    }
    auto done = wait_alias_job(step, env, *vercel, target, before);
    if (!done) {
        return done;
    }
    return *done + note;
}

/// Railway's deploymentRollback answers a Boolean, not the new deployment: the service's latest deployment is
/// watched until one that is neither the replaced live one nor the one seen before settles (platforms.md §2.2).
result<std::string> wait_railway_rollback(const plan_step& step, const step_environment& env,
                                          adapters::railway_platform& railway, const std::string& before_latest) {
    const std::string from = step_param(step, "from");
    return poll_until(step, env, [&](int attempt) -> result<std::optional<std::string>> {
        auto latest = railway.latest_deployment(step_param(step, "environment"));
        if (!latest) {
            return std::unexpected(latest.error());
        }
        if (latest->id == from || latest->id == before_latest) {
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

result<std::string> railway_rollback(const plan_step& step, const step_environment& env) {
    auto* railway = env.platforms.railway_of(step_param(step, "service"));
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + step_param(step, "service"));
    }
    const std::string environment = step_param(step, "environment");
    const std::string target = step_param(step, "to");
    const bool redeploy = step_param(step, "mode") == "redeploy";
    // Right before acting: the live deployment is still the plan's `from` (issue 12 item 2).
    auto live = railway_live_id(*railway, environment);
    if (!live) {
        return std::unexpected(live.error());
    }
    if (auto same = require_still_live(step_param(step, "service"), environment, step_param(step, "from"), *live);
        !same) {
        return std::unexpected(same.error());
    }
    auto before_latest = railway_latest_id(*railway, environment);
    if (!before_latest) {
        return std::unexpected(before_latest.error());
    }
    // redeploy: the target's build with the CURRENT variables (runbook §5, issue 12 item 10); rollback: Railway
    // restores the target's image and variables.
    std::optional<std::string> created;
    result<void> sent;
    if (redeploy) {
        auto made = railway->redeploy_deployment(target);
        if (made) {
            created = *made;
        } else {
            sent = std::unexpected(made.error());
        }
    } else {
        sent = railway->rollback(target);
    }
    std::string note;
    if (!sent) {
        // Never sent again: read whether Railway made a new deployment (issue 12 item 3).
        auto found = railway_deployment_after(sent.error(), *railway, environment, *before_latest, env,
                                              fmt::format("the {} to `{}`", redeploy ? "redeploy" : "rollback", target));
        if (!found) {
            return std::unexpected(found.error());
        }
        created = *found;
        note = fmt::format(" ({})", answer_lost_note);
    }
    auto done = created ? wait_railway_deployment(step, env, *railway, *created)
                        : wait_railway_rollback(step, env, *railway, *before_latest);
    if (!done) {
        return done;
    }
    return (redeploy ? fmt::format("redeployed `{}` with the current variables: ", target) : std::string{}) + *done +
           note;
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
