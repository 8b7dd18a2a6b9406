#pragma once

#include "commands/command_context.hpp"
#include "commands/parser.hpp"
#include "commands/reply.hpp"

#include <chrono>

namespace opsbot::commands {

/// How long a `/deploy lock` freeze lasts unless released first.
inline constexpr std::chrono::hours freeze_duration{24};

/// `/deploy lock <service> <env> "<reason>"`: a freeze held by the user; rollbacks and deploys of that
/// service+environment are refused while it holds. Shown by `/deploy status`.
reply run_deploy_lock(const parsed_command& command, const command_context& context);

/// `/deploy unlock <service> <env>`: only the holder releases a freeze (others are told who holds it).
reply run_deploy_unlock(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
