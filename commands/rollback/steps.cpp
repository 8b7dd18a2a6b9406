// The step kinds of /rollback (and of the rollbacks in /incident plans): "vercel.rollback", "railway.rollback".
#include "commands/rollback/steps.hpp"

#include "commands/deploy/waits.hpp"
#include "commands/plan/step_guards.hpp"
#include "commands/plan/step_params.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/json_fields.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {

constexpr const char* alias_job_wait = "alias_job";
constexpr const char* railway_rollback_wait = "railway_rollback";

/// The alias job seen before a rollback/promote, kept in the memo (Vercel answers 201/202 with no body: the outcome
/// is only visible in lastAliasRequest, docs/platforms.md §0, §1.3).
boost::json::object job_memo(const adapters::vercel_alias_job& job) {
    return {{"to", job.to_deployment_id}, {"status", job.job_status}, {"requested_at_ms", job.requested_at_ms}};
}

std::optional<adapters::vercel_alias_job> job_of(const boost::json::object& memo) {
    const auto* before = memo.if_contains("before");
    if (before == nullptr || !before->is_object()) {
        return std::nullopt;
    }
    adapters::vercel_alias_job job;
    job.present = true;
    job.to_deployment_id = json_string(before->as_object(), "to");
    job.job_status = json_string(before->as_object(), "status");
    if (const auto* at = before->as_object().if_contains("requested_at_ms"); at != nullptr && at->is_int64()) {
        job.requested_at_ms = at->get_int64();
    }
    return job;
}

/// One poll of the alias job of a rollback/promote to `target`. `before` is the job seen before the request: an
/// older finished job to the same target must not be mistaken for ours.
result<poll_verdict> check_alias_job(adapters::vercel_platform& vercel, const std::string& target,
                                     const std::optional<adapters::vercel_alias_job>& before, int attempt) {
    auto job = vercel.alias_job_status();
    if (!job) {
        return std::unexpected(job.error());
    }
    const bool stale = before && before->finished() && before->to_deployment_id == target &&
                       before->requested_at_ms == job->requested_at_ms;
    if (!job->present || job->to_deployment_id != target || !job->finished() || stale) {
        return poll_verdict{};
    }
    if (job->job_status == "failed") {
        return fail(error_kind::conflict, fmt::format("Vercel's {} job to `{}` failed", job->type, target));
    }
    return poll_verdict{true,
                        fmt::format("Vercel {} job to `{}` {} ({} polls)", job->type, target, job->job_status, attempt)};
}

/// One poll after Railway's deploymentRollback, which answers a Boolean, not the new deployment: the service's latest
/// deployment is watched until one that is neither the replaced live one nor the one seen before settles
/// (docs/platforms.md §2.2).
result<poll_verdict> check_railway_rollback(const rollback_step_params& params, adapters::railway_platform& railway,
                                            const std::string& before_latest, int attempt) {
    const std::string& from = params.from;
    auto latest = railway.latest_deployment(params.environment.value_or("production"));
    if (!latest) {
        return std::unexpected(latest.error());
    }
    if (latest->id == from || latest->id == before_latest) {
        return poll_verdict{};
    }
    if (auto stop = adapters::railway_wait_stop_reason(latest->status)) {
        return fail(error_kind::conflict, fmt::format("the rollback deployment `{}` {}", latest->id, *stop));
    }
    if (!latest->succeeded()) {
        return poll_verdict{};
    }
    return poll_verdict{true, fmt::format("deployment `{}` is live (SUCCESS after {} polls)", latest->id, attempt)};
}

/// The poll_check of the rollback steps: their own waits, or a deploy wait (a rebuild, a redeploy).
result<poll_verdict> check_rollback_wait(const plan_step& step, const step_environment& env,
                                         const boost::json::object& memo, int attempt) {
    const std::string wait = json_string(memo, "wait");
    auto params = read_params<rollback_step_params>(step);
    if (!params) {
        return std::unexpected(params.error());
    }
    const std::string& service = params->service;
    result<poll_verdict> verdict = poll_verdict{};
    if (wait == alias_job_wait) {
        auto* vercel = env.platforms.vercel_of(service);
        if (vercel == nullptr) {
            return fail(error_kind::unavailable, "no Vercel adapter for " + service);
        }
        verdict = check_alias_job(*vercel, json_string(memo, "target"), job_of(memo), attempt);
    } else if (wait == railway_rollback_wait) {
        auto* railway = env.platforms.railway_of(service);
        if (railway == nullptr) {
            return fail(error_kind::unavailable, "no Railway adapter for " + service);
        }
        verdict = check_railway_rollback(*params, *railway, json_string(memo, "before_latest"), attempt);
    } else {
        return check_deploy_wait(step, env, memo, attempt);
    }
    if (verdict && verdict->done) {
        verdict->outcome = wait_memo::framed(memo, verdict->outcome);
    }
    return verdict;
}

