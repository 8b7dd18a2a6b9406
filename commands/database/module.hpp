#pragma once

#include "commands/grammar/family.hpp"

namespace opsbot::commands {

/// `/migrate` and `/backup`: Prisma migrations and pg_dump backups — its slash commands, how each subcommand is served, and its step kinds.
family_module database_module();

}  // namespace opsbot::commands
