#pragma once

#include "commands/plan/plan.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/json_fields.hpp"

#include <string>

namespace opsbot::commands {

/// A string parameter of a step; empty when absent.
inline std::string step_param(const plan_step& step, std::string_view key) { return json_string(step.params, key); }

// There is no blocking poll loop here any more: a step that waits for a platform is split into act + poll_check
// (commands/plan/step_kind.hpp), stored by the executor between polls; run_step polls on its caller's thread only
// for callers that run a step to its end themselves (commands/plan/step_runner.cpp).

}  // namespace opsbot::commands
