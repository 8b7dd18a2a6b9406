// Preconditions right before a deploy step acts, and reading the platform after an unclear answer (issue 12).
#include "commands/step_guards.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::commands {
namespace {

// A gateway may answer before the platform recorded what it did: look a few times before saying "no change".
constexpr int probe_reads = 3;

std::string shown_id(std::string_view id) { return id.empty() ? std::string("nothing") : fmt::format("`{}`", id); }

/// Calls `probe()` up to probe_reads times, poll_interval apart, until it finds something.
template <class T, class Probe>
result<std::optional<T>> probe_platform(const step_environment& env, Probe probe) {
    for (int read = 1;; ++read) {
        result<std::optional<T>> found = probe();
        if (!found || found->has_value() || read == probe_reads) {
            return found;
        }
        env.sleep(env.poll_interval);
    }
}

}  // namespace

result<std::string> railway_live_id(adapters::railway_platform& railway, const std::string& environment) {
    auto deployments = railway.list_deployments(environment, 20);
    if (!deployments) {
        return std::unexpected(deployments.error());
    }
    auto live = adapters::pick_railway_live(*deployments);
    if (!live) {
        return std::string{};
    }
    return live->id;
}

result<void> require_still_live(std::string_view service, std::string_view environment, std::string_view expected,
                                std::string_view live_now) {
    if (expected == live_now) {
        return {};
    }
    return fail(error_kind::changed_since_approval,
                fmt::format("production changed since approval: the plan was approved while {} served {} ({}); {} "
                            "serves it now. Nothing was changed by this step; request it again to plan from what is "
                            "live now.",
                            shown_id(expected), service, environment, shown_id(live_now)));
}

error outcome_unknown(std::string_view what, const error& answer) {
    error e = answer;
    e.kind = error_kind::unknown_outcome;
    e.message = fmt::format("outcome unknown: {} may have reached the platform ({}), but the platform shows no "
                            "change; check by hand, not retried",
                            what, answer.message);
    spdlog::error("{}", e.message);
    return e;
}

result<std::string> railway_latest_id(adapters::railway_platform& railway, const std::string& environment) {
    auto latest = railway.latest_deployment(environment);
    if (!latest) {
        if (latest.error().kind == error_kind::not_found) {
            return std::string{};
        }
        return std::unexpected(latest.error());
    }
    return latest->id;
}

result<std::optional<std::string>> railway_new_deployment(adapters::railway_platform& railway,
                                                          const std::string& environment,
                                                          const std::string& before_latest,
                                                          const step_environment& env) {
    return probe_platform<std::string>(env, [&]() -> result<std::optional<std::string>> {
        auto latest = railway_latest_id(railway, environment);
        if (!latest) {
            return std::unexpected(latest.error());
        }
        if (latest->empty() || *latest == before_latest) {
            return std::optional<std::string>{};
        }
        return std::optional<std::string>{*latest};
    });
}

result<std::string> railway_deployment_after(const error& answer, adapters::railway_platform& railway,
                                             const std::string& environment, const std::string& before_latest,
                                             const step_environment& env, std::string_view what) {
    if (answer.kind != error_kind::unknown_outcome) {
        return std::unexpected(answer);
    }
    auto found = railway_new_deployment(railway, environment, before_latest, env);
    if (!found) {
        return std::unexpected(found.error());
    }
    if (!*found) {
        return std::unexpected(outcome_unknown(what, answer));
    }
    return **found;
}

result<bool> vercel_alias_job_started(adapters::vercel_platform& vercel, const std::string& target,
                                      const std::optional<adapters::vercel_alias_job>& before,
                                      const step_environment& env) {
    auto seen = probe_platform<bool>(env, [&]() -> result<std::optional<bool>> {
        auto job = vercel.alias_job_status();
        if (!job) {
            return std::unexpected(job.error());
        }
        const bool same_as_before = before && before->requested_at_ms == job->requested_at_ms &&
                                    before->to_deployment_id == job->to_deployment_id;
        if (job->present && job->to_deployment_id == target && !same_as_before) {
            return std::optional<bool>{true};
        }
        auto current = vercel.current_production();
        if (!current) {
            return std::unexpected(current.error());
        }
        return current->id == target ? std::optional<bool>{true} : std::optional<bool>{};
    });
    if (!seen) {
        return std::unexpected(seen.error());
    }
    return seen->has_value();
}

result<std::set<std::string>> vercel_deployment_ids(adapters::vercel_platform& vercel) {
    auto deployments = vercel.list_production_deployments(20);
    if (!deployments) {
        return std::unexpected(deployments.error());
    }
    std::set<std::string> out;
    for (const auto& d : *deployments) {
        out.insert(d.id);
    }
    return out;
}

result<std::optional<std::string>> vercel_new_deployment(adapters::vercel_platform& vercel,
                                                         const std::set<std::string>& before,
                                                         const std::string& commit_sha, const step_environment& env) {
    return probe_platform<std::string>(env, [&]() -> result<std::optional<std::string>> {
        auto deployments = vercel.list_production_deployments(20);
        if (!deployments) {
            return std::unexpected(deployments.error());
        }
        for (const auto& d : *deployments) {
            if (!before.contains(d.id) && (commit_sha.empty() || d.commit_sha == commit_sha)) {
                return std::optional<std::string>{d.id};
            }
        }
        return std::optional<std::string>{};
    });
}

}  // namespace opsbot::commands
