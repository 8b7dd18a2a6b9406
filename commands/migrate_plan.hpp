#pragma once

#include "adapters/prisma_migrations.hpp"
#include "commands/plan.hpp"
#include "commands/platform_registry.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/error.hpp"

#include <optional>
#include <string>

namespace opsbot::commands {

/// Runbook §8 "Database Migration Failed", the static part (plan::next_step_on_failure).
inline constexpr std::string_view migration_next_step =
    "Runbook §8: Do NOT roll back application code yet (it may depend on the new schema). Check "
    "_prisma_migrations; partially applied -> restore the pre-migration backup into a FRESH database and point "
    "DATABASE_URL at it; failed cleanly -> fix the migration SQL and re-run prisma migrate deploy.";

/// `/migrate staging|production` (runbook §4): backup -> deploy command -> status (fails on any failed
/// migration) -> health checks of the railway services' health_url.<env>. Staging also ends with
/// "migrate.verified", which records audit "verify.succeeded" {environment: staging, migrations} once the
/// health checks passed. Production is refused unless every migration pending there is applied on staging
/// with the same checksum AND a "verify.succeeded" for staging is newer than those rows' finished_at.
/// Reads both databases' `_prisma_migrations` (blocking).
result<plan> plan_migrate(const stack_config& config, const platform_registry& platforms,
                          std::string_view environment, const clock& clk);

/// Why production may not be migrated yet; nullopt when it may. `audit_db` holds the verify entries.
std::optional<std::string> production_gate(const adapters::prisma_status& staging,
                                           const adapters::prisma_status& production, storage::database* audit_db,
                                           const clock& clk);

/// The runbook §8 report after a failed deploy: the last 5 rows of _prisma_migrations, each failed row with
/// its error line (adapters::migration_error_summary; never the raw logs, which can quote row data), "Do NOT roll back application code yet", and the next step — partially applied (a failed row):
/// restore `backup_file` into a fresh database with the exact commands; failed cleanly (no failed row): fix
/// the SQL and re-run. `url_env` names the variable to point at the restored database. Plain text.
std::string migration_failure_report(std::string_view environment, const adapters::prisma_status& status,
                                     const std::optional<std::string>& backup_file, std::string_view database_name,
                                     std::string_view url_env, std::string_view deploy_output,
                                     clock::time_point now);

/// The newest "backup.created" file of `environment` in the audit log; nullopt when none.
std::optional<std::string> latest_backup_file(storage::database* audit_db, const clock& clk,
                                              std::string_view environment);

}  // namespace opsbot::commands
