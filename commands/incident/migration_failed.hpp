#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/incident/triage.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"

#include <optional>
#include <string>

namespace opsbot::commands {

/// A "backup.created" audit entry: the dump to restore.
struct recorded_backup {
    std::string time;  ///< when it was recorded (ISO-8601)
    std::string file;
    std::string sha256;
    bool taken_before_failure = true;  ///< false: no backup predates the failed migration; this is the newest
};

/// The newest backup of `environment` recorded before `before` (ISO-8601; "" = any), else the newest at all
/// (taken_before_failure = false); nullopt when none is recorded.
result<std::optional<recorded_backup>> find_restore_backup(storage::database& db, const clock& clk,
                                                           const std::string& environment, const std::string& before);

/// The runbook's restore into a fresh database (docs/platforms.md §4: never `--clean` over the migrated one), as
/// mrkdwn lines: createdb, pg_restore --no-owner --exit-on-error --single-transaction, point DATABASE_URL at it.
/// Names the URL variable `url_env`, never a URL or password. Pure.
std::string restore_instructions(const recorded_backup& backup, const std::string& url_env,
                                 const std::string& fresh_database);

/// `/incident migration-failed [env]` (runbook §8 "Database Migration Failed"): the 5 newest `_prisma_migrations`
/// rows, the verdict of classify_migration_failure, "do NOT roll back application code yet", and for a partial
/// failure the restore from the newest recorded pre-migration backup. Reads the database with libpq: blocking.
reply migration_failed_reply(const parsed_command& command, const command_context& context);

}  // namespace opsbot::commands
