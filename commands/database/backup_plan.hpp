#pragma once

#include "adapters/postgres_backup.hpp"
#include "commands/grammar/command_context.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/plan/plan.hpp"
#include "commands/plan/platform_registry.hpp"
#include "commands/grammar/reply.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

#include <optional>
#include <string>

namespace opsbot::commands {

/// The database tools of a config (nullopt when `migrations` is not configured). The bot stores the result
/// in platform_registry::database.
std::optional<database_tools> make_database_tools(const stack_config& config, storage::database* audit_db,
                                                  env_lookup env = process_env);

/// The step that takes a backup of `environment` (kind "postgres.backup"; params: {"environment"} only).
plan_step backup_step(std::string_view environment, const migrations_config& migrations);

/// `/backup production`: a one-step plan that needs approval.
result<plan> plan_backup(const stack_config& config, std::string_view environment);

/// Takes a backup and records "backup.created" {environment, file, bytes, sha256} in the audit log, or
/// "backup.failed" {environment, reason}. Blocking (pg_dump): call on a worker.
result<adapters::backup_file> backup_and_record(const database_tools& tools, std::string_view environment,
                                                const clock& clk, std::string_view actor);

/// `/backup staging` (runs directly, no approval): the bot calls it on a worker and posts the reply.
reply run_backup_now(const parsed_command& command, const command_context& context);

/// "Backup `<file>` of staging: 1.2 MB, sha256 ab12…, 14 objects in the archive."
std::string describe_backup(std::string_view environment, const adapters::backup_file& file);

}  // namespace opsbot::commands
