#pragma once

#include "commands/grammar/command_spec.hpp"

namespace opsbot::commands {

/// The grammar, help and manifest entry of `/migrate` and `/backup`: Prisma migrations and pg_dump backups.
family_spec migrate_family();
family_spec backup_family();

}  // namespace opsbot::commands
