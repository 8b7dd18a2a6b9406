// Step kinds of `/deploy <service>`: "vercel.redeploy", "railway.redeploy", "verify.run" (commands/deploy_plan.hpp).
#include "commands/deploy_plan.hpp"
#include "commands/step_support.hpp"
#include "commands/deploy_verify.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>

namespace opsbot::commands {
namespace {



result<std::string> vercel_redeploy(const plan_step& step, const step_environment& env) {
    auto* vercel = env.platforms.vercel_of(step_param(step, "service"));
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, "no Vercel adapter for " + step_param(step, "service"));
    }
    // /deploy ships the branch's newest commit; a /rotate redeploy rebuilds the same commit with the new env.
    const auto* latest = step.params.if_contains("latest_commit");
    const bool latest_commit = latest != nullptr && latest->is_bool() && latest->get_bool();
    auto created = vercel->redeploy(step_param(step, "from"), step_param(step, "name"), step_param(step, "target"),
                                    latest_commit);
    if (!created) {
        return std::unexpected(created.error());
    }
    const std::string id = *created;
    // A new deployment is done when READY; ERROR or CANCELED end it (platforms.md §1.2).
    return poll_until(step, env, [&](int attempt) -> result<std::optional<std::string>> {
        auto d = vercel->get_deployment(id);
        if (!d) {
            return std::unexpected(d.error());
        }
        if (d->state == "ERROR" || d->state == "CANCELED") {
            return fail(error_kind::conflict, fmt::format("the new deployment `{}` ended {}", id, d->state));
        }
        if (!d->ready()) {
            return std::optional<std::string>{};
        }
        return std::optional<std::string>{fmt::format("deployment `{}` is READY ({} polls)", id, attempt)};
    });
}

result<std::string> railway_redeploy(const plan_step& step, const step_environment& env) {
    auto* railway = env.platforms.railway_of(step_param(step, "service"));
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + step_param(step, "service"));
    }
    auto created = railway->redeploy_latest(step_param(step, "environment"));
    if (!created) {
        return std::unexpected(created.error());
    }
    const std::string id = *created;
    // DeploymentStatus: SUCCESS / SLEEPING serve; failed, removed or held for approval end the wait (§2.1).
    return poll_until(step, env, [&](int attempt) -> result<std::optional<std::string>> {
        auto status = railway->deployment_status(id);
        if (!status) {
            return std::unexpected(status.error());
        }
        if (auto stop = adapters::railway_wait_stop_reason(*status)) {
            return fail(error_kind::conflict, fmt::format("the new deployment `{}` {}", id, *stop));
        }
        if (adapters::classify_railway_status(*status) != adapters::railway_phase::live) {
            return std::optional<std::string>{};
        }
        return std::optional<std::string>{fmt::format("deployment `{}` is live (SUCCESS after {} polls)", id, attempt)};
    });
}

result<std::string> verify_run(const plan_step& step, const step_environment& env) {
    if (env.platforms.config == nullptr) {
        return fail(error_kind::unavailable, "verify.run: the platform registry carries no config");
    }
    const std::string environment = step_param(step, "environment");
    deploy_timeouts timeouts;
    checklist list = deploy_verify_checklist(*env.platforms.config, env.platforms, env.clk, environment, timeouts);
    std::string recorded;
    if (env.platforms.database && env.platforms.database->audit_db != nullptr) {
        auto seq = record_verification(*env.platforms.database->audit_db, env.clk, "opsbot", environment, list);
        if (seq) {
            recorded = fmt::format(" (audit #{})", *seq);
        } else {
            spdlog::error("verify.run: could not record the verification: {}", seq.error().message);
        }
    }
    if (list.worst() == check_mark::fail) {
        return fail(error_kind::conflict, fmt::format("post-deploy verification of {} failed{}: {}", environment,
                                                      recorded, list.summary_of(check_mark::fail)));
    }
    std::string warnings = list.summary_of(check_mark::warn);
    return fmt::format("post-deploy verification of {} passed{}{}", environment, recorded,
                       warnings.empty() ? "" : "; to look at: " + warnings);
}

}  // namespace

result<std::string> run_deploy_step(const plan_step& step, const step_environment& env) {
    if (step.kind == "vercel.redeploy") {
        return vercel_redeploy(step, env);
    }
    if (step.kind == "railway.redeploy") {
        return railway_redeploy(step, env);
    }
    if (step.kind == "verify.run") {
        return verify_run(step, env);
    }
    return fail(error_kind::internal, fmt::format("no deploy runner for step kind `{}`", step.kind));
}

}  // namespace opsbot::commands
