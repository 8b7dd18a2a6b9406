#pragma once

#include "commands/command_context.hpp"
#include "commands/parser.hpp"
#include "commands/reply.hpp"

namespace opsbot::commands {

/// Answers one implemented command that is not a plan (status reports, checklists, lock/unlock, audit).
/// Runs on a worker thread and may block on I/O.
using handler_fn = reply (*)(const parsed_command& command, const command_context& context);

/// The handler for `command` ("family subcommand"), or nullptr when it has none.
handler_fn find_handler(const parsed_command& command);

}  // namespace opsbot::commands
