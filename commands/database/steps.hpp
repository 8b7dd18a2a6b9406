#pragma once

#include "commands/plan/step_kind.hpp"

#include <vector>

namespace opsbot::commands {

/// The step kinds of /backup and /migrate: "postgres.backup", "prisma.deploy", "prisma.status",
/// "migrate.verified". They need the `migrations` section (platform_registry::database).
std::vector<step_kind> database_step_kinds();

}  // namespace opsbot::commands
