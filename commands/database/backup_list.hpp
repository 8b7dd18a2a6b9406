#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

namespace opsbot::commands {

/// `/backup list [env]`: the "backup.created" entries of the audit log (newest first, at most 20), each with
/// its age, size, short checksum and whether the file still exists.
reply backup_list_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
