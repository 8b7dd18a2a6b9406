#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

namespace opsbot::commands {

/// `/audit [N | ACTION-ID]`: the newest N audit entries (default 20), or every entry of one action,
/// as a code block: sequence, time, actor, action, event and a short detail.
reply run_audit_view(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
