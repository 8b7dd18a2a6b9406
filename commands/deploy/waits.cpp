// Waiting for Railway and Vercel deployments, and rebuilding a Vercel deployment (issue 12 items 2, 3, 10), as a
// memo and one poll at a time (docs/design.md "Actions and steps": a deployment poll is a stored wait).
#include "commands/deploy/waits.hpp"

#include "commands/plan/step_guards.hpp"
#include "commands/deploy/steps.hpp"
#include "commands/plan/step_params.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/json_fields.hpp"

#include <fmt/format.h>

namespace opsbot::commands {

std::string wait_memo::framed(const boost::json::object& memo, const std::string& found) {
    return json_string(memo, "prefix") + found + json_string(memo, "suffix");
}

boost::json::object railway_deployment_memo(const std::string& id) {
    return {{"wait", wait_memo::railway_deployment}, {"id", id}};
}

boost::json::object vercel_ready_memo(const std::string& id) { return {{"wait", wait_memo::vercel_ready}, {"id", id}}; }

namespace {

result<poll_verdict> check_railway_deployment(adapters::railway_platform& railway, const std::string& id,
                                              int attempt) {
    // DeploymentStatus: SUCCESS / SLEEPING serve; failed, removed or held for approval end the wait (§2.1).
    auto status = railway.deployment_status(id);
    if (!status) {
        return std::unexpected(status.error());
    }
    if (auto stop = adapters::railway_wait_stop_reason(*status)) {
        return fail(error_kind::conflict, fmt::format("the new deployment `{}` {}", id, *stop));
    }
    if (adapters::classify_railway_status(*status) != adapters::railway_phase::live) {
        return poll_verdict{};
    }
    return poll_verdict{true, fmt::format("deployment `{}` is live ({} after {} polls)", id, *status, attempt)};
}

result<poll_verdict> check_vercel_ready(adapters::vercel_platform& vercel, const std::string& id, int attempt) {
    // A new deployment is done when READY; ERROR or CANCELED end it (docs/platforms.md §1.2).
    auto d = vercel.get_deployment(id);
    if (!d) {
        return std::unexpected(d.error());
    }
    if (d->state == "ERROR" || d->state == "CANCELED") {
        return fail(error_kind::conflict, fmt::format("the new deployment `{}` ended {}", id, d->state));
    }
    if (!d->ready()) {
        return poll_verdict{};
    }
    return poll_verdict{true, fmt::format("deployment `{}` is READY ({} polls)", id, attempt)};
}

}  // namespace

result<poll_verdict> check_deploy_wait(const plan_step& step, const step_environment& env,
                                       const boost::json::object& memo, int attempt) {
    auto params = read_params<service_step_params>(step);
    if (!params) {
        return std::unexpected(params.error());
    }
    const std::string& service = params->service;
    const std::string wait = json_string(memo, "wait");
    const std::string id = json_string(memo, "id");
    result<poll_verdict> verdict = fail(error_kind::internal, fmt::format("{}: no wait `{}` to poll", step.kind, wait));
    if (wait == wait_memo::railway_deployment) {
        auto* railway = env.platforms.railway_of(service);
        if (railway == nullptr) {
            return fail(error_kind::unavailable, "no Railway adapter for " + service);
        }
        verdict = check_railway_deployment(*railway, id, attempt);
    } else if (wait == wait_memo::vercel_ready) {
        auto* vercel = env.platforms.vercel_of(service);
        if (vercel == nullptr) {
            return fail(error_kind::unavailable, "no Vercel adapter for " + service);
        }
        verdict = check_vercel_ready(*vercel, id, attempt);
    }
    if (verdict && verdict->done) {
        verdict->outcome = wait_memo::framed(memo, verdict->outcome);
    }
    return verdict;
}

result<boost::json::object> rebuild_vercel(std::string name, const std::string& service, const step_environment& env,
                                           adapters::vercel_platform& vercel,
                                           const adapters::vercel_deployment& source, bool latest_commit) {
    // What exists before, so that after an unclear answer a new build can be told apart (issue 12 item 3).
    auto before = vercel_deployment_ids(vercel);
    if (!before) {
        return std::unexpected(before.error());
    }
    if (name.empty()) {
        name = source.name.empty() ? service : source.name;
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
    auto memo = vercel_ready_memo(*created);
    memo["suffix"] = note;
    return memo;
}

}  // namespace opsbot::commands