/// The precondition of "vercel.rollback" (issue 12 item 2): production is still what the approved plan rolled back
/// from — or already the target, which the act part then reports as nothing to do.
result<void> vercel_still_from(const rollback_step_params& params, const plan_step&, const step_environment& env) {
    auto* vercel = env.platforms.vercel_of(params.service);
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, "no Vercel adapter for " + params.service);
    }
    auto current = vercel->current_production();
    if (!current) {
        return std::unexpected(current.error());
    }
    if (current->id == params.to) {
        return {};
    }
    return require_still_live(params.service, "production", params.from, current->id);
}

/// The precondition of "railway.rollback" (issue 12 item 2): the live deployment is still the plan's `from`.
result<void> railway_still_from(const rollback_step_params& params, const plan_step&, const step_environment& env) {
    auto* railway = env.platforms.railway_of(params.service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + params.service);
    }
    const std::string environment = params.environment.value_or("production");
    auto live = railway_live_id(*railway, environment);
    if (!live) {
        return std::unexpected(live.error());
    }
    return require_still_live(params.service, environment, params.from, *live);
}

/// The act part of "vercel.rollback"; the alias job (or the rebuild) is then polled (check_rollback_wait).
result<act_outcome> vercel_rollback(const rollback_step_params& params, const plan_step&,
                                    const step_environment& env) {
    auto* vercel = env.platforms.vercel_of(params.service);
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, "no Vercel adapter for " + params.service);
    }
    const std::string& target = params.to;
    const std::string& mode = params.mode;
    auto current = vercel->current_production();
    if (!current) {
        return std::unexpected(current.error());
    }
    // Idempotent: if the target already serves production, there is nothing to do.
    if (current->id == target) {
        return act_outcome{fmt::format("`{}` already serves production; nothing to do", target), {}};
    }
    if (mode == "rebuild") {
        // A rotated secret is newer than the target: rebuild its commit with the current environment (item 10).
        auto source = vercel->get_deployment(target);
        if (!source) {
            return std::unexpected(source.error());
        }
        auto memo = rebuild_vercel("", params.service, env, *vercel, *source, false);
        if (!memo) {
            return std::unexpected(memo.error());
        }
        (*memo)["prefix"] = fmt::format("rebuilt `{}` ({}) with the current environment: ", target,
                                        source->commit_sha.substr(0, 7));
        return act_outcome{std::nullopt, std::move(*memo)};
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
    boost::json::object memo{{"wait", alias_job_wait}, {"target", target}, {"suffix", note}};
    if (before) {
        memo["before"] = job_memo(*before);
    }
    return act_outcome{std::nullopt, std::move(memo)};
}

/// The act part of "railway.rollback"; the new deployment is then polled (check_rollback_wait).
result<act_outcome> railway_rollback(const rollback_step_params& params, const plan_step&,
                                     const step_environment& env) {
    auto* railway = env.platforms.railway_of(params.service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + params.service);
    }
    const std::string environment = params.environment.value_or("production");
    const std::string& target = params.to;
    const bool redeploy = params.mode == "redeploy";
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
    boost::json::object memo = created ? railway_deployment_memo(*created)
                                        : boost::json::object{{"wait", railway_rollback_wait},
                                                              {"before_latest", *before_latest}};
    memo["prefix"] = redeploy ? fmt::format("redeployed `{}` with the current variables: ", target) : std::string{};
    memo["suffix"] = note;
    return act_outcome{std::nullopt, std::move(memo)};
}

}  // namespace

std::vector<step_kind> rollback_step_kinds() {
    return {
        typed_polled_step<rollback_step_params>("vercel.rollback", step_role::acting, true, &vercel_rollback,
                                                &check_rollback_wait, &vercel_still_from),
        typed_polled_step<rollback_step_params>("railway.rollback", step_role::acting, true, &railway_rollback,
                                                &check_rollback_wait, &railway_still_from),
    };
}

}  // namespace opsbot::commands
