// Waiting for Railway and Vercel deployments, and rebuilding a Vercel deployment (issue 12 items 2, 3, 10).
#include "commands/deploy_waits.hpp"

#include "commands/step_guards.hpp"
#include "commands/step_support.hpp"

#include <fmt/format.h>

namespace opsbot::commands {

result<std::string> wait_railway_deployment(const plan_step& step, const step_environment& env,
                                            adapters::railway_platform& railway, const std::string& id) {
    // DeploymentStatus: SUCCESS / SLEEPING serve; failed, removed or held for approval end the wait (§2.1).
    return poll_until(step, env, [&](int attempt) -> result<std::optional<std::string>> {
        auto status = railway.deployment_status(id);
        if (!status) {
            return std::unexpected(status.error());
        }
        if (auto stop = adapters::railway_wait_stop_reason(*status)) {
            return fail(error_kind::conflict, fmt::format("the new deployment `{}` {}", id, *stop));
        }
        if (adapters::classify_railway_status(*status) != adapters::railway_phase::live) {
            return std::optional<std::string>{};
        }
        return std::optional<std::string>{
            fmt::format("deployment `{}` is live ({} after {} polls)", id, *status, attempt)};
    });
}

result<std::string> wait_vercel_ready(const plan_step& step, const step_environment& env,
                                      adapters::vercel_platform& vercel, const std::string& id) {
    // A new deployment is done when READY; ERROR or CANCELED end it (platforms.md §1.2).
    return poll_until(step, env, [&](int attempt) -> result<std::optional<std::string>> {
        auto d = vercel.get_deployment(id);
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

result<std::string> rebuild_vercel(const plan_step& step, const step_environment& env,
                                   adapters::vercel_platform& vercel, const adapters::vercel_deployment& source,
                                   bool latest_commit) {
    // What exists before, so that after an unclear answer a new build can be told apart (issue 12 item 3).
    auto before = vercel_deployment_ids(vercel);
    if (!before) {
        return std::unexpected(before.error());
    }
    std::string name = step_param(step, "name");
    if (name.empty()) {
        name = source.name.empty() ? step_param(step, "service") : source.name;
    }
    auto created = vercel.redeploy(source.id, name, "production", latest_commit);
    std::string note;
    if (!created) {
        if (created.error().kind != error_kind::unknown_outcome) {
            return std::unexpected(created.error());
        }
        auto found = vercel_new_deployment(vercel, *before, latest_commit ? std::string{} : source.commit_sha, env);
        if (!found) {
            return std::unexpected(found.error());
        }
        if (!*found) {
            return std::unexpected(outcome_unknown(fmt::format("the redeploy of `{}`", source.id), created.error()));
        }
        created = **found;
        note = fmt::format(" ({})", answer_lost_note);
    }
    auto ready = wait_vercel_ready(step, env, vercel, *created);
    if (!ready) {
        return ready;
    }
    return *ready + note;
}

}  // namespace opsbot::commands
