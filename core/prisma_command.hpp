#pragma once

#include <optional>
#include <span>
#include <string>

namespace opsbot {

/// Why `argv` (config: migrations.deploy_command) must never run against these databases, or nullopt when it
/// may. Runbook §4: `prisma migrate reset` and `prisma db push` can drop tables and delete data. Reads the
/// words of the argument vector (each element split at white space, so `["sh", "-c", "prisma db push"]` counts
/// too) in any position and order: `migrate` with `reset`, `--force-reset`, `db` with `push` (with or without
/// `--accept-data-loss`), and `--accept-data-loss` anywhere. The answer names what was found, e.g.
/// "`db push --accept-data-loss` (drops columns and tables to match the schema)".
std::optional<std::string> destructive_prisma_command(std::span<const std::string> argv);

}  // namespace opsbot
