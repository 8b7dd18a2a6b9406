#pragma once
// The rotation's hook around a run (commands/grammar/family.hpp run_hooks): the run's secret vault (issue #6), which
// lives only as long as the run and is wiped when it ends.

#include "commands/plan/run_state.hpp"

#include <memory>

namespace opsbot::commands {

/// A new run's state for a `/rotate` plan: an empty secret vault its steps share (step_environment::vault).
std::unique_ptr<run_state> make_rotation_state();

}  // namespace opsbot::commands
