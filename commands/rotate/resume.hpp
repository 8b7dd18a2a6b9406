#pragma once
// A rotation resumed after a restart (run_hooks::cannot_resume): its secret vault is empty then — values are never
// stored (docs/design.md "Security rules") — so the steps that need the new value or what the run learnt about the
// keys cannot run.

#include "commands/plan/plan.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace opsbot::commands {

/// Why a rotation resumed at step `at` (0-based: its stored poll or wait) cannot go on with an empty vault: which
/// steps ran, which cannot, whether the old key still works, and the command that finishes the job. nullopt when
/// nothing left needs the vault, or a step left makes or reads back the value again (manual.wait).
std::optional<std::string> rotation_cannot_resume(const plan& p, std::size_t at);

}  // namespace opsbot::commands
