#pragma once

#include "commands/plan/plan.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/json_fields.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>

namespace opsbot::commands {

/// A string parameter of a step; empty when absent.
inline std::string step_param(const plan_step& step, std::string_view key) { return json_string(step.params, key); }

/// Calls `poll(attempt)` every poll_interval until it returns a value (done) or an error, or the step's
/// timeout passes (error_kind::timeout). `poll` returns result<std::optional<std::string>>: nullopt = not yet.
template <class Poll>
result<std::string> poll_until(const plan_step& step, const step_environment& env, Poll poll) {
    const auto deadline = env.clk.now() + step.timeout;
    for (int attempt = 1;; ++attempt) {
        result<std::optional<std::string>> r = poll(attempt);
        if (!r) {
            return std::unexpected(r.error());
        }
        if (r->has_value()) {
            return **r;
        }
        if (env.clk.now() >= deadline) {
            return fail(error_kind::timeout, fmt::format("{}: not finished after {} s ({} polls)", step.kind,
                                                         step.timeout.count(), attempt));
        }
        env.sleep(env.poll_interval);
    }
}

}  // namespace opsbot::commands
