#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

namespace opsbot::commands {

/// `/rotate SECRET --continue`: wakes the rotation of SECRET waiting at its manual step (only its requester may)
/// and answers with what the rotation found (changed values, or what is still old). Never takes a value.
reply rotate_continue_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
