#include "commands/plan/step_runner.hpp"

#include "commands/plan/step_kind.hpp"

#include <fmt/format.h>

namespace opsbot::commands {

step_catalog::step_catalog(const std::vector<step_kind>& kinds) {
    for (const auto& kind : kinds) {
        kinds_.insert_or_assign(kind.name, kind);
    }
}

const step_kind* step_catalog::find(std::string_view name) const {
    auto it = kinds_.find(name);
    return it == kinds_.end() ? nullptr : &it->second;
}

result<void> step_catalog::check(const plan& p) const {
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
        const plan_step& step = p.steps[i];
        const step_kind* kind = find(step.kind);
        if (kind == nullptr) {
            return fail(error_kind::invalid_input, fmt::format("step {} (`{}`): no such step kind", i + 1, step.kind));
        }
        if (kind->check_params) {
            if (auto fits = kind->check_params(step); !fits) {
                return fail(error_kind::invalid_input, fmt::format("step {}: {}", i + 1, fits.error().message));
            }
        }
    }
    return {};
}

error poll_timeout(const plan_step& step, int polls) {
    error e;
    e.kind = error_kind::timeout;
    e.message = fmt::format("{}: not finished after {} s ({} polls)", step.kind, step.timeout.count(), polls);
    return e;
}

namespace {

/// A step that waits for a platform, run to its end on the caller's thread: `/deploy` to a non-production
/// environment, answered at once, and the step tests. The executor never comes here: it stores the poll and lets
/// its thread go (bot/actions/platform_poll.cpp).
result<std::string> run_polled(const step_kind& kind, const plan_step& step, const step_environment& env) {
    auto acted = kind.act(step, env);
    if (!acted) {
        return std::unexpected(acted.error());
    }
    if (acted->done) {
        return *acted->done;
    }
    const auto deadline = env.clk.now() + step.timeout;
    for (int attempt = 1;; ++attempt) {
        auto verdict = kind.poll_check(step, env, acted->memo, attempt);
        if (!verdict) {
            return std::unexpected(verdict.error());
        }
        if (verdict->done) {
            return verdict->outcome;
        }
        if (env.clk.now() >= deadline) {
            return std::unexpected(poll_timeout(step, attempt));
        }
        env.sleep(env.poll_interval);
    }
}

}  // namespace

result<void> check_precondition(const plan_step& step, const step_environment& env) {
    const step_kind* kind = env.steps != nullptr ? env.steps->find(step.kind) : nullptr;
    if (kind == nullptr || !kind->precondition) {
        return {};
    }
    return kind->precondition(step, env);
}

result<std::string> run_step(const plan_step& step, const step_environment& env) {
    if (auto ready = check_precondition(step, env); !ready) {
        return std::unexpected(ready.error());
    }
    return run_checked_step(step, env);
}

result<std::string> run_checked_step(const plan_step& step, const step_environment& env) {
    const step_kind* kind = env.steps != nullptr ? env.steps->find(step.kind) : nullptr;
    if (kind != nullptr && kind->polls()) {
        return run_polled(*kind, step, env);
    }
    if (kind == nullptr || !kind->run) {
        return fail(error_kind::internal, fmt::format("no runner for step kind `{}`", step.kind));
    }
    return kind->run(step, env);
}

}  // namespace opsbot::commands
