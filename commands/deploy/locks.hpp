#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

#include <chrono>

namespace opsbot::commands {

/// How long a `/deploy lock` freeze lasts unless released first.
inline constexpr std::chrono::hours freeze_duration{24};

/// `/deploy lock <service> <env> "<reason>"`: a freeze held by the user; rollbacks and deploys of that
/// service+environment are refused while it holds. Shown by `/deploy status`.
reply run_deploy_lock(const parsed_command& command, const command_context& context);

/// `/deploy unlock <service> <env>`: the holder releases their lock; an approver of `/deploy`
/// (policies.deploy.approve) may also release one whose owner is gone (an action that ended, or none) or another
/// person's freeze, audited with who and whose lock. Anyone else is told who holds it; nothing changes.
reply run_deploy_unlock(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
